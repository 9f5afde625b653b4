// Argument readers shared by the layer kinds: each accepts the forms Keras and tfjs accept, and
// never throws — a bad value becomes a problem and a fallback.
import type { Shape } from '../shape.ts';
import type { LiteralValue, Padding2D } from './types.ts';

export function readPositiveInt(v: LiteralValue | undefined, field: string, problems: string[]): number | undefined {
  if (v === undefined) {
    problems.push(`${field} is missing`);
    return undefined;
  }
  if (typeof v === 'number' && Number.isInteger(v) && v > 0) return v;
  problems.push(`${field} must be a positive integer, got ${JSON.stringify(v)}`);
  return undefined;
}

/** A 1-D window size: an integer or a 1-tuple (kept as a pair with both entries equal). */
export function readSingle(v: LiteralValue | undefined, field: string, problems: string[]): [number, number] | undefined {
  return readPair(v, field, problems, true);
}

export function readPair(v: LiteralValue | undefined, field: string, problems: string[], single = false): [number, number] | undefined {
  if (v === undefined) {
    problems.push(`${field} is missing`);
    return undefined;
  }
  if (typeof v === 'number' && Number.isInteger(v)) return [v, v];
  if (Array.isArray(v) && v.length === 1 && typeof v[0] === 'number') return [v[0], v[0]];
  if (!single && Array.isArray(v) && v.length === 2 && typeof v[0] === 'number' && typeof v[1] === 'number') return [v[0], v[1]];
  problems.push(`${field} must be an integer${single ? '' : ' or a pair of integers'}, got ${JSON.stringify(v)}`);
  return undefined;
}

export function readShape(v: LiteralValue | undefined, field: string, problems: string[]): Shape | undefined {
  if (typeof v === 'number') return [v];
  if (Array.isArray(v) && v.every((d) => d === null || (typeof d === 'number' && Number.isInteger(d)))) return v as Shape;
  problems.push(`${field} must be a tuple of integers, got ${JSON.stringify(v)}`);
  return undefined;
}

export function readPadding(v: LiteralValue | undefined, problems: string[]): 'same' | 'valid' | Padding2D {
  if (v === undefined || v === null) return 'valid';
  if (typeof v === 'string') {
    const p = v.toLowerCase();
    if (p === 'same' || p === 'valid') return p;
    problems.push(`padding must be 'same' or 'valid', got '${v}'`);
    return 'valid';
  }
  const amounts = readAmounts(v, 'padding', 0, problems);
  return amounts;
}

/** int | (sym_h, sym_w) | ((top, bottom), (left, right)) — Keras ZeroPadding2D / Cropping2D forms. */
export function readAmounts(v: LiteralValue | undefined, field: string, fallback: number, problems: string[]): Padding2D {
  const isInt = (x: LiteralValue | undefined): x is number => typeof x === 'number' && Number.isInteger(x) && x >= 0;
  if (v === undefined || v === null)
    return [
      [fallback, fallback],
      [fallback, fallback],
    ];
  if (isInt(v))
    return [
      [v, v],
      [v, v],
    ];
  if (Array.isArray(v) && v.length === 2) {
    const [h, w] = v;
    if (isInt(h) && isInt(w))
      return [
        [h, h],
        [w, w],
      ];
    if (Array.isArray(h) && Array.isArray(w) && h.length === 2 && w.length === 2 && [...h, ...w].every(isInt)) {
      return [
        [h[0] as number, h[1] as number],
        [w[0] as number, w[1] as number],
      ];
    }
  }
  // tfjs op form: [[0, 0], [top, bottom], [left, right], [0, 0]]
  if (Array.isArray(v) && v.length === 4 && v.every((p) => Array.isArray(p) && p.length === 2 && p.every(isInt))) {
    const p = v as number[][];
    return [
      [p[1][0], p[1][1]],
      [p[2][0], p[2][1]],
    ];
  }
  problems.push(`${field} must be an integer, a pair, or a pair of pairs, got ${JSON.stringify(v)}`);
  return [
    [fallback, fallback],
    [fallback, fallback],
  ];
}
