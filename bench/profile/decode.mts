// What one image costs to decode on our side, per stage, on real photos: the engine's
// decodeImage (sharp: JPEG decode, orientation, flatten, sRGB, linear resize to 224 × 224) with
// 4 in flight as the engine runs it, and one at a time; sharp's JPEG decode alone; sharp's resize
// alone (from raw pixels); and libtensorflow's DecodeJpeg (tfjs-node, INTEGER_ACCURATE), with
// the largest difference of its pixels from sharp's. Wall and CPU milliseconds per image (CPU
// counts every thread). PIL's figure for the same photos is in stages-keras.py's output.
//
//   node --import tsx bench/profile/decode.mts [images-dir] [count=128]
import { readdirSync, readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { useBackend } from '../../src/engine/backends/index.ts';
import { decodeImage } from '../../src/engine/data/decode-image.ts';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
const [dir = join(repoRoot, '..', 'shared', 'datasets', 'cats-vs-dogs', 'train', 'cats'), countArg = '128'] = process.argv.slice(2);
const files = readdirSync(dir)
  .filter((f) => /\.jpe?g$/i.test(f))
  .sort()
  .slice(0, Number(countArg))
  .map((f) => join(dir, f));
const bytes = files.map((f) => readFileSync(f));
const raws = await Promise.all(bytes.map((b) => sharp(b).raw().toBuffer({ resolveWithObject: true })));

const figures: Record<string, { wallMs: number; cpuMs: number }> = {};
/** Per-image wall and CPU time of `fn` over every file, `inFlight` at a time; the best of 3 passes. */
async function measure(label: string, fn: (i: number) => unknown, inFlight = 1): Promise<void> {
  let best = { wallMs: Infinity, cpuMs: Infinity };
  for (let pass = 0; pass < 3; pass++) {
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    for (let i = 0; i < files.length; i += inFlight) {
      await Promise.all(Array.from({ length: Math.min(inFlight, files.length - i) }, (_, k) => fn(i + k)));
    }
    const cpu = process.cpuUsage(cpu0);
    const wallMs = (performance.now() - t0) / files.length;
    if (wallMs < best.wallMs) best = { wallMs, cpuMs: (cpu.user + cpu.system) / 1000 / files.length };
  }
  figures[label] = { wallMs: +best.wallMs.toFixed(2), cpuMs: +best.cpuMs.toFixed(2) };
}

const size = [224, 224] as const;
await measure('decodeImage, 4 in flight (the engine)', (i) => decodeImage(files[i], { size }), 4);
await measure('decodeImage, one at a time', (i) => decodeImage(files[i], { size }));
await measure('sharp JPEG decode only', (i) => sharp(bytes[i]).raw().toBuffer());
await measure('sharp linear resize only (raw in)', (i) =>
  sharp(raws[i].data, { raw: raws[i].info }).resize(224, 224, { fit: 'fill', kernel: 'linear' }).raw().toBuffer(),
);
let maxDiff: number | string = 'tensorflow backend not available';
const tensorflow = await useBackend('tensorflow').then(
  () => import('@tensorflow/tfjs-node'),
  () => undefined,
);
if (tensorflow) {
  const decode = (b: Buffer) => tensorflow.node.decodeJpeg(b, 3, 1, true, false, 1, 'INTEGER_ACCURATE');
  await measure('libtensorflow DecodeJpeg (tfjs-node)', (i) => {
    const t = decode(bytes[i]);
    t.dataSync();
    t.dispose();
  });
  maxDiff = 0;
  for (let i = 0; i < files.length; i++) {
    const t = decode(bytes[i]);
    const a = t.dataSync();
    t.dispose();
    for (let k = 0; k < a.length; k++) maxDiff = Math.max(maxDiff, Math.abs(a[k] - raws[i].data[k]));
  }
}
console.log(JSON.stringify({ images: files.length, dir, figures, tfDecodeMaxPixelDiffFromSharp: maxDiff, load1: loadavg()[0] }, null, 1));
