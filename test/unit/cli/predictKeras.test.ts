// `cnn-lab predict --model model.keras|model.h5`: a Keras file (written by Keras, see
// scripts/make-keras-import-fixtures.py) converted on load, labels from model.labels.json beside
// it. tiny.png is lossless and already the input size, so sharp decodes the pixels TensorFlow
// decoded and the probabilities must equal Keras' (expected.json) within 1e-4.
import assert from 'node:assert/strict';
import { copyFileSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { main } from '../../../src/cli.ts';
import { createEngine } from '../../../src/engine/engine.ts';
import { tf } from '../../../src/engine/tf.ts';
import { tempDir } from '../engine/helpers/fixtures.ts';
import { capture } from './captureIO.ts';

const FIXTURES = join(__dirname, '..', '..', 'fixtures', 'keras-import');
const expected = JSON.parse(readFileSync(join(FIXTURES, 'expected.json'), 'utf8')) as { png: Record<string, number[]> };
const LABELS = ['cat', 'dog', 'fox'];

let root: string;
before(async () => {
  await tf.setBackend('cpu');
  root = tempDir('cnnlab-cli-predict-keras-');
});
after(() => rmSync(root, { recursive: true, force: true }));

for (const file of ['tiny.keras', 'tiny.h5']) {
  test(`predict --model ${file}: Keras' probabilities, within 1e-4, under the labels of tiny.labels.json`, async () => {
    const io = capture();
    const code = await main(
      ['predict', '--model', join(FIXTURES, file), '--image', join(FIXTURES, 'tiny.png'), '--top', '3', '--json', '--backend', 'cpu'],
      io,
    );
    assert.equal(code, 0, io.stderr.join('\n'));
    const result = JSON.parse(io.stdout.join('\n')) as { predictions: { top: { label: string; probability: number }[] }[] };
    const top = result.predictions[0].top;
    assert.equal(top.length, 3);
    for (const { label, probability } of top) {
      const want = expected.png[file][LABELS.indexOf(label)];
      assert.ok(Math.abs(probability - want) < 1e-4, `${label}: ${probability} vs Keras ${want}`);
    }
  });
}

test('a Keras file without labels.json: one line saying where the labels go', async () => {
  copyFileSync(join(FIXTURES, 'tiny.keras'), join(root, 'bare.keras'));
  const io = capture();
  assert.equal(
    await main(['predict', '--model', join(root, 'bare.keras'), '--image', join(FIXTURES, 'tiny.png'), '--backend', 'cpu'], io),
    1,
  );
  const text = io.stderr.join('\n');
  assert.ok(!text.trim().includes('\n'), text);
  assert.match(text, /bare\.keras: no labels: put .*bare\.labels\.json beside it/);
});

test('describeModel on a .keras file: the converted layers, the nested base inlined', async () => {
  const engine = createEngine(() => {});
  const rows = await engine.handle('describeModel', { path: join(FIXTURES, 'tiny.keras') });
  const names = rows.map((r) => r.name);
  assert.deepEqual(names.slice(0, 3), ['image', 'base_rescale', 'pad']);
  assert.equal(names.at(-1), 'cnnlab_predictions');
  const sep = rows.find((r) => r.name === 'sep')!;
  // 3·3·8 depthwise + 8·8 pointwise + 8 bias
  assert.equal(sep.params, 72 + 64 + 8);
});
