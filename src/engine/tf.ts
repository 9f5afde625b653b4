// The only place that imports TensorFlow.js, so every engine module shares one tfjs-core instance.
import * as tf from '@tensorflow/tfjs';
export { tf };

// tfjs-layers' ReLU layer computes relu(x) and then clipByValue(·, 0, maxValue): on the native
// backend that is three ops (Relu, then ClipByValue as Minimum + Maximum), each a full pass over the
// activation. With maxValue 6 — every activation of MobileNetV2 — that is exactly tf.relu6, one op:
// about twice the MobileNetV2 forward throughput on the tensorflow backend (bench/README.md).
// Values are identical, and so are gradients (both pass dy where 0 < x ≤ 6).
type ReluLayer = tf.layers.Layer & { maxValue?: number };
type LayerCall = tf.layers.Layer['call'];
const reluPrototype = Object.getPrototypeOf(tf.layers.reLU({ maxValue: 6 })) as ReluLayer;
const clipCall: LayerCall = reluPrototype.call;
reluPrototype.call = function (this: ReluLayer, inputs: Parameters<LayerCall>[0], kwargs: Parameters<LayerCall>[1]) {
  if (this.maxValue !== 6) return clipCall.call(this, inputs, kwargs);
  return tf.relu6(Array.isArray(inputs) ? inputs[0] : inputs);
};
