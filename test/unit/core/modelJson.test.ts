// describeModelJson against tfjs itself for every supported layer class, in tfjs-saved topologies
// (functional and sequential), plus the Keras 3 form and nested models.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { describeModelJson } from '../../../src/core/modelJson.ts';

/** Compares our rows with tfjs' own reading of the same JSON (as a saved model.json is loaded). */
async function assertMatchesTfjs(json: object & { modelTopology?: object }): Promise<void> {
  const rows = describeModelJson(json);
  const model = await tf.models.modelFromJSON((json.modelTopology ?? json) as Parameters<typeof tf.models.modelFromJSON>[0]);
  try {
    assert.equal(rows.length, model.layers.length);
    model.layers.forEach((layer, i) => {
      assert.equal(rows[i].name, layer.name);
      assert.deepEqual(
        rows[i].outputShape,
        (layer.outputShape as (number | null)[]).slice(1),
        `${layer.name} (${layer.getClassName()}): output shape`,
      );
      assert.equal(rows[i].params, layer.countParams(), `${layer.name} (${layer.getClassName()}): parameters`);
      assert.equal(rows[i].trainable, layer.trainable, `${layer.name}: trainable`);
    });
  } finally {
    model.dispose();
  }
}

test('functional tfjs model with every supported layer class matches tfjs', async () => {
  const L = tf.layers;
  const input = tf.input({ shape: [37, 50, 3], name: 'img' });
  let x = L.zeroPadding2d({
    padding: [
      [1, 2],
      [0, 3],
    ],
  }).apply(input) as tf.SymbolicTensor;
  x = L.conv2d({ filters: 8, kernelSize: [3, 5], strides: [2, 1], padding: 'valid' }).apply(x) as tf.SymbolicTensor;
  // (tfjs 4.22 does not serialise SeparableConv2D's depth_multiplier, so keep it 1 here)
  const a = L.separableConv2d({ filters: 6, kernelSize: 3, padding: 'same' }).apply(x) as tf.SymbolicTensor;
  const b = L.depthwiseConv2d({ kernelSize: 3, depthMultiplier: 3, padding: 'same', useBias: false }).apply(x) as tf.SymbolicTensor;
  const c = L.conv2d({ filters: 4, kernelSize: 3, dilationRate: 2, padding: 'same' }).apply(x) as tf.SymbolicTensor;
  x = L.concatenate({ axis: -1 }).apply([a, b, c]) as tf.SymbolicTensor;
  x = L.batchNormalization({ center: false }).apply(x) as tf.SymbolicTensor;
  x = L.reLU().apply(x) as tf.SymbolicTensor;
  x = L.maxPooling2d({ poolSize: 3, strides: 2, padding: 'same' }).apply(x) as tf.SymbolicTensor;
  const y = L.conv2d({ filters: 34, kernelSize: 1 }).apply(x) as tf.SymbolicTensor;
  x = L.add().apply([x, y]) as tf.SymbolicTensor;
  x = L.conv2dTranspose({ filters: 5, kernelSize: 4, strides: 2, padding: 'valid' }).apply(x) as tf.SymbolicTensor;
  x = L.cropping2D({
    cropping: [
      [1, 0],
      [2, 3],
    ],
  }).apply(x) as tf.SymbolicTensor;
  x = L.averagePooling2d({ poolSize: [2, 3], padding: 'valid' }).apply(x) as tf.SymbolicTensor;
  x = L.activation({ activation: 'relu' }).apply(x) as tf.SymbolicTensor;
  const g = L.globalAveragePooling2d({}).apply(x) as tf.SymbolicTensor;
  const m = L.globalMaxPooling2d({}).apply(x) as tf.SymbolicTensor;
  x = L.concatenate().apply([g, m]) as tf.SymbolicTensor;
  x = L.reshape({ targetShape: [2, 5] }).apply(x) as tf.SymbolicTensor;
  x = L.flatten().apply(x) as tf.SymbolicTensor;
  x = L.dropout({ rate: 0.3 }).apply(x) as tf.SymbolicTensor;
  const out = L.dense({ units: 7 }).apply(x) as tf.SymbolicTensor;
  const model = tf.model({ inputs: input, outputs: out });
  try {
    model.layers[2].trainable = false;
    const topology = model.toJSON(undefined, false) as object;
    await assertMatchesTfjs({ modelTopology: topology });
    assert.ok(model.layers.length >= 20);
  } finally {
    model.dispose();
  }
});

test('sequential tfjs model (batch_input_shape on the first layer) matches tfjs', async () => {
  const model = tf.sequential({
    layers: [
      tf.layers.conv2d({ inputShape: [28, 20, 1], filters: 6, kernelSize: 5, strides: 2, padding: 'same' }),
      tf.layers.upSampling2d({ size: [2, 3] }),
      tf.layers.maxPooling2d({ poolSize: 2 }),
      tf.layers.flatten(),
      tf.layers.dense({ units: 12, useBias: false }),
      tf.layers.dense({ units: 3 }),
    ],
  });
  try {
    const topology = model.toJSON(undefined, false) as { class_name: string };
    assert.equal(topology.class_name, 'Sequential');
    await assertMatchesTfjs(topology);
  } finally {
    model.dispose();
  }
});

test('Keras 3 topology: batch_shape and keras_tensor inbound nodes', () => {
  const tensor = (layer: string, shape: (number | null)[]) => ({
    class_name: '__keras_tensor__',
    config: { shape, dtype: 'float32', keras_history: [layer, 0, 0] },
  });
  const json = {
    format: 'layers-model',
    modelTopology: {
      class_name: 'Functional',
      config: {
        name: 'k3',
        layers: [
          {
            class_name: 'InputLayer',
            name: 'input_layer',
            config: { batch_shape: [null, 10, 12, 3], name: 'input_layer' },
            inbound_nodes: [],
          },
          {
            class_name: 'Conv2D',
            name: 'c1',
            config: { name: 'c1', filters: 4, kernel_size: [3, 3], strides: [1, 1], padding: 'valid', use_bias: true },
            inbound_nodes: [{ args: [tensor('input_layer', [null, 10, 12, 3])], kwargs: {} }],
          },
          {
            class_name: 'Conv2D',
            name: 'c2',
            config: { name: 'c2', filters: 4, kernel_size: [3, 3], strides: [1, 1], padding: 'valid', use_bias: false, trainable: false },
            inbound_nodes: [{ args: [tensor('input_layer', [null, 10, 12, 3])], kwargs: {} }],
          },
          {
            class_name: 'Concatenate',
            name: 'cat',
            config: { name: 'cat', axis: -1 },
            inbound_nodes: [{ args: [[tensor('c1', [null, 8, 10, 4]), tensor('c2', [null, 8, 10, 4])]], kwargs: {} }],
          },
          {
            class_name: 'MysteryLayer',
            name: 'odd',
            config: { name: 'odd' },
            inbound_nodes: [{ args: [tensor('cat', [null, 8, 10, 8])], kwargs: {} }],
          },
          {
            class_name: 'Flatten',
            name: 'flat',
            config: { name: 'flat' },
            inbound_nodes: [{ args: [tensor('odd', [null, 1])], kwargs: {} }],
          },
        ],
        input_layers: [['input_layer', 0, 0]],
        output_layers: [['flat', 0, 0]],
      },
    },
  };
  const rows = describeModelJson(json);
  assert.deepEqual(
    rows.map((r) => [r.name, r.className, r.outputShape, r.params, r.trainable]),
    [
      ['input_layer', 'InputLayer', [10, 12, 3], 0, false],
      ['c1', 'Conv2D', [8, 10, 4], 112, true],
      ['c2', 'Conv2D', [8, 10, 4], 108, false],
      ['cat', 'Concatenate', [8, 10, 8], 0, true],
      ['odd', 'MysteryLayer', null, 0, true], // unknown class: a row, never an exception
      ['flat', 'Flatten', null, 0, true],
    ],
  );
});

test('a nested base model counts as one layer with the sum of its parameters', async () => {
  const base = tf.sequential({
    name: 'base',
    layers: [tf.layers.conv2d({ inputShape: [16, 16, 3], filters: 4, kernelSize: 3 }), tf.layers.globalAveragePooling2d({})],
  });
  const outer = tf.sequential({ layers: [base, tf.layers.dense({ units: 2 })] });
  try {
    await assertMatchesTfjs({ modelTopology: outer.toJSON(undefined, false) as object });
  } finally {
    outer.dispose();
  }
});

test('not a layers model: a clear error', () => {
  assert.throws(() => describeModelJson([1, 2]), /model\.json: expected a JSON object/);
  assert.throws(() => describeModelJson({ format: 'graph-model', modelTopology: { node: [] } }), /tfjs graph model .* no layer topology/);
  assert.throws(() => describeModelJson({ format: 'layers-model', weightsManifest: [] }), /no layers model topology found/);
});
