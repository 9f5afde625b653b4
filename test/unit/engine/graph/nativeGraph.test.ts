// The native graph path (src/engine/graph/) on the tensorflow backend: a frozen model run as one
// libtensorflow session computes what its layers compute eagerly (within 1e-4 of the largest
// value), for every layer kind the converter handles and for a cut at an inner layer; a layer it
// does not handle is named and the model stays eager with the same outputs; restore() puts
// predict back; and a fine-tuning phase whose frozen prefix runs as a graph ends with the weights
// the eager prefix trains to. Skipped (with the registry's reason) where tfjs-node is not built.
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { listBackends, useBackend } from '../../../../src/engine/backends/index.ts';
import { compileNativeGraph, NATIVE_GRAPH_ENV, type NativeGraph } from '../../../../src/engine/graph/nativeGraph.ts';
import { layersModelToGraph } from '../../../../src/engine/graph/layersGraph.ts';
import { freezeForInference } from '../../../../src/engine/graph/frozenInference.ts';
import { prepareForFineTuning } from '../../../../src/engine/models/fineTuneGraph.ts';
import { runPhase, type Batch, type BatchSource } from '../../../../src/engine/train/loop.ts';
import { PrefixCache } from '../../../../src/engine/train/prefixCache.ts';
import { disposeBase, loadBase } from '../../../../src/engine/models/zoo.ts';
import { tf } from '../../../../src/engine/tf.ts';

let unavailable: string | null = null;
before(async () => {
  const info = (await listBackends()).find((b) => b.name === 'tensorflow')!;
  if (!info.available) unavailable = `tensorflow not available here: ${info.reason}`;
  else await useBackend('tensorflow');
});

const seed = (s: number) => tf.initializers.glorotUniform({ seed: s });
type S = tf.SymbolicTensor;

/** Every layer kind the converter handles, BatchNorm statistics far from the identity. */
function everyKind(): tf.LayersModel {
  const input = tf.input({ shape: [19, 17, 3] });
  let x = tf.layers.rescaling({ scale: 1 / 127.5, offset: -1 }).apply(input) as S;
  x = tf.layers
    .zeroPadding2d({
      padding: [
        [0, 1],
        [1, 0],
      ],
    })
    .apply(x) as S;
  x = tf.layers.conv2d({ filters: 8, kernelSize: 3, strides: 2, useBias: false, name: 'conv', kernelInitializer: seed(1) }).apply(x) as S;
  x = tf.layers.batchNormalization({ name: 'bn_conv' }).apply(x) as S;
  x = tf.layers.reLU({ maxValue: 6 }).apply(x) as S;
  x = tf.layers
    .depthwiseConv2d({
      kernelSize: 3,
      depthMultiplier: 2,
      padding: 'same',
      name: 'dw',
      depthwiseInitializer: seed(2),
      biasInitializer: tf.initializers.randomUniform({ minval: -1, maxval: 1, seed: 12 }),
    })
    .apply(x) as S;
  x = tf.layers.batchNormalization({ name: 'bn_dw', scale: false }).apply(x) as S;
  x = tf.layers.activation({ activation: 'swish' }).apply(x) as S;
  // a conv with two consumers keeps its BN separate (folding would change what the Add sees)
  const shared = tf.layers
    .conv2d({ filters: 16, kernelSize: 1, name: 'shared', activation: 'relu', kernelInitializer: seed(3) })
    .apply(x) as S;
  const bnShared = tf.layers.batchNormalization({ name: 'bn_shared', center: false }).apply(shared) as S;
  x = tf.layers.add({}).apply([shared, bnShared, x]) as S;
  const a = tf.layers.maxPooling2d({ poolSize: 3, strides: 1, padding: 'same' }).apply(x) as S;
  const b = tf.layers.averagePooling2d({ poolSize: 2, strides: 1, padding: 'same' }).apply(x) as S;
  const c = tf.layers.leakyReLU({ alpha: 0.2 }).apply(tf.layers.multiply({}).apply([a, b])) as S;
  x = tf.layers.concatenate({ axis: -1 }).apply([a, b, c]) as S;
  x = tf.layers
    .conv2d({ filters: 6, kernelSize: 3, dilationRate: 2, padding: 'same', activation: 'tanh', kernelInitializer: seed(4) })
    .apply(x) as S;
  const pooled = tf.layers.globalAveragePooling2d({}).apply(x) as S;
  const flat = tf.layers.dense({ units: 5, activation: 'sigmoid', kernelInitializer: seed(5) }).apply(tf.layers.flatten().apply(x)) as S;
  x = tf.layers.concatenate({}).apply([pooled, flat]) as S;
  x = tf.layers.dropout({ rate: 0.5 }).apply(x) as S;
  const out = tf.layers.dense({ units: 4, activation: 'softmax', name: 'head', kernelInitializer: seed(6) }).apply(x) as S;
  const m = tf.model({ inputs: input, outputs: out });
  for (const name of ['bn_conv', 'bn_dw', 'bn_shared']) {
    const bn = m.getLayer(name);
    const ws = bn.getWeights();
    bn.setWeights(
      ws.map((w, i) => tf.randomUniform(w.shape, i >= ws.length - 2 ? 0.3 : -1, i === ws.length - 1 ? 2 : 1, 'float32', 10 + i)),
    );
  }
  return m;
}

/** Largest |a − b| relative to the largest |b|. */
function relativeGap(a: tf.Tensor, b: tf.Tensor): number {
  return tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0] / Math.max(1e-12, tf.max(tf.abs(b)).dataSync()[0]));
}

const graphOf = (m: tf.LayersModel, until?: S): NativeGraph => {
  const g = compileNativeGraph(m, until);
  if ('reason' in g) throw new Error(g.reason);
  return g;
};

test('every converted layer kind: the graph gives the eager outputs within 1e-4', (t) => {
  if (unavailable) return t.skip(unavailable);
  const m = everyKind();
  const x = tf.randomUniform([5, 19, 17, 3], 0, 255, 'float32', 7);
  const g = graphOf(m);
  const [got, want] = [g.run(x), m.predict(x) as tf.Tensor];
  assert.deepEqual(got.shape, [5, 4]);
  assert.ok(relativeGap(got, want) < 1e-4, `relative gap ${relativeGap(got, want)}`);
  // and the outputs are a real, input-dependent prediction, not a constant
  const spread = tf.tidy(() => tf.max(tf.abs(tf.sub(got, tf.mean(got, 0)))).dataSync()[0]);
  assert.ok(spread > 1e-3, `the five images' outputs differ (by ${spread})`);
  tf.dispose([got, want]);
  g.dispose();
  m.dispose();
});

test('weights are fed, not embedded: no weight Const in the GraphDef, the graph keeps the values it was compiled with, dispose frees them', (t) => {
  if (unavailable) return t.skip(unavailable);
  const m = everyKind();
  const graph = layersModelToGraph(m);
  const biggestConst = Math.max(
    0,
    ...graph.nodes.filter((n) => n.op === 'Const').map((n) => ('tensor' in n.attrs.value ? n.attrs.value.tensor.values.length : 0)),
  );
  // what is left as Const is shapes, paddings and scalars
  assert.ok(biggestConst <= 8, `largest Const holds ${biggestConst} values`);
  const kernels = graph.weights.map((w) => w.tensor.size).reduce((a, b) => a + b, 0);
  assert.ok(kernels > 1000, `the weights travel as feeds (${graph.weights.length} tensors, ${kernels} values)`);
  tf.dispose(graph.weights.map((w) => w.tensor));

  const x = tf.randomUniform([2, 19, 17, 3], 0, 255, 'float32', 9);
  const before = tf.memory().numTensors;
  // compiled inside a tidy, as a lazily frozen model is by a caller's tidy: the weights outlive it
  tf.engine().startScope();
  const g = graphOf(m);
  tf.engine().endScope();
  const compiled = m.predict(x) as tf.Tensor;
  // training the model after compiling does not reach the graph: it is the model as it was
  const head = m.getLayer('head');
  const zeros = head.getWeights().map((w) => tf.zerosLike(w));
  head.setWeights(zeros);
  tf.dispose(zeros);
  const got = g.run(x);
  assert.ok(relativeGap(got, compiled) < 1e-4, `relative gap ${relativeGap(got, compiled)}`);
  tf.dispose([got, compiled]);
  g.dispose();
  assert.equal(tf.memory().numTensors, before, 'dispose() frees the fed weights');
  x.dispose();
  m.dispose();
});

test('a cut at an inner layer is that layer’s output (a BN folded into its conv included)', (t) => {
  if (unavailable) return t.skip(unavailable);
  const m = everyKind();
  const x = tf.randomUniform([3, 19, 17, 3], 0, 255, 'float32', 8);
  const concat = m.layers.find((l) => l.getClassName() === 'Concatenate')!;
  for (const layer of [m.getLayer('bn_conv'), m.getLayer('bn_dw'), m.getLayer('bn_shared'), concat]) {
    const name = layer.name;
    const cut = layer.output as S;
    const g = graphOf(m, cut);
    const sub = tf.model({ inputs: m.inputs, outputs: cut });
    const [got, want] = [g.run(x), sub.predict(x) as tf.Tensor];
    assert.deepEqual(got.shape, want.shape, name);
    assert.ok(relativeGap(got, want) < 1e-4, `${name}: relative gap ${relativeGap(got, want)}`);
    tf.dispose([got, want]);
    g.dispose();
  }
  m.dispose();
});

test('a layer the converter does not handle is named; the model stays eager with the same outputs', (t) => {
  if (unavailable) return t.skip(unavailable);
  const input = tf.input({ shape: [8, 8, 3] });
  let x = tf.layers.conv2d({ filters: 4, kernelSize: 3, kernelInitializer: seed(1) }).apply(input) as S;
  x = tf.layers.cropping2D({ cropping: 1, name: 'crop' }).apply(x) as S;
  const m = tf.model({ inputs: input, outputs: tf.layers.globalAveragePooling2d({}).apply(x) as S });
  const g = compileNativeGraph(m);
  assert.ok('reason' in g && /crop \(Cropping2D\)/.test(g.reason), JSON.stringify(g));
  const x0 = tf.randomUniform([2, 8, 8, 3], 0, 1, 'float32', 3);
  const want = m.predict(x0) as tf.Tensor;
  const frozen = freezeForInference(m);
  assert.equal(frozen.path, 'eager');
  const got = m.predict(x0) as tf.Tensor;
  assert.ok(relativeGap(got, want) < 1e-6);
  frozen.restore();
  tf.dispose([got, want, x0]);
  m.dispose();
});

test('freezeForInference runs predict on the graph until restore(), then the model’s own predict again', (t) => {
  if (unavailable) return t.skip(unavailable);
  const m = everyKind();
  const x = tf.randomUniform([2, 19, 17, 3], 0, 255, 'float32', 9);
  const want = m.predict(x) as tf.Tensor;
  const frozen = freezeForInference(m);
  assert.equal(frozen.path, 'graph', frozen.reason);
  assert.ok(Object.prototype.hasOwnProperty.call(m, 'predict'));
  const got = m.predict(x) as tf.Tensor;
  assert.ok(relativeGap(got, want) < 1e-4);
  frozen.restore();
  assert.ok(!Object.prototype.hasOwnProperty.call(m, 'predict'), 'the prototype predict is back');
  process.env[NATIVE_GRAPH_ENV] = '0';
  try {
    assert.equal(freezeForInference(m).path, 'eager', `${NATIVE_GRAPH_ENV}=0 keeps the eager path`);
  } finally {
    delete process.env[NATIVE_GRAPH_ENV];
  }
  tf.dispose([got, want, x]);
  m.dispose();
});

test('a temporary folder that cannot be written costs only the speed-up: eager path, same outputs', (t) => {
  if (unavailable) return t.skip(unavailable);
  const m = everyKind();
  const x = tf.randomUniform([2, 19, 17, 3], 0, 255, 'float32', 4);
  const want = m.predict(x) as tf.Tensor;
  const saved = process.env.TMPDIR;
  process.env.TMPDIR = '/nonexistent/cnn-lab-test';
  try {
    const frozen = freezeForInference(m);
    assert.equal(frozen.path, 'eager');
    assert.match(frozen.reason ?? '', /could not be written or loaded: .*ENOENT/);
    const got = m.predict(x) as tf.Tensor;
    assert.ok(relativeGap(got, want) < 1e-5);
    frozen.restore();
    got.dispose();
  } finally {
    if (saved === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = saved;
  }
  tf.dispose([want, x]);
  m.dispose();
});

// ---- fine-tuning: the prefix cache's first pass runs the frozen prefix as a graph ----
const SIZE = 12;
function fineTuneModel(): tf.LayersModel {
  const input = tf.input({ shape: [SIZE, SIZE, 3] });
  let x: S = input;
  for (let i = 1; i <= 3; i++) {
    const conv = tf.layers
      .conv2d({ filters: 6, kernelSize: 3, padding: 'same', name: `conv${i}`, kernelInitializer: seed(i) })
      .apply(x) as S;
    const bn = tf.layers.batchNormalization({ name: `bn${i}` }).apply(conv) as S;
    const act = tf.layers.reLU({ maxValue: 6, name: `relu${i}` }).apply(bn) as S;
    x = i === 2 ? (tf.layers.add({}).apply([x, act]) as S) : act;
  }
  x = tf.layers.globalAveragePooling2d({}).apply(x) as S;
  const m = tf.model({
    inputs: input,
    outputs: tf.layers.dense({ units: 2, activation: 'softmax', kernelInitializer: seed(9) }).apply(x) as S,
  });
  for (let i = 1; i <= 3; i++) {
    const bn = m.getLayer(`bn${i}`);
    bn.setWeights(bn.getWeights().map((w, k) => tf.randomUniform(w.shape, k === 3 ? 0.3 : -0.5, k === 3 ? 2 : 0.5, 'float32', 20 * i + k)));
  }
  for (const name of ['conv1', 'bn1', 'conv2', 'bn2']) m.getLayer(name).trainable = false;
  return m;
}

async function fineTune(graph: boolean): Promise<{ weights: Float32Array[]; prefixCalls: number; tensorsPerEpoch: number[] }> {
  if (!graph) process.env[NATIVE_GRAPH_ENV] = '0';
  try {
    const m = fineTuneModel();
    const N = 8;
    const images = tf.randomUniform([N, SIZE, SIZE, 3], 0, 1, 'float32', 3);
    const labels = Int32Array.from({ length: N }, (_, i) => i % 2);
    const order = (epoch: number) => Array.from({ length: N }, (_, i) => (i * 3 + epoch) % N);
    const source: BatchSource = async function* (epoch): AsyncGenerator<Batch> {
      const o = order(epoch);
      for (let s = 0; s < N; s += 4) {
        const idx = tf.tensor1d(o.slice(s, s + 4), 'int32');
        yield { x: tf.gather(images, idx), y: tf.oneHot(tf.gather(tf.tensor1d(labels, 'int32'), idx), 2).toFloat() as tf.Tensor2D };
      }
    };
    // counts the eager prefix's layer calls: none when the prefix runs as a graph
    let prefixCalls = 0;
    const relu1 = m.getLayer('relu1') as unknown as { call: (...a: unknown[]) => unknown };
    const call = relu1.call;
    relu1.call = function (this: unknown, ...a: unknown[]) {
      prefixCalls++;
      return call.apply(this, a);
    };
    const restore = prepareForFineTuning(m);
    const cache = PrefixCache.create(m, { augment: false, budgetBytes: 1e9, trainLabels: labels, classes: 2, batchSize: 4, order })!;
    const optimizer = tf.train.momentum(0.05, 0.9);
    // tensors held after each epoch, beyond those held before the phase
    const tensorsPerEpoch: number[] = [];
    const before = tf.memory().numTensors;
    await runPhase({
      phase: 'fine-tune',
      model: cache.model,
      optimizer,
      learningRate: 0.05,
      epochs: 3,
      batchesPerEpoch: 2,
      train: cache.train(source),
      signal: new AbortController().signal,
      onBatch() {},
      onEpoch: async () => {
        tensorsPerEpoch.push(tf.memory().numTensors - before);
        return 'continue';
      },
    });
    cache.dispose();
    restore();
    const weights = m.trainableWeights.map((w) => w.read().dataSync() as Float32Array);
    m.dispose();
    return { weights, prefixCalls, tensorsPerEpoch };
  } finally {
    delete process.env[NATIVE_GRAPH_ENV];
  }
}

test('fine-tuning with the frozen prefix as a graph ends with the weights the eager prefix trains to', async (t) => {
  if (unavailable) return t.skip(unavailable);
  const [e, g] = [await fineTune(false), await fineTune(true)];
  assert.ok(e.prefixCalls > 0, 'the eager run computes the prefix with its layers');
  assert.equal(g.prefixCalls, 0, 'the graph run never calls the prefix layers');
  // Once every row is cached the prefix never runs again: its session and weight copies are freed
  // after the first epoch, not held until the phase ends.
  assert.deepEqual(g.tensorsPerEpoch, e.tensorsPerEpoch, 'tensors held after each epoch, graph run vs eager run');
  const [eager, graph] = [e.weights, g.weights];
  assert.equal(eager.length, graph.length);
  for (let k = 0; k < eager.length; k++) {
    let worst = 0;
    let moved = 0;
    for (let i = 0; i < eager[k].length; i++) worst = Math.max(worst, Math.abs(eager[k][i] - graph[k][i]));
    for (let i = 0; i < eager[k].length; i++) moved = Math.max(moved, Math.abs(eager[k][i]));
    assert.ok(worst <= 1e-4 * Math.max(1, moved), `weight ${k}: largest difference ${worst}`);
  }
});

for (const id of ['mobilenet_v2', 'efficientnet_lite0']) {
  test(`the ${id} base converts whole and its graph features are the eager ones within 1e-4`, async (t) => {
    if (unavailable) return t.skip(unavailable);
    const base = await loadBase(id, {});
    const m = base.layers!;
    const [h, w] = base.inputSize;
    const x = tf.randomUniform([2, h, w, 3], -1, 1, 'float32', 5);
    const want = m.predict(x) as tf.Tensor;
    const g = graphOf(m);
    const got = g.run(x);
    assert.deepEqual(got.shape, want.shape);
    assert.ok(relativeGap(got, want) < 1e-4, `relative gap ${relativeGap(got, want)}`);
    tf.dispose([got, want, x]);
    g.dispose();
    disposeBase(base);
  });
}
