// The fine-tuning prefix cache: the suffix on cached prefix rows computes what the whole model
// computes, a phase trained with the cache ends with the weights the whole model trains to, the
// prefix runs once per image for the phase, and the cache is refused where it cannot apply.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { prepareForFineTuning } from '../../../../src/engine/models/fineTuneGraph.ts';
import { runPhase, type Batch, type BatchSource } from '../../../../src/engine/train/loop.ts';
import { findPrefixSplit, PrefixCache } from '../../../../src/engine/train/prefixCache.ts';
import { tf } from '../../../../src/engine/tf.ts';

const SIZE = 12;

/** image → [conv → BN → relu6] × 2 (+ a residual add in block 2) → [conv → BN → relu6] → GAP → dense softmax; the last block and head trainable. */
function model(): tf.LayersModel {
  const init = (s: number) => tf.initializers.glorotUniform({ seed: s });
  const input = tf.input({ shape: [SIZE, SIZE, 3] });
  let x: tf.SymbolicTensor = input;
  for (let i = 1; i <= 3; i++) {
    const conv = tf.layers
      .conv2d({ filters: 6, kernelSize: 3, padding: 'same', name: `conv${i}`, kernelInitializer: init(i) })
      .apply(x) as tf.SymbolicTensor;
    const bn = tf.layers.batchNormalization({ name: `bn${i}` }).apply(conv) as tf.SymbolicTensor;
    const act = tf.layers.reLU({ maxValue: 6, name: `relu${i}` }).apply(bn) as tf.SymbolicTensor;
    x = i === 2 ? (tf.layers.add({ name: 'add2' }).apply([x, act]) as tf.SymbolicTensor) : act;
  }
  x = tf.layers.globalAveragePooling2d({ name: 'gap' }).apply(x) as tf.SymbolicTensor;
  const out = tf.layers.dense({ units: 2, activation: 'softmax', name: 'head', kernelInitializer: init(9) }).apply(x) as tf.SymbolicTensor;
  const m = tf.model({ inputs: input, outputs: out });
  for (let i = 1; i <= 3; i++) {
    const bn = m.getLayer(`bn${i}`);
    bn.setWeights(bn.getWeights().map((w, k) => tf.randomUniform(w.shape, k === 3 ? 0.3 : -0.5, k === 3 ? 2 : 0.5, 'float32', 20 * i + k)));
  }
  for (const name of ['conv1', 'bn1', 'conv2', 'bn2']) m.getLayer(name).trainable = false;
  return m;
}

const N = 10;
const images = tf.randomUniform([N, SIZE, SIZE, 3], 0, 1, 'float32', 3);
const labels = Int32Array.from({ length: N }, (_, i) => ((i * 7) % 3 === 0 ? 1 : 0));
const valImages = tf.randomUniform([6, SIZE, SIZE, 3], 0, 1, 'float32', 4);
const valLabels = Int32Array.from([0, 1, 1, 0, 1, 0]);
const BATCH = 4;

/** A different permutation each epoch (a stand-in for epochOrder): multipliers coprime with N. */
const order = (epoch: number) => Array.from({ length: N }, (_, i) => (i * [3, 7, 9][(epoch - 1) % 3] + epoch) % N);

function imageSource(x: tf.Tensor4D, ys: Int32Array, orderOf: (epoch: number) => number[]): BatchSource {
  return async function* (epoch): AsyncGenerator<Batch> {
    const o = orderOf(epoch);
    for (let s = 0; s < o.length; s += BATCH) {
      const idx = o.slice(s, s + BATCH);
      yield tf.tidy(() => {
        const i = tf.tensor1d(idx, 'int32');
        return { x: tf.gather(x, i), y: tf.oneHot(tf.gather(tf.tensor1d(ys, 'int32'), i), 2).toFloat() as tf.Tensor2D };
      });
    }
  };
}

test('the split is the one tensor the trained layers read: the residual sum of block 2', () => {
  const m = model();
  const split = findPrefixSplit(m)!;
  assert.equal(split.frontier.sourceLayer.name, 'add2');
  assert.equal(split.rowBytes, SIZE * SIZE * 6 * 4);
  m.dispose();
});

test('suffix(prefix(x)) is the whole model on x', () => {
  const m = model();
  const cache = PrefixCache.create(m, { augment: false, budgetBytes: 1e9, trainLabels: labels, classes: 2, batchSize: BATCH, order })!;
  const whole = tf.tidy(() => (m.apply(images, { training: false }) as tf.Tensor).dataSync());
  const split = tf.tidy(() => {
    const rows = cache.prefixOf(images);
    return (cache.model.apply(rows, { training: false }) as tf.Tensor).dataSync();
  });
  let worst = 0;
  for (let i = 0; i < whole.length; i++) worst = Math.max(worst, Math.abs(whole[i] - split[i]));
  assert.ok(worst <= 1e-6, `largest difference ${worst}`);
  cache.dispose();
  m.dispose();
});

async function train(useCache: boolean): Promise<{ weights: Float32Array[]; val: number[]; prefixCalls: number; leaked: number }> {
  const m = model();
  let prefixCalls = 0;
  const relu1 = m.getLayer('relu1') as unknown as { call: (...a: unknown[]) => unknown };
  const call = relu1.call;
  relu1.call = function (this: unknown, ...a: unknown[]) {
    prefixCalls++;
    return call.apply(this, a);
  };
  const before = tf.memory().numTensors;
  const restore = prepareForFineTuning(m);
  const cache = useCache
    ? PrefixCache.create(m, {
        augment: false,
        budgetBytes: 1e9,
        trainLabels: labels,
        validationLabels: valLabels,
        classes: 2,
        batchSize: BATCH,
        order,
      })
    : null;
  assert.equal(cache !== null, useCache);
  const optimizer = tf.train.momentum(0.05, 0.9);
  const val: number[] = [];
  const trainSource = imageSource(images as tf.Tensor4D, labels, order);
  const valSource = imageSource(valImages as tf.Tensor4D, valLabels, () => [0, 1, 2, 3, 4, 5]);
  await runPhase({
    phase: 'fine-tune',
    model: cache?.model ?? m,
    optimizer,
    learningRate: 0.05,
    epochs: 3,
    batchesPerEpoch: Math.ceil(N / BATCH),
    train: cache ? cache.train(trainSource) : trainSource,
    validation: cache ? cache.validation(valSource) : valSource,
    signal: new AbortController().signal,
    onBatch() {},
    async onEpoch(e) {
      val.push(e.valLoss!, e.loss);
      return 'continue';
    },
  });
  cache?.dispose();
  restore();
  optimizer.dispose();
  (optimizer as unknown as { c?: tf.Tensor }).c?.dispose();
  const leaked = tf.memory().numTensors - before;
  const weights = m.trainableWeights.map((w) => w.read().dataSync() as Float32Array);
  m.dispose();
  return { weights, val, prefixCalls, leaked };
}

test('a phase trained on cached prefix rows ends with the weights the whole model trains to', async () => {
  const eager = await train(false);
  const cached = await train(true);
  assert.equal(eager.weights.length, cached.weights.length);
  for (let k = 0; k < eager.weights.length; k++) {
    let worst = 0;
    for (let i = 0; i < eager.weights[k].length; i++) worst = Math.max(worst, Math.abs(eager.weights[k][i] - cached.weights[k][i]));
    assert.ok(worst <= 1e-5, `weight ${k}: largest difference ${worst}`);
  }
  for (let i = 0; i < eager.val.length; i++)
    assert.ok(Math.abs(eager.val[i] - cached.val[i]) <= 1e-5, `loss ${i}: ${eager.val[i]} vs ${cached.val[i]}`);
  // 3 epochs × (3 train batches + 2 validation batches) prefix runs without the cache; one pass each with it
  assert.equal(eager.prefixCalls, 3 * (3 + 2));
  assert.equal(cached.prefixCalls, 3 + 2);
  assert.equal(cached.leaked, 0, 'the cached rows are freed');
});

test('no cache with augmentation, over the memory budget, or when the trained layers read two prefix tensors', () => {
  const m = model();
  const base = { trainLabels: labels, classes: 2, batchSize: BATCH, order };
  assert.equal(PrefixCache.create(m, { ...base, augment: true, budgetBytes: 1e9 }), null);
  assert.equal(PrefixCache.create(m, { ...base, augment: false, budgetBytes: SIZE * SIZE * 6 * 4 * N - 1 }), null);
  // Training from bn2 on: the rest reads conv2's output and, through add2, relu1's.
  m.getLayer('bn2').trainable = true;
  assert.equal(findPrefixSplit(m), null);
  for (const l of m.layers) l.trainable = true;
  assert.equal(findPrefixSplit(m), null, 'nothing frozen');
  m.dispose();
});
