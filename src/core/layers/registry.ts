// One LayerDef per layer kind, gathered from the per-family modules. The records and kinds.ts's list
// must agree both ways (checked below at compile time), so a kind exists exactly when it has a
// record (aliases, positional order, argument reader and shape inference together).
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
import { LAYER_KINDS, type LayerKind } from './kinds.ts';
import { sequenceLayers } from './sequence.ts';
import type { LayerDef } from './types.ts';

export { LAYER_KINDS, type LayerKind };

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

/** A record whose key is missing from kinds.ts makes this `never`, so the assignment fails to compile. */
type RecordsWithoutKind = Exclude<keyof typeof LAYERS, LayerKind>;
const everyRecordIsAKind: [RecordsWithoutKind] extends [never] ? true : RecordsWithoutKind = true;
void everyRecordIsAKind;

/** Every record, typed as a LayerDef; `satisfies` fails to compile when a kind has no record. */
export const LAYER_DEFS: Readonly<Record<LayerKind, LayerDef>> = LAYERS satisfies Record<LayerKind, LayerDef>;

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
