// The tfjs 4.22.0 workarounds (src/engine/tfjsPatches.ts), on the cpu backend with tiny tensors:
// each does what it says, and each still has something to work around (so an upgrade that fixes
// one upstream shows here).
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import util from 'node:util';
import { tf } from '../../../src/engine/tf.ts';
import { collectTrainableVariables } from '../../../src/engine/train/loop.ts';
import {
  disposeOptimizer,
  lendUnitGammas,
  restoreRemovedUtilHelpers,
  silenceCpuBackendBanner,
  variableGradsFreeingTape,
} from '../../../src/engine/tfjsPatches.ts';

before(async () => {
  await tf.setBackend('cpu');
});

test('ReLU(maxValue 6) gives relu6 values and gradients; other ReLUs still clip at their own maxValue', () => {
  const x = tf.tensor1d([-2, 0.5, 6, 7.5]);
  const six = tf.layers.reLU({ maxValue: 6 });
  assert.deepEqual(Array.from((six.apply(x) as tf.Tensor).dataSync()), [0, 0.5, 6, 6]);
  const grad = tf.grad((t) => (six.apply(t) as tf.Tensor).sum())(x);
  assert.deepEqual(
    Array.from(grad.dataSync()),
    Array.from(
      tf
        .grad((t) => tf.relu6(t).sum())(x)
        .dataSync(),
    ),
  );
  const three = tf.layers.reLU({ maxValue: 3 });
  assert.deepEqual(Array.from((three.apply(x) as tf.Tensor).dataSync()), [0, 0.5, 3, 3]);
  const plain = tf.layers.reLU({});
  assert.deepEqual(Array.from((plain.apply(x) as tf.Tensor).dataSync()), [0, 0.5, 6, 7.5]);
});

test('disposeOptimizer frees everything a used MomentumOptimizer holds, where dispose() alone leaks a scalar', () => {
  const step = (optimizer: tf.Optimizer) => {
    const w = tf.tidy(() => tf.variable(tf.tensor1d([1, 2])));
    optimizer.minimize(() => w.square().sum<tf.Scalar>(), false, [w]);
    return w;
  };
  const before = tf.memory().numTensors;
  const leaky = tf.train.momentum(0.1, 0.9);
  const w1 = step(leaky);
  leaky.dispose();
  w1.dispose();
  assert.equal(
    tf.memory().numTensors,
    before + 1,
    "tfjs 4.22 leaks SGD's learning-rate scalar (tensorflow/tfjs#4647); if this fails, the workaround can go",
  );
  tf.dispose((leaky as unknown as { c: tf.Tensor }).c);

  const start = tf.memory().numTensors;
  const momentum = tf.train.momentum(0.1, 0.9);
  const w2 = step(momentum);
  disposeOptimizer(momentum);
  w2.dispose();
  assert.equal(tf.memory().numTensors, start);
  const rmsprop = tf.train.rmsprop(0.1);
  const w3 = step(rmsprop);
  disposeOptimizer(rmsprop);
  w3.dispose();
  assert.equal(tf.memory().numTensors, start);
});

test('lendUnitGammas gives a gamma of ones to BatchNormalization without scale only, and takes it back', () => {
  const start = tf.memory().numTensors;
  const input = tf.input({ shape: [2, 2, 3] });
  const noScale = tf.layers.batchNormalization({ scale: false });
  const withScale = tf.layers.batchNormalization({});
  const m = tf.model({ inputs: input, outputs: withScale.apply(noScale.apply(input)) as tf.SymbolicTensor });
  const layers = m.layers as unknown as {
    gamma?: { read(): tf.Tensor } | null;
    getClassName(): string;
    movingMean?: { read(): tf.Tensor } | null;
  }[];
  const gammaBefore = layers.map((l) => l.gamma);
  const tensorsWithModel = tf.memory().numTensors;
  const undo = lendUnitGammas(layers);
  assert.deepEqual(Array.from(layers[1].gamma!.read().dataSync()), [1, 1, 1]);
  assert.equal(layers[2].gamma, gammaBefore[2], 'a layer with its own gamma is left alone');
  undo();
  assert.equal(layers[1].gamma, gammaBefore[1]);
  assert.equal(tf.memory().numTensors, tensorsWithModel, 'the ones are freed');
  m.dispose();
  assert.ok(tf.memory().numTensors >= start);
});

test('the cpu banner flag is cleared, and the removed util helpers are back', () => {
  silenceCpuBackendBanner();
  assert.equal((tf.findBackend('cpu') as unknown as { firstUse?: boolean }).firstUse, false);
  restoreRemovedUtilHelpers();
  const u = util as unknown as { isNullOrUndefined(v: unknown): boolean; isArray(v: unknown): boolean };
  assert.equal(u.isNullOrUndefined(null), true);
  assert.equal(u.isNullOrUndefined(undefined), true);
  assert.equal(u.isNullOrUndefined(0), false);
  assert.equal(u.isArray([]), true);
});

/** A small fine-tuning-like net: conv → BN → relu6 blocks with a residual add, pooled, dense, softmax. */
function smallNet(): tf.LayersModel {
  const input = tf.input({ shape: [16, 16, 8] });
  let x: tf.SymbolicTensor = input;
  for (let i = 0; i < 4; i++) {
    const expanded = tf.layers.conv2d({ filters: 32, kernelSize: 1, useBias: false }).apply(x) as tf.SymbolicTensor;
    const normed = tf.layers.batchNormalization({}).apply(expanded) as tf.SymbolicTensor;
    const act = tf.layers.reLU({ maxValue: 6 }).apply(normed) as tf.SymbolicTensor;
    const dw = tf.layers.depthwiseConv2d({ kernelSize: 3, padding: 'same', useBias: false }).apply(act) as tf.SymbolicTensor;
    const projected = tf.layers.conv2d({ filters: 8, kernelSize: 1 }).apply(dw) as tf.SymbolicTensor;
    x = tf.layers.add().apply([x, projected]) as tf.SymbolicTensor;
  }
  const pooled = tf.layers.globalAveragePooling2d({}).apply(x) as tf.SymbolicTensor;
  const out = tf.layers.dense({ units: 3, activation: 'softmax' }).apply(pooled) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: out });
}

test('variableGradsFreeingTape: the same loss and gradients as tf.variableGrads, a lower peak, nothing left behind', async () => {
  const model = smallNet();
  const x = tf.randomUniform([8, 16, 16, 8], 0, 1, 'float32', 7);
  const y = tf.oneHot(tf.tensor1d([0, 1, 2, 0, 1, 2, 0, 1], 'int32'), 3).toFloat();
  const vars = collectTrainableVariables(model);
  const loss = (): tf.Scalar => tf.losses.softmaxCrossEntropy(y, model.apply(x, { training: false }) as tf.Tensor);
  const run = async (grads: typeof tf.variableGrads) => {
    let result: { value: tf.Scalar; grads: tf.NamedTensorMap } | undefined;
    const before = tf.memory().numTensors;
    const profile = await tf.profile(() => {
      result = grads(loss, vars);
    });
    const values = {
      loss: result!.value.dataSync()[0],
      grads: Object.fromEntries(Object.entries(result!.grads).map(([k, g]) => [k, Array.from(g.dataSync())])),
    };
    const kept = tf.memory().numTensors - before;
    tf.dispose([result!.value, ...Object.values(result!.grads)]);
    return { values, peakBytes: profile.peakBytes, kept, after: tf.memory().numTensors - before };
  };
  const plain = await run(tf.variableGrads);
  const freeing = await run(variableGradsFreeingTape);
  assert.deepEqual(freeing.values, plain.values, 'the same loss and gradients, bit for bit');
  assert.equal(freeing.kept, plain.kept, 'the same tensors survive the call: the loss and one gradient per variable');
  assert.equal(freeing.after, 0, 'nothing left behind');
  assert.ok(
    freeing.peakBytes < 0.8 * plain.peakBytes,
    `peak ${freeing.peakBytes} bytes while freeing the tape, ${plain.peakBytes} without: expected well below`,
  );
  // tf.variableGrads itself is unchanged after (and outside) the call
  const again = await run(tf.variableGrads);
  assert.equal(again.peakBytes, plain.peakBytes);
  tf.dispose([x, y]);
  model.dispose();
});

test('variableGradsFreeingTape: a gradient that hands its dy on as-is is not freed under the input that receives it', () => {
  const w = tf.variable(tf.tensor1d([0.5, -1, 2]));
  // passThrough's gradient returns its dy itself: that tensor becomes relu's dy, after passThrough is done
  const passThrough = tf.customGrad((t, save) => {
    (save as (tensors: tf.Tensor[]) => void)([]);
    return { value: (t as tf.Tensor).clone(), gradFunc: (dy) => [dy] };
  });
  const f = () =>
    passThrough(tf.relu(w.mul(3)))
      .square()
      .sum<tf.Scalar>();
  const plain = tf.variableGrads(f, [w]);
  const freeing = variableGradsFreeingTape(f, [w]);
  assert.deepEqual(Array.from(freeing.grads[w.name].dataSync()), Array.from(plain.grads[w.name].dataSync()));
  assert.deepEqual(Array.from(freeing.grads[w.name].dataSync()), [9, 0, 36]);
  tf.dispose([plain.value, freeing.value, ...Object.values(plain.grads), ...Object.values(freeing.grads), w]);
});
