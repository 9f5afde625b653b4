// One layer as a `model.summary()` row: what the engine's describeModel answers, what the CLI's
// `describe --json` prints and what the architecture view and the freeze panel list. Core owns it
// (protocol re-exports it) so that core's own model.json reader needs nothing outside core.
import type { Shape } from './shape.ts';

export interface LayerRow {
  name: string;
  className: string;
  /** without the batch dimension, e.g. [32, 32, 10]; null where unknown */
  outputShape: (number | null)[] | null;
  params: number;
  trainable: boolean;
}

/** What a row is made from: a parsed layer (core/parsers) or an inferred model.json node, flattened. */
export interface InferredLayer {
  spec: { name: string; className: string; trainable: boolean };
  outputShape: Shape | null;
  params: { total: number } | null;
}

export function toLayerRow(layer: InferredLayer): LayerRow {
  return {
    name: layer.spec.name,
    className: layer.spec.className,
    outputShape: layer.outputShape,
    // 0 where the count depends on an unknown shape (LayerRow.params is a number).
    params: layer.params?.total ?? 0,
    trainable: layer.spec.trainable,
  };
}
