// Small pieces the kinds' infer functions share.
import { formatShape, type Shape } from '../shape.ts';
import type { LayerSpec, ParamCount, ShapeDiagnostic } from './types.ts';

export const MINUS = '\u2212';
export const DOT = '\u00b7';

/** A layer without weights (a fresh object each time: callers may keep it). */
export const noParams = (): ParamCount => ({ total: 0, nonTrainable: 0, text: '0' });

export function normalizeAxis(axis: number, rank: number): number {
  return axis < 0 ? rank + axis : axis;
}

export function expectRank(spec: LayerSpec, input: Shape | null, rank: number, diagnostics: ShapeDiagnostic[]): Shape | null {
  if (!input) return null;
  if (input.length !== rank) {
    diagnostics.push({
      severity: 'error',
      message: `${spec.className} expects a ${rank + 1}-D input (batch, ${rank === 2 ? 'steps, C' : 'H, W, C'}), got ${input.length + 1}-D (batch, ${formatShape(input)})`,
    });
    return null;
  }
  return input;
}
