// What prediction would gain if JPEG decoding and resizing left sharp for libtensorflow, before
// anyone redesigns the decode path for it: per round, Keras' predict (bench/keras/peer.py, its
// in-process images/s), the engine's predictFiles as the product runs it (sharp: decode, linear
// resize; pixels → float in JavaScript), and a prototype loop that reads the files ahead on libuv's
// pool and runs DecodeJpeg (INTEGER_ACCURATE, the same pixels as sharp's decoder), ResizeBilinear
// (half-pixel centres) and the preprocessing as TensorFlow ops before the same classifier. The
// prototype is not the product: it reads JPEG only, ignores EXIF orientation, has no center-crop,
// and its resize is not sharp's, so its predictions differ; it prints by how much (top-1 agreement
// and the largest probability difference against predictFiles, same images).
//
//   node --import tsx bench/profile/predict-decode-paths.mts MODEL_DIR IMAGES_DIR
// (MODEL_DIR: e.g. .cache/bench-runs/predict-model-mobilenet_v2-tensorflow, which bench/compare.mjs
// trains; IMAGES_DIR: a class-folder dataset of JPEG photos, e.g. .cache/bench-data/train-256-*;
// every image in it is predicted on all three sides.) ROUNDS=N (default 3); KERAS=0 leaves Keras out
// (it needs .cache/bench-venv from bench/setup-keras.sh and the bases from bench/keras/export-*).
import { readFile } from 'node:fs/promises';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { useBackend } from '../../src/engine/backends/index.ts';
import { CAFFE_MEAN_BGR, type Preprocessing } from '../../src/engine/data/decode-image.ts';
import { scanDataset } from '../../src/engine/data/scan.ts';
import { predictFiles } from '../../src/engine/predict/predict.ts';
import { loadModelDir } from '../../src/engine/save/load.ts';
import { tf } from '../../src/engine/tf.ts';
import { jsonLines, median, runMeasured } from '../lib/proc.mjs';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
const [modelDir, imagesDir] = process.argv.slice(2);
if (!modelDir || !imagesDir) throw new Error('usage: predict-decode-paths.mts MODEL_DIR IMAGES_DIR');
const rounds = Number(process.env.ROUNDS ?? 3);
const withKeras = process.env.KERAS !== '0';
const BATCH = 16; // predictFiles' default batch
const READ_AHEAD = 32; // files read ahead by the prototype, as predictFiles' decodes queue 32

await useBackend('tensorflow', {});
const { node: tfNode } = await import('@tensorflow/tfjs-node');
const clf = await loadModelDir(modelDir);
if (clf.meta.resize === 'center-crop') throw new Error(`${modelDir}: the prototype resizes by stretching only (Keras target_size)`);
const [h, w] = clf.meta.inputSize;
const k = clf.meta.labels.length;
const files = (await scanDataset(imagesDir, 'images folder')).files;
const nonJpeg = files.find((f) => !/\.jpe?g$/i.test(f.path));
if (nonJpeg) throw new Error(`${nonJpeg.path}: the prototype decodes JPEG only`);

/** The preprocessing as TensorFlow ops on float pixels 0–255 (pixelsToFloat32's, to float rounding). */
function scale(x: tf.Tensor4D, preprocessing: Preprocessing): tf.Tensor4D {
  switch (preprocessing) {
    case '0..1':
      return tf.div(x, 255);
    case '-1..1':
      return tf.sub(tf.div(x, 127.5), 1);
    case '0..255':
      return x;
    case '(x-127)/128':
      return tf.div(tf.sub(x, 127), 128);
    case 'caffe':
      return tf.sub(tf.reverse(x, -1), tf.tensor1d([...CAFFE_MEAN_BGR]));
  }
}

interface PathRun {
  imgPerS: number;
  cpuMsPerImage: number;
  probs: Float32Array;
}

async function timed(run: () => Promise<Float32Array>): Promise<PathRun> {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const probs = await run();
  const seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  return { imgPerS: files.length / seconds, cpuMsPerImage: (cpu.user + cpu.system) / 1000 / files.length, probs };
}

const engine = () => timed(async () => (await predictFiles(clf, files)).values);

const prototype = () =>
  timed(async () => {
    const out = new Float32Array(files.length * k);
    const reads: (Promise<Buffer> | undefined)[] = [];
    let queued = 0;
    const readUpTo = (end: number) => {
      for (; queued < Math.min(end, files.length); queued++) reads[queued] = readFile(files[queued].path);
    };
    readUpTo(READ_AHEAD);
    for (let start = 0; start < files.length; start += BATCH) {
      const n = Math.min(BATCH, files.length - start);
      const bytes = await Promise.all(reads.slice(start, start + n) as Promise<Buffer>[]);
      reads.fill(undefined, start, start + n);
      readUpTo(start + n + READ_AHEAD);
      // DecodeJpeg, ResizeBilinear and the graph all run on this thread; only the reads overlap.
      const probs = tf.tidy(() => {
        const images = bytes.map((b) =>
          tf.image.resizeBilinear(tfNode.decodeJpeg(b, 3, 1, true, false, 1, 'INTEGER_ACCURATE') as tf.Tensor3D, [h, w], false, true),
        );
        return clf.predict(scale(tf.stack(images) as tf.Tensor4D, clf.meta.preprocessing));
      });
      out.set((await probs.data()) as Float32Array, start * k);
      probs.dispose();
    }
    return out;
  });

/** Keras' predict over the same folder, base and batch: its own in-process images/s. */
async function keras(): Promise<number> {
  const python = join(repoRoot, '.cache', 'bench-venv', 'bin', 'python');
  const args = [
    join(repoRoot, 'bench', 'keras', 'peer.py'),
    'predict',
    '--data',
    imagesDir,
    '--base',
    clf.meta.base.id,
    '--batch-size',
    String(BATCH),
  ];
  const run = await runMeasured(python, args, { cwd: repoRoot });
  const result = jsonLines(run)
    .map((j) => j.value)
    .filter((v) => v.side === 'keras')
    .pop();
  if (run.code !== 0 || !result)
    throw new Error(`keras predict failed (exit ${run.code ?? run.signal}): ${run.stderr.trim().split('\n').slice(-2).join(' | ')}`);
  return result.imagesPerSecond;
}

/** Top-1 agreement and the largest probability difference between two runs over the same images. */
function agreement(a: Float32Array, b: Float32Array) {
  let same = 0;
  let largest = 0;
  for (let i = 0; i < files.length; i++) {
    let ta = 0;
    let tb = 0;
    for (let c = 0; c < k; c++) {
      if (a[i * k + c] > a[i * k + ta]) ta = c;
      if (b[i * k + c] > b[i * k + tb]) tb = c;
      largest = Math.max(largest, Math.abs(a[i * k + c] - b[i * k + c]));
    }
    if (ta === tb) same++;
  }
  return { top1Agree: `${same}/${files.length}`, largestProbDiff: +largest.toFixed(4) };
}

// warm-up: graph compile and first allocations on both of our paths
const first = [await engine(), await prototype()];
console.log(
  JSON.stringify({
    base: clf.meta.base.id,
    images: files.length,
    batch: BATCH,
    rounds,
    load1: +loadavg()[0].toFixed(2),
    ...agreement(first[0].probs, first[1].probs),
  }),
);
const rows: { keras?: number; engine: number; prototype: number }[] = [];
for (let round = 1; round <= rounds; round++) {
  const kerasRate = withKeras ? await keras() : undefined;
  const e = await engine();
  const p = await prototype();
  rows.push({ keras: kerasRate, engine: e.imgPerS, prototype: p.imgPerS });
  console.log(
    JSON.stringify({
      round,
      kerasImgPerS: kerasRate === undefined ? null : +kerasRate.toFixed(1),
      engineImgPerS: +e.imgPerS.toFixed(1),
      engineCpuMsPerImage: +e.cpuMsPerImage.toFixed(1),
      prototypeImgPerS: +p.imgPerS.toFixed(1),
      prototypeCpuMsPerImage: +p.cpuMsPerImage.toFixed(1),
      load1: +loadavg()[0].toFixed(2),
    }),
  );
}
const ratio = (side: 'engine' | 'prototype') => (withKeras ? rows.map((r) => +(r[side] / r.keras!).toFixed(2)) : null);
console.log(
  JSON.stringify({
    summary: clf.meta.base.id,
    prototypeOverEngineMedian: +median(rows.map((r) => r.prototype / r.engine))!.toFixed(2),
    engineOverKerasPerRound: ratio('engine'),
    prototypeOverKerasPerRound: ratio('prototype'),
  }),
);
