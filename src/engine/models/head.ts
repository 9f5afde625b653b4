// The new classifier top: GlobalAveragePooling2D → Dense(fc, relu) → Dense(n, softmax), the
// Keras transfer-learning recipe. The two Dense layers are shared by two models: `pooledHead` (pooled features in,
// used while the base is frozen so only the head is computed) and `classifier` (images in, base +
// head, used for fine-tuning, saving and prediction) — training one trains the other.
import { tf } from '../tf.ts';
import type { BaseModel } from './zoo.ts';

export const HEAD_LAYER_NAMES = { pool: 'cnnlab_gap', fc: 'cnnlab_fc', predictions: 'cnnlab_predictions' } as const;

export interface Classifier {
  /** base + head as one functional model (layers bases only) */
  classifier: tf.LayersModel | null;
  /** pooled features [c] → class probabilities */
  pooledHead: tf.LayersModel;
  /** channels of the pooled features */
  featureChannels: number;
}

export function buildClassifier(base: BaseModel, numClasses: number, fcUnits: number, seed: number): Classifier {
  if (numClasses < 2) throw new Error(`need at least 2 classes to train a classifier, found ${numClasses}`);
  const channels = base.featureShape[base.featureShape.length - 1];
  const fc = tf.layers.dense({
    units: fcUnits,
    activation: 'relu',
    name: HEAD_LAYER_NAMES.fc,
    kernelInitializer: tf.initializers.glorotUniform({ seed }),
  });
  const predictions = tf.layers.dense({
    units: numClasses,
    activation: 'softmax',
    name: HEAD_LAYER_NAMES.predictions,
    kernelInitializer: tf.initializers.glorotUniform({ seed: seed + 1 }),
  });
  const pooledInput = tf.input({ shape: [channels], name: 'cnnlab_pooled_features' });
  const pooledHead = tf.model({
    inputs: pooledInput,
    outputs: predictions.apply(fc.apply(pooledInput)) as tf.SymbolicTensor,
    name: 'cnnlab_head',
  });
  let classifier: tf.LayersModel | null = null;
  if (base.kind === 'layers') {
    const cut = base.layers!;
    let features = cut.outputs[0];
    if (features.shape.length === 4) {
      features = tf.layers.globalAveragePooling2d({ name: HEAD_LAYER_NAMES.pool }).apply(features) as tf.SymbolicTensor;
    }
    classifier = tf.model({
      inputs: cut.inputs,
      outputs: predictions.apply(fc.apply(features)) as tf.SymbolicTensor,
      name: 'cnnlab_classifier',
    });
  }
  return { classifier, pooledHead, featureChannels: channels };
}

/** Global average pooling of [n, h, w, c] features (identity for [n, c]), as the head does. */
export function poolFeatures(features: tf.Tensor): tf.Tensor2D {
  return tf.tidy(() => (features.rank === 4 ? features.mean([1, 2]) : features.clone()) as tf.Tensor2D);
}
