// How much of prediction's decoding hides behind the native graph, per decode setting: the engine's
// predict loop (decodeBatches → classifier.predict, batch 16, as predictFiles runs it) over real
// photos with a saved model, for each `concurrency/readAhead` pair, alternated round by round. The
// graph run blocks the event loop, so only decodes already handed to libuv's pool progress during
// it; more in flight hides more decoding but shares the 2 cores with TensorFlow's threads. Prints
// images/s, the time the loop waited for decoded images, and the graph's time per batch.
//
//   node --import tsx bench/profile/predict-overlap.mts MODEL_DIR IMAGES_DIR [images=512] [4/8 16/32 ...]
// (MODEL_DIR: e.g. .cache/bench-runs/predict-model-efficientnet_lite0-tensorflow, which
// bench/compare.mjs trains; IMAGES_DIR: a class-folder dataset, e.g. .cache/bench-data/train-256-*.)
// ROUNDS=N alternated rounds (default 3).
import { loadavg } from 'node:os';
import { useBackend } from '../../src/engine/backends/index.ts';
import { decodeBatches } from '../../src/engine/data/decode.ts';
import { scanDataset } from '../../src/engine/data/scan.ts';
import { loadModelDir } from '../../src/engine/save/load.ts';
import { tf } from '../../src/engine/tf.ts';

const [modelDir, imagesDir, countArg = '512', ...settingArgs] = process.argv.slice(2);
if (!modelDir || !imagesDir) throw new Error('usage: predict-overlap.mts MODEL_DIR IMAGES_DIR [images] [concurrency/readAhead ...]');
const rounds = Number(process.env.ROUNDS ?? 3);
const settings = (settingArgs.length ? settingArgs : ['4/8', '16/32']).map((s) => s.split('/').map(Number) as [number, number]);
const BATCH = 16;

await useBackend('tensorflow', {});
const clf = await loadModelDir(modelDir);
const [h, w] = clf.meta.inputSize;
// The engine's own class-folder scan (what `cnn-lab evaluate` reads), so hidden and non-image
// files are left out as the product leaves them out.
const files = (await scanDataset(imagesDir, 'images folder')).files.slice(0, Number(countArg));
const batchCount = Math.ceil(files.length / BATCH);

async function predictAll(concurrency: number, readAhead: number) {
  const t0 = performance.now();
  let waitMs = 0;
  let graphMs = 0;
  let tWait = performance.now();
  const batches = decodeBatches(files, {
    batchSize: BATCH,
    size: [h, w],
    resize: clf.meta.resize,
    preprocessing: clf.meta.preprocessing,
    concurrency,
    readAhead,
  });
  for await (const batch of batches) {
    const tGraph = performance.now();
    waitMs += tGraph - tWait;
    const probs = tf.tidy(() => clf.predict(tf.tensor4d(batch.x, [batch.labels.length, h, w, 3])));
    await probs.data();
    probs.dispose();
    tWait = performance.now();
    graphMs += tWait - tGraph;
  }
  const seconds = (performance.now() - t0) / 1000;
  return {
    imgPerS: +(files.length / seconds).toFixed(1),
    waitMsPerBatch: Math.round(waitMs / batchCount),
    graphMsPerBatch: Math.round(graphMs / batchCount),
  };
}

await predictAll(4, 8); // warm-up: graph compile, first allocations
console.log(`${clf.meta.base.id}, ${files.length} images, batch ${BATCH}, ${rounds} rounds, load ${loadavg()[0].toFixed(2)}`);
for (let round = 1; round <= rounds; round++) {
  for (const [concurrency, readAhead] of settings) {
    console.log(
      JSON.stringify({
        round,
        setting: `${concurrency}/${readAhead}`,
        ...(await predictAll(concurrency, readAhead)),
        load1: +loadavg()[0].toFixed(2),
      }),
    );
  }
}
