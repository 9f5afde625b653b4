// The only place, with the workarounds it applies (tfjsPatches.ts), that imports TensorFlow.js, so
// every engine module shares one tfjs-core instance.
import * as tf from '@tensorflow/tfjs';
import './tfjsPatches.ts';
export { tf };
