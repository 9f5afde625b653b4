// The language features' logic, free of VS Code so it can be tested directly: analyse a document,
// then answer hover, inlay hint, diagnostic and layer-table questions from the analysis.
// Lines and columns are 0-based (as in VS Code's Position).
import {
  clearParseCaches,
  parseSource,
  sourceKindFor,
  type ParsedLayer,
  type ParsedModel,
  type SourceKind,
} from '../../core/parsers/index.ts';
import { formatShape } from '../../core/shape.ts';
import { modelReport, modelTable } from '../../core/summary.ts';
import type { SourceRange } from '../../core/parsers/index.ts';

export interface DocumentAnalysis {
  kind: SourceKind | null;
  models: ParsedModel[];
}

export interface InlayHint {
  line: number;
  col: number;
  label: string;
}

export interface LayerDiagnostic {
  range: SourceRange;
  severity: 'error' | 'warning' | 'info';
  message: string;
}

export { clearParseCaches };

/** Parses and infers a document; languages other than Python, TS/JS and model.json give nothing. */
export function analyzeDocument(text: string, languageId: string, fileName?: string): DocumentAnalysis {
  const kind = sourceKindFor(languageId, fileName);
  if (!kind) return { kind: null, models: [] };
  return { kind, models: parseSource(text, kind).models };
}

function contains(r: SourceRange, line: number, col: number): boolean {
  if (line < r.start.line || line > r.end.line) return false;
  if (line === r.start.line && col < r.start.col) return false;
  if (line === r.end.line && col > r.end.col) return false;
  return true;
}

function rangeSize(r: SourceRange): number {
  return (r.end.line - r.start.line) * 10_000 + (r.end.col - r.start.col);
}

/** The innermost layer whose source range holds the position. */
export function layerAt(analysis: DocumentAnalysis, line: number, col: number): { model: ParsedModel; layer: ParsedLayer } | null {
  let best: { model: ParsedModel; layer: ParsedLayer } | null = null;
  for (const model of analysis.models) {
    for (const layer of model.layers) {
      if (contains(layer.range, line, col) && (!best || rangeSize(layer.range) < rangeSize(best.layer.range))) best = { model, layer };
    }
  }
  return best;
}

const sameRange = (a: SourceRange, b: SourceRange) =>
  a.start.line === b.start.line && a.start.col === b.start.col && a.end.line === b.end.line && a.end.col === b.end.col;

/** Every row at exactly this range: one source call runs once per call of its helper or turn of its loop. */
function rowsAt(analysis: DocumentAnalysis, range: SourceRange): ParsedLayer[] {
  return analysis.models.flatMap((m) => m.layers.filter((l) => sameRange(l.range, range)));
}

/** Hover markdown for the layer at a position, or null when there is none. */
export function hoverAt(analysis: DocumentAnalysis, line: number, col: number): string | null {
  const hit = layerAt(analysis, line, col);
  if (!hit) return null;
  const all = rowsAt(analysis, hit.layer.range);
  const md = layerMarkdown(hit.layer);
  if (all.length < 2) return md;
  const shapes = all.map((l) => `${formatShape(l.inputShape)} → ${formatShape(l.outputShape)}`);
  return `${md}\n\nThis call runs ${all.length} times (a helper called more than once, or a loop): ${[...new Set(shapes)].join('; ')}`;
}

export function layerMarkdown(layer: ParsedLayer): string {
  const inputs =
    layer.inputShapes.length > 1
      ? layer.inputShapes.map(formatShape).join(' + ')
      : layer.inputShapes.length === 1
        ? formatShape(layer.inputShape)
        : null;
  const flow = inputs === null ? formatShape(layer.outputShape) : `${inputs} → ${formatShape(layer.outputShape)}`;
  const lines = [`**${layer.spec.className}** \`${layer.spec.name}\` — ${flow}`];
  if (layer.arithmetic.length > 0) lines.push('', '```', ...layer.arithmetic, '```');
  if (layer.params)
    lines.push(
      '',
      `Parameters: ${layer.params.text}${layer.params.nonTrainable > 0 ? ` (${layer.params.nonTrainable} non-trainable)` : ''}`,
    );
  else if (layer.spec.kind && layer.outputShape === null && layer.inputShape === null)
    lines.push('', 'Input shape unknown: give the first layer `input_shape=` or start from `Input(shape=...)`.');
  for (const d of layer.diagnostics)
    lines.push('', `${d.severity === 'error' ? '⛔' : d.severity === 'warning' ? '⚠️' : 'ℹ️'} ${d.message}`);
  return lines.join('\n');
}

/**
 * One hint per layer, right after its call, showing the output shape; only lines `fromLine` to
 * `toLine` when given (the editor asks for the visible range: no need to format a whole file).
 */
export function inlayHintsFor(analysis: DocumentAnalysis, fromLine = 0, toLine = Infinity): InlayHint[] {
  // One hint per source position: a call that runs several times (a helper, a loop) lists its
  // distinct shapes, with `?` when some run's shape is not known.
  const byPosition = new Map<string, { line: number; col: number; shapes: string[]; unknown: boolean; unsupported?: string }>();
  for (const model of analysis.models) {
    for (const layer of model.layers) {
      const line = layer.range.end.line;
      if (line < fromLine || line > toLine) continue;
      const key = `${line}:${layer.range.end.col}`;
      let at = byPosition.get(key);
      if (!at) byPosition.set(key, (at = { line, col: layer.range.end.col, shapes: [], unknown: false }));
      if (!layer.outputShape) {
        at.unknown = true;
        if (!layer.spec.kind) at.unsupported = layer.spec.className;
        continue;
      }
      const s = formatShape(layer.outputShape);
      if (!at.shapes.includes(s)) at.shapes.push(s);
    }
  }
  const hints: InlayHint[] = [];
  for (const at of byPosition.values()) {
    if (at.shapes.length === 0) {
      // Silence would read as "not a layer": say that this one is not computed.
      if (at.unsupported) hints.push({ line: at.line, col: at.col, label: ` → ? (unsupported layer ${at.unsupported})` });
      continue;
    }
    const shown = at.shapes.length > 3 ? [...at.shapes.slice(0, 3), '…'] : at.shapes;
    hints.push({ line: at.line, col: at.col, label: ` → ${[...shown, ...(at.unknown ? ['?'] : [])].join(' | ')}` });
  }
  return hints;
}

/** Impossible geometry, strides that do not fit explicit padding, Dense on 4-D tensors, bad arguments. */
export function diagnosticsFor(analysis: DocumentAnalysis): LayerDiagnostic[] {
  // Loops, not flatMap: this runs over every layer of the file after each edit, and most have none.
  const out: LayerDiagnostic[] = [];
  for (const m of analysis.models)
    for (const l of m.layers)
      for (const d of l.diagnostics) if (d.severity !== 'info') out.push({ range: l.range, severity: d.severity, message: d.message });
  return out;
}

/** A `model.summary()`-like table for every model in the analysis. */
export function layerTable(analysis: DocumentAnalysis): string {
  if (analysis.models.length === 0) return 'No model found.';
  return analysis.models.map(modelTable).join('\n\n');
}

/** The tables with each conv/pool layer's arithmetic and the problems found (Show Layer Shapes). */
export function layerReport(analysis: DocumentAnalysis): string {
  if (analysis.models.length === 0) return 'No model found.';
  return analysis.models.map(modelReport).join('\n\n');
}
