// A layers model.json as text → one model whose layers point at their lines, so the editor can
// hover a layer's name in the file. Text that is not (yet) valid JSON gives no models.
import { inferModelJson } from '../modelJson.ts';
import type { SourceRange } from './expr.ts';
import type { ParseResult } from './types.ts';

export function parseModelJsonText(text: string): ParseResult {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { models: [] };
  }
  let inferred;
  try {
    inferred = inferModelJson(json);
  } catch {
    return { models: [] }; // valid JSON but not a layers model
  }
  const lineStarts = [0];
  for (let i = 0; i < text.length; i++) if (text[i] === '\n') lineStarts.push(i + 1);
  const position = (offset: number) => {
    let lo = 0;
    let hi = lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (lineStarts[mid] <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo, col: offset - lineStarts[lo] };
  };
  // Layers are declared in file order; each declaration holds `"name": "<layer name>"` (inbound
  // references are bare strings in arrays, so they never match this pattern).
  let cursor = 0;
  const layers = inferred.nodes.map((n) => {
    const pattern = new RegExp(`"name"\\s*:\\s*(${JSON.stringify(n.spec.name).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')})`, 'g');
    pattern.lastIndex = cursor;
    const m = pattern.exec(text);
    let range: SourceRange;
    if (m) {
      const start = m.index + m[0].length - m[1].length;
      range = { start: position(start), end: position(start + m[1].length) };
      cursor = start + m[1].length;
    } else {
      range = { start: position(cursor), end: position(cursor) };
    }
    return {
      spec: n.spec,
      range,
      inputShape: n.inputShapes[0] ?? null,
      inputShapes: n.inputShapes,
      outputShape: n.inference.outputShape,
      params: n.inference.params,
      arithmetic: n.inference.arithmetic,
      diagnostics: n.inference.diagnostics,
    };
  });
  return { models: [{ name: inferred.model.name, kind: 'model.json', layers }] };
}
