// A model that fails to load (weights of the wrong shape, an unknown layer) must not leave its
// tensors behind: the editor keeps one engine process, so every failed try used to add the whole
// model's variables and decoded weights (528 tensors for InceptionV3) to its memory for good.
import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { loadBase } from '../../../../src/engine/models/zoo.ts';
import { loadModelDir } from '../../../../src/engine/save/load.ts';
import { tf } from '../../../../src/engine/tf.ts';
import { modelJsonVariant, tempDir, writeTinyBase } from '../helpers/fixtures.ts';

let root: string;
let goodJson: string;

/** A copy of the good tiny base in `name`/, with model.json passed through `edit`. */
const variant = (name: string, edit?: (json: Record<string, any>) => void): string =>
  modelJsonVariant(join(root, 'good'), join(root, name), edit);

const wrongShape = (json: Record<string, any>) => {
  const kernel = json.weightsManifest[0].weights.find((w: { name: string }) => w.name === 'conv2/kernel');
  kernel.shape = [3, 3, 16, 8]; // same byte count; the layer wants [3, 3, 8, 16]
};

async function tensorsLeakedBy(load: () => Promise<unknown>): Promise<{ leaked: number; message: string }> {
  const before = tf.memory().numTensors;
  let message = '';
  try {
    await load();
  } catch (e) {
    message = (e as Error).message;
  }
  assert.ok(message, 'the load was expected to fail');
  return { leaked: tf.memory().numTensors - before, message };
}

before(async () => {
  await tf.setBackend('cpu');
  root = tempDir('cnnlab-load-leaks-');
  goodJson = await writeTinyBase(join(root, 'good'), 16);
});
after(() => rmSync(root, { recursive: true, force: true }));

test('a base with weights of the wrong shape: error, and no tensor left behind (three tries)', async () => {
  const path = variant('wrong-shape', wrongShape);
  for (let i = 0; i < 3; i++) {
    const { leaked, message } = await tensorsLeakedBy(() => loadBase(path));
    assert.match(message, /cannot build the layers model/);
    assert.equal(leaked, 0, `try ${i + 1} left ${leaked} tensor(s)`);
  }
});

test('a model directory with weights of the wrong shape: error, and no tensor left behind', async () => {
  const path = variant('wrong-shape-dir', wrongShape);
  writeFileSync(
    join(root, 'wrong-shape-dir', 'cnn-lab.json'),
    JSON.stringify({ format: 'cnn-lab-model', formatVersion: 1, labels: ['a', 'b'], inputSize: [16, 16], modelInput: 'classifier' }),
  );
  const { leaked, message } = await tensorsLeakedBy(() => loadModelDir(join(root, 'wrong-shape-dir')));
  assert.ok(message.startsWith(path), message);
  assert.equal(leaked, 0);
});

test('an unknown layer class after some built layers: error, and no tensor left behind', async () => {
  const path = variant('unknown-layer', (json) => {
    const layers = json.modelTopology.model_config?.config.layers ?? json.modelTopology.config.layers;
    layers[layers.length - 1].class_name = 'NoSuchLayer';
  });
  const { leaked, message } = await tensorsLeakedBy(() => loadBase(path));
  assert.match(message, /NoSuchLayer/);
  assert.equal(leaked, 0);
});

test('a good base still loads with its weights', async () => {
  const base = await loadBase(goodJson);
  assert.ok(base.layers);
  const kernel = base.layers.getLayer('conv1').getWeights()[0];
  assert.notEqual((await kernel.data())[0], 0);
  base.layers.dispose();
});
