// Outcomes that used to look like success: a model whose weights are NaN "predicted" circle NaN%
// and exited 0; evaluating a folder where no image decodes printed "accuracy 0.00% on 0 images"
// and exited 0. Both now fail with one line and a non-zero exit. Real tfjs, real files.
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { after, before, test } from 'node:test';
import { main } from '../../../src/cli.ts';
import { serializeLayersModel } from '../../../src/engine/save/modelFiles.ts';
import { tf } from '../../../src/engine/tf.ts';
import { tempDir } from '../engine/helpers/fixtures.ts';
import { capture } from './captureIO.ts';

const repo = resolve(__dirname, '../../..');
const photo = join(repo, 'test/fixtures/images/photos/horse.png');
let root: string;

/** A cnn-lab model directory (8×8 images → 2 classes) whose dense kernel is `fill`. */
async function writeModelDir(dir: string, fill: number, labels = ['circle', 'square']): Promise<string> {
  const model = tf.sequential({
    layers: [tf.layers.flatten({ inputShape: [8, 8, 3] }), tf.layers.dense({ units: 2, activation: 'softmax' })],
  });
  const [kernel, bias] = model.layers[1].getWeights();
  model.layers[1].setWeights([tf.fill(kernel.shape, fill), bias]);
  const { modelJson, weights } = await serializeLayersModel(model);
  model.dispose();
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'model.json'), modelJson);
  writeFileSync(join(dir, 'weights.bin'), weights);
  const meta = {
    format: 'cnn-lab-model',
    formatVersion: 1,
    labels,
    inputSize: [8, 8],
    preprocessing: '0..1',
    resize: 'stretch',
    base: { id: 'test', label: 'test', kind: 'layers' },
    modelInput: 'classifier',
    status: 'complete',
    history: [],
    bestEpoch: null,
  };
  writeFileSync(join(dir, 'cnn-lab.json'), JSON.stringify(meta));
  return dir;
}

before(async () => {
  await tf.setBackend('cpu');
  root = tempDir('cnnlab-outcomes-');
});
after(() => rmSync(root, { recursive: true, force: true }));

test('predict with NaN weights fails with one line naming the model, exit 1', async () => {
  const dir = await writeModelDir(join(root, 'nan-model'), NaN);
  const io = capture();
  const code = await main(['predict', '--model', dir, '--image', photo], io);
  assert.equal(io.stdout.join('\n'), '', 'no prediction row is printed');
  assert.equal(code, 1, io.stderr.join('\n'));
  assert.equal(io.stderr.length, 1, io.stderr.join('\n'));
  assert.match(io.stderr[0], /^cnn-lab predict: .*nan-model: the model outputs NaN for .*horse\.png: its weights are not finite numbers/);
});

test('predict with finite weights still prints probabilities and exits 0', async () => {
  const dir = await writeModelDir(join(root, 'ok-model'), 0.01);
  const io = capture();
  assert.equal(await main(['predict', '--model', dir, '--image', photo], io), 0, io.stderr.join('\n'));
  assert.match(io.stdout[0], /horse\.png: (circle|square) \d+\.\d%/);
});

test('evaluate on a folder where no image decodes fails with the reason, exit 1', async () => {
  const dir = await writeModelDir(join(root, 'eval-model'), 0.01);
  const data = join(root, 'undecodable');
  mkdirSync(join(data, 'circle'), { recursive: true });
  mkdirSync(join(data, 'square'), { recursive: true });
  copyFileSync(join(repo, 'test/fixtures/images/odd/truncated.jpg'), join(data, 'circle', 'a.jpg'));
  writeFileSync(join(data, 'square', 'b.png'), 'not a png');
  const io = capture();
  const code = await main(['evaluate', '--model', dir, '--data', data], io);
  assert.equal(code, 1, io.stdout.join('\n'));
  assert.equal(io.stdout.join('\n'), '');
  assert.equal(io.stderr.length, 1, io.stderr.join('\n'));
  assert.match(
    io.stderr[0],
    /^cnn-lab evaluate: no image in evaluation folder .*undecodable could be decoded \(2 skipped; e\.g\. .*a\.jpg: /,
  );
});

test("labels from a model's metadata are printed with their control characters escaped", async () => {
  const dir = await writeModelDir(join(root, 'escape-model'), 0.01, ['circle\x1b[2J\x1b]0;owned\x07', 'square\u009b31m']);
  const io = capture();
  assert.equal(await main(['predict', '--model', dir, '--image', photo, '--top', '2'], io), 0, io.stderr.join('\n'));
  // eslint-disable-next-line no-control-regex -- matching control characters is the point
  assert.doesNotMatch(io.stdout[0], /[\x00-\x08\x0b-\x1f\x7f-\x9f]/);
  assert.ok(io.stdout[0].includes('circle\\u001b[2J\\u001b]0;owned\\u0007') && io.stdout[0].includes('square\\u009b31m'), io.stdout[0]);
});
