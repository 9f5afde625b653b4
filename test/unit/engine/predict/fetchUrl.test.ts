// Predict-from-URL downloads against a local HTTP server on 127.0.0.1 (nothing leaves the
// machine): non-image content, oversize bodies (declared and streamed), a slow server, redirect
// loops, non-http schemes — each one sentence naming the URL, never a hang or a crash.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { decodeImage } from '../../../../src/engine/data/decode-image.ts';
import { checkHttpUrl, fetchWithLimits, IMAGE_FETCH_LIMITS, type FetchLimits } from '../../../../src/engine/predict/fetchUrl.ts';
import { FIXTURES } from '../data/odd-files.ts';

const png = readFileSync(join(FIXTURES, 'odd', 'palette_color.png'));
let server: Server;
let base: string;
const limits = (over: Partial<FetchLimits> = {}): FetchLimits => ({ ...IMAGE_FETCH_LIMITS, timeoutMs: 2000, maxBytes: 64 * 1024, ...over });

const routes: Record<string, (res: ServerResponse) => void> = {
  '/image.png': (res) => res.writeHead(200, { 'content-type': 'image/png', 'content-length': png.length }).end(png),
  '/page': (res) => res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end('<html>hello</html>'),
  '/lying.png': (res) => res.writeHead(200, { 'content-type': 'image/png' }).end('<html>not really a PNG</html>'),
  '/declared-huge': (res) => res.writeHead(200, { 'content-type': 'image/jpeg', 'content-length': 10 * 1024 * 1024 }).end(),
  '/streamed-huge': (res) => {
    // no Content-Length: chunked, and far more than the limit
    res.writeHead(200, { 'content-type': 'image/jpeg' });
    const chunk = Buffer.alloc(16 * 1024, 0xff);
    let sent = 0;
    const pump = () => {
      while (sent < 200 && res.write(chunk)) sent++;
      if (sent < 200) res.once('drain', pump);
      else res.end();
    };
    pump();
  },
  '/never': () => {}, // accepts, never answers
  '/trickle': (res) => {
    res.writeHead(200, { 'content-type': 'image/png' });
    const timer = setInterval(() => res.write(Buffer.from([0])), 50);
    res.on('close', () => clearInterval(timer));
  },
  '/loop': (res) => res.writeHead(302, { location: '/loop' }).end(),
  '/to-file': (res) => res.writeHead(301, { location: 'file:///etc/passwd' }).end(),
  '/hop': (res) => res.writeHead(307, { location: '/image.png' }).end(),
  '/missing': (res) => res.writeHead(404).end('nope'),
};

before(async () => {
  server = createServer((req, res) => (routes[req.url ?? ''] ?? routes['/missing'])(res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

async function fetchError(path: string, over: Partial<FetchLimits> = {}): Promise<string> {
  try {
    await fetchWithLimits(path.includes(':') ? path : base + path, limits(over));
  } catch (e) {
    return (e as Error).message;
  }
  return assert.fail(`${path} fetched, expected an error`);
}

describe('fetchWithLimits', () => {
  test('an image, also through a redirect, arrives byte for byte', async () => {
    const direct = await fetchWithLimits(`${base}/image.png`, limits());
    assert.deepEqual(Buffer.from(direct.bytes), png);
    const hopped = await fetchWithLimits(`${base}/hop`, limits());
    assert.equal(hopped.url, `${base}/image.png`);
    assert.deepEqual(Buffer.from(hopped.bytes), png);
  });

  test('non-image content: refused by its type; an "image" that is HTML is refused by the decoder', async () => {
    assert.equal(await fetchError('/page'), `${base}/page is text/html; charset=utf-8, not an image (image/jpeg, png, webp, gif, tiff)`);
    const lying = await fetchWithLimits(`${base}/lying.png`, limits());
    await assert.rejects(decodeImage(Buffer.from(lying.bytes), { name: `${base}/lying.png` }), (e: Error) =>
      e.message.startsWith(`${base}/lying.png: not an image`),
    );
  });

  test('oversize body: a declared length over the cap, and a chunked body that keeps going', async () => {
    assert.match(await fetchError('/declared-huge'), /declared-huge is 10485760 bytes, over the 65536-byte limit/);
    assert.match(await fetchError('/streamed-huge'), /streamed-huge sent more than the 65536-byte limit/);
  });

  test('a slow server times out: no answer at all, and a body that trickles', async () => {
    const started = performance.now();
    assert.equal(await fetchError('/never', { timeoutMs: 300 }), `timed out after 0.3 s fetching ${base}/never`);
    assert.equal(await fetchError('/trickle', { timeoutMs: 300 }), `timed out after 0.3 s fetching ${base}/trickle`);
    assert.ok(performance.now() - started < 3000, 'both gave up close to the timeout');
  });

  test('a redirect loop stops at the limit; a redirect to file:// is refused', async () => {
    assert.equal(await fetchError('/loop'), `too many redirects (more than 5) fetching ${base}/loop`);
    assert.equal(await fetchError('/to-file'), 'only http and https URLs are fetched, not file: file:///etc/passwd');
  });

  test('non-http schemes and non-URLs are refused before any connection', async () => {
    assert.equal(await fetchError('file:///etc/passwd'), 'only http and https URLs are fetched, not file: file:///etc/passwd');
    assert.match(await fetchError('ftp://127.0.0.1/x.png'), /not ftp/);
    assert.match(await fetchError('data:image/png;base64,AAAA'), /not data/);
    assert.throws(() => checkHttpUrl('cat.png'), /not a valid URL: cat\.png/);
  });

  test('HTTP errors and cancellation are reported as such', async () => {
    assert.match(await fetchError('/missing'), /HTTP 404 Not Found fetching/);
    const controller = new AbortController();
    const pending = fetchWithLimits(`${base}/never`, limits({ signal: controller.signal }));
    setTimeout(() => controller.abort(), 50);
    await assert.rejects(pending, /was cancelled/);
  });
});
