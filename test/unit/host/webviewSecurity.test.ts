// Webviews load no remote content and act only on validated messages: the CSP allows nothing
// remote and no inline or eval'd script; the bundles use no network API; a malformed message is
// dropped (the page stays as it was) and text from messages never becomes markup.
import assert from 'node:assert/strict';
import { build } from 'esbuild';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { JSDOM } from 'jsdom';
import { contentSecurityPolicy } from '../../../src/host/webviewCsp.ts';
import { webviewShellHtml } from '../../../src/host/webviewShellHtml.ts';
import { loadWebview } from '../../webview/_harness.ts';

const repo = join(__dirname, '..', '..', '..');

test('CSP: default-src none; scripts by nonce only; nothing remote, inline or eval', () => {
  const csp = contentSecurityPolicy('https://webview.vscode-cdn.net', 'N0nce');
  const directives = new Map(
    csp
      .split(';')
      .map((d) => d.trim().split(/\s+/))
      .map(([name, ...values]) => [name, values]),
  );
  assert.deepEqual(directives.get('default-src'), ["'none'"]);
  assert.deepEqual(directives.get('script-src'), ["'nonce-N0nce'"]);
  assert.equal(directives.has('connect-src'), false, 'no connect-src: fetch/XHR/WebSocket fall back to none');
  assert.equal(directives.has('frame-src'), false);
  // injected markup can neither re-point relative URLs (<base href>) nor post a form anywhere
  assert.deepEqual(directives.get('base-uri'), ["'none'"]);
  assert.deepEqual(directives.get('form-action'), ["'none'"]);
  for (const [name, values] of directives) {
    for (const v of values) {
      assert.ok(!/unsafe-(inline|eval)|^\*$|^https?:$|^http:\/\//.test(v), `${name} allows ${v}`);
      assert.ok(
        v === 'data:' || v.startsWith("'") || v === 'https://webview.vscode-cdn.net',
        `${name} has only the webview's own origin, got ${v}`,
      );
    }
  }
});

test("a remote image URL with $' or markup stays one CSP source: no document text is spliced in", () => {
  // Predict from URL allows the image's URL in img-src. Substituted with html.replace and a
  // replacement string, `$'` pasted the rest of the document (here a <base>) into the page.
  const evil = "https://img.test/cat.png?$'<base/href=//evil.test/>$&$1";
  const html = webviewShellHtml({
    cspSource: 'https://webview.vscode-cdn.net',
    nonce: 'N0nce',
    scriptUri: 'https://webview.vscode-cdn.net/p.js',
    styleUri: 'https://webview.vscode-cdn.net/s.css',
    title: 'T',
    imageUrls: [evil],
  });
  const { document } = new JSDOM(html).window;
  assert.equal(document.querySelector('base'), null, 'no <base> element');
  assert.equal(document.querySelectorAll('script').length, 1);
  assert.equal(document.querySelectorAll('meta[http-equiv]').length, 1);
  const csp = document.querySelector('meta[http-equiv]')!.getAttribute('content')!;
  const img = csp
    .split(';')
    .map((d) => d.trim().split(/\s+/))
    .find(([n]) => n === 'img-src')!;
  assert.deepEqual(img, [
    'img-src',
    'https://webview.vscode-cdn.net',
    'data:',
    'https://img.test/cat.png?%24%27%3Cbase/href=//evil.test/%3E%24%26%241',
  ]);
  assert.ok(!/\$'|<base/.test(html), html);
  assert.match(csp, /base-uri 'none'/);
});

test('webview bundles call no network API', async () => {
  const entries = readdirSync(join(repo, 'webview')).filter((f) => f.endsWith('.ts') && !f.startsWith('_') && !f.endsWith('.d.ts'));
  assert.ok(entries.length >= 4, entries.join(', '));
  for (const entry of entries) {
    const out = await build({
      entryPoints: [join(repo, 'webview', entry)],
      bundle: true,
      write: false,
      format: 'iife',
      platform: 'browser',
      target: 'es2022',
      loader: { '.css': 'text' },
      logLevel: 'silent',
    });
    const code = out.outputFiles[0].text;
    for (const api of [/\bfetch\(/, /XMLHttpRequest/, /new WebSocket\b/, /\bEventSource\b/, /sendBeacon/, /importScripts/, /\bimport\(/]) {
      assert.ok(!api.test(code), `${entry} uses ${api}`);
    }
  }
});

const row = {
  source: '/ws/img/cat.png',
  name: 'cat.png',
  top: [
    { label: 'cats', probability: 0.93 },
    { label: 'dogs', probability: 0.07 },
  ],
};
const state = { modelDir: '/ws/models/pets', modelName: 'pets', backend: 'cpu', rows: [row] };

test('prediction view: malformed messages leave the page as it was; labels stay text', async (t) => {
  const w = await loadWebview('prediction');
  t.after(() => w.close());
  await w.send({ type: 'predictions', state });
  const shown = w.document.body.innerHTML;
  for (const bad of [
    null,
    'predictions',
    { type: 'eval', code: 'document.body.remove()' },
    { type: 'predictions', state: { ...state, rows: [{ ...row, top: [{ label: 'x', probability: 7 }] }] } },
    { type: 'predictions', state: { ...state, rows: 'all' } },
  ]) {
    await w.send(bad);
    assert.equal(w.document.body.innerHTML, shown, `after ${JSON.stringify(bad)}`);
  }
  await w.send({
    type: 'predictions',
    state: { ...state, rows: [{ ...row, name: '<img src=x onerror="window.pwned=1">', top: [{ label: '<b>cats</b>', probability: 1 }] }] },
  });
  assert.equal(w.document.querySelector('img[src="x"]'), null, 'a file name is never parsed as HTML');
  assert.equal(w.document.querySelector('b'), null, 'a label is never parsed as HTML');
  assert.match(w.document.body.textContent ?? '', /<b>cats<\/b>/);
});

test('architecture view: a malformed state is dropped', async (t) => {
  const w = await loadWebview('architecture');
  t.after(() => w.close());
  const good = {
    type: 'architecture',
    state: {
      title: 't',
      description: 'd',
      rows: [{ name: 'conv1', className: 'Conv2D', params: 448, trainable: true, outputShape: [30, 30, 16], group: null }],
      totals: { params: 448, trainable: 448, nonTrainable: 0, layers: 1 },
    },
  };
  await w.send(good);
  const shown = w.document.body.innerHTML;
  assert.match(w.document.body.textContent ?? '', /conv1/);
  await w.send({ ...good, state: { ...good.state, rows: [{ ...good.state.rows[0], outputShape: ['<script>'] }] } });
  assert.equal(w.document.body.innerHTML, shown);
});
