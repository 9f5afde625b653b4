// A tiny MobileNet-like conv net (conv → batch norm → depthwise conv → pointwise conv → global
// pooling → softmax) with fixed seeded weights, and real PNG inputs decoded by sharp: the same
// computation to run on every backend and compare.
import { join } from 'node:path';
import sharp from 'sharp';
import { tf } from '../../../../src/engine/tf.ts';
import { mulberry32 } from '../../../../src/engine/data/rng.ts';

export const INPUT_SIZE = 32;
export const CLASSES = 3;
export const FIXTURE_IMAGES = ['circle.png', 'square.png', 'triangle.png'].map((f) => join(__dirname, 'fixtures', f));

export function buildTinyNet(): tf.Sequential {
  const model = tf.sequential();
  model.add(
    tf.layers.conv2d({
      inputShape: [INPUT_SIZE, INPUT_SIZE, 3],
      filters: 8,
      kernelSize: 3,
      strides: 2,
      padding: 'same',
      activation: 'relu',
    }),
  );
  model.add(tf.layers.batchNormalization());
  model.add(tf.layers.depthwiseConv2d({ kernelSize: 3, padding: 'same', activation: 'relu' }));
  model.add(tf.layers.conv2d({ filters: 12, kernelSize: 1, activation: 'relu' }));
  model.add(tf.layers.globalAveragePooling2d({}));
  model.add(tf.layers.dense({ units: CLASSES, activation: 'softmax' }));
  return model;
}

/**
 * Seeded weights as plain arrays, in the model's getWeights() order: He-scaled uniform kernels,
 * small biases, and a batch norm with non-trivial statistics so every op matters. Seed 24 is one
 * where the three shapes get two different top-1 classes with a wide margin (0.43).
 */
export function seededWeights(model: tf.LayersModel, seed = 24): { shape: number[]; values: Float32Array }[] {
  const random = mulberry32(seed);
  return model.weights.map((w) => {
    const shape = w.shape as number[];
    const size = shape.reduce((a, b) => a * b, 1);
    const values = new Float32Array(size);
    const name = w.originalName;
    const fanIn = shape.length > 1 ? shape.slice(0, -1).reduce((a, b) => a * b, 1) : 1;
    for (let i = 0; i < size; i++) {
      const u = random() * 2 - 1;
      if (/moving_variance/.test(name)) values[i] = 0.5 + random();
      else if (/gamma/.test(name)) values[i] = 0.8 + 0.4 * random();
      else if (/bias|beta|moving_mean/.test(name)) values[i] = 0.1 * u;
      else values[i] = u * Math.sqrt(6 / fanIn) * 2;
    }
    return { shape, values };
  });
}

/** The fixture PNGs as a [n, 32, 32, 3] batch of floats in [0, 1]. */
export async function fixtureBatch(): Promise<{ data: Float32Array; shape: [number, number, number, number] }> {
  const n = FIXTURE_IMAGES.length;
  const data = new Float32Array(n * INPUT_SIZE * INPUT_SIZE * 3);
  for (let i = 0; i < n; i++) {
    const raw = await sharp(FIXTURE_IMAGES[i]).removeAlpha().resize(INPUT_SIZE, INPUT_SIZE, { fit: 'fill' }).raw().toBuffer();
    for (let j = 0; j < raw.length; j++) data[i * raw.length + j] = raw[j] / 255;
  }
  return { data, shape: [n, INPUT_SIZE, INPUT_SIZE, 3] };
}

/** Builds the net on the current backend, loads the seeded weights, and returns its probabilities. */
export async function predictTinyNet(batch: { data: Float32Array; shape: number[] }): Promise<number[][]> {
  const model = buildTinyNet();
  try {
    model.setWeights(seededWeights(model).map((w) => tf.tensor(w.values, w.shape)));
    const probs = tf.tidy(() => model.predict(tf.tensor(batch.data, batch.shape)) as tf.Tensor);
    const rows = (await probs.array()) as number[][];
    probs.dispose();
    return rows;
  } finally {
    model.dispose();
  }
}

/**
 * One fine-tuning step's gradients (cross-entropy to fixed labels, w.r.t. every trainable weight,
 * conv and depthwise filters included): what a backend must compute to fine-tune a base.
 */
export async function tinyNetGradients(batch: { data: Float32Array; shape: number[] }): Promise<Float32Array[]> {
  const model = buildTinyNet();
  try {
    model.setWeights(seededWeights(model).map((w) => tf.tensor(w.values, w.shape)));
    const n = batch.shape[0];
    const grads = tf.tidy(() => {
      const x = tf.tensor(batch.data, batch.shape);
      const labels = tf.oneHot(
        tf.tensor1d(
          Array.from({ length: n }, (_, i) => i % CLASSES),
          'int32',
        ),
        CLASSES,
      );
      const loss = () => tf.metrics.categoricalCrossentropy(labels, model.apply(x, { training: false }) as tf.Tensor).mean<tf.Scalar>();
      // With no variable list, grads of every trainable tf.Variable, keyed by the layer weight names.
      const { grads } = tf.variableGrads(loss);
      return model.trainableWeights.map((w) => {
        const g = grads[w.name];
        if (!g) throw new Error(`no gradient for ${w.name} (have ${Object.keys(grads).join(', ')})`);
        return g;
      });
    });
    const out = await Promise.all(grads.map((g) => g.data() as Promise<Float32Array>));
    tf.dispose(grads);
    return out;
  } finally {
    model.dispose();
  }
}
