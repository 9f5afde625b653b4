// Applying per-layer frozen flags to a base. Head layers are never frozen. In tfjs, as in Keras,
// trainability is read when the trainable variable list is collected, so training code collects it
// again after every change (our "recompile", see train/loop.ts).
import type { tf } from '../tf.ts';
import type { BaseModel } from './zoo.ts';

/** Sets each base layer's `trainable` from `frozen` (same order as base.layerNames). */
export function applyFrozenFlags(base: BaseModel, frozen: readonly boolean[]): void {
  if (base.kind !== 'layers' || !base.layers) {
    if (frozen.some((f) => !f)) throw new Error(base.notFineTunableReason ?? `base ${base.id} cannot be fine-tuned`);
    return;
  }
  const layers = base.layers.layers;
  if (frozen.length !== layers.length) {
    throw new Error(`freeze flags: ${frozen.length} given for ${layers.length} layers of ${base.id}`);
  }
  layers.forEach((layer, i) => {
    layer.trainable = !frozen[i];
  });
}

export function freezeWholeBase(base: BaseModel): void {
  if (base.layers) base.layers.layers.forEach((l) => (l.trainable = false));
}

/** Names of layers (of `model`) that own trainable weights right now. */
export function trainableLayerNames(model: tf.LayersModel): string[] {
  return model.layers.filter((l) => l.trainable && l.trainableWeights.length > 0).map((l) => l.name);
}
