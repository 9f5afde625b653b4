// Changes to a base for the length of a fine-tuning phase, all undone afterwards. (Also: the
// frozen prefix's BatchNormalization is folded into its convolutions, see foldBatchNorm.ts.)
//
// 1. The frozen prefix runs off the gradient tape. tf.variableGrads records every kernel run inside
//    it and keeps each one's inputs for the backward pass, including the frozen layers below the
//    first trainable one, whose gradients are never needed: that cost ~3× Keras' memory and most of
//    the step time. Each prefix layer's call is wrapped in tf.customGrad, whose forward pass runs
//    untaped (tfjs stops recording inside a kernel), so the tape holds one node per prefix layer
//    with nothing saved. Backprop never reaches those nodes: no trainable variable lies upstream.
// 2. BatchNormalization with scale=False (every BN of Keras' InceptionV3) gets a gamma of ones for
//    the phase, which tfjs' FusedBatchNorm gradient needs (tfjsPatches.ts, lendUnitGammas).
import { tf } from '../tf.ts';
import { foldBatchNorms } from './foldBatchNorm.ts';
import { lendUnitGammas } from '../tfjsPatches.ts';

type LayerCall = (inputs: tf.Tensor | tf.Tensor[], kwargs: Record<string, unknown>) => tf.Tensor | tf.Tensor[];
interface PatchableLayer {
  name: string;
  call: LayerCall;
  getClassName(): string;
  gamma?: { read(): tf.Tensor } | null;
  movingMean?: { read(): tf.Tensor } | null;
}

/** Applies the two changes to `model`'s layers; the returned function undoes them. */
export function prepareForFineTuning(model: tf.LayersModel): () => void {
  const undo: (() => void)[] = [];
  const layers = model.layers as unknown as PatchableLayer[];
  const firstTrainable = model.layers.findIndex((l) => l.trainable && l.trainableWeights.length > 0);
  // Layers are in topological order, so nothing before the first trainable one depends on a
  // trainable weight. Frozen layers after it still need their gradient (it flows through them).
  const prefix = firstTrainable < 0 ? [] : layers.slice(0, firstTrainable);
  // Frozen for the phase, the prefix's BatchNormalization folds into its convolutions (before the
  // calls are wrapped below, so the wrappers run the folded ones).
  const inPrefix = new Set<unknown>(prefix);
  undo.push(foldBatchNorms(model, (l) => inPrefix.has(l)));
  for (const layer of prefix) {
    if (layer.getClassName() === 'InputLayer') continue;
    const original = layer.call;
    layer.call = function offTape(this: PatchableLayer, inputs, kwargs) {
      const list = Array.isArray(inputs) ? inputs : [inputs];
      const run = tf.customGrad((...args: unknown[]) => {
        const xs = args.slice(0, list.length) as tf.Tensor[];
        const value = original.call(this, Array.isArray(inputs) ? xs : xs[0], kwargs);
        if (Array.isArray(value)) throw new Error(`layer ${layer.name}: several outputs are not supported off the gradient tape`);
        // Never called: backprop prunes nodes with no trainable variable upstream.
        return { value, gradFunc: () => xs.map((x) => tf.zerosLike(x)) };
      });
      return run(...list);
    };
    undo.push(() => {
      layer.call = original;
    });
  }
  // Only layers on the tape need a gamma: the prefix's BN layers are folded and run untaped.
  undo.push(lendUnitGammas(layers.slice(prefix.length)));
  return () => undo.reverse().forEach((u) => u());
}
