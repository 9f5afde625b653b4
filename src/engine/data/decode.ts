// Concurrent decoding of a dataset into batches of plain typed arrays, so decoding (sharp runs on
// libuv's thread pool) overlaps with the trainer's compute, and no tensor is made here: the trainer
// turns `x` into a tensor on whichever backend it runs.
import type { AugmentConfig } from '../../core/experiment.ts';
import type { SkippedFile } from '../../protocol/messages.ts';
import { augmentPixels, augmentSeed, validateAugmentConfig } from './augment.ts';
import { decodeImage, ImageDecodeError, pixelsToFloat32, type Preprocessing, type ResizeMode, type RgbImage } from './decode-image.ts';
import type { DatasetFile } from './scan.ts';

export * from './decode-image.ts';

export interface DecodeFilesOptions {
  /** [height, width] */
  size: readonly [number, number];
  resize?: ResizeMode;
  /** decodes in flight at once (default 4, libuv's default thread-pool size) */
  concurrency?: number;
  /** decoded images held ahead of the consumer while it computes (default 2 × concurrency) */
  readAhead?: number;
  maxInputPixels?: number;
  signal?: AbortSignal;
}

export interface BatchOptions extends DecodeFilesOptions {
  batchSize: number;
  preprocessing: Preprocessing;
  /** random transform per image, seeded by (seed, epoch, index in `files`) */
  augment?: AugmentConfig | null;
  seed?: number;
  epoch?: number;
}

export interface DecodedBatch {
  /** N × H × W × 3, scaled for the preprocessing */
  x: Float32Array;
  /** class index of each image */
  labels: Int32Array;
  paths: string[];
  /** files that failed since the previous batch */
  skipped: SkippedFile[];
}

type Outcome = { ok: true; image: RgbImage } | { ok: false; reason: string };

function abortError(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException('decoding cancelled', 'AbortError');
}

/** Resolves with `promise`, or rejects as soon as `signal` aborts. */
function raceAbort<T>(promise: Promise<T>, signal?: AbortSignal): Promise<T> {
  if (!signal) return promise;
  if (signal.aborted) return Promise.reject(abortError(signal));
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(abortError(signal));
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e) => {
        signal.removeEventListener('abort', onAbort);
        reject(e);
      },
    );
  });
}

function positiveInteger(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 1) throw new Error(`${name} must be a positive integer, got ${value}`);
  return value;
}

/**
 * Decodes `files` in their order with at most `concurrency` decodes in flight and up to
 * `readAhead` results waiting, yielding one outcome per file. Rejects with the abort reason as
 * soon as `signal` aborts; decodes already running finish in the background and are dropped.
 */
export async function* decodeInOrder(
  files: readonly DatasetFile[],
  options: DecodeFilesOptions,
): AsyncGenerator<{ file: DatasetFile; index: number; outcome: Outcome }> {
  const concurrency = positiveInteger('concurrency', options.concurrency ?? 4);
  const readAhead = Math.max(concurrency, positiveInteger('readAhead', options.readAhead ?? 2 * concurrency));
  const { signal } = options;
  const decodeOptions = { size: options.size, resize: options.resize, maxInputPixels: options.maxInputPixels };
  const slots = new Map<number, Promise<Outcome>>();
  let started = 0;
  let consumed = 0;
  let running = 0;
  let stopped = false;

  const decodeOne = async (file: DatasetFile): Promise<Outcome> => {
    try {
      return { ok: true, image: await decodeImage(file.path, decodeOptions) };
    } catch (e) {
      const reason = e instanceof ImageDecodeError ? e.reason : `cannot decode: ${e instanceof Error ? e.message : String(e)}`;
      return { ok: false, reason };
    }
  };
  const pump = () => {
    while (!stopped && !signal?.aborted && running < concurrency && started < files.length && started - consumed < readAhead) {
      const index = started++;
      running++;
      slots.set(
        index,
        decodeOne(files[index]).finally(() => {
          running--;
          pump();
        }),
      );
    }
  };

  try {
    for (let index = 0; index < files.length; index++) {
      signal?.throwIfAborted();
      pump();
      const outcome = await raceAbort(slots.get(index)!, signal);
      slots.delete(index);
      consumed++;
      yield { file: files[index], index, outcome };
    }
  } finally {
    // Consumer stopped early, aborted or failed: start nothing more.
    stopped = true;
  }
}

/**
 * Yields batches of `batchSize` decoded images (the last may be smaller) in the order of `files`,
 * augmented when `augment` is set. A file that fails is reported in the next batch's `skipped` and
 * the batch is filled from the following files, so only the last batch is short; if the trailing
 * files all fail, a final batch with no image carries their reasons (labels.length === 0).
 */
export async function* decodeBatches(files: readonly DatasetFile[], options: BatchOptions): AsyncGenerator<DecodedBatch> {
  const batchSize = positiveInteger('batchSize', options.batchSize);
  const [height, width] = options.size;
  const imageLength = height * width * 3;
  const seed = options.seed ?? 0;
  const epoch = options.epoch ?? 0;
  if (options.augment) validateAugmentConfig(options.augment);

  let x = new Float32Array(batchSize * imageLength);
  let labels: number[] = [];
  let paths: string[] = [];
  let skipped: SkippedFile[] = [];
  const take = (): DecodedBatch => {
    const batch = {
      x: labels.length === batchSize ? x : x.slice(0, labels.length * imageLength),
      labels: Int32Array.from(labels),
      paths,
      skipped,
    };
    x = new Float32Array(batchSize * imageLength);
    labels = [];
    paths = [];
    skipped = [];
    return batch;
  };

  for await (const { file, index, outcome } of decodeInOrder(files, options)) {
    if (!outcome.ok) {
      skipped.push({ path: file.path, reason: outcome.reason });
      continue;
    }
    let pixels = outcome.image.data;
    if (options.augment) pixels = augmentPixels(pixels, height, width, options.augment, augmentSeed(seed, epoch, index)).pixels;
    pixelsToFloat32(pixels, options.preprocessing, x, labels.length * imageLength);
    labels.push(file.label);
    paths.push(file.path);
    if (labels.length === batchSize) yield take();
  }
  if (labels.length > 0 || skipped.length > 0) yield take();
}

/** A whole dataset decoded once to uint8, for runs that revisit the images every epoch. */
export interface DecodedSet {
  height: number;
  width: number;
  /** N × H × W × 3, uint8 RGB */
  pixels: Uint8Array;
  labels: Int32Array;
  paths: string[];
  skipped: SkippedFile[];
}

/**
 * Decodes every file once (concurrently) into one uint8 array — a quarter of the memory of floats —
 * so later epochs only augment and scale. `onProgress(done, total)` after each file.
 */
export async function decodeAll(
  files: readonly DatasetFile[],
  options: DecodeFilesOptions & { onProgress?: (done: number, total: number) => void },
): Promise<DecodedSet> {
  const [height, width] = options.size;
  const imageLength = height * width * 3;
  let pixels = new Uint8Array(files.length * imageLength);
  const labels: number[] = [];
  const paths: string[] = [];
  const skipped: SkippedFile[] = [];
  let done = 0;
  for await (const { file, outcome } of decodeInOrder(files, options)) {
    if (outcome.ok) {
      pixels.set(outcome.image.data, labels.length * imageLength);
      labels.push(file.label);
      paths.push(file.path);
    } else {
      skipped.push({ path: file.path, reason: outcome.reason });
    }
    options.onProgress?.(++done, files.length);
  }
  if (labels.length < files.length) pixels = pixels.slice(0, labels.length * imageLength);
  return { height, width, pixels, labels: Int32Array.from(labels), paths, skipped };
}

/**
 * Batches from an already decoded set, in `order` (indices into the set; default: as stored),
 * augmented with the same seeding as decodeBatches (index = position in the set).
 */
export function* batchesFromDecoded(
  set: DecodedSet,
  options: {
    batchSize: number;
    preprocessing: Preprocessing;
    augment?: AugmentConfig | null;
    seed?: number;
    epoch?: number;
    order?: readonly number[];
  },
): Generator<Omit<DecodedBatch, 'skipped'>> {
  const batchSize = positiveInteger('batchSize', options.batchSize);
  if (options.augment) validateAugmentConfig(options.augment);
  const imageLength = set.height * set.width * 3;
  const order = options.order ?? Array.from(set.labels, (_, i) => i);
  for (let start = 0; start < order.length; start += batchSize) {
    const indices = order.slice(start, start + batchSize);
    const x = new Float32Array(indices.length * imageLength);
    const labels = new Int32Array(indices.length);
    const paths: string[] = [];
    indices.forEach((i, k) => {
      if (!(i >= 0 && i < set.labels.length)) throw new Error(`order index ${i} outside the decoded set of ${set.labels.length}`);
      let pixels = set.pixels.subarray(i * imageLength, (i + 1) * imageLength);
      if (options.augment) {
        pixels = augmentPixels(
          pixels,
          set.height,
          set.width,
          options.augment,
          augmentSeed(options.seed ?? 0, options.epoch ?? 0, i),
        ).pixels;
      }
      pixelsToFloat32(pixels, options.preprocessing, x, k * imageLength);
      labels[k] = set.labels[i];
      paths.push(set.paths[i]);
    });
    yield { x, labels, paths };
  }
}
