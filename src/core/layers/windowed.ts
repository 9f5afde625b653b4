// Sliding-window layers (convolutions and pooling, 2-D and 1-D): the W2/H2 arithmetic from
// geometry.ts applied per axis, then the output channels and the parameter count per kind.
import {
  computeConvAxis,
  computeTransposeAxis,
  computeZeroPaddedValidAxis,
  type AxisGeometry,
  type AxisPadding,
  type AxisResult,
} from '../geometry.ts';
import type { Shape } from '../shape.ts';
import { DOT, expectRank } from './inference.ts';
import type { InferenceContext, LayerInference, LayerSpec, ParamCount, ShapeDiagnostic } from './types.ts';

export function inferWindowed(
  spec: LayerSpec,
  input: Shape | null,
  context: InferenceContext,
  diagnostics: ShapeDiagnostic[],
): LayerInference {
  const a = spec.args;
  const isPool = spec.kind === 'MaxPooling2D' || spec.kind === 'AveragePooling2D';
  const kernel = isPool ? a.poolSize : a.kernelSize;
  const strides = a.strides;
  const dilation = a.dilation ?? [1, 1];
  const s = expectRank(spec, input, 3, diagnostics);
  if (!kernel || !strides) return { outputShape: null, params: null, arithmetic: [], diagnostics };
  const [hi, wi, ci] = a.channelsFirst ? [1, 2, 0] : [0, 1, 2];
  const cin = s ? s[ci] : null;
  const padding = a.padding ?? 'valid';
  const axisPadding = (i: 0 | 1): AxisPadding =>
    Array.isArray(padding) ? { mode: 'explicit', before: padding[i][0], after: padding[i][1] } : { mode: padding };
  const zp = context.zeroPaddingBefore;
  const axisResult = (i: 0 | 1, axis: 'H' | 'W', size: number | null): AxisResult => {
    const g: AxisGeometry = { input: size, kernel: kernel[i], stride: strides[i], dilation: dilation[i], padding: axisPadding(i), axis };
    if (spec.kind === 'Conv2DTranspose') return computeTransposeAxis(g);
    if (zp && g.padding.mode === 'valid' && size !== null) {
      // Show the classic formula in terms of the size before the ZeroPadding2D layer.
      const [before, after] = zp.amounts[i];
      return computeZeroPaddedValidAxis({ ...g, input: size - before - after, padding: { mode: 'valid' } }, before, after, zp.layerName);
    }
    return computeConvAxis(g);
  };
  const h = axisResult(0, 'H', s ? s[hi] : null);
  const w = axisResult(1, 'W', s ? s[wi] : null);
  const arithmetic = arithmeticLines(w, h);
  // One message when both axes fail the same way (square inputs).
  if (h.error && w.error && h.error.replace('the height', 'the width') === w.error)
    diagnostics.push({ severity: 'error', message: `${spec.className}: ${w.error.replace('the width', 'the height and the width')}` });
  else for (const r of [h, w]) if (r.error) diagnostics.push({ severity: 'error', message: `${spec.className}: ${r.error}` });
  const [kh, kw] = kernel;
  let cout: number | null;
  let params: ParamCount | null = null;
  const bias = (n: number) => (a.useBias ? n : 0);
  switch (spec.kind) {
    case 'Conv2D':
    case 'Conv2DTranspose':
      cout = a.filters ?? null;
      if (cin !== null && cout !== null) {
        // groups: each filter sees cin/groups input channels (Keras requires both to divide evenly)
        const groups = spec.kind === 'Conv2D' ? (a.groups ?? 1) : 1;
        if (cin % groups !== 0 || cout % groups !== 0) {
          diagnostics.push({
            severity: 'error',
            message: `${spec.className}: groups=${groups} must divide both the input channels (${cin}) and filters (${cout})`,
          });
          return { outputShape: null, params: null, arithmetic, diagnostics };
        }
        const weights = kh * kw * (cin / groups) * cout;
        const cinText = groups === 1 ? `${cin}` : `(${cin}/${groups})`;
        params = {
          total: weights + bias(cout),
          nonTrainable: 0,
          text: `${kh}${DOT}${kw}${DOT}${cinText}${DOT}${cout} weights${a.useBias ? ` + ${cout} bias` : ''} = ${weights + bias(cout)}`,
        };
      }
      break;
    case 'DepthwiseConv2D': {
      const dm = a.depthMultiplier ?? 1;
      cout = cin === null ? null : cin * dm;
      if (cin !== null && cout !== null) {
        const weights = kh * kw * cin * dm;
        params = {
          total: weights + bias(cout),
          nonTrainable: 0,
          text: `${kh}${DOT}${kw}${DOT}${cin}${DOT}${dm} depthwise weights${a.useBias ? ` + ${cout} bias` : ''} = ${weights + bias(cout)}`,
        };
      }
      break;
    }
    case 'SeparableConv2D': {
      const dm = a.depthMultiplier ?? 1;
      cout = a.filters ?? null;
      if (cin !== null && cout !== null) {
        const depthwise = kh * kw * cin * dm;
        const pointwise = cin * dm * cout;
        const total = depthwise + pointwise + bias(cout);
        params = {
          total,
          nonTrainable: 0,
          text: `${kh}${DOT}${kw}${DOT}${cin}${DOT}${dm} depthwise + ${cin * dm}${DOT}${cout} pointwise weights${a.useBias ? ` + ${cout} bias` : ''} = ${total}`,
        };
      }
      break;
    }
    default:
      cout = cin;
      params = { total: 0, nonTrainable: 0, text: '0' };
  }
  if (!s || h.size === null || w.size === null || h.error || w.error) {
    // Keep what is known (channels) so later layers can still count parameters.
    if (!s) return { outputShape: null, params, arithmetic, diagnostics };
    const out: Shape = [null, null, null];
    out[hi] = h.error ? null : h.size;
    out[wi] = w.error ? null : w.size;
    out[ci] = cout;
    return { outputShape: h.error || w.error ? null : out, params, arithmetic, diagnostics };
  }
  const out: Shape = [0, 0, 0];
  out[hi] = h.size;
  out[wi] = w.size;
  out[ci] = cout;
  return { outputShape: out, params, arithmetic, diagnostics };
}

/** Conv1D / MaxPooling1D / AveragePooling1D over (steps, C): one axis of the 2-D arithmetic. */
export function inferWindowed1D(spec: LayerSpec, input: Shape | null, diagnostics: ShapeDiagnostic[]): LayerInference {
  const a = spec.args;
  const isPool = spec.kind !== 'Conv1D';
  const kernel = isPool ? a.poolSize : a.kernelSize;
  const s = expectRank(spec, input, 2, diagnostics);
  if (!kernel || !a.strides) return { outputShape: null, params: null, arithmetic: [], diagnostics };
  const [li, ci] = a.channelsFirst ? [1, 0] : [0, 1];
  const cin = s ? s[ci] : null;
  const padding = a.padding ?? 'valid';
  const r = computeConvAxis({
    input: s ? s[li] : null,
    kernel: kernel[0],
    stride: a.strides[0],
    dilation: (a.dilation ?? [1, 1])[0],
    padding: Array.isArray(padding) ? { mode: 'explicit', before: padding[0][0], after: padding[0][1] } : { mode: padding },
    axis: 'W',
  });
  if (r.error) diagnostics.push({ severity: 'error', message: `${spec.className}: ${r.error}` });
  const arithmetic = [r.text, ...(r.rule ? [r.rule] : [])];
  let params: ParamCount | null = { total: 0, nonTrainable: 0, text: '0' };
  let cout = cin;
  if (!isPool) {
    cout = a.filters ?? null;
    const groups = a.groups ?? 1;
    params = null;
    if (cin !== null && cout !== null) {
      const weights = kernel[0] * (cin / groups) * cout;
      const bias = a.useBias ? cout : 0;
      params = {
        total: weights + bias,
        nonTrainable: 0,
        text: `${kernel[0]}${DOT}${groups === 1 ? cin : `(${cin}/${groups})`}${DOT}${cout} weights${bias ? ` + ${bias} bias` : ''} = ${weights + bias}`,
      };
    }
  }
  if (!s || r.error) return { outputShape: null, params, arithmetic, diagnostics };
  const out: Shape = [null, null];
  out[li] = r.size;
  out[ci] = cout;
  return { outputShape: out, params, arithmetic, diagnostics };
}

/** W first (the seed's notation), H second only when it differs. */
function arithmeticLines(w: AxisResult, h: AxisResult): string[] {
  const strip = (t: string) => t.slice(2);
  const lines: string[] = [];
  const sameRule = (w.rule ?? '').replace(/W([12])/g, 'H$1') === (h.rule ?? '');
  if (strip(w.text) === strip(h.text) && sameRule) {
    lines.push(`${w.text}   (H2 likewise)`);
    if (w.rule) lines.push(w.rule);
    return lines;
  }
  lines.push(w.text, h.text);
  if (w.rule) lines.push(w.rule);
  if (h.rule && !sameRule) lines.push(h.rule);
  return lines;
}
