// Keras files written by Keras itself (scripts/make-keras-import-fixtures.py: Keras 3.15 .keras,
// tf_keras 2.21 .h5, a base model nested in the classifier as train.py builds it, a RandomFlip in
// front, saved after an SGD step so optimizer state is in the file) open as tfjs
// models whose probabilities equal the ones Keras computed on the same pixels (expected.json).
import assert from 'node:assert/strict';
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { tf } from '../../../../src/engine/tf.ts';
import { loadKerasModelFile } from '../../../../src/engine/import/kerasModelFile.ts';
import { kerasTopology } from '../../../../src/engine/import/kerasTopology.ts';
import { tempDir } from '../helpers/fixtures.ts';

const FIXTURES = join(__dirname, '..', '..', '..', 'fixtures', 'keras-import');
const expected = JSON.parse(readFileSync(join(FIXTURES, 'expected.json'), 'utf8')) as {
  input: { shape: number[]; values: number[] };
  outputs: Record<string, number[][]>;
};

function maxDiff(a: number[][], b: number[][]): number {
  let d = 0;
  a.forEach((row, i) => row.forEach((v, j) => (d = Math.max(d, Math.abs(v - b[i][j])))));
  return d;
}

for (const file of ['tiny.keras', 'tiny.h5']) {
  test(`${file} (written by Keras) predicts as Keras did, within 1e-4`, async () => {
    const loaded = await loadKerasModelFile(join(FIXTURES, file));
    try {
      assert.equal(loaded.format, file.endsWith('.keras') ? 'keras3' : 'keras2');
      // the nested base is inlined: its layers are the model's own
      assert.ok(loaded.model.layers.some((l) => l.name === 'sep' && l.getClassName() === 'SeparableConv2D'));
      assert.deepEqual(loaded.metadata?.labels, ['cat', 'dog', 'fox']);
      // Keras saved the RandomFlip (and, in the .keras, its seed state and the SGD variables): dropped, not weights
      assert.deepEqual(loaded.dropped, [{ name: 'flip', className: 'RandomFlip' }]);
      assert.deepEqual(loaded.metadata?.inputSize, [16, 16]);
      const x = tf.tensor4d(expected.input.values, expected.input.shape as [number, number, number, number]);
      const y = loaded.model.predict(x) as tf.Tensor2D;
      const got = y.arraySync();
      tf.dispose([x, y]);
      const d = maxDiff(got, expected.outputs[file]);
      assert.ok(d < 1e-4, `max difference ${d}`);
      // the two files hold different random weights: a test that compared a file to itself would not see this
      assert.ok(maxDiff(got, expected.outputs[file === 'tiny.h5' ? 'tiny.keras' : 'tiny.h5']) > 1e-3);
    } finally {
      loaded.model.dispose();
    }
  });
}

test('a layer class CNN Lab does not convert is refused in one line naming the file and the class', async () => {
  const path = join(FIXTURES, 'unsupported.keras');
  await assert.rejects(loadKerasModelFile(path), (e: Error) => {
    assert.ok(!e.message.includes('\n'), e.message);
    assert.match(e.message, /unsupported\.keras: layer 'norm' is a LayerNormalization, which CNN Lab does not convert/);
    return true;
  });
});

test('without labels.json or embedded metadata the model still loads, metadata undefined', async () => {
  const dir = tempDir('keras-import-');
  copyFileSync(join(FIXTURES, 'tiny.h5'), join(dir, 'other.h5'));
  const loaded = await loadKerasModelFile(join(dir, 'other.h5'));
  loaded.model.dispose();
  assert.equal(loaded.metadata, undefined);
  writeFileSync(join(dir, 'other.labels.json'), JSON.stringify({ labels: ['a'], inputSize: [16, 16], preprocessing: 'x/2' }));
  await assert.rejects(loadKerasModelFile(join(dir, 'other.h5')), /other\.labels\.json: "preprocessing" must be one of/);
});

test('augmentation layers are dropped as the identity; their consumer reads their input', () => {
  const t = (name: string, node = 0) => ({ class_name: '__keras_tensor__', config: { keras_history: [name, node, 0] } });
  const layer = (class_name: string, name: string, config: object, input?: string) => ({
    module: 'keras.layers',
    class_name,
    name,
    config: { name, ...config },
    inbound_nodes: input ? [{ args: [t(input)], kwargs: {} }] : [],
  });
  const config = {
    class_name: 'Functional',
    config: {
      name: 'm',
      layers: [
        layer('InputLayer', 'in', { batch_shape: [null, 4, 4, 3] }),
        layer('RandomFlip', 'flip', { mode: 'horizontal' }, 'in'),
        layer('GlobalAveragePooling2D', 'gap', { keepdims: false }, 'flip'),
      ],
      input_layers: ['in', 0, 0],
      output_layers: ['gap', 0, 0],
    },
  };
  const { topology, dropped } = kerasTopology(config, true, 'm.keras');
  assert.deepEqual(dropped, [{ name: 'flip', className: 'RandomFlip' }]);
  const gap = topology.config.layers.find((l: { name: string }) => l.name === 'gap');
  assert.deepEqual(gap.inbound_nodes, [[['in', 0, 0, {}]]]);
  assert.deepEqual(topology.config.layers.find((l: { name: string }) => l.name === 'in').config.batch_input_shape, [null, 4, 4, 3]);
});
