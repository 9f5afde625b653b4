// The data every layer kind shares: a LayerSpec (what a parser read), its LayerArgs (normalised
// arguments), and what inference returns. LayerDef is the one record per kind in registry.ts.
import type { Shape } from '../shape.ts';
import type { LayerKind } from './kinds.ts';

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
  // sequence.ts kinds
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

/** Arguments as written, snake_case keys (positional ones already named). */
export type RawArgs = Record<string, LiteralValue | undefined>;

/** What a kind's readArgs gets: the raw arguments, the LayerArgs to fill, and where problems go. */
export interface ArgsReader {
  kind: LayerKind;
  raw: RawArgs;
  args: LayerArgs;
  problems: string[];
  /** the argument is given and not None/null */
  has: (key: string) => boolean;
}

/** What a kind's infer gets: the spec, its input shapes, and the diagnostics to add to. */
export interface InferCall {
  spec: LayerSpec;
  args: LayerArgs;
  /** the first input's shape (null = unknown) */
  input: Shape | null;
  inputs: (Shape | null)[];
  context: InferenceContext;
  diagnostics: ShapeDiagnostic[];
  /** a LayerInference with this call's diagnostics */
  result: (outputShape: Shape | null, params: ParamCount | null, arithmetic?: string[]) => LayerInference;
  /** inference of a wrapped layer (Bidirectional, TimeDistributed) on one input */
  inferInner: (inner: LayerSpec, input: Shape | null) => LayerInference;
}

/** Everything CNN Lab knows about one layer kind. */
export interface LayerDef {
  /** class names that mean this kind, lowercase without underscores (`maxpool2d`) */
  aliases: readonly string[];
  /** Keras' positional parameter order (after `self`) */
  positional?: readonly string[];
  /** several Keras classes share this kind: show the class name as written (RandomFlip, …) */
  showWrittenClassName?: boolean;
  /** Keras/tfjs report the layer as not trainable whatever `trainable=` says */
  neverTrainable?: boolean;
  /** reads the kind's own arguments into `args` (input shape and data_format are read for all) */
  readArgs?(reader: ArgsReader): void;
  infer(call: InferCall): LayerInference;
}
