// What every source parser returns: the models found in a file, each an ordered list of layers
// with their source range, inferred shapes, parameter counts, arithmetic and diagnostics.
import { inferGraph, type GraphNode } from '../graph.ts';
import type { LayerSpec, ParamCount, ShapeDiagnostic } from '../layers/index.ts';
import type { Shape } from '../shape.ts';
import type { SourceRange } from './expr.ts';

export type { SourcePosition, SourceRange } from './expr.ts';

export interface ParsedLayer {
  spec: LayerSpec;
  /** the layer call in the source (whole `Conv2D(...)(x)` expression), 0-based lines/columns */
  range: SourceRange;
  /** the first input's shape (null = unknown) */
  inputShape: Shape | null;
  inputShapes: (Shape | null)[];
  outputShape: Shape | null;
  /** null when unknown or not applicable (raw tf ops take their filter as a tensor) */
  params: ParamCount | null;
  arithmetic: string[];
  diagnostics: ShapeDiagnostic[];
}

export interface ParsedModel {
  name: string;
  kind: 'sequential' | 'functional' | 'ops' | 'model.json';
  layers: ParsedLayer[];
  /**
   * Python: the function this model comes from when no code in the file calls it — it was
   * analysed on its own, its parameters unknown unless they have defaults.
   */
  uncalled?: string;
}

export interface ParseResult {
  models: ParsedModel[];
}

/** One layer as a parser found it, before inference. */
export interface LayerEntry {
  spec: LayerSpec;
  inbound: string[];
  range: SourceRange;
  /** diagnostics the parser itself has (e.g. padding=2 is not Keras) */
  extra?: ShapeDiagnostic[];
  /** raw tf ops carry their filter as a tensor: no layer parameters */
  noParams?: boolean;
}

/**
 * Inference results of recent models, keyed by everything inference reads (specs, wiring, the
 * parser's own diagnostics) and not by source ranges. While a user types, every model but the one
 * being edited is unchanged, so re-analysing a large file re-infers only that one. Cached values
 * are shared between analyses: nothing downstream mutates them.
 */
const INFERENCE_CACHE_SIZE = 2000;
const inferenceCache = new Map<string, Omit<ParsedLayer, 'range'>[]>();

/** Forgets every cached inference (benchmarks measure a cold first analysis with it). */
export function clearInferenceCache(): void {
  inferenceCache.clear();
}

function inferenceKey(kind: ParsedModel['kind'], entries: LayerEntry[]): string {
  return JSON.stringify([kind, entries.map((e) => [e.spec, e.inbound, e.extra ?? null, e.noParams ?? false])]);
}

function inferEntries(entries: LayerEntry[]): Omit<ParsedLayer, 'range'>[] {
  const nodes: GraphNode[] = entries.map((e) => ({ spec: e.spec, inbound: e.inbound }));
  return inferGraph(nodes).map((n, i) => ({
    spec: n.spec,
    inputShape: n.inputShapes[0] ?? null,
    inputShapes: n.inputShapes,
    outputShape: n.inference.outputShape,
    params: entries[i].noParams ? null : n.inference.params,
    arithmetic: n.inference.arithmetic,
    diagnostics: [...(entries[i].extra ?? []), ...n.inference.diagnostics],
  }));
}

/** Runs shape inference over a parser's entries (a sequential stack or a functional graph). */
export function buildParsedModel(name: string, kind: ParsedModel['kind'], entries: LayerEntry[]): ParsedModel {
  const key = inferenceKey(kind, entries);
  let inferred = inferenceCache.get(key);
  if (inferred) {
    inferenceCache.delete(key); // re-insert: the Map's order is the recency order
  } else {
    inferred = inferEntries(entries);
    if (inferenceCache.size >= INFERENCE_CACHE_SIZE) inferenceCache.delete(inferenceCache.keys().next().value as string);
  }
  inferenceCache.set(key, inferred);
  return { name, kind, layers: inferred.map((layer, i) => ({ ...layer, range: entries[i].range })) };
}
