// Output size of one spatial axis of a convolution or pooling window, with the arithmetic spelled
// out so the editor can show the user's own numbers: W2 = (W1 − F + 2P)/S + 1.
// Two padding families: explicit zero padding P (the classic formula, which must divide evenly) and
// TensorFlow's 'same' / 'valid' rules (ceil semantics, never an error unless the result is ≤ 0).

export type AxisPadding =
  | { mode: 'same' }
  | { mode: 'valid' }
  /** zero padding added before and after along this axis */
  | { mode: 'explicit'; before: number; after: number };

export interface AxisGeometry {
  /** input size along the axis; null when unknown */
  input: number | null;
  kernel: number;
  stride: number;
  dilation: number;
  padding: AxisPadding;
  /** 'W' or 'H': the letter used in the arithmetic (W1, W2) */
  axis: 'H' | 'W';
}

export interface AxisResult {
  /** output size; null when the input is unknown or the geometry is impossible */
  size: number | null;
  /** the arithmetic with the numbers substituted, e.g. `W2 = (32 − 5 + 2·2)/1 + 1 = 32` */
  text: string;
  /** for same/valid: the rule and the equivalent zero padding */
  rule?: string;
  /** equivalent zero padding actually applied (TensorFlow splits odd totals: less before) */
  padBefore: number;
  padAfter: number;
  /** impossible geometry (size ≤ 0) or a stride that does not fit the explicit padding */
  error?: string;
}

const MINUS = '\u2212';
const DOT = '\u00b7';

/** The dilated extent of a kernel: (F − 1)·D + 1. */
export function effectiveKernel(kernel: number, dilation: number): number {
  return (kernel - 1) * dilation + 1;
}

function kernelTerm(g: AxisGeometry): string {
  return g.dilation === 1 ? String(g.kernel) : `((${g.kernel} ${MINUS} 1)${DOT}${g.dilation} + 1)`;
}

function paddingTerm(before: number, after: number): string {
  return before === after ? `2${DOT}${before}` : `${before} + ${after}`;
}

/** Output size of a convolution / pooling window along one axis. */
export function computeConvAxis(g: AxisGeometry): AxisResult {
  const out = `${g.axis}2`;
  const inp = `${g.axis}1`;
  const bad = checkWindow(g);
  if (bad) return { size: null, text: `${out} = ? (${bad})`, padBefore: 0, padAfter: 0, error: bad };
  const fEff = effectiveKernel(g.kernel, g.dilation);
  if (g.padding.mode === 'explicit') {
    const { before, after } = g.padding;
    if (g.input === null) {
      return {
        size: null,
        text: `${out} = (${inp} ${MINUS} ${kernelTerm(g)} + ${paddingTerm(before, after)})/${g.stride} + 1 = ? (input size unknown)`,
        padBefore: before,
        padAfter: after,
      };
    }
    const span = g.input - fEff + before + after;
    const expr = `(${g.input} ${MINUS} ${kernelTerm(g)} + ${paddingTerm(before, after)})/${g.stride} + 1`;
    if (span < 0) {
      const error = `kernel ${fEff} is larger than the padded input ${g.input + before + after} along ${axisWord(g.axis)}`;
      return { size: null, text: `${out} = ${expr} = ${span / g.stride + 1} ≤ 0`, padBefore: before, padAfter: after, error };
    }
    if (span % g.stride !== 0) {
      const error = `stride ${g.stride} does not fit: (${g.input} ${MINUS} ${fEff} + ${before + after}) = ${span} is not divisible by ${g.stride} along ${axisWord(g.axis)}`;
      return { size: null, text: `${out} = ${expr} = ${span}/${g.stride} + 1 (not an integer)`, padBefore: before, padAfter: after, error };
    }
    const size = span / g.stride + 1;
    return { size, text: `${out} = ${expr} = ${size}`, padBefore: before, padAfter: after };
  }
  if (g.padding.mode === 'same') {
    if (g.input === null) {
      return {
        size: null,
        text: `${out} = ceil(${inp}/${g.stride}) = ? (input size unknown)`,
        rule: `same: ${out} = ceil(${inp}/S)`,
        padBefore: 0,
        padAfter: 0,
      };
    }
    const size = Math.ceil(g.input / g.stride);
    const total = Math.max((size - 1) * g.stride + fEff - g.input, 0);
    const before = Math.floor(total / 2);
    const after = total - before;
    const error = size <= 0 ? `output ${axisWord(g.axis)} is ${size}: the input is empty` : undefined;
    return {
      size: size > 0 ? size : null,
      text: `${out} = ceil(${g.input}/${g.stride}) = ${size}`,
      rule: `same: ${out} = ceil(${inp}/S); equivalent ${describePadding(before, after)}`,
      padBefore: before,
      padAfter: after,
      error,
    };
  }
  // valid
  const spanText =
    g.dilation === 1
      ? `${g.input ?? inp} ${MINUS} ${g.kernel} + 1`
      : `${g.input ?? inp} ${MINUS} (${g.kernel} ${MINUS} 1)${DOT}${g.dilation}`;
  const rule = `valid: ${out} = ceil((${inp} ${MINUS} ${g.dilation === 1 ? 'F + 1' : `(F ${MINUS} 1)${DOT}D`})/S); equivalent P = 0`;
  if (g.input === null)
    return { size: null, text: `${out} = ceil((${spanText})/${g.stride}) = ? (input size unknown)`, rule, padBefore: 0, padAfter: 0 };
  const span = g.input - (g.kernel - 1) * g.dilation;
  const size = Math.ceil(span / g.stride);
  if (size <= 0) {
    const error = `impossible geometry: window ${fEff} is larger than the input ${g.input} along ${axisWord(g.axis)} (output size ${size})`;
    return { size: null, text: `${out} = ceil((${spanText})/${g.stride}) = ${size} ≤ 0`, rule, padBefore: 0, padAfter: 0, error };
  }
  const dropped = (span - 1) % g.stride;
  const note = dropped > 0 ? `; the last ${dropped} ${dropped === 1 ? 'row/column is' : 'rows/columns are'} never covered` : '';
  return { size, text: `${out} = ceil((${spanText})/${g.stride}) = ${size}`, rule: rule + note, padBefore: 0, padAfter: 0 };
}

/**
 * The same axis written with the classic formula when the zero padding came from a separate
 * ZeroPadding2D layer in front of a 'valid' window: the padded input is W1 + before + after.
 */
export function computeZeroPaddedValidAxis(
  g: AxisGeometry & { padding: { mode: 'valid' } },
  before: number,
  after: number,
  paddingLayer: string,
): AxisResult {
  const padded = computeConvAxis({ ...g, input: g.input === null ? null : g.input + before + after });
  if (g.input === null || padded.size === null || padded.error) return padded;
  const fEff = effectiveKernel(g.kernel, g.dilation);
  const span = g.input - fEff + before + after;
  const expr = `(${g.input} ${MINUS} ${kernelTerm(g)} + ${paddingTerm(before, after)})/${g.stride} + 1`;
  const text =
    span % g.stride === 0
      ? `${g.axis}2 = ${expr} = ${padded.size}`
      : `${g.axis}2 = floor((${g.input} ${MINUS} ${kernelTerm(g)} + ${paddingTerm(before, after)})/${g.stride}) + 1 = ${padded.size}`;
  return {
    ...padded,
    text,
    rule: `valid after ZeroPadding2D '${paddingLayer}': equivalent ${describePadding(before, after)}`,
    padBefore: before,
    padAfter: after,
  };
}

/** Output size of a transposed convolution along one axis (tfjs / Keras deconv_length, no output_padding). */
export function computeTransposeAxis(g: AxisGeometry): AxisResult {
  const out = `${g.axis}2`;
  const inp = `${g.axis}1`;
  const bad = checkWindow(g);
  if (bad) return { size: null, text: `${out} = ? (${bad})`, padBefore: 0, padAfter: 0, error: bad };
  const fEff = effectiveKernel(g.kernel, g.dilation);
  const inText = g.input === null ? inp : String(g.input);
  if (g.padding.mode === 'same') {
    const size = g.input === null ? null : g.input * g.stride;
    return {
      size,
      text: `${out} = ${inText}${DOT}${g.stride} = ${size ?? '?'}`,
      rule: `same (transposed): ${out} = ${inp}${DOT}S`,
      padBefore: 0,
      padAfter: 0,
    };
  }
  if (g.padding.mode === 'valid') {
    const size = g.input === null ? null : g.input * g.stride + Math.max(fEff - g.stride, 0);
    return {
      size,
      text: `${out} = ${inText}${DOT}${g.stride} + max(${fEff} ${MINUS} ${g.stride}, 0) = ${size ?? '?'}`,
      rule: `valid (transposed): ${out} = ${inp}${DOT}S + max(F ${MINUS} S, 0)`,
      padBefore: 0,
      padAfter: 0,
    };
  }
  const { before, after } = g.padding;
  const size = g.input === null ? null : (g.input - 1) * g.stride + fEff - before - after;
  const text = `${out} = (${inText} ${MINUS} 1)${DOT}${g.stride} + ${fEff} ${MINUS} ${paddingTerm(before, after)} = ${size ?? '?'}`;
  if (size !== null && size <= 0)
    return { size: null, text, padBefore: before, padAfter: after, error: `impossible geometry: output ${axisWord(g.axis)} ${size} ≤ 0` };
  return { size, text, padBefore: before, padAfter: after };
}

function checkWindow(g: AxisGeometry): string | undefined {
  for (const [what, v] of [
    ['kernel size', g.kernel],
    ['stride', g.stride],
    ['dilation', g.dilation],
  ] as const) {
    if (!Number.isInteger(v) || v < 1) return `${what} must be a positive integer, got ${v}`;
  }
  if (
    g.padding.mode === 'explicit' &&
    (g.padding.before < 0 || g.padding.after < 0 || !Number.isInteger(g.padding.before) || !Number.isInteger(g.padding.after))
  ) {
    return `padding must be a non-negative integer, got ${g.padding.before}/${g.padding.after}`;
  }
  return undefined;
}

function axisWord(axis: 'H' | 'W'): string {
  return axis === 'H' ? 'the height' : 'the width';
}

function describePadding(before: number, after: number): string {
  return before === after ? `P = ${before}` : `P = ${before} before, ${after} after`;
}
