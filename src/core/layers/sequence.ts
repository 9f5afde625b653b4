// Layers of sequence models and the remaining shape-keeping kinds of tfjs and Keras: Embedding,
// SimpleRNN / LSTM / GRU (returnSequences), Bidirectional (mergeMode), TimeDistributed,
// RepeatVector, Permute, Masking, ELU, PReLU, ThresholdedReLU, AlphaDropout, SpatialDropout1D.
// Parameter counts are Keras' and tfjs' (they agree, but for GRU: Keras' reset_after=True default
// has a second bias; tfjs has no reset_after and computes it as False).
import { DOT } from './inference.ts';
import type { LayerKind } from './kinds.ts';
import type {
  ArgsReader,
  InferCall,
  LayerArgs,
  LayerDef,
  LayerInference,
  LayerSpec,
  LiteralValue,
  ParamCount,
  ShapeDiagnostic,
} from './types.ts';
import { formatShape, type Shape } from '../shape.ts';

type SequenceKind =
  | 'Embedding'
  | 'SimpleRNN'
  | 'LSTM'
  | 'GRU'
  | 'Bidirectional'
  | 'TimeDistributed'
  | 'RepeatVector'
  | 'Permute'
  | 'Masking'
  | 'ELU'
  | 'PReLU'
  | 'ThresholdedReLU'
  | 'AlphaDropout'
  | 'SpatialDropout1D';

const RNN_POSITIONAL = ['units', 'activation', 'recurrent_activation', 'use_bias'];
const RNN_KINDS = new Set<LayerKind>(['SimpleRNN', 'LSTM', 'GRU']);

const record = (kind: SequenceKind, aliases: string[], positional: string[]) => ({
  aliases,
  positional,
  readArgs: ({ raw, args, problems }: ArgsReader) => readSequenceArgs(kind, raw, args, problems),
  infer: (call: InferCall) => inferSequenceLayer(kind, call.spec, call.input, call.diagnostics, (inner, x) => call.inferInner(inner, x)),
});

export const sequenceLayers = {
  Embedding: record('Embedding', ['embedding'], ['input_dim', 'output_dim']),
  SimpleRNN: record('SimpleRNN', ['simplernn'], ['units', 'activation', 'use_bias']),
  LSTM: record('LSTM', ['lstm'], RNN_POSITIONAL),
  GRU: record('GRU', ['gru'], RNN_POSITIONAL),
  Bidirectional: record('Bidirectional', ['bidirectional'], ['layer', 'merge_mode']),
  TimeDistributed: record('TimeDistributed', ['timedistributed'], ['layer']),
  RepeatVector: record('RepeatVector', ['repeatvector'], ['n']),
  Permute: record('Permute', ['permute'], ['dims']),
  Masking: record('Masking', ['masking'], ['mask_value']),
  ELU: record('ELU', ['elu'], ['alpha']),
  PReLU: record('PReLU', ['prelu'], ['alpha_initializer', 'alpha_regularizer', 'alpha_constraint', 'shared_axes']),
  ThresholdedReLU: record('ThresholdedReLU', ['thresholdedrelu'], ['theta']),
  AlphaDropout: record('AlphaDropout', ['alphadropout'], ['rate']),
  SpatialDropout1D: record('SpatialDropout1D', ['spatialdropout1d'], ['rate']),
} satisfies Record<SequenceKind, LayerDef>;

const posInt = (v: LiteralValue | undefined, field: string, problems: string[]): number | undefined => {
  if (v === undefined || v === null) {
    problems.push(`${field} is missing`);
    return undefined;
  }
  if (typeof v === 'number' && Number.isInteger(v) && v > 0) return v;
  problems.push(`${field} must be a positive integer, got ${JSON.stringify(v)}`);
  return undefined;
};

function readSequenceArgs(kind: SequenceKind, raw: Record<string, LiteralValue | undefined>, a: LayerArgs, problems: string[]): void {
  switch (kind) {
    case 'Embedding':
      a.inputDim = posInt(raw.input_dim, 'input_dim', problems);
      a.outputDim = posInt(raw.output_dim, 'output_dim', problems);
      // tfjs and Keras 2: input_length stands for the input shape of a first layer
      if (!a.inputShape && raw.input_length !== undefined && raw.input_length !== null) {
        const n = raw.input_length;
        if (typeof n === 'number' && Number.isInteger(n) && n > 0) a.inputShape = [n];
        else if (Array.isArray(n) && n.every((d) => typeof d === 'number' && Number.isInteger(d) && d > 0)) a.inputShape = n as number[];
        else problems.push(`input_length must be a positive integer, got ${JSON.stringify(n)}`);
      }
      break;
    case 'SimpleRNN':
    case 'LSTM':
    case 'GRU':
      a.units = posInt(raw.units, 'units', problems);
      a.returnSequences = raw.return_sequences === true;
      a.returnState = raw.return_state === true;
      a.useBias = raw.use_bias !== false;
      if (kind === 'GRU') a.resetAfter = raw.reset_after !== false;
      break;
    case 'Bidirectional':
      a.mergeMode =
        raw.merge_mode === undefined
          ? 'concat'
          : raw.merge_mode === null
            ? null
            : typeof raw.merge_mode === 'string'
              ? raw.merge_mode
              : JSON.stringify(raw.merge_mode);
      if (a.mergeMode !== null && !['concat', 'sum', 'mul', 'ave'].includes(a.mergeMode))
        problems.push(`merge_mode must be 'concat', 'sum', 'mul', 'ave' or null, got ${JSON.stringify(raw.merge_mode)}`);
      break;
    case 'RepeatVector':
      a.n = posInt(raw.n, 'n', problems);
      break;
    case 'Permute':
      if (Array.isArray(raw.dims) && raw.dims.every((d) => typeof d === 'number' && Number.isInteger(d))) a.dims = raw.dims as number[];
      else problems.push(`dims must be a list of integers, got ${JSON.stringify(raw.dims)}`);
      break;
    case 'PReLU':
      if (raw.shared_axes === undefined || raw.shared_axes === null) a.sharedAxes = [];
      else if (typeof raw.shared_axes === 'number') a.sharedAxes = [raw.shared_axes];
      else if (Array.isArray(raw.shared_axes) && raw.shared_axes.every((d) => typeof d === 'number')) a.sharedAxes = raw.shared_axes;
      else problems.push(`shared_axes must be a list of integers, got ${JSON.stringify(raw.shared_axes)}`);
      break;
    default:
      break;
  }
}

/** Weights of one recurrent layer of `units` on `features` inputs (null when features is unknown). */
function rnnParams(spec: LayerSpec, features: number | null): ParamCount | null {
  const a = spec.args;
  if (features === null || a.units === undefined) return null;
  const u = a.units;
  const gates = spec.kind === 'LSTM' ? 4 : spec.kind === 'GRU' ? 3 : 1;
  const kernel = gates * u * features;
  const recurrent = gates * u * u;
  const biasCount = a.useBias === false ? 0 : gates * u * (spec.kind === 'GRU' && a.resetAfter ? 2 : 1);
  const total = kernel + recurrent + biasCount;
  const g = gates === 1 ? '' : `${gates}${DOT}`;
  const biasText = biasCount === 0 ? '' : ` + ${biasCount} bias${spec.kind === 'GRU' && a.resetAfter ? ' (reset_after: two)' : ''}`;
  return { total, nonTrainable: 0, text: `${g}${u}${DOT}${features} kernel + ${g}${u}${DOT}${u} recurrent${biasText} = ${total}` };
}

function inferSequenceLayer(
  kind: SequenceKind,
  spec: LayerSpec,
  input: Shape | null,
  diagnostics: ShapeDiagnostic[],
  infer: InferCall['inferInner'],
): LayerInference {
  const a = spec.args;
  const result = (outputShape: Shape | null, params: ParamCount | null, arithmetic: string[] = []): LayerInference => ({
    outputShape,
    params,
    arithmetic,
    diagnostics,
  });
  const none: ParamCount = { total: 0, nonTrainable: 0, text: '0' };
  const rank = (n: number, what: string): Shape | null => {
    if (!input) return null;
    if (input.length !== n) {
      diagnostics.push({
        severity: 'error',
        message: `${spec.className} expects a ${n + 1}-D input (batch, ${what}), got ${input.length + 1}-D (batch, ${formatShape(input)})`,
      });
      return null;
    }
    return input;
  };
  switch (kind) {
    case 'Masking':
    case 'ELU':
    case 'ThresholdedReLU':
    case 'AlphaDropout':
      return result(input, none);
    case 'SpatialDropout1D':
      return result(rank(2, 'steps, C'), none);
    case 'PReLU': {
      if (!input || !a.sharedAxes) return result(input, null);
      const dims = input.map((d, i) => (a.sharedAxes!.includes(i + 1) ? 1 : d));
      if (dims.some((d) => d === null)) return result(input, null);
      const total = (dims as number[]).reduce((p, d) => p * d, 1);
      return result(input, { total, nonTrainable: 0, text: `${(dims as number[]).join(DOT)} = ${total} (alpha)` });
    }
    case 'Embedding': {
      const params =
        a.inputDim !== undefined && a.outputDim !== undefined
          ? { total: a.inputDim * a.outputDim, nonTrainable: 0, text: `${a.inputDim}${DOT}${a.outputDim} = ${a.inputDim * a.outputDim}` }
          : null;
      if (!input || a.outputDim === undefined) return result(null, params);
      return result([...input, a.outputDim], params);
    }
    case 'SimpleRNN':
    case 'LSTM':
    case 'GRU': {
      const s = rank(2, 'steps, features');
      const params = rnnParams(spec, s ? s[1] : null);
      if (a.returnState) {
        diagnostics.push({
          severity: 'info',
          message: `${spec.className}: return_state gives a list of tensors, not followed by the shape inference`,
        });
        return result(null, params);
      }
      if (!s || a.units === undefined) return result(null, params);
      return result(a.returnSequences ? [s[0], a.units] : [a.units], params);
    }
    case 'Bidirectional': {
      const inner = a.inner;
      if (!inner || !inner.kind || !RNN_KINDS.has(inner.kind)) {
        diagnostics.push({
          severity: 'info',
          message: `${spec.className}: the wrapped layer is not a recurrent layer the shape inference knows; shapes after it are unknown`,
        });
        return result(null, null);
      }
      const one = infer(inner, input);
      diagnostics.push(...one.diagnostics.filter((d) => !diagnostics.includes(d)));
      const params = one.params
        ? { total: 2 * one.params.total, nonTrainable: 2 * one.params.nonTrainable, text: `2${DOT}(${one.params.text})` }
        : null;
      if (!one.outputShape || a.mergeMode === null || a.mergeMode === undefined) return result(null, params);
      const out = [...one.outputShape];
      const last = out[out.length - 1];
      if (a.mergeMode === 'concat') out[out.length - 1] = last === null ? null : last * 2;
      return result(out, params, [`forward and backward ${inner.className}, merged by ${a.mergeMode}`]);
    }
    case 'TimeDistributed': {
      const inner = a.inner;
      if (!inner || !inner.kind) {
        diagnostics.push({
          severity: 'info',
          message: `${spec.className}: the wrapped layer is not one the shape inference knows; shapes after it are unknown`,
        });
        return result(null, null);
      }
      if (!input) return result(null, infer(inner, null).params);
      if (input.length < 2) {
        diagnostics.push({
          severity: 'error',
          message: `${spec.className} expects at least a 3-D input (batch, steps, …), got ${input.length + 1}-D`,
        });
        return result(null, null);
      }
      const one = infer(inner, input.slice(1));
      return result(one.outputShape ? [input[0], ...one.outputShape] : null, one.params, one.arithmetic);
    }
    case 'RepeatVector': {
      const s = rank(1, 'features');
      if (!s || a.n === undefined) return result(null, none);
      return result([a.n, s[0]], none);
    }
    case 'Permute': {
      if (!input || !a.dims) return result(null, none);
      const sorted = [...a.dims].sort((x, y) => x - y);
      if (a.dims.length !== input.length || sorted.some((d, i) => d !== i + 1)) {
        diagnostics.push({
          severity: 'error',
          message: `${spec.className}: dims ${JSON.stringify(a.dims)} is not a permutation of 1…${input.length} for the input (batch, ${formatShape(input)})`,
        });
        return result(null, none);
      }
      return result(
        a.dims.map((d) => input[d - 1]),
        none,
      );
    }
  }
  return result(null, null);
}
