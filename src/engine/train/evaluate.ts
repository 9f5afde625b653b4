// The final evaluation on the validation set: every image's class probabilities, from the pooled
// head on cached features when only the head was trained, else from the whole classifier.
import type { ExperimentConfig } from '../../core/experiment.ts';
import { batchesFromDecoded, decodeBatches, type DecodedSet } from '../data/decode.ts';
import type { DatasetFile } from '../data/scan.ts';
import { freezeForInference } from '../graph/frozenInference.ts';
import type { BaseModel } from '../models/zoo.ts';
import { tf } from '../tf.ts';
import type { PooledSet } from './features.ts';

export interface Evaluated {
  values: Float32Array;
  actual: Int32Array;
  paths: string[];
}

export async function evaluatePooled(head: tf.LayersModel, set: PooledSet): Promise<Evaluated> {
  const probs = tf.tidy(() => head.predict(tf.tensor2d(set.features, [set.labels.length, set.channels])) as tf.Tensor);
  const values = (await probs.data()) as Float32Array;
  probs.dispose();
  return { values, actual: set.labels, paths: set.paths };
}

export interface ImageEvaluation {
  base: BaseModel;
  files: DatasetFile[];
  /** the validation images decoded in memory by fine-tuning, if they were; else decoded from files */
  decoded: DecodedSet | undefined;
  config: ExperimentConfig;
  signal: AbortSignal;
}

export async function evaluateImages(model: tf.LayersModel, o: ImageEvaluation): Promise<Evaluated> {
  const { base, decoded, config } = o;
  const values: number[] = [];
  const actual: number[] = [];
  const paths: string[] = [];
  const source = decoded
    ? (async function* () {
        for (const b of batchesFromDecoded(decoded, { batchSize: config.batchSize, preprocessing: base.preprocessing })) yield b;
      })()
    : decodeBatches(o.files, {
        batchSize: config.batchSize,
        size: base.inputSize,
        resize: config.resize,
        preprocessing: base.preprocessing,
        signal: o.signal,
      });
  const [h, w] = base.inputSize;
  // Run as a loaded model runs for prediction, so its predictions reproduce these.
  const frozen = freezeForInference(model);
  try {
    for await (const b of source) {
      const n = b.labels.length;
      if (n === 0) continue;
      const probs = tf.tidy(() => model.predict(tf.tensor4d(b.x, [n, h, w, 3])) as tf.Tensor);
      values.push(...((await probs.data()) as Float32Array));
      probs.dispose();
      actual.push(...b.labels);
      paths.push(...b.paths);
    }
  } finally {
    frozen.restore();
  }
  return { values: Float32Array.from(values), actual: Int32Array.from(actual), paths };
}
