// The mini-batches a phase trains and validates on, each as tensors the loop disposes: pooled
// base features held in memory (transfer), augmented images run through the frozen base per batch
// (transfer with augmentation), and images — decoded once into memory, or decoded per batch from
// disk when they do not fit (fine-tuning).
import type { ExperimentConfig } from '../../core/experiment.ts';
import type { SkippedFile } from '../../protocol/messages.ts';
import { batchesFromDecoded, decodeBatches, type DecodedSet } from '../data/decode.ts';
import type { DatasetFile } from '../data/scan.ts';
import { poolFeatures } from '../models/head.ts';
import { extractFeatures, type BaseModel } from '../models/zoo.ts';
import { tf } from '../tf.ts';
import type { PooledSet } from './features.ts';
import type { Batch, BatchSource } from './loop.ts';

/** What every image batch source needs to know about the run. */
export interface ImageBatchContext {
  config: ExperimentConfig;
  classes: number;
  signal: AbortSignal;
  /** told of the files that could not be decoded, as each batch finds them */
  onSkipped(s: SkippedFile[]): void;
}

export interface EpochPass {
  /** the epoch number, which seeds the augmentation */
  epoch: number;
  /** augment the images with config.augment (training), or not (validation) */
  augment: boolean;
}

export function oneHot(labels: Int32Array | number[], classes: number): tf.Tensor2D {
  return tf.tidy(() => tf.oneHot(tf.tensor1d(Array.from(labels), 'int32'), classes).toFloat() as tf.Tensor2D);
}

/** Mini-batches of in-memory tensors in `order`. */
export async function* sliceBatches(x: tf.Tensor2D, y: tf.Tensor2D, order: number[], batchSize: number): AsyncGenerator<Batch> {
  for (let start = 0; start < order.length; start += batchSize) {
    const idx = order.slice(start, start + batchSize);
    yield tf.tidy(() => {
      const i = tf.tensor1d(idx, 'int32');
      return { x: tf.gather(x, i), y: tf.gather<tf.Tensor2D>(y, i) };
    });
  }
}

/** The pooled validation set as tensors (added to `toDispose`, freed with the run) and a source over them. */
export function pooledValidation(set: PooledSet, o: { classes: number; batchSize: number; toDispose: tf.Tensor[] }): BatchSource {
  const x = tf.tensor2d(set.features, [set.labels.length, set.channels]);
  const y = oneHot(set.labels, o.classes);
  o.toDispose.push(x, y);
  const order = Array.from(set.labels, (_, i) => i);
  return () => sliceBatches(x, y, order, o.batchSize);
}

/** Augmented images through the frozen base, pooled: augmented images differ every epoch, so no cache. */
export async function* augmentedFeatureBatches(
  base: BaseModel,
  files: DatasetFile[],
  c: ImageBatchContext,
  epoch: number,
): AsyncGenerator<Batch> {
  const { config } = c;
  const [h, w] = base.inputSize;
  for await (const b of decodeBatches(files, {
    batchSize: config.batchSize,
    size: base.inputSize,
    resize: config.resize,
    preprocessing: base.preprocessing,
    augment: config.augment,
    seed: config.seed,
    epoch,
    signal: c.signal,
  })) {
    c.onSkipped(b.skipped);
    const n = b.labels.length;
    if (n === 0) continue;
    const x = tf.tidy(() => poolFeatures(extractFeatures(base, tf.tensor4d(b.x, [n, h, w, 3]))));
    yield { x, y: oneHot(b.labels, c.classes) };
  }
}

/** Images decoded from disk per batch (the data set does not fit the decoded-memory budget). */
export async function* imageBatches(files: DatasetFile[], base: BaseModel, c: ImageBatchContext, pass: EpochPass): AsyncGenerator<Batch> {
  const { config } = c;
  const [h, w] = base.inputSize;
  for await (const b of decodeBatches(files, {
    batchSize: config.batchSize,
    size: base.inputSize,
    resize: config.resize,
    preprocessing: base.preprocessing,
    augment: pass.augment ? config.augment : null,
    seed: config.seed,
    epoch: pass.epoch,
    signal: c.signal,
  })) {
    c.onSkipped(b.skipped);
    const n = b.labels.length;
    if (n === 0) continue;
    yield { x: tf.tensor4d(b.x, [n, h, w, 3]), y: oneHot(b.labels, c.classes) };
  }
}

/** Images decoded once into memory, in `order` (default: as decoded). */
export async function* fromDecoded(
  set: DecodedSet,
  preprocessing: BaseModel['preprocessing'],
  c: Pick<ImageBatchContext, 'config' | 'classes'>,
  pass: EpochPass & { order?: number[] },
): AsyncGenerator<Batch> {
  const { config } = c;
  for (const b of batchesFromDecoded(set, {
    batchSize: config.batchSize,
    preprocessing,
    augment: pass.augment ? config.augment : null,
    seed: config.seed,
    epoch: pass.epoch,
    order: pass.order,
  })) {
    const n = b.labels.length;
    yield { x: tf.tensor4d(b.x, [n, set.height, set.width, 3]), y: oneHot(b.labels, c.classes) };
  }
}
