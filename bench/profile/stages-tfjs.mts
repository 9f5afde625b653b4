// Where the time of prediction and of a fine-tuning step goes on our side, stage by stage, on real
// images, through the engine's own modules (not raw tfjs): decode + resize (sharp), pixels → float,
// upload (tf.tensor4d), the base's forward pass (BatchNorm folded, as a loaded model predicts), the
// head; for fine-tuning (prepared as run.ts prepares it: frozen prefix folded and off the tape) the
// frozen prefix's forward pass, the trained rest's forward + backward (tf.variableGrads), the
// optimizer step, and the whole-model step it replaces. Then tf.profile's kernel time per op of
// one forward pass and one whole fine-tuning step. The Keras side: stages-keras.py.
//
//   node --import tsx bench/profile/stages-tfjs.mts [base=mobilenet_v2] [from=block_13_expand] [reps=3] [batch=32]
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseFreezeSpec } from '../../src/core/freeze.ts';
import { useBackend } from '../../src/engine/backends/index.ts';
import { decodeImage, pixelsToFloat32 } from '../../src/engine/data/decode-image.ts';
import { prepareForFineTuning } from '../../src/engine/models/fineTuneGraph.ts';
import { useNativeGradients } from '../../src/engine/train/nativeGradients.ts';
import { foldBatchNorms } from '../../src/engine/models/foldBatchNorm.ts';
import { freezeForInference } from '../../src/engine/graph/frozenInference.ts';
import { applyFrozenFlags } from '../../src/engine/models/freeze.ts';
import { buildClassifier } from '../../src/engine/models/head.ts';
import { loadBase } from '../../src/engine/models/zoo.ts';
import { findPrefixSplit, PrefixCache } from '../../src/engine/train/prefixCache.ts';
import { tf } from '../../src/engine/tf.ts';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
const [baseId = 'mobilenet_v2', from = 'block_13_expand', repsArg = '3', batchArg = '32'] = process.argv.slice(2);
const reps = Number(repsArg);
const n = Number(batchArg);
await useBackend((process.env.BACKEND as 'tensorflow') ?? 'tensorflow', { needConvGradients: true });

const base = await loadBase(baseId, {});
const [h, w] = base.inputSize;
const dir = process.env.IMAGES ?? join(repoRoot, '..', 'shared', 'datasets', 'cats-vs-dogs', 'train', 'cats');
const files = readdirSync(dir)
  .sort()
  .slice(0, n)
  .map((f) => join(dir, f));

/** Median seconds of `reps` runs of `fn` after one untimed warm-up run. */
async function time(fn: () => unknown | Promise<unknown>): Promise<number> {
  await fn();
  const t: number[] = [];
  for (let i = 0; i < reps; i++) {
    const s = performance.now();
    await fn();
    t.push((performance.now() - s) / 1000);
  }
  t.sort((a, b) => a - b);
  return t[Math.floor(t.length / 2)];
}
const sync = async (x: tf.Tensor | tf.Tensor[]) => {
  for (const t of Array.isArray(x) ? x : [x]) await t.data();
  tf.dispose(x);
};

const byOp = (p: Awaited<ReturnType<typeof tf.profile>>) => {
  const m: Record<string, number> = {};
  for (const k of p.kernels) m[k.name] = (m[k.name] ?? 0) + (typeof k.kernelTimeMs === 'number' ? k.kernelTimeMs : 0);
  return Object.fromEntries(
    Object.entries(m)
      .sort((a, b) => b[1] - a[1])
      .slice(0, 12)
      .map(([k, v]) => [k, Math.round(v)]),
  );
};

const stages: Record<string, number> = {};
// ---- prediction ----
let pixels: Uint8Array[] = [];
stages['decode+resize (sharp, 4 at a time)'] = await time(async () => {
  pixels = [];
  for (let i = 0; i < files.length; i += 4) {
    const got = await Promise.all(files.slice(i, i + 4).map((f) => decodeImage(f, { size: [h, w], resize: 'stretch' })));
    pixels.push(...got.map((g) => g.data));
  }
});
const floats = new Float32Array(n * h * w * 3);
stages['pixels → float'] = await time(() => pixels.forEach((p, k) => pixelsToFloat32(p, base.preprocessing, floats, k * h * w * 3)));
stages['upload (tf.tensor4d)'] = await time(() => sync(tf.tensor4d(floats, [n, h, w, 3])));
const x = tf.tensor4d(floats, [n, h, w, 3]);
const clf = buildClassifier(base, 2, 1024, 42);
const model = clf.classifier!;
const unfold = foldBatchNorms(model);
stages['base forward, eager (BN folded; the path before the native graph)'] = await time(() => sync(base.layers!.predict(x) as tf.Tensor));
const features = base.layers!.predict(x) as tf.Tensor;
stages['head (pool + dense + softmax)'] = await time(() => sync(tf.tidy(() => clf.pooledHead.predict(features.mean([1, 2])) as tf.Tensor)));
stages['whole classifier forward, eager (BN folded)'] = await time(() => sync(model.predict(x) as tf.Tensor));
// tf.profile hands back the engine's one profile object, reset by the next call: tallied at once.
const forwardByOp = byOp(await tf.profile(async () => sync(model.predict(x) as tf.Tensor)));
unfold();
// what a loaded model runs now (frozenInference.ts): the native graph where it converts
const frozen = freezeForInference(model);
stages[`whole classifier forward, as predict runs it (${frozen.path}${frozen.reason ? `: ${frozen.reason}` : ''})`] = await time(() =>
  sync(model.predict(x) as tf.Tensor),
);
frozen.restore();

// ---- fine-tuning (as run.ts: flags, prefix folded + off the tape, SGD momentum) ----
applyFrozenFlags(base, parseFreezeSpec([`from ${from}`], base.layerNames));
// as trainingRun.fineTune does; NATIVE_GRADIENTS=0 keeps tfjs' own (the before/after of bench/README.md)
if (process.env.NATIVE_GRADIENTS !== '0') useNativeGradients();
const restore = prepareForFineTuning(model);
const split = findPrefixSplit(model);
const y = tf
  .oneHot(
    tf.tensor1d(
      Array.from({ length: n }, (_, i) => i % 2),
      'int32',
    ),
    2,
  )
  .toFloat() as tf.Tensor2D;
const optimizer = tf.train.momentum(1e-4, 0.9);
const loss = (m: { apply: tf.LayersModel['apply'] }, input: tf.Tensor) => () =>
  tf.metrics.categoricalCrossentropy(y, m.apply(input, { training: false }) as tf.Tensor2D).mean() as tf.Scalar;
const vars = model.trainableWeights.map((v) => v.read() as tf.Variable);
const grads = (m: { apply: tf.LayersModel['apply'] }, input: tf.Tensor) => {
  const { value, grads: g } = tf.variableGrads(loss(m, input), vars);
  return { value, g };
};
stages['fine-tune: whole step, no cache (forward + backward + optimizer)'] = await time(async () => {
  const { value, g } = grads(model, x);
  optimizer.applyGradients(g as never);
  tf.dispose(g);
  await sync(value);
});
if (split) {
  const cache = new PrefixCache(model, split, { trainLabels: new Int32Array(n), classes: 2, batchSize: n, order: () => [] });
  stages[`fine-tune: frozen prefix forward (${split.prefixLayers} layers, to ${split.frontier.sourceLayer.name})`] = await time(() =>
    sync(cache.prefixOf(x)),
  );
  const rows = cache.prefixOf(x);
  stages['fine-tune: rest forward only'] = await time(() => sync(cache.model.apply(rows, { training: false }) as tf.Tensor));
  stages['fine-tune: rest forward + backward (variableGrads)'] = await time(async () => {
    const { value, g } = grads(cache.model, rows);
    tf.dispose(g);
    await sync(value);
  });
  const { value, g } = grads(cache.model, rows);
  value.dispose();
  stages['fine-tune: optimizer step (SGD momentum)'] = await time(async () => {
    optimizer.applyGradients(g as never);
    await vars[vars.length - 1].data();
  });
  tf.dispose(g);
  stages['fine-tune: cached step (rest forward + backward + optimizer)'] = await time(async () => {
    const r = grads(cache.model, rows);
    optimizer.applyGradients(r.g as never);
    tf.dispose(r.g);
    await sync(r.value);
  });
  rows.dispose();
  cache.dispose();
}
const stepByOp = byOp(
  await tf.profile(async () => {
    const { value, g } = grads(model, x);
    optimizer.applyGradients(g as never);
    tf.dispose(g);
    await sync(value);
  }),
);
restore();

console.log(
  JSON.stringify(
    {
      side: 'ours',
      backend: tf.getBackend(),
      base: baseId,
      fineTuneFrom: from,
      batch: n,
      reps,
      msPerBatch: Object.fromEntries(Object.entries(stages).map(([k, v]) => [k, Math.round(v * 1000)])),
      imgPerSec: Object.fromEntries(Object.entries(stages).map(([k, v]) => [k, Number((n / v).toFixed(1))])),
      kernelMsByOp: { forward: forwardByOp, fineTuneStepNoCache: stepByOp },
      load1: loadavg()[0],
    },
    null,
    1,
  ),
);
