// The only place that imports TensorFlow.js, so every engine module shares one tfjs-core instance.
import * as tf from '@tensorflow/tfjs';
export { tf };
