// Disposing models that share layers (base, cut base, classifier, pooled head). tfjs counts a
// layer's references per build, not per model, so disposing each model in turn would dispose a
// shared layer twice (and throw). Here every distinct layer is released exactly once, fully.
import type { tf } from '../tf.ts';

export function disposeModels(models: (tf.LayersModel | null | undefined)[]): void {
  const layers = new Set<tf.layers.Layer>();
  for (const m of models) if (m) for (const l of m.layers) layers.add(l);
  for (const layer of layers) {
    try {
      while (layer.dispose().refCountAfterDispose > 0) {
        /* release every reference */
      }
    } catch {
      // already disposed (or never built): nothing held
    }
  }
}
