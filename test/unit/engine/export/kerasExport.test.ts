// The Keras writer without Python: a small classifier (conv, BN, a residual Add, GAP, Dense) saved
// as a model directory is exported, and the files are read back with h5wasm and yauzl to check the
// layouts Keras reads: Keras 3's layers/<snake_case>[_n]/vars/<i> and config.json, Keras 2's
// model_config and model_weights/<layer>/<layer>/<weight>:0, values equal to the tfjs weights.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import yauzl from 'yauzl';
import { tf } from '../../../../src/engine/tf.ts';
import { serializeLayersModel } from '../../../../src/engine/save/modelFiles.ts';
import { exportKerasModel, labelsPathFor } from '../../../../src/engine/export/kerasExport.ts';
import { kerasWeightPaths, toSnakeCase } from '../../../../src/engine/export/kerasConfig.ts';
import { tempDir } from '../helpers/fixtures.ts';

let root: string;
let modelDir: string;
let expected: Map<string, Float32Array>;

async function writeModelDir(dir: string, extra: Record<string, unknown> = {}): Promise<Map<string, Float32Array>> {
  const input = tf.input({ shape: [8, 8, 3], name: 'image' });
  const c1 = tf.layers.conv2d({ filters: 4, kernelSize: 3, padding: 'same', name: 'c1' }).apply(input) as tf.SymbolicTensor;
  const bn = tf.layers.batchNormalization({ name: 'bn' }).apply(c1) as tf.SymbolicTensor;
  const c2 = tf.layers.conv2d({ filters: 4, kernelSize: 1, useBias: false, name: 'c2' }).apply(bn) as tf.SymbolicTensor;
  const add = tf.layers.add({ name: 'add' }).apply([c2, c1]) as tf.SymbolicTensor;
  const gap = tf.layers.globalAveragePooling2d({ name: 'gap' }).apply(add) as tf.SymbolicTensor;
  const out = tf.layers.dense({ units: 2, activation: 'softmax', name: 'pred' }).apply(gap) as tf.SymbolicTensor;
  const model = tf.model({ inputs: input, outputs: out, name: 'tiny' });
  const values = new Map(model.weights.map((w) => [w.originalName, w.read().dataSync() as Float32Array]));
  const { modelJson, weights } = await serializeLayersModel(model);
  model.dispose();
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'model.json'), modelJson);
  writeFileSync(join(dir, 'weights.bin'), weights);
  const meta = {
    format: 'cnn-lab-model',
    formatVersion: 1,
    labels: ['cat', 'dog'],
    inputSize: [8, 8],
    preprocessing: '-1..1',
    resize: 'stretch',
    base: { id: 'tiny', label: 'tiny', kind: 'layers' },
    modelInput: 'classifier',
    ...extra,
  };
  writeFileSync(join(dir, 'cnn-lab.json'), JSON.stringify(meta));
  return values;
}

function zipEntries(path: string): Promise<Map<string, Buffer>> {
  return new Promise((resolve, reject) => {
    yauzl.open(path, { lazyEntries: true }, (err, zip) => {
      if (err || !zip) return reject(err ?? new Error(`${path}: cannot open as a zip`));
      const entries = new Map<string, Buffer>();
      zip.on('entry', (entry: yauzl.Entry) => {
        zip.openReadStream(entry, (e, stream) => {
          if (e || !stream) return reject(e ?? new Error(`${path}: cannot read ${entry.fileName}`));
          const parts: Buffer[] = [];
          stream.on('data', (d: Buffer) => parts.push(d));
          stream.on('end', () => {
            entries.set(entry.fileName, Buffer.concat(parts));
            zip.readEntry();
          });
        });
      });
      zip.on('end', () => resolve(entries));
      zip.readEntry();
    });
  });
}

before(async () => {
  await tf.setBackend('cpu');
  root = tempDir('cnnlab-keras-export-');
  modelDir = join(root, 'model');
  expected = await writeModelDir(modelDir);
});
after(() => rmSync(root, { recursive: true, force: true }));

test('Keras snake_case and weight paths follow keras naming.to_snake_case and numbering', () => {
  assert.equal(toSnakeCase('Conv2D'), 'conv2d');
  assert.equal(toSnakeCase('DepthwiseConv2D'), 'depthwise_conv2d');
  assert.equal(toSnakeCase('GlobalAveragePooling2D'), 'global_average_pooling2d');
  assert.equal(toSnakeCase('ReLU'), 're_lu');
  assert.deepEqual(kerasWeightPaths([{ className: 'Conv2D' }, { className: 'Dense' }, { className: 'Conv2D' }, { className: 'Conv2D' }]), [
    'layers/conv2d',
    'layers/dense',
    'layers/conv2d_1',
    'layers/conv2d_2',
  ]);
});

test('.keras: metadata.json, config.json and model.weights.h5 as Keras 3 writes them', async () => {
  const out = join(root, 'tiny.keras');
  const r = await exportKerasModel(modelDir, out, 'keras');
  assert.equal(r.layers, 7);
  const entries = await zipEntries(out);
  assert.deepEqual([...entries.keys()], ['metadata.json', 'config.json', 'model.weights.h5']);
  const metadata = JSON.parse(entries.get('metadata.json')!.toString());
  assert.match(metadata.keras_version, /^3\./);
  assert.deepEqual(metadata.cnn_lab.labels, ['cat', 'dog']);
  assert.equal(metadata.cnn_lab.preprocessingPython, 'x / 127.5 - 1.0');
  const config = JSON.parse(entries.get('config.json')!.toString());
  assert.equal(config.class_name, 'Functional');
  assert.deepEqual(config.config.input_layers, ['image', 0, 0]);
  const add = config.config.layers.find((l: any) => l.name === 'add');
  // a merge layer is called on one list of two tensors, each with its shape and history
  assert.deepEqual(
    add.inbound_nodes[0].args[0].map((t: any) => t.config.keras_history),
    [
      ['c2', 0, 0],
      ['c1', 0, 0],
    ],
  );
  assert.deepEqual(add.inbound_nodes[0].args[0][0].config.shape, [null, 8, 8, 4]);
  const input = config.config.layers[0];
  assert.deepEqual(input.config.batch_shape, [null, 8, 8, 3]);
  assert.equal(config.config.layers.find((l: any) => l.name === 'c1').config.kernel_initializer.module, 'keras.initializers');

  const h5 = await import('h5wasm/node');
  await h5.ready;
  const weightsPath = join(root, 'unzipped.weights.h5');
  writeFileSync(weightsPath, entries.get('model.weights.h5')!);
  const f = new h5.File(weightsPath, 'r');
  try {
    const get = (p: string) => f.get(p) as InstanceType<typeof h5.Dataset>;
    // c1 and c2 are the first and second Conv2D; bn's variables in Keras order gamma, beta, mean, variance
    assert.equal((f.get('layers/conv2d/vars') as InstanceType<typeof h5.Group>).attrs.name.value, 'c1');
    assert.deepEqual(get('layers/conv2d/vars/0').shape, [3, 3, 3, 4]);
    assert.deepEqual([...(get('layers/conv2d/vars/0').value as Float32Array)], [...expected.get('c1/kernel')!]);
    assert.deepEqual([...(get('layers/conv2d_1/vars/0').value as Float32Array)], [...expected.get('c2/kernel')!]);
    assert.equal(get('layers/conv2d_1/vars/1'), null);
    assert.deepEqual([...(get('layers/batch_normalization/vars/3').value as Float32Array)], [...expected.get('bn/moving_variance')!]);
    assert.deepEqual([...(get('layers/dense/vars/1').value as Float32Array)], [...expected.get('pred/bias')!]);
    assert.equal(get('layers/dense/vars/0').dtype, '<f');
  } finally {
    f.close();
  }
});

test('.h5: model_config and weights by layer name, as Keras 2 writes them; labels beside', async () => {
  const out = join(root, 'tiny.h5');
  await exportKerasModel(modelDir, out, 'h5');
  const h5 = await import('h5wasm/node');
  await h5.ready;
  const f = new h5.File(out, 'r');
  try {
    const config = JSON.parse(f.attrs.model_config.value as string);
    assert.equal(config.class_name, 'Functional');
    assert.deepEqual(
      config.config.layers.map((l: any) => l.name),
      ['image', 'c1', 'bn', 'c2', 'add', 'gap', 'pred'],
    );
    const mw = f.get('model_weights') as InstanceType<typeof h5.Group>;
    assert.deepEqual(mw.attrs.layer_names.value, ['image', 'c1', 'bn', 'c2', 'add', 'gap', 'pred']);
    assert.deepEqual((f.get('model_weights/bn') as InstanceType<typeof h5.Group>).attrs.weight_names.value, [
      'bn/gamma:0',
      'bn/beta:0',
      'bn/moving_mean:0',
      'bn/moving_variance:0',
    ]);
    assert.deepEqual(
      [...((f.get('model_weights/pred/pred/kernel:0') as InstanceType<typeof h5.Dataset>).value as Float32Array)],
      [...expected.get('pred/kernel')!],
    );
    assert.equal(JSON.parse(f.attrs.cnn_lab_metadata.value as string).preprocessing, '-1..1');
  } finally {
    f.close();
  }
  const labels = JSON.parse(readFileSync(labelsPathFor(out), 'utf8'));
  assert.deepEqual(labels.labels, ['cat', 'dog']);
  assert.deepEqual(labels.inputSize, [8, 8]);
});

test('refusals are one line naming the file: wrong extension, a file CNN Lab did not write, a head-only model', async () => {
  await assert.rejects(exportKerasModel(modelDir, join(root, 'x.h5'), 'keras'), /x\.h5: a keras export must end in \.keras/);
  const foreign = join(root, 'theirs.keras');
  writeFileSync(foreign, 'not ours');
  await assert.rejects(exportKerasModel(modelDir, foreign, 'keras'), /theirs\.keras exists and is not a CNN Lab export/);
  assert.equal(readFileSync(foreign, 'utf8'), 'not ours');
  // an earlier export of ours is replaced
  const again = join(root, 'again.keras');
  await exportKerasModel(modelDir, again, 'keras');
  await exportKerasModel(modelDir, again, 'keras');
  const head = join(root, 'head');
  await writeModelDir(head, { modelInput: 'pooled-head' });
  await assert.rejects(exportKerasModel(head, join(root, 'head.keras'), 'keras'), /holds only the classifier head/);
});

test('the engine exports through its exportModel request (what the Export Model… command sends)', async () => {
  const { createEngine } = await import('../../../../src/engine/engine.ts');
  const engine = createEngine(() => {});
  const out = join(root, 'via-engine.h5');
  const r = await engine.handle('exportModel', { modelDir, out, format: 'h5' });
  assert.equal(r.out, out);
  assert.equal(r.weights, 9);
  assert.ok(existsSync(labelsPathFor(out)));
});
