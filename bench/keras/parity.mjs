#!/usr/bin/env node
// Half of the weight-parity check (bench/keras/check-parity.sh): runs the exported nsfwjs base
// in tfjs (cpu backend) on a float32 NHWC input file and writes its output at the cut layer,
// so the Keras peer's features can be compared with the ones our engine computes.
// Usage: node bench/keras/parity.mjs MODEL_DIR CUT_LAYER INPUT.f32 N H W OUTPUT.f32
import { createRequire } from 'node:module';
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const require = createRequire(join(repoRoot, 'package.json'));
const tf = require('@tensorflow/tfjs');

const [modelDir, cut, inputPath, n, h, w, outputPath] = process.argv.slice(2);
if (!outputPath) throw new Error('usage: parity.mjs MODEL_DIR CUT_LAYER INPUT.f32 N H W OUTPUT.f32');
await tf.setBackend('cpu');
const mj = JSON.parse(readFileSync(join(modelDir, 'model.json'), 'utf8'));
const shards = mj.weightsManifest.flatMap((g) => g.paths.map((p) => readFileSync(join(modelDir, p))));
const all = Buffer.concat(shards);
const weightData = all.buffer.slice(all.byteOffset, all.byteOffset + all.byteLength);
const full = await tf.loadLayersModel(
  tf.io.fromMemory({ modelTopology: mj.modelTopology, weightSpecs: mj.weightsManifest.flatMap((g) => g.weights), weightData }),
);
const model = tf.model({ inputs: full.inputs, outputs: full.getLayer(cut).output });
const raw = readFileSync(inputPath);
const x = tf.tensor4d(new Float32Array(raw.buffer, raw.byteOffset, raw.byteLength / 4), [+n, +h, +w, 3]);
const y = /** @type {tf.Tensor} */ (model.predict(x)); // one output
const out = y.dataSync();
writeFileSync(outputPath, Buffer.from(out.buffer, out.byteOffset, out.byteLength));
console.log(JSON.stringify({ shape: y.shape, mean: tf.mean(y).dataSync()[0] }));
