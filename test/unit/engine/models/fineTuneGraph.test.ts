// Fine-tuning a base whose BatchNormalization has no gamma (Keras InceptionV3: scale=False) and
// running its frozen prefix off the gradient tape (BN folded): the plain model's gradients, less memory
// held by the tape, and every change undone after the phase.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { prepareForFineTuning } from '../../../../src/engine/models/fineTuneGraph.ts';
import { tf } from '../../../../src/engine/tf.ts';

/** image → [conv → BN → relu] × 4 → GAP → softmax; BN with or without gamma; all but the last block frozen. */
function model(scale: boolean): tf.LayersModel {
  const input = tf.input({ shape: [24, 24, 3] });
  let x: tf.SymbolicTensor = input;
  for (let i = 1; i <= 4; i++) {
    x = tf.layers
      .conv2d({
        filters: 6,
        kernelSize: 3,
        padding: 'same',
        name: `conv${i}`,
        kernelInitializer: tf.initializers.glorotUniform({ seed: i }),
      })
      .apply(x) as tf.SymbolicTensor;
    x = tf.layers.batchNormalization({ scale, name: `bn${i}` }).apply(x) as tf.SymbolicTensor;
    x = tf.layers.activation({ activation: 'relu', name: `relu${i}` }).apply(x) as tf.SymbolicTensor;
  }
  x = tf.layers.globalAveragePooling2d({}).apply(x) as tf.SymbolicTensor;
  const out = tf.layers
    .dense({ units: 2, activation: 'softmax', name: 'head', kernelInitializer: tf.initializers.glorotUniform({ seed: 9 }) })
    .apply(x) as tf.SymbolicTensor;
  const m = tf.model({ inputs: input, outputs: out });
  // Non-trivial statistics, so the gamma of ones has to meet real normalisation.
  for (let i = 1; i <= 4; i++) {
    const bn = m.getLayer(`bn${i}`);
    const w = bn.getWeights();
    bn.setWeights(w.map((t, k) => (k >= w.length - 2 ? tf.fill(t.shape, k === w.length - 1 ? 0.5 : 0.2) : t)));
  }
  for (const name of ['conv1', 'bn1', 'conv2', 'bn2', 'conv3', 'bn3']) m.getLayer(name).trainable = false;
  return m;
}

const x = tf.randomUniform([4, 24, 24, 3], 0, 1, 'float32', 5);
const y = tf.oneHot(tf.tensor1d([0, 1, 1, 0], 'int32'), 2) as tf.Tensor2D;

function step(m: tf.LayersModel): { grads: Map<string, Float32Array>; peakBytes: Promise<number> } {
  const vars = m.trainableWeights.map((w) => w.read() as tf.Variable);
  // Keyed by the layer's own weight name ('conv4/kernel'): tfjs makes variable names unique per process.
  const nameOf = new Map(m.trainableWeights.map((w) => [(w.read() as tf.Variable).name, w.originalName]));
  const grads = new Map<string, Float32Array>();
  const peakBytes = tf
    .profile(() => {
      const g = tf.variableGrads(
        () => tf.metrics.categoricalCrossentropy(y, m.apply(x, { training: false }) as tf.Tensor).mean<tf.Scalar>(),
        vars,
      );
      for (const [name, t] of Object.entries(g.grads)) grads.set(nameOf.get(name) ?? name, t.dataSync() as Float32Array);
      tf.dispose([g.value, ...Object.values(g.grads)]);
    })
    .then((p) => p.peakBytes);
  return { grads, peakBytes };
}

test('BatchNormalization without gamma fine-tunes, with the gradients of gamma = 1', async () => {
  const unscaled = model(false);
  const scaled = model(true); // same seeds, gamma initialised to ones: the same function
  const restore = prepareForFineTuning(unscaled);
  const a = step(unscaled);
  await a.peakBytes;
  restore();
  const b = step(scaled);
  await b.peakBytes;
  // scaled also trains bn4's gamma; every variable both have matches.
  const common = [...a.grads.keys()].filter((k) => b.grads.has(k));
  assert.ok(common.length >= 3, `compared ${common.join(', ')}`);
  for (const k of common) {
    const [ga, gb] = [a.grads.get(k)!, b.grads.get(k)!];
    assert.ok(
      ga.some((v) => v !== 0),
      `${k}: the gradient is not all zeros`,
    );
    for (let i = 0; i < ga.length; i++)
      assert.ok(Math.abs(ga[i] - gb[i]) <= 1e-5 * (1 + Math.abs(gb[i])), `${k}[${i}]: ${ga[i]} vs ${gb[i]}`);
  }
});

test('the frozen prefix runs off the tape: the same gradients, a smaller peak, everything undone afterwards', async () => {
  const m = model(true);
  const plain = step(m);
  const plainPeak = await plain.peakBytes;
  const tensorsBefore = tf.memory().numTensors;
  const calls = m.layers.map((l) => (l as unknown as { call: unknown }).call);
  const restore = prepareForFineTuning(m);
  const offTape = step(m);
  const offTapePeak = await offTape.peakBytes;
  restore();
  // Equal up to rounding: the prefix's BatchNormalization is folded into its convolutions.
  for (const [k, g] of plain.grads) {
    const o = offTape.grads.get(k)!;
    g.forEach((v, i) => assert.ok(Math.abs(o[i] - v) <= 1e-4 * (1e-3 + Math.abs(v)) + 1e-7, `${k}[${i}]: ${o[i]} vs ${v}`));
  }
  assert.ok(offTapePeak < plainPeak, `peak ${offTapePeak} bytes off the tape vs ${plainPeak} on it`);
  assert.deepEqual(
    m.layers.map((l) => (l as unknown as { call: unknown }).call),
    calls,
    'every layer has its own call back',
  );
  assert.equal(tf.memory().numTensors, tensorsBefore);
});

test('a gamma added for the phase is neither a weight nor left behind', () => {
  const m = model(false);
  const weights = m.weights.length;
  const tensors = tf.memory().numTensors;
  const gammaOf = (name: string) => (m.getLayer(name) as unknown as { gamma: unknown }).gamma;
  const before = ['bn1', 'bn4'].map(gammaOf);
  assert.ok(
    before.every((g) => g == null),
    'scale=False: no gamma',
  );
  const restore = prepareForFineTuning(m);
  assert.equal(m.weights.length, weights);
  assert.notEqual(gammaOf('bn4'), null, "the trainable block's BN runs on the tape with a gamma of ones");
  restore();
  assert.deepEqual(['bn1', 'bn4'].map(gammaOf), before);
  assert.equal(tf.memory().numTensors, tensors);
});
