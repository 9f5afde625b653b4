// A small tfjs CNN, written the two ways tfjs allows: a layers model and raw ops.
// Try: npx tsx src/cli.ts describe samples/models/small_cnn.ts
import * as tf from '@tensorflow/tfjs';

export function buildModel(): tf.Sequential {
  const model = tf.sequential({
    layers: [
      tf.layers.conv2d({ inputShape: [32, 32, 3], filters: 10, kernelSize: 5, strides: 1, padding: 'same', activation: 'relu' }),
      tf.layers.maxPooling2d({ poolSize: 2 }),
      tf.layers.separableConv2d({ filters: 32, kernelSize: 3, padding: 'same' }),
      tf.layers.conv2dTranspose({ filters: 8, kernelSize: 3, strides: 2, padding: 'same' }),
    ],
  });
  model.add(tf.layers.globalAveragePooling2d({}));
  model.add(tf.layers.dense({ units: 10, activation: 'softmax' }));
  return model;
}

// The seed's example as raw ops: explicit zero padding P = 2.
export function seedExampleOps(): tf.Tensor4D {
  const x = tf.zeros([1, 32, 32, 3]);
  const filter = tf.randomNormal([5, 5, 3, 10]);
  const y = tf.conv2d(x as tf.Tensor4D, filter as tf.Tensor4D, 1, 2);
  return tf.maxPool(y, 2, 2, 'valid');
}
