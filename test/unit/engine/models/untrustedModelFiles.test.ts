// A model.json is untrusted input (a cloned repo, a web server). Against real HTTP servers on
// 127.0.0.1: its shard paths cannot reach another host or climb out of its URL folder (also
// percent-encoded), and locally they cannot read a file outside the model's folder (also by a
// symlink); the URL cache never commits a download whose shards do not match the manifest (an
// HTML error page served with 200), and a bad entry found at load is discarded and fetched again.
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { disposeBase, loadBase } from '../../../../src/engine/models/zoo.ts';
import { cachedModelDir } from '../../../../src/engine/models/urlCache.ts';
import { tf } from '../../../../src/engine/tf.ts';
import { tempDir, writeTinyBase } from '../helpers/fixtures.ts';

let root: string;
let modelJson: Record<string, any>;
let weights: Buffer;
/** paths the servers were asked for, e.g. "main /m/model.json", "other /weights.bin" */
const hits: string[] = [];
/** model.json variants by folder: /<name>/model.json */
const variants = new Map<string, Record<string, any>>();
/** how many more times /flaky/weights.bin answers with an HTML page (status 200) */
let flakyHtml = 0;
let main: Server;
let other: Server;
let mainUrl = '';
let otherUrl = '';

async function listen(
  name: string,
  handler: (path: string) => { status: number; type: string; body: Buffer | string },
): Promise<[Server, string]> {
  const server = createServer((req, res) => {
    hits.push(`${name} ${req.url}`);
    const r = handler(req.url ?? '');
    res.writeHead(r.status, { 'content-type': r.type });
    res.end(r.body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return [server, `http://127.0.0.1:${(server.address() as AddressInfo).port}`];
}

function variant(name: string, paths: string[]): string {
  variants.set(name, { ...modelJson, weightsManifest: [{ ...modelJson.weightsManifest[0], paths }] });
  return `${mainUrl}/${name}/model.json`;
}

async function loadError(ref: string): Promise<string> {
  try {
    disposeBase(await loadBase(ref, { onNote: () => {} }));
  } catch (e) {
    return (e as Error).message;
  }
  return assert.fail(`${ref} loaded, expected a refusal`);
}

before(async () => {
  await tf.setBackend('cpu');
  root = tempDir('cnnlab-untrusted-');
  process.env.CNN_LAB_CACHE = join(root, 'cache');
  const json = await writeTinyBase(join(root, 'good'), 16);
  modelJson = JSON.parse(readFileSync(json, 'utf8'));
  weights = readFileSync(join(root, 'good', modelJson.weightsManifest[0].paths[0]));
  [main, mainUrl] = await listen('main', (path) => {
    const [, folder, file] = path.split('/');
    if (file === 'model.json' && variants.has(folder))
      return { status: 200, type: 'application/json', body: JSON.stringify(variants.get(folder)) };
    if (folder === 'flaky' && file === 'weights.bin' && flakyHtml > 0) {
      flakyHtml--;
      return { status: 200, type: 'text/html', body: '<html><body>Service temporarily unavailable</body></html>' };
    }
    // every other path serves valid weights, so a shard fetched from the wrong place would load
    return { status: 200, type: 'application/octet-stream', body: weights };
  });
  [other, otherUrl] = await listen('other', () => ({ status: 200, type: 'application/octet-stream', body: weights }));
});
after(() => {
  main.close();
  other.close();
  delete process.env.CNN_LAB_CACHE;
  rmSync(root, { recursive: true, force: true });
});

describe('remote shard paths stay under the model.json URL folder', () => {
  test('a good model loads, its shards fetched from its own folder', async () => {
    hits.length = 0;
    disposeBase(await loadBase(variant('ok', ['weights.bin']), { onNote: () => {} }));
    assert.deepEqual(hits, ['main /ok/model.json', 'main /ok/weights.bin']);
  });

  for (const [name, shard] of [
    ['abs', () => `${otherUrl}/weights.bin`],
    ['proto', () => `//127.0.0.1:${new URL(otherUrl).port}/weights.bin`],
    ['dotdot', () => '%2e%2e/secret.bin'],
    ['dotdot-slash', () => '..%2fsecret.bin'],
    ['backslash', () => 'sub%5c..%5c..%5csecret.bin'],
  ] as const) {
    test(`refused: ${name}`, async () => {
      hits.length = 0;
      const url = variant(name, [shard()]);
      const message = await loadError(url);
      assert.ok(message.includes(`${url}: weight path "${shard()}" leaves the model's URL folder; refused`), message);
      assert.deepEqual(hits, [`main /${name}/model.json`], 'only the model.json was fetched');
    });
  }
});

describe('local shard paths stay inside the model folder', () => {
  test('../ and a symlink out of the folder are refused before anything is read', async () => {
    writeFileSync(join(root, 'secret.bin'), weights);
    const dir = join(root, 'local', 'm');
    mkdirSync(dir, { recursive: true });
    const climb = join(dir, 'model.json');
    writeFileSync(
      climb,
      JSON.stringify({ ...modelJson, weightsManifest: [{ ...modelJson.weightsManifest[0], paths: ['../../secret.bin'] }] }),
    );
    assert.equal(await loadError(climb), `${climb}: weight path "../../secret.bin" leaves the model's folder; refused`);

    const linked = join(root, 'local', 'linked');
    mkdirSync(linked, { recursive: true });
    symlinkSync(join(root, 'secret.bin'), join(linked, 'weights.bin'));
    writeFileSync(join(linked, 'model.json'), JSON.stringify(modelJson));
    assert.equal(
      await loadError(join(linked, 'model.json')),
      `${join(linked, 'model.json')}: weight path "weights.bin" leaves the model's folder; refused`,
    );

    // a shard inside the folder still loads, also in a subfolder
    const fine = join(root, 'local', 'fine');
    mkdirSync(join(fine, 'w'), { recursive: true });
    copyFileSync(join(root, 'secret.bin'), join(fine, 'w', 'weights.bin'));
    writeFileSync(
      join(fine, 'model.json'),
      JSON.stringify({ ...modelJson, weightsManifest: [{ ...modelJson.weightsManifest[0], paths: ['w/weights.bin'] }] }),
    );
    disposeBase(await loadBase(join(fine, 'model.json')));
  });
});

describe('the URL cache keeps only downloads that match their manifest', () => {
  test('a shard served once as an HTML page (200) is not cached; the next run downloads it again and works', async () => {
    const url = variant('flaky', ['weights.bin']);
    flakyHtml = 1;
    const message = await loadError(url);
    assert.match(message, /weight files hold 57 bytes but the manifest describes \d+ \(an error page or a cut-off download\?\)/);
    assert.equal(existsSync(cachedModelDir(url)), false, 'nothing was committed to the cache');
    const notes: string[] = [];
    disposeBase(await loadBase(url, { askedBy: '/ws/models/pets/cnn-lab.json', onNote: (l) => notes.push(l) }));
    assert.deepEqual(notes, [`downloading ${url} (asked by /ws/models/pets/cnn-lab.json)`]);
    // now cached: no note, no download
    hits.length = 0;
    notes.length = 0;
    disposeBase(await loadBase(url, { onNote: (l) => notes.push(l) }));
    assert.deepEqual([hits, notes], [[], []]);
  });

  test('a shard whose sha256 differs from the one the manifest gives is not cached; the right one loads', async () => {
    const { createHash } = await import('node:crypto');
    const good = createHash('sha256').update(weights).digest('hex');
    const url = variant('hashed-bad', ['weights.bin']);
    variants.get('hashed-bad')!.weightsManifest[0].sha256 = ['0'.repeat(64)];
    assert.match(await loadError(url), /weight file weights\.bin does not have the sha256 the manifest gives/);
    assert.equal(existsSync(cachedModelDir(url)), false);
    const ok = variant('hashed-ok', ['weights.bin']);
    variants.get('hashed-ok')!.weightsManifest[0].sha256 = [good];
    disposeBase(await loadBase(ok, { onNote: () => {} }));
  });

  test('a bad entry found at load (left by an older version) is discarded and fetched again, and the note says so', async () => {
    const url = variant('stale', ['weights.bin']);
    const dir = cachedModelDir(url);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'model.json'), JSON.stringify(variants.get('stale')));
    writeFileSync(join(dir, 'weights.bin'), '<html>error</html>');
    const notes: string[] = [];
    disposeBase(await loadBase(url, { onNote: (l) => notes.push(l) }));
    assert.equal(notes.length, 2, notes.join('\n'));
    assert.match(
      notes[0],
      new RegExp(
        `^discarded the cached copy of ${url.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')} \\(the cached .*: weight files hold 18 bytes but the manifest describes \\d+ .*\\); downloading it again$`,
      ),
    );
    assert.equal(notes[1], `downloading ${url}`);
    assert.equal(readFileSync(join(dir, 'weights.bin')).byteLength, weights.byteLength);
  });
});
