// BatchNormalization folded into the convolution before it: the same outputs within float
// rounding, for Conv2D and DepthwiseConv2D (multiplier 2), with and without bias, gamma and beta;
// pairs that cannot fold stay as they are; undo restores the model bit for bit.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { foldBatchNorms } from '../../../../src/engine/models/foldBatchNorm.ts';
import { tf } from '../../../../src/engine/tf.ts';

function model(): tf.LayersModel {
  const seed = (s: number) => tf.initializers.glorotUniform({ seed: s });
  const input = tf.input({ shape: [17, 13, 3] });
  let x = tf.layers
    .conv2d({ filters: 6, kernelSize: 3, strides: 2, padding: 'same', useBias: false, name: 'conv', kernelInitializer: seed(1) })
    .apply(input) as tf.SymbolicTensor;
  x = tf.layers.batchNormalization({ name: 'bn_conv', scale: false }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.reLU({ maxValue: 6 }).apply(x) as tf.SymbolicTensor;
  x = tf.layers
    .depthwiseConv2d({
      kernelSize: 3,
      depthMultiplier: 2,
      padding: 'valid',
      useBias: true,
      name: 'dw',
      depthwiseInitializer: seed(2),
      biasInitializer: 'glorotUniform',
    })
    .apply(x) as tf.SymbolicTensor;
  x = tf.layers.batchNormalization({ name: 'bn_dw', center: false }).apply(x) as tf.SymbolicTensor;
  // A conv whose output also feeds an Add: folding it would change what the Add sees.
  const shared = tf.layers.conv2d({ filters: 12, kernelSize: 1, name: 'shared', kernelInitializer: seed(3) }).apply(x) as tf.SymbolicTensor;
  const bnShared = tf.layers.batchNormalization({ name: 'bn_shared' }).apply(shared) as tf.SymbolicTensor;
  x = tf.layers.add({}).apply([shared, bnShared]) as tf.SymbolicTensor;
  const m = tf.model({ inputs: input, outputs: tf.layers.globalAveragePooling2d({}).apply(x) as tf.SymbolicTensor });
  // Statistics far from the identity, so a wrong fold cannot pass.
  for (const name of ['bn_conv', 'bn_dw', 'bn_shared']) {
    const bn = m.getLayer(name);
    bn.setWeights(
      bn
        .getWeights()
        .map((w, i, all) => tf.randomUniform(w.shape, i >= all.length - 2 ? 0.3 : -1, i === all.length - 1 ? 2 : 1, 'float32', 10 + i)),
    );
  }
  return m;
}

test('folded convolutions give the unfolded outputs; a conv with two consumers is left alone; undo is exact', () => {
  const m = model();
  const x = tf.randomUniform([3, 17, 13, 3], -1, 1, 'float32', 7);
  const run = () => tf.tidy(() => (m.predict(x) as tf.Tensor).dataSync());
  const before = run();
  const calls = () => m.layers.map((l) => (l as unknown as { call: unknown }).call);
  const original = calls();
  const tensors = tf.memory().numTensors;
  const unfold = foldBatchNorms(m);
  const changed = m.layers.filter((l, i) => calls()[i] !== original[i]).map((l) => l.name);
  assert.deepEqual(changed, ['conv', 'bn_conv', 'dw', 'bn_dw']);
  const folded = run();
  let worst = 0;
  for (let i = 0; i < before.length; i++) worst = Math.max(worst, Math.abs(folded[i] - before[i]) / (1e-3 + Math.abs(before[i])));
  assert.ok(worst < 1e-4, `largest relative difference ${worst}`);
  unfold();
  assert.deepEqual(calls(), original);
  assert.equal(tf.memory().numTensors, tensors, 'the folded weights are freed');
  assert.deepEqual(run(), before);
});

test('only the layers accepted fold', () => {
  const m = model();
  const original = m.layers.map((l) => (l as unknown as { call: unknown }).call);
  const unfold = foldBatchNorms(m, (l) => l.name === 'dw' || l.name === 'bn_dw');
  assert.deepEqual(
    m.layers.filter((l, i) => (l as unknown as { call: unknown }).call !== original[i]).map((l) => l.name),
    ['dw', 'bn_dw'],
  );
  unfold();
});
