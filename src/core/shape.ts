// Tensor shapes without the batch dimension, channels last: [H, W, C] for images, [N] after
// Flatten. A null entry is a dimension known only at run time.

export type Shape = (number | null)[];

/** `32×32×3`; unknown dimensions as `?`. */
export function formatShape(shape: Shape | null): string {
  if (!shape) return '?';
  if (shape.length === 0) return 'scalar';
  return shape.map((d) => (d === null ? '?' : String(d))).join('\u00d7');
}

/**
 * Keras summary style: `(None, 32, 32, 10)` with the batch dimension (the CLI's table), or
 * `(32, 32, 10)` without it (the architecture view, whose rows all share one batch).
 */
export function formatKerasShape(shape: Shape | null, { batch = true }: { batch?: boolean } = {}): string {
  if (!shape) return '?';
  const dims = shape.map((d) => (d === null ? 'None' : String(d)));
  if (!batch) return `(${dims.join(', ')})`;
  return `(${['None', ...dims].join(', ')}${shape.length === 0 ? ',' : ''})`;
}

export function shapesEqual(a: Shape, b: Shape): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/** Product of the dimensions, or null if any is unknown. */
export function shapeSize(shape: Shape): number | null {
  let n = 1;
  for (const d of shape) {
    if (d === null) return null;
    n *= d;
  }
  return n;
}
