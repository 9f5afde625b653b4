#!/usr/bin/env node
// Pure forward-pass time of a bundled nsfwjs base (cut where our engine cuts it) on tfjs-node,
// random input, then tf.profile's kernel time per op and sharp's decode+resize rate. Isolates the
// execution engine from the CLI. Loads raw tfjs (not the engine), so by default it shows tfjs-layers
// as shipped; PATCH=relu6 applies the engine's ReLU6 rewrite (src/engine/tf.ts), PATCH=relu6,nobn
// also skips BatchNormalization (an upper bound for folding BN into the convolutions: wrong
// outputs, timing only). Needs .cache/bench-models (node bench/keras/export-nsfwjs.mjs).
//
//   node bench/profile/forward-tfjs.mjs [base=mobilenet_v2] [cut=out_relu] [size=224] [reps=3] [batch=32]
//   PATCH=relu6 node bench/profile/forward-tfjs.mjs
import { createRequire } from 'node:module';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
const require = createRequire(join(repoRoot, 'package.json'));
const tf = require('@tensorflow/tfjs');
require('@tensorflow/tfjs-node');
const sharp = require('sharp');

const [base = 'mobilenet_v2', cut = 'out_relu', size = '224', reps = '3', bs = '32'] = process.argv.slice(2);
const PATCH = process.env.PATCH ?? '';
await tf.setBackend('tensorflow');
const dir = join(repoRoot, '.cache', 'bench-models', base);
const mj = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8'));
const all = Buffer.concat(mj.weightsManifest.flatMap((g) => g.paths.map((p) => readFileSync(join(dir, p)))));
const full = await tf.loadLayersModel(
  tf.io.fromMemory({
    modelTopology: mj.modelTopology,
    weightSpecs: mj.weightsManifest.flatMap((g) => g.weights),
    weightData: all.buffer.slice(all.byteOffset, all.byteOffset + all.byteLength),
  }),
);
const model = tf.model({ inputs: full.inputs, outputs: full.getLayer(cut).output });
const one = (inputs) => (Array.isArray(inputs) ? inputs[0] : inputs);
for (const l of model.layers) {
  const cls = l.getClassName();
  if (PATCH.includes('relu6') && cls === 'ReLU' && /** @type {{ maxValue?: number }} */ (/** @type {unknown} */ (l)).maxValue === 6)
    l.call = (inputs) => tf.relu6(one(inputs));
  if (PATCH.includes('nobn') && cls === 'BatchNormalization') l.call = (inputs) => one(inputs);
}
const n = Number(bs);
const s = Number(size);
const x = tf.randomUniform([n, s, s, 3]);
const times = [];
for (let i = 0; i < Number(reps); i++) {
  const t = performance.now();
  const y = /** @type {tf.Tensor} */ (model.predict(x)); // one output
  await y.data();
  y.dispose();
  times.push((performance.now() - t) / 1000);
}
const prof = await tf.profile(async () => {
  const y = /** @type {tf.Tensor} */ (model.predict(x)); // one output
  await y.data();
  y.dispose();
});
const byOp = {};
for (const k of prof.kernels) byOp[k.name] = (byOp[k.name] ?? 0) + (typeof k.kernelTimeMs === 'number' ? k.kernelTimeMs : 0);
const d = process.env.IMAGES ?? join(repoRoot, '..', 'shared', 'datasets', 'cats-vs-dogs', 'train', 'cats');
const files = readdirSync(d)
  .sort()
  .slice(0, n)
  .map((f) => join(d, f));
let t = performance.now();
for (const f of files) await sharp(f).removeAlpha().resize(s, s, { fit: 'fill' }).raw().toBuffer();
const seq = n / ((performance.now() - t) / 1000);
t = performance.now();
await Promise.all(files.map((f) => sharp(f).removeAlpha().resize(s, s, { fit: 'fill' }).raw().toBuffer()));
const conc = n / ((performance.now() - t) / 1000);
console.log(
  JSON.stringify({
    side: 'tfjs-node',
    patch: PATCH || 'none',
    base,
    batch: n,
    seconds: times.map((v) => Number(v.toFixed(3))),
    imgPerSec: times.map((v) => Number((n / v).toFixed(2))),
    // nested kernels are counted in their parents too (ClipByValue = Maximum + Minimum; fusedConv2d__op ⊃ FusedConv2D)
    kernelMsByOp: Object.fromEntries(
      Object.entries(byOp)
        .sort((a, b) => b[1] - a[1])
        .slice(0, 10)
        .map(([k, v]) => [k, Math.round(v)]),
    ),
    kernels: prof.kernels.length,
    sharpDecodeImgPerSec: { sequential: Number(seq.toFixed(1)), concurrent: Number(conc.toFixed(1)) },
    load1: (await import('node:os')).loadavg()[0],
  }),
);
