// Layer specifications (Keras / tfjs layers, normalised) and per-layer shape inference with
// parameter counts. Every parser (Python, TypeScript, model.json) produces LayerSpecs; inference
// never throws: problems become diagnostics and unknown shapes stay null.
import { computeConvAxis, computeTransposeAxis, computeZeroPaddedValidAxis, type AxisGeometry, type AxisPadding, type AxisResult } from './geometry.ts';
import { formatShape, shapeSize, shapesEqual, type Shape } from './shape.ts';
import { inferSequenceLayer, isSequenceKind, readSequenceArgs, SEQUENCE_ALIASES, SEQUENCE_POSITIONAL, type SequenceKind } from './sequenceLayers.ts';

export type LayerKind =
  | 'InputLayer'
  | 'Conv2D'
  | 'DepthwiseConv2D'
  | 'SeparableConv2D'
  | 'Conv2DTranspose'
  | 'MaxPooling2D'
  | 'AveragePooling2D'
  | 'GlobalAveragePooling2D'
  | 'GlobalMaxPooling2D'
  | 'ZeroPadding2D'
  | 'Cropping2D'
  | 'UpSampling2D'
  | 'BatchNormalization'
  | 'Activation'
  | 'ReLU'
  | 'LeakyReLU'
  | 'Softmax'
  | 'Dropout'
  | 'SpatialDropout2D'
  | 'Flatten'
  | 'Reshape'
  | 'Dense'
  | 'Concatenate'
  | 'Add'
  | 'Subtract'
  | 'Multiply'
  | 'Average'
  | 'Maximum'
  | 'Minimum'
  // shape-keeping preprocessing and noise layers
  | 'Rescaling'
  | 'Normalization'
  | 'RandomAugmentation'
  | 'Resizing'
  | 'CenterCrop'
  | 'LayerNormalization'
  | 'Conv1D'
  | 'MaxPooling1D'
  | 'AveragePooling1D'
  | 'GlobalAveragePooling1D'
  | 'GlobalMaxPooling1D'
  // sequence models and the remaining shape-keeping kinds (sequenceLayers.ts)
  | SequenceKind;

/** A JSON-like literal value as written in source or config. */
export type LiteralValue = number | string | boolean | null | LiteralValue[] | { [key: string]: LiteralValue };

/** [[top, bottom], [left, right]] */
export type Padding2D = [[number, number], [number, number]];

export interface LayerArgs {
  filters?: number;
  kernelSize?: [number, number];
  strides?: [number, number];
  /** 'same' | 'valid', or explicit zero padding (tfjs ops, or a non-Keras integer) */
  padding?: 'same' | 'valid' | Padding2D;
  dilation?: [number, number];
  useBias?: boolean;
  depthMultiplier?: number;
  units?: number;
  poolSize?: [number, number];
  /** input shape without the batch dimension (InputLayer, or input_shape= on a first layer) */
  inputShape?: Shape;
  targetShape?: number[];
  axis?: number;
  /** ZeroPadding2D padding / Cropping2D cropping */
  amounts?: Padding2D;
  upSize?: [number, number];
  center?: boolean;
  scale?: boolean;
  keepdims?: boolean;
  activation?: string;
  rate?: number;
  channelsFirst?: boolean;
  /** Conv2D groups (the kernel sees cin/groups channels) */
  groups?: number;
  /** Normalization given mean= and variance=: constants, not weights */
  statsGiven?: boolean;
  /** Resizing / CenterCrop target size */
  height?: number;
  width?: number;
  // sequenceLayers.ts kinds
  inputDim?: number;
  outputDim?: number;
  returnSequences?: boolean;
  returnState?: boolean;
  /** GRU: a second recurrent bias (Keras' default; tfjs computes it as false) */
  resetAfter?: boolean;
  /** Bidirectional: 'concat' | 'sum' | 'mul' | 'ave', null for a list of both outputs */
  mergeMode?: string | null;
  /** Bidirectional / TimeDistributed: the wrapped layer (set by the interpreters, not a literal) */
  inner?: LayerSpec;
  /** RepeatVector */
  n?: number;
  /** Permute (1-based, the batch not counted) */
  dims?: number[];
  /** PReLU (1-based axes, the batch not counted) */
  sharedAxes?: number[];
}

export interface LayerSpec {
  /** canonical class name, or the class name as written when not supported */
  className: string;
  kind: LayerKind | null;
  name: string;
  args: LayerArgs;
  trainable: boolean;
  /** problems found while reading the arguments (bad types, unsupported values) */
  problems: string[];
}

export interface ShapeDiagnostic {
  severity: 'error' | 'warning' | 'info';
  message: string;
}

export interface ParamCount {
  total: number;
  /** non-trainable part even when the layer is trainable (BatchNormalization moving statistics) */
  nonTrainable: number;
  /** e.g. `5·5·3·10 weights + 10 bias = 760` */
  text: string;
}

export interface LayerInference {
  outputShape: Shape | null;
  /** null when it depends on an unknown input dimension */
  params: ParamCount | null;
  /** the arithmetic lines (W2 = …, H2 = …, rules) */
  arithmetic: string[];
  diagnostics: ShapeDiagnostic[];
}

/** Context a graph walk passes in: a ZeroPadding2D directly in front of a valid window. */
export interface InferenceContext {
  zeroPaddingBefore?: { amounts: Padding2D; layerName: string };
}

const CLASS_ALIASES: Record<string, LayerKind> = {
  inputlayer: 'InputLayer',
  input: 'InputLayer',
  conv2d: 'Conv2D',
  convolution2d: 'Conv2D',
  depthwiseconv2d: 'DepthwiseConv2D',
  separableconv2d: 'SeparableConv2D',
  separableconvolution2d: 'SeparableConv2D',
  conv2dtranspose: 'Conv2DTranspose',
  convolution2dtranspose: 'Conv2DTranspose',
  maxpooling2d: 'MaxPooling2D',
  maxpool2d: 'MaxPooling2D',
  averagepooling2d: 'AveragePooling2D',
  avgpool2d: 'AveragePooling2D',
  avgpooling2d: 'AveragePooling2D',
  globalaveragepooling2d: 'GlobalAveragePooling2D',
  globalavgpool2d: 'GlobalAveragePooling2D',
  globalmaxpooling2d: 'GlobalMaxPooling2D',
  globalmaxpool2d: 'GlobalMaxPooling2D',
  zeropadding2d: 'ZeroPadding2D',
  cropping2d: 'Cropping2D',
  upsampling2d: 'UpSampling2D',
  batchnormalization: 'BatchNormalization',
  activation: 'Activation',
  relu: 'ReLU',
  leakyrelu: 'LeakyReLU',
  softmax: 'Softmax',
  dropout: 'Dropout',
  spatialdropout2d: 'SpatialDropout2D',
  flatten: 'Flatten',
  reshape: 'Reshape',
  dense: 'Dense',
  concatenate: 'Concatenate',
  add: 'Add',
  subtract: 'Subtract',
  multiply: 'Multiply',
  average: 'Average',
  maximum: 'Maximum',
  minimum: 'Minimum',
  rescaling: 'Rescaling',
  normalization: 'Normalization',
  randomflip: 'RandomAugmentation',
  randomrotation: 'RandomAugmentation',
  randomzoom: 'RandomAugmentation',
  randomtranslation: 'RandomAugmentation',
  randomcontrast: 'RandomAugmentation',
  randombrightness: 'RandomAugmentation',
  gaussiannoise: 'RandomAugmentation',
  gaussiandropout: 'RandomAugmentation',
  resizing: 'Resizing',
  centercrop: 'CenterCrop',
  layernormalization: 'LayerNormalization',
  conv1d: 'Conv1D',
  convolution1d: 'Conv1D',
  maxpooling1d: 'MaxPooling1D',
  maxpool1d: 'MaxPooling1D',
  averagepooling1d: 'AveragePooling1D',
  avgpool1d: 'AveragePooling1D',
  globalaveragepooling1d: 'GlobalAveragePooling1D',
  globalavgpool1d: 'GlobalAveragePooling1D',
  globalmaxpooling1d: 'GlobalMaxPooling1D',
  globalmaxpool1d: 'GlobalMaxPooling1D',
  ...SEQUENCE_ALIASES,
};

/**
 * The class name to show for a layer: the canonical kind, except where several Keras classes share
 * one kind (RandomFlip, RandomRotation, … are all shape-keeping 'RandomAugmentation').
 */
function displayClassName(kind: LayerKind | null, written: string): string {
  if (!kind) return written;
  if (kind === 'RandomAugmentation') return written;
  return kind;
}

/** `Conv2D`, `conv2d`, `MaxPool2D`, `maxPooling2d` → the canonical kind; null when unsupported. */
export function canonicalLayerKind(className: string): LayerKind | null {
  const key = className.indexOf('_') >= 0 ? className.replace(/_/g, '').toLowerCase() : className.toLowerCase();
  return Object.prototype.hasOwnProperty.call(CLASS_ALIASES, key) ? CLASS_ALIASES[key] : null;
}

/** Keras positional parameter order, per kind (after `self`). */
const POSITIONAL: Partial<Record<LayerKind, string[]>> = {
  InputLayer: ['input_shape'],
  Conv2D: ['filters', 'kernel_size', 'strides', 'padding', 'data_format', 'dilation_rate', 'groups', 'activation', 'use_bias'],
  SeparableConv2D: ['filters', 'kernel_size', 'strides', 'padding', 'data_format', 'dilation_rate', 'depth_multiplier', 'activation', 'use_bias'],
  DepthwiseConv2D: ['kernel_size', 'strides', 'padding', 'depth_multiplier', 'data_format', 'dilation_rate', 'activation', 'use_bias'],
  Conv2DTranspose: ['filters', 'kernel_size', 'strides', 'padding', 'output_padding', 'data_format', 'dilation_rate', 'activation', 'use_bias'],
  MaxPooling2D: ['pool_size', 'strides', 'padding', 'data_format'],
  AveragePooling2D: ['pool_size', 'strides', 'padding', 'data_format'],
  GlobalAveragePooling2D: ['data_format', 'keepdims'],
  GlobalMaxPooling2D: ['data_format', 'keepdims'],
  ZeroPadding2D: ['padding', 'data_format'],
  Cropping2D: ['cropping', 'data_format'],
  UpSampling2D: ['size', 'data_format'],
  BatchNormalization: ['axis', 'momentum', 'epsilon', 'center', 'scale'],
  Activation: ['activation'],
  ReLU: ['max_value', 'negative_slope', 'threshold'],
  Dropout: ['rate', 'noise_shape', 'seed'],
  SpatialDropout2D: ['rate'],
  Flatten: ['data_format'],
  Reshape: ['target_shape'],
  Dense: ['units', 'activation', 'use_bias'],
  Concatenate: ['axis'],
  Rescaling: ['scale', 'offset'],
  Normalization: ['axis', 'mean', 'variance'],
  Resizing: ['height', 'width', 'interpolation', 'crop_to_aspect_ratio'],
  CenterCrop: ['height', 'width'],
  LayerNormalization: ['axis', 'epsilon', 'center', 'scale'],
  Conv1D: ['filters', 'kernel_size', 'strides', 'padding', 'data_format', 'dilation_rate', 'groups', 'activation', 'use_bias'],
  MaxPooling1D: ['pool_size', 'strides', 'padding', 'data_format'],
  AveragePooling1D: ['pool_size', 'strides', 'padding', 'data_format'],
  GlobalAveragePooling1D: ['data_format', 'keepdims'],
  GlobalMaxPooling1D: ['data_format', 'keepdims'],
  ...SEQUENCE_POSITIONAL,
};

/** Keras' positional parameter names of a layer kind (to name an argument that is not known). */
export function positionalNames(kind: LayerKind | null): string[] {
  return kind ? POSITIONAL[kind] ?? [] : [];
}

/** camelCase (tfjs) → snake_case (Keras): kernelSize → kernel_size. */
export function toSnakeCase(key: string): string {
  let snake = snakeCache.get(key);
  if (snake === undefined) {
    snake = key.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase();
    snakeCache.set(key, snake);
  }
  return snake;
}
// Argument names repeat across thousands of layers in big files: convert each once.
const snakeCache = new Map<string, string>();
const baseNameCache = new Map<string, string>();

/** Keras' default layer name for a class: Conv2D → conv2d, MaxPooling2D → max_pooling2d. */
export function defaultLayerBaseName(className: string): string {
  let base = baseNameCache.get(className);
  if (base === undefined) {
    base = className
      .replace(/([A-Z]+)([A-Z][a-z])/g, '$1_$2')
      .replace(/([a-z])([A-Z])/g, '$1_$2')
      .toLowerCase();
    baseNameCache.set(className, base);
  }
  return base;
}

/** Generates Keras-style unique names (conv2d, conv2d_1, …) within one naming scope. */
export class LayerNamer {
  private readonly used = new Map<string, number>();
  next(className: string): string {
    const base = defaultLayerBaseName(className);
    const n = this.used.get(base) ?? 0;
    this.used.set(base, n + 1);
    return n === 0 ? base : `${base}_${n}`;
  }
}

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
  const problems: string[] = [];
  const raw: Record<string, LiteralValue | undefined> = {};
  const order = kind ? POSITIONAL[kind] ?? [] : [];
  positionalArgs.forEach((v, i) => {
    if (i < order.length) raw[order[i]] = v;
    else problems.push(`unexpected positional argument #${i + 1}`);
  });
  for (const [k, v] of Object.entries(keywordArgs)) raw[toSnakeCase(k)] = v;
  const layerName = typeof raw.name === 'string' ? raw.name : name ?? '';
  // InputLayer has no weights and Keras/tfjs report it as not trainable.
  const trainable = kind === 'InputLayer' ? false : raw.trainable !== false;
  const args = kind ? readArgs(kind, raw, problems) : {};
  return { className: displayClassName(kind, className), kind, name: layerName, args, trainable, problems };
}

const SHAPE_KEYS = ['shape', 'input_shape', 'batch_input_shape', 'batch_shape'];

function readArgs(kind: LayerKind, raw: Record<string, LiteralValue | undefined>, problems: string[]): LayerArgs {
  const a: LayerArgs = {};
  const has = (k: string) => raw[k] !== undefined && raw[k] !== null;
  if (raw.data_format === 'channels_first') a.channelsFirst = true;
  // Input shape: Input(shape=), InputLayer(input_shape= | batch_input_shape= | batch_shape=), or input_shape= on any first layer.
  const shapeKey = SHAPE_KEYS.find(has);
  if (shapeKey) {
    const s = readShape(raw[shapeKey], shapeKey, problems);
    if (s) a.inputShape = shapeKey.startsWith('batch') ? s.slice(1) : s;
  }
  switch (kind) {
    case 'Resizing':
    case 'CenterCrop':
      a.height = readPositiveInt(raw.height, 'height', problems);
      a.width = readPositiveInt(raw.width, 'width', problems);
      break;
    case 'LayerNormalization':
      a.axis = typeof raw.axis === 'number' ? raw.axis : -1;
      if (Array.isArray(raw.axis)) problems.push('axis as a list is not supported by the shape inference');
      a.center = raw.center !== false;
      a.scale = raw.scale !== false;
      break;
    case 'Normalization':
      a.axis = typeof raw.axis === 'number' ? raw.axis : -1;
      if (raw.axis === null || Array.isArray(raw.axis)) problems.push('axis other than one integer is not supported by the shape inference');
      a.statsGiven = raw.mean !== undefined && raw.mean !== null;
      break;
    case 'Conv1D':
    case 'Conv2D':
    case 'SeparableConv2D':
    case 'Conv2DTranspose':
    case 'DepthwiseConv2D': {
      // 1-D windows are kept as pairs with both entries equal
      const window = kind === 'Conv1D' ? readSingle : readPair;
      if (kind !== 'DepthwiseConv2D') a.filters = readPositiveInt(raw.filters, 'filters', problems);
      a.kernelSize = window(raw.kernel_size, 'kernel_size', problems);
      a.strides = has('strides') ? window(raw.strides, 'strides', problems) : [1, 1];
      a.dilation = has('dilation_rate') ? window(raw.dilation_rate, 'dilation_rate', problems) : [1, 1];
      // causal padding keeps the length, like same (it pads on the left only)
      a.padding = readPadding(kind === 'Conv1D' && raw.padding === 'causal' ? 'same' : raw.padding, problems);
      a.useBias = raw.use_bias !== false;
      if (kind === 'DepthwiseConv2D' || kind === 'SeparableConv2D') a.depthMultiplier = has('depth_multiplier') ? readPositiveInt(raw.depth_multiplier, 'depth_multiplier', problems) : 1;
      if (typeof raw.activation === 'string') a.activation = raw.activation;
      if (kind === 'Conv2D' || kind === 'Conv1D') a.groups = has('groups') ? readPositiveInt(raw.groups, 'groups', problems) : 1;
      break;
    }
    case 'MaxPooling1D':
    case 'AveragePooling1D':
    case 'MaxPooling2D':
    case 'AveragePooling2D': {
      const window = kind.endsWith('1D') ? readSingle : readPair;
      a.poolSize = has('pool_size') ? window(raw.pool_size, 'pool_size', problems) : [2, 2];
      // Keras and tfjs: strides default to the pool size.
      a.strides = has('strides') ? window(raw.strides, 'strides', problems) : a.poolSize;
      a.padding = readPadding(raw.padding, problems);
      break;
    }
    case 'GlobalAveragePooling1D':
    case 'GlobalMaxPooling1D':
    case 'GlobalAveragePooling2D':
    case 'GlobalMaxPooling2D':
      a.keepdims = raw.keepdims === true;
      break;
    case 'ZeroPadding2D':
      a.amounts = readAmounts(raw.padding, 'padding', 1, problems);
      break;
    case 'Cropping2D':
      a.amounts = readAmounts(raw.cropping, 'cropping', 0, problems);
      break;
    case 'UpSampling2D':
      a.upSize = has('size') ? readPair(raw.size, 'size', problems) : [2, 2];
      break;
    case 'BatchNormalization':
      a.axis = typeof raw.axis === 'number' ? raw.axis : Array.isArray(raw.axis) && typeof raw.axis[0] === 'number' ? raw.axis[0] : -1;
      a.center = raw.center !== false;
      a.scale = raw.scale !== false;
      break;
    case 'Activation':
      if (typeof raw.activation === 'string') a.activation = raw.activation;
      break;
    case 'Dropout':
    case 'SpatialDropout2D':
      if (typeof raw.rate === 'number') a.rate = raw.rate;
      break;
    case 'Reshape': {
      const t = readShape(raw.target_shape, 'target_shape', problems);
      if (t) a.targetShape = t.map((d) => (d === null ? -1 : d));
      break;
    }
    case 'Dense':
      a.units = readPositiveInt(raw.units, 'units', problems);
      a.useBias = raw.use_bias !== false;
      if (typeof raw.activation === 'string') a.activation = raw.activation;
      break;
    case 'Concatenate':
      a.axis = typeof raw.axis === 'number' ? raw.axis : -1;
      break;
    default:
      if (isSequenceKind(kind)) readSequenceArgs(kind, raw, a, problems);
      break;
  }
  return a;
}

function readPositiveInt(v: LiteralValue | undefined, field: string, problems: string[]): number | undefined {
  if (v === undefined) {
    problems.push(`${field} is missing`);
    return undefined;
  }
  if (typeof v === 'number' && Number.isInteger(v) && v > 0) return v;
  problems.push(`${field} must be a positive integer, got ${JSON.stringify(v)}`);
  return undefined;
}

/** A 1-D window size: an integer or a 1-tuple (kept as a pair with both entries equal). */
function readSingle(v: LiteralValue | undefined, field: string, problems: string[]): [number, number] | undefined {
  return readPair(v, field, problems, true);
}

function readPair(v: LiteralValue | undefined, field: string, problems: string[], single = false): [number, number] | undefined {
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

function readShape(v: LiteralValue | undefined, field: string, problems: string[]): Shape | undefined {
  if (typeof v === 'number') return [v];
  if (Array.isArray(v) && v.every((d) => d === null || (typeof d === 'number' && Number.isInteger(d)))) return v as Shape;
  problems.push(`${field} must be a tuple of integers, got ${JSON.stringify(v)}`);
  return undefined;
}

function readPadding(v: LiteralValue | undefined, problems: string[]): 'same' | 'valid' | Padding2D {
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
function readAmounts(v: LiteralValue | undefined, field: string, fallback: number, problems: string[]): Padding2D {
  const isInt = (x: LiteralValue | undefined): x is number => typeof x === 'number' && Number.isInteger(x) && x >= 0;
  if (v === undefined || v === null) return [[fallback, fallback], [fallback, fallback]];
  if (isInt(v)) return [[v, v], [v, v]];
  if (Array.isArray(v) && v.length === 2) {
    const [h, w] = v;
    if (isInt(h) && isInt(w)) return [[h, h], [w, w]];
    if (Array.isArray(h) && Array.isArray(w) && h.length === 2 && w.length === 2 && [...h, ...w].every(isInt)) {
      return [[h[0] as number, h[1] as number], [w[0] as number, w[1] as number]];
    }
  }
  // tfjs op form: [[0, 0], [top, bottom], [left, right], [0, 0]]
  if (Array.isArray(v) && v.length === 4 && v.every((p) => Array.isArray(p) && p.length === 2 && p.every(isInt))) {
    const p = v as number[][];
    return [[p[1][0], p[1][1]], [p[2][0], p[2][1]]];
  }
  problems.push(`${field} must be an integer, a pair, or a pair of pairs, got ${JSON.stringify(v)}`);
  return [[fallback, fallback], [fallback, fallback]];
}

const MINUS = '\u2212';
const DOT = '\u00b7';

/** Shape inference for one layer given the shapes of its inputs (null = unknown). */
export function inferLayer(spec: LayerSpec, inputs: (Shape | null)[], context: InferenceContext = {}): LayerInference {
  const diagnostics: ShapeDiagnostic[] = spec.problems.map((message) => ({ severity: 'error' as const, message: `${spec.className}: ${message}` }));
  const result = (outputShape: Shape | null, params: ParamCount | null, arithmetic: string[] = []): LayerInference => ({ outputShape, params, arithmetic, diagnostics });
  const noParams: ParamCount = { total: 0, nonTrainable: 0, text: '0' };
  const input = inputs[0] ?? null;
  const a = spec.args;
  if (!spec.kind) {
    diagnostics.push({ severity: 'info', message: `${spec.className}: layer not supported by CNN Lab's shape inference; shapes after it are unknown` });
    return result(null, null);
  }
  if (isSequenceKind(spec.kind)) return inferSequenceLayer(spec, input, diagnostics, (inner, x) => inferLayer(inner, [x]));
  switch (spec.kind) {
    case 'InputLayer':
      return result(a.inputShape ?? input, noParams);
    case 'Conv2D':
    case 'DepthwiseConv2D':
    case 'SeparableConv2D':
    case 'Conv2DTranspose':
    case 'MaxPooling2D':
    case 'AveragePooling2D':
      return inferWindowed(spec, input, context, diagnostics);
    case 'GlobalAveragePooling2D':
    case 'GlobalMaxPooling2D': {
      const s = expectRank(spec, input, 3, diagnostics);
      if (!s) return result(null, noParams);
      const c = a.channelsFirst ? s[0] : s[2];
      return result(a.keepdims ? (a.channelsFirst ? [c, 1, 1] : [1, 1, c]) : [c], noParams);
    }
    case 'ZeroPadding2D':
    case 'Cropping2D': {
      const s = expectRank(spec, input, 3, diagnostics);
      if (!s || !a.amounts) return result(null, noParams);
      const sign = spec.kind === 'ZeroPadding2D' ? 1 : -1;
      const [[t, b], [l, r]] = a.amounts;
      const [hi, wi] = a.channelsFirst ? [1, 2] : [0, 1];
      const out = [...s];
      const lines: string[] = [];
      const op = sign > 0 ? '+' : MINUS;
      for (const [axis, idx, before, after] of [['H', hi, t, b], ['W', wi, l, r]] as const) {
        const d = s[idx];
        const size = d === null ? null : d + sign * (before + after);
        out[idx] = size;
        lines.push(`${axis}2 = ${d ?? axis + '1'} ${op} ${before} ${op} ${after} = ${size ?? '?'}`);
        if (size !== null && size <= 0) diagnostics.push({ severity: 'error', message: `${spec.className}: impossible geometry, output ${axis === 'H' ? 'height' : 'width'} ${size} ≤ 0` });
      }
      return result(out.some((d) => d !== null && d <= 0) ? null : out, noParams, lines);
    }
    case 'UpSampling2D': {
      const s = expectRank(spec, input, 3, diagnostics);
      if (!s || !a.upSize) return result(null, noParams);
      const [hi, wi] = a.channelsFirst ? [1, 2] : [0, 1];
      const out = [...s];
      out[hi] = s[hi] === null ? null : (s[hi] as number) * a.upSize[0];
      out[wi] = s[wi] === null ? null : (s[wi] as number) * a.upSize[1];
      return result(out, noParams, [`H2 = ${s[hi] ?? 'H1'}${DOT}${a.upSize[0]} = ${out[hi] ?? '?'}`, `W2 = ${s[wi] ?? 'W1'}${DOT}${a.upSize[1]} = ${out[wi] ?? '?'}`]);
    }
    case 'BatchNormalization': {
      if (!input) return result(null, null);
      const axis = normalizeAxis(a.axis ?? -1, input.length + 1) - 1;
      const c = axis >= 0 && axis < input.length ? input[axis] : null;
      if (c === null) return result(input, null);
      const perChannel = 2 + (a.center ? 1 : 0) + (a.scale ? 1 : 0);
      const parts = [a.scale ? 'gamma' : '', a.center ? 'beta' : '', 'moving mean', 'moving variance'].filter(Boolean);
      return result(input, { total: perChannel * c, nonTrainable: 2 * c, text: `${perChannel}${DOT}${c} = ${perChannel * c} (${parts.join(', ')}; the moving statistics are not trainable)` });
    }
    case 'Activation':
    case 'ReLU':
    case 'LeakyReLU':
    case 'Softmax':
    case 'Dropout':
    case 'SpatialDropout2D':
      return result(input, noParams);
    case 'Flatten': {
      if (!input) return result(null, noParams);
      const n = shapeSize(input);
      return result([n], noParams, [`${formatShape(input)} = ${n ?? '?'}`]);
    }
    case 'Reshape': {
      if (!a.targetShape) return result(null, noParams);
      const target = a.targetShape;
      const unknown = target.filter((d) => d === -1).length;
      const total = input ? shapeSize(input) : null;
      const known = target.filter((d) => d !== -1).reduce((p, d) => p * d, 1);
      if (unknown > 1) {
        diagnostics.push({ severity: 'error', message: 'Reshape: at most one dimension of target_shape may be -1' });
        return result(null, noParams);
      }
      if (total === null) return result(target.map((d) => (d === -1 ? null : d)), noParams);
      if (unknown === 1) {
        if (total % known !== 0) {
          diagnostics.push({ severity: 'error', message: `Reshape: ${total} elements cannot be reshaped to ${target.join('×').replace('-1', '?')}` });
          return result(null, noParams);
        }
        return result(target.map((d) => (d === -1 ? total / known : d)), noParams);
      }
      if (known !== total) {
        diagnostics.push({ severity: 'error', message: `Reshape: input ${formatShape(input)} has ${total} elements, target ${target.join('×')} has ${known}` });
        return result(null, noParams);
      }
      return result(target, noParams);
    }
    case 'Dense': {
      if (!input) return result(null, null);
      if (input.length === 3) {
        diagnostics.push({
          severity: 'warning',
          message: `Dense on a 4-D tensor (batch, ${formatShape(input)}) without Flatten or global pooling: Keras applies it at every position, giving ${formatShape([...input.slice(0, -1), a.units ?? null])}`,
        });
      }
      const last = input[input.length - 1] ?? null;
      const out = [...input.slice(0, -1), a.units ?? null];
      if (last === null || a.units === undefined) return result(out, null);
      const w = last * a.units;
      const bias = a.useBias ? a.units : 0;
      return result(out, { total: w + bias, nonTrainable: 0, text: `${last}${DOT}${a.units} weights${bias ? ` + ${bias} bias` : ''} = ${w + bias}` });
    }
    case 'Concatenate':
      return inferConcatenate(spec, inputs, diagnostics);
    case 'Rescaling':
    case 'RandomAugmentation':
      return result(input, noParams);
    case 'Normalization':
    case 'LayerNormalization': {
      if (!input) return result(null, null);
      const axis = normalizeAxis(a.axis ?? -1, input.length + 1) - 1;
      const c = axis >= 0 && axis < input.length ? input[axis] : null;
      if (c === null) return result(input, null);
      if (spec.kind === 'Normalization' && a.statsGiven) return result(input, { total: 0, nonTrainable: 0, text: '0 (mean and variance given as constants)' });
      if (spec.kind === 'Normalization') return result(input, { total: 2 * c + 1, nonTrainable: 2 * c + 1, text: `2${DOT}${c} + 1 = ${2 * c + 1} (mean, variance, count; not trainable)` });
      const perChannel = (a.center ? 1 : 0) + (a.scale ? 1 : 0);
      return result(input, { total: perChannel * c, nonTrainable: 0, text: `${perChannel}${DOT}${c} = ${perChannel * c} (${[a.scale ? 'gamma' : '', a.center ? 'beta' : ''].filter(Boolean).join(', ')})` });
    }
    case 'Resizing':
    case 'CenterCrop': {
      const s = expectRank(spec, input, 3, diagnostics);
      if (!s || a.height === undefined || a.width === undefined) return result(null, noParams);
      return result(a.channelsFirst ? [s[0], a.height, a.width] : [a.height, a.width, s[2]], noParams);
    }
    case 'Conv1D':
    case 'MaxPooling1D':
    case 'AveragePooling1D':
      return inferWindowed1D(spec, input, diagnostics);
    case 'GlobalAveragePooling1D':
    case 'GlobalMaxPooling1D': {
      const s = expectRank(spec, input, 2, diagnostics);
      if (!s) return result(null, noParams);
      const c = a.channelsFirst ? s[0] : s[1];
      return result(a.keepdims ? (a.channelsFirst ? [c, 1] : [1, c]) : [c], noParams);
    }
    case 'Add':
    case 'Subtract':
    case 'Multiply':
    case 'Average':
    case 'Maximum':
    case 'Minimum': {
      const known = inputs.filter((s): s is Shape => s !== null);
      if (inputs.length < 2) diagnostics.push({ severity: 'warning', message: `${spec.className} needs at least 2 inputs, got ${inputs.length}` });
      if (known.length !== inputs.length || known.length === 0) return result(null, noParams);
      const mismatch = known.find((s) => !shapesEqual(s, known[0]));
      if (mismatch) {
        diagnostics.push({ severity: 'error', message: `${spec.className}: input shapes differ: ${known.map(formatShape).join(', ')}` });
        return result(null, noParams);
      }
      return result(known[0], noParams);
    }
  }
}

function normalizeAxis(axis: number, rank: number): number {
  return axis < 0 ? rank + axis : axis;
}

function expectRank(spec: LayerSpec, input: Shape | null, rank: number, diagnostics: ShapeDiagnostic[]): Shape | null {
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

function inferWindowed(spec: LayerSpec, input: Shape | null, context: InferenceContext, diagnostics: ShapeDiagnostic[]): LayerInference {
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
  const axisPadding = (i: 0 | 1): AxisPadding => (Array.isArray(padding) ? { mode: 'explicit', before: padding[i][0], after: padding[i][1] } : { mode: padding });
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
  if (h.error && w.error && h.error.replace('the height', 'the width') === w.error) diagnostics.push({ severity: 'error', message: `${spec.className}: ${w.error.replace('the width', 'the height and the width')}` });
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
        const groups = spec.kind === 'Conv2D' ? a.groups ?? 1 : 1;
        if (cin % groups !== 0 || cout % groups !== 0) {
          diagnostics.push({ severity: 'error', message: `${spec.className}: groups=${groups} must divide both the input channels (${cin}) and filters (${cout})` });
          return { outputShape: null, params: null, arithmetic, diagnostics };
        }
        const weights = kh * kw * (cin / groups) * cout;
        const cinText = groups === 1 ? `${cin}` : `(${cin}/${groups})`;
        params = { total: weights + bias(cout), nonTrainable: 0, text: `${kh}${DOT}${kw}${DOT}${cinText}${DOT}${cout} weights${a.useBias ? ` + ${cout} bias` : ''} = ${weights + bias(cout)}` };
      }
      break;
    case 'DepthwiseConv2D': {
      const dm = a.depthMultiplier ?? 1;
      cout = cin === null ? null : cin * dm;
      if (cin !== null && cout !== null) {
        const weights = kh * kw * cin * dm;
        params = { total: weights + bias(cout), nonTrainable: 0, text: `${kh}${DOT}${kw}${DOT}${cin}${DOT}${dm} depthwise weights${a.useBias ? ` + ${cout} bias` : ''} = ${weights + bias(cout)}` };
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
        params = { total, nonTrainable: 0, text: `${kh}${DOT}${kw}${DOT}${cin}${DOT}${dm} depthwise + ${cin * dm}${DOT}${cout} pointwise weights${a.useBias ? ` + ${cout} bias` : ''} = ${total}` };
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
function inferWindowed1D(spec: LayerSpec, input: Shape | null, diagnostics: ShapeDiagnostic[]): LayerInference {
  const a = spec.args;
  const isPool = spec.kind !== 'Conv1D';
  const kernel = isPool ? a.poolSize : a.kernelSize;
  const s = expectRank(spec, input, 2, diagnostics);
  if (!kernel || !a.strides) return { outputShape: null, params: null, arithmetic: [], diagnostics };
  const [li, ci] = a.channelsFirst ? [1, 0] : [0, 1];
  const cin = s ? s[ci] : null;
  const padding = a.padding ?? 'valid';
  const r = computeConvAxis({ input: s ? s[li] : null, kernel: kernel[0], stride: a.strides[0], dilation: (a.dilation ?? [1, 1])[0], padding: Array.isArray(padding) ? { mode: 'explicit', before: padding[0][0], after: padding[0][1] } : { mode: padding }, axis: 'W' });
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
      params = { total: weights + bias, nonTrainable: 0, text: `${kernel[0]}${DOT}${groups === 1 ? cin : `(${cin}/${groups})`}${DOT}${cout} weights${bias ? ` + ${bias} bias` : ''} = ${weights + bias}` };
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

function inferConcatenate(spec: LayerSpec, inputs: (Shape | null)[], diagnostics: ShapeDiagnostic[]): LayerInference {
  const noParams: ParamCount = { total: 0, nonTrainable: 0, text: '0' };
  if (inputs.length < 2) diagnostics.push({ severity: 'warning', message: `Concatenate needs at least 2 inputs, got ${inputs.length}` });
  if (inputs.some((s) => s === null) || inputs.length === 0) return { outputShape: null, params: noParams, arithmetic: [], diagnostics };
  const shapes = inputs as Shape[];
  const rank = shapes[0].length;
  if (shapes.some((s) => s.length !== rank)) {
    diagnostics.push({ severity: 'error', message: `Concatenate: inputs have different ranks: ${shapes.map(formatShape).join(', ')}` });
    return { outputShape: null, params: noParams, arithmetic: [], diagnostics };
  }
  // Keras axis counts the batch dimension: -1 → last, 3 → channels of (batch, H, W, C).
  const axis = normalizeAxis(spec.args.axis ?? -1, rank + 1) - 1;
  if (axis < 0 || axis >= rank) {
    diagnostics.push({ severity: 'error', message: `Concatenate: axis ${spec.args.axis} is out of range for ${rank + 1}-D inputs` });
    return { outputShape: null, params: noParams, arithmetic: [], diagnostics };
  }
  const out = [...shapes[0]];
  for (let d = 0; d < rank; d++) {
    if (d === axis) continue;
    if (shapes.some((s) => s[d] !== shapes[0][d])) {
      diagnostics.push({ severity: 'error', message: `Concatenate: shapes ${shapes.map(formatShape).join(', ')} differ outside the concatenation axis` });
      return { outputShape: null, params: noParams, arithmetic: [], diagnostics };
    }
  }
  const parts = shapes.map((s) => s[axis]);
  out[axis] = parts.some((p) => p === null) ? null : (parts as number[]).reduce((x, y) => x + y, 0);
  return { outputShape: out, params: noParams, arithmetic: [`${parts.map((p) => p ?? '?').join(' + ')} = ${out[axis] ?? '?'} along axis ${axis + 1}`], diagnostics };
}
