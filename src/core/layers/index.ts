// Layer specifications (Keras / tfjs layers, normalised) and per-layer shape inference with
// parameter counts. Every parser (Python, TypeScript, model.json) produces LayerSpecs; inference
// never throws: problems become diagnostics and unknown shapes stay null. What each kind knows
// lives in its record in registry.ts; this module only dispatches.
import type { Shape } from '../shape.ts';
import { readShape } from './readers.ts';
import { canonicalLayerKind, LAYER_DEFS, type LayerKind } from './registry.ts';
import { toSnakeCase } from './naming.ts';
import type {
  InferenceContext,
  LayerArgs,
  LayerInference,
  LayerSpec,
  LiteralValue,
  ParamCount,
  RawArgs,
  ShapeDiagnostic,
} from './types.ts';

export type {
  InferenceContext,
  LayerArgs,
  LayerDef,
  LayerInference,
  LayerSpec,
  LiteralValue,
  Padding2D,
  ParamCount,
  ShapeDiagnostic,
} from './types.ts';
export { canonicalLayerKind, LAYER_DEFS, LAYER_KINDS, positionalNames, type LayerKind } from './registry.ts';
export { defaultLayerBaseName, LayerNamer, toSnakeCase } from './naming.ts';

/**
 * Builds a LayerSpec from a class name and its arguments as written (Keras snake_case keys or tfjs
 * camelCase keys; positional arguments in Keras order). Never throws: problems are collected.
 */
export function makeLayerSpec(
  className: string,
  keywordArgs: Record<string, LiteralValue | undefined>,
  positionalArgs: (LiteralValue | undefined)[] = [],
  name?: string,
): LayerSpec {
  const kind = canonicalLayerKind(className);
  const def = kind ? LAYER_DEFS[kind] : undefined;
  const problems: string[] = [];
  const raw: RawArgs = {};
  const order = def?.positional ?? [];
  positionalArgs.forEach((v, i) => {
    if (i < order.length) raw[order[i]] = v;
    else problems.push(`unexpected positional argument #${i + 1}`);
  });
  for (const [k, v] of Object.entries(keywordArgs)) raw[toSnakeCase(k)] = v;
  const layerName = typeof raw.name === 'string' ? raw.name : (name ?? '');
  // InputLayer has no weights and Keras/tfjs report it as not trainable.
  const trainable = def?.neverTrainable ? false : raw.trainable !== false;
  const args = kind ? readArgs(kind, raw, problems) : {};
  // Several Keras classes share one kind (RandomFlip, RandomRotation, … are all 'RandomAugmentation').
  const shownClassName = !kind || def?.showWrittenClassName ? className : kind;
  return { className: shownClassName, kind, name: layerName, args, trainable, problems };
}

const SHAPE_KEYS = ['shape', 'input_shape', 'batch_input_shape', 'batch_shape'];

function readArgs(kind: LayerKind, raw: RawArgs, problems: string[]): LayerArgs {
  const a: LayerArgs = {};
  const has = (k: string) => raw[k] !== undefined && raw[k] !== null;
  if (raw.data_format === 'channels_first') a.channelsFirst = true;
  // Input shape: Input(shape=), InputLayer(input_shape= | batch_input_shape= | batch_shape=), or input_shape= on any first layer.
  const shapeKey = SHAPE_KEYS.find(has);
  if (shapeKey) {
    const s = readShape(raw[shapeKey], shapeKey, problems);
    if (s) a.inputShape = shapeKey.startsWith('batch') ? s.slice(1) : s;
  }
  LAYER_DEFS[kind].readArgs?.({ kind, raw, args: a, problems, has });
  return a;
}

/** Shape inference for one layer given the shapes of its inputs (null = unknown). */
export function inferLayer(spec: LayerSpec, inputs: (Shape | null)[], context: InferenceContext = {}): LayerInference {
  const diagnostics: ShapeDiagnostic[] = spec.problems.map((message) => ({
    severity: 'error' as const,
    message: `${spec.className}: ${message}`,
  }));
  const result = (outputShape: Shape | null, params: ParamCount | null, arithmetic: string[] = []): LayerInference => ({
    outputShape,
    params,
    arithmetic,
    diagnostics,
  });
  if (!spec.kind) {
    diagnostics.push({
      severity: 'info',
      message: `${spec.className}: layer not supported by CNN Lab's shape inference; shapes after it are unknown`,
    });
    return result(null, null);
  }
  return LAYER_DEFS[spec.kind].infer({
    spec,
    args: spec.args,
    input: inputs[0] ?? null,
    inputs,
    context,
    diagnostics,
    result,
    inferInner: (inner, input) => inferLayer(inner, [input]),
  });
}
