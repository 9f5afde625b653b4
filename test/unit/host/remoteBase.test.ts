// Predict with a model folder whose cnn-lab.json names a URL base ("modelInput": "pooled-head")
// downloads that URL; the host finds it first so the user is asked (the modal names the URL and
// this file). Anything else asks for no download.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { remoteBaseOfModelDir } from '../../../src/host/predict/remoteBase.ts';

const root = mkdtempSync(join(tmpdir(), 'cnnlab-remotebase-'));
after(() => rmSync(root, { recursive: true, force: true }));

function modelDir(name: string, meta: unknown): string {
  const dir = join(root, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'cnn-lab.json'), typeof meta === 'string' ? meta : JSON.stringify(meta));
  return dir;
}

test('a pooled-head model with a URL base.id asks for that URL, naming its cnn-lab.json', () => {
  const dir = modelDir('remote', { modelInput: 'pooled-head', base: { id: 'http://evil.test/m/model.json' } });
  assert.deepEqual(remoteBaseOfModelDir(dir), { url: 'http://evil.test/m/model.json', file: join(dir, 'cnn-lab.json') });
});

test('classifier models, local or bundled bases and broken metadata ask for nothing', () => {
  assert.equal(remoteBaseOfModelDir(modelDir('clf', { modelInput: 'classifier', base: { id: 'http://x.test/model.json' } })), undefined);
  assert.equal(remoteBaseOfModelDir(modelDir('local', { modelInput: 'pooled-head', base: { id: '/models/graph/model.json' } })), undefined);
  assert.equal(remoteBaseOfModelDir(modelDir('bundled', { modelInput: 'pooled-head', base: { id: 'mobilenet_v2' } })), undefined);
  assert.equal(remoteBaseOfModelDir(modelDir('broken', '{')), undefined);
  assert.equal(remoteBaseOfModelDir(join(root, 'none')), undefined);
});
