// One LayerDef per layer kind, gathered from the per-family modules. LayerKind is derived from the
// keys, so a kind exists exactly when it has a record (aliases, positional order, argument reader
// and shape inference together).
import { activationLayers } from './activation.ts';
import { convLayers } from './conv.ts';
import { denseLayers } from './dense.ts';
import { inputLayers } from './input.ts';
import { mergeLayers } from './merge.ts';
import { normalizationLayers } from './normalization.ts';
import { poolLayers } from './pool.ts';
import { preprocessingLayers } from './preprocessing.ts';
import { regularizationLayers } from './regularization.ts';
import { reshapingLayers } from './reshaping.ts';
import { sequenceLayers } from './sequence.ts';
import type { LayerDef } from './types.ts';

export const LAYERS = {
  ...inputLayers,
  ...convLayers,
  ...poolLayers,
  ...reshapingLayers,
  ...normalizationLayers,
  ...activationLayers,
  ...regularizationLayers,
  ...denseLayers,
  ...mergeLayers,
  ...preprocessingLayers,
  ...sequenceLayers,
};

export type LayerKind = keyof typeof LAYERS;

/** Every record, typed as a LayerDef (the modules keep their literal types for LayerKind). */
export const LAYER_DEFS: Readonly<Record<LayerKind, LayerDef>> = LAYERS satisfies Record<LayerKind, LayerDef>;

export const LAYER_KINDS = Object.keys(LAYERS) as LayerKind[];

// alias → kind, built once; a duplicate alias is a bug in the records (the registry test checks).
const ALIASES = new Map<string, LayerKind>(LAYER_KINDS.flatMap((kind) => LAYER_DEFS[kind].aliases.map((alias) => [alias, kind] as const)));

/** `Conv2D`, `conv2d`, `MaxPool2D`, `maxPooling2d` → the canonical kind; null when unsupported. */
export function canonicalLayerKind(className: string): LayerKind | null {
  const key = className.indexOf('_') >= 0 ? className.replace(/_/g, '').toLowerCase() : className.toLowerCase();
  return ALIASES.get(key) ?? null;
}

/** Keras' positional parameter names of a layer kind (to name an argument that is not known). */
export function positionalNames(kind: LayerKind | null): string[] {
  return kind ? [...(LAYER_DEFS[kind].positional ?? [])] : [];
}
