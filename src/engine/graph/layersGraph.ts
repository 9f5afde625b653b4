// A frozen tfjs layers model (or the part of it up to one layer) as a TensorFlow GraphDef, so the
// native backend can run it as one graph: libtensorflow's session optimises it as Keras' traced
// graph is (Grappler fuses Conv2D + BiasAdd + Relu6 into one oneDNN kernel, no per-op dispatch from
// JavaScript), where tfjs-node runs the layers op by op. Weights become Placeholders, fed on every
// run with tensors the graph keeps: copies of the weights as they were when converted (sharing
// memory until the model's change), so the graph stays the model of that moment (prediction,
// feature extraction, a fine-tuning phase's frozen prefix). Embedded as Const nodes they cost a
// copy per Grappler pass and per Const kernel: InceptionV3's session grew the process by ~800 MiB,
// where feeding costs no measurable time (bench/README.md). BatchNormalization after a convolution
// is folded into it as in foldBatchNorm.ts. A layer kind not listed here makes the whole
// conversion give up with its name: the caller then keeps the eager path, which computes the same.
import { tf } from '../tf.ts';
import { batchNormAffine, foldIntoConv, type BatchNormLike } from '../models/foldBatchNorm.ts';

export type AttrValue =
  | { type: 'float32' | 'int32' }
  | { i: number }
  | { f: number }
  | { b: boolean }
  | { s: string }
  | { ints: number[] }
  | { shape: number[] }
  | { tensor: { dtype: 'float32' | 'int32'; shape: number[]; values: Float32Array | Int32Array } };

export interface GraphNode {
  name: string;
  op: string;
  inputs: string[];
  attrs: Record<string, AttrValue>;
}

export interface LayersGraph {
  nodes: GraphNode[];
  /** the float32 NHWC input placeholder */
  input: string;
  /** the node whose output 0 is the result */
  output: string;
  inputShape: number[];
  /**
   * The weights, each fed to its Placeholder on every run instead of embedded as a Const: the
   * caller owns these tensors (keeps them while the graph is used, then disposes them).
   */
  weights: { name: string; tensor: tf.Tensor }[];
}

/** Why a model cannot be converted: a layer (and its class) the converter does not handle. */
export class UnsupportedLayerError extends Error {}

interface SymbolicTensorLike {
  id: number;
  sourceLayer: LayerLike;
  nodeIndex: number;
  tensorIndex: number;
  shape: (number | null)[];
}
interface LayerLike {
  name: string;
  getClassName(): string;
  getConfig(): Record<string, unknown>;
  getWeights(): tf.Tensor[];
  inboundNodes: { inputTensors: SymbolicTensorLike[] }[];
  outputs?: SymbolicTensorLike[];
}

const T = { type: 'float32' } as const;
const pair = (v: unknown): [number, number] => (Array.isArray(v) ? [Number(v[0]), Number(v[1] ?? v[0])] : [Number(v), Number(v)]);
// getConfig() serialises an activation as its class name ('relu6', 'linear', …)
const activationName = (a: unknown): string => (typeof a === 'string' ? a : 'linear');

/** tfjs activation names that are one TensorFlow op each. */
const ACTIVATION_OPS = new Map(
  Object.entries({ relu: 'Relu', relu6: 'Relu6', sigmoid: 'Sigmoid', tanh: 'Tanh', elu: 'Elu', softmax: 'Softmax' }),
);

/** Graph-building helpers over one node list, with unique names from the layer names. */
class Builder {
  readonly nodes: GraphNode[] = [];
  readonly weights: { name: string; tensor: tf.Tensor }[] = [];
  private readonly used = new Set<string>();

  node(base: string, op: string, inputs: string[], attrs: Record<string, AttrValue> = {}): string {
    let name = base.replace(/[^A-Za-z0-9_.\-/]/g, '_').replace(/^[^A-Za-z0-9.]/, 'n');
    for (let k = 1; this.used.has(name); k++) name = `${base}_${k}`;
    this.used.add(name);
    this.nodes.push({ name, op, inputs, attrs });
    return name;
  }
  /** A weight tensor, fed to a Placeholder at run time (see LayersGraph.weights for why). */
  const(base: string, t: tf.Tensor): string {
    if (t.dtype !== 'float32') throw new UnsupportedLayerError(`a ${t.dtype} weight ${base}`);
    const name = this.node(base, 'Placeholder', [], { dtype: T, shape: { shape: t.shape } });
    // kept: a caller inside tf.tidy (a warm-up predict compiles lazily) must not dispose them at its end
    this.weights.push({ name, tensor: tf.keep(tf.clone(t)) });
    return name;
  }
  ints(base: string, values: number[], shape = [values.length]): string {
    return this.node(base, 'Const', [], {
      dtype: { type: 'int32' },
      value: { tensor: { dtype: 'int32', shape, values: Int32Array.from(values) } },
    });
  }
  scalar(base: string, v: number): string {
    const value = { tensor: { dtype: 'float32' as const, shape: [], values: Float32Array.of(v) } };
    return this.node(base, 'Const', [], { dtype: T, value });
  }
  activation(base: string, x: string, name: string, layer: string): string {
    if (name === 'linear') return x;
    if (name === 'swish') return this.node(`${base}/swish`, 'Mul', [x, this.node(`${base}/Sigmoid`, 'Sigmoid', [x], { T })], { T });
    const op = ACTIVATION_OPS.get(name);
    if (!op) throw new UnsupportedLayerError(`activation ${name} of layer ${layer}`);
    return this.node(`${base}/${op}`, op, [x], { T });
  }
}

/** An inference-mode BatchNormalization layer the converter reads (foldBatchNorm.ts' view of it). */
function batchNormOf(layer: LayerLike): BatchNormLike {
  const bn = layer as unknown as BatchNormLike;
  if (bn.axis !== -1 && bn.axis !== 3) throw new UnsupportedLayerError(`BatchNormalization ${layer.name} on axis ${bn.axis}`);
  return bn;
}

/**
 * Converts `model` from its (single) input to `until`'s output (default: the model's output).
 * Throws UnsupportedLayerError naming the first layer it cannot express.
 */
export function layersModelToGraph(model: tf.LayersModel, until?: tf.SymbolicTensor): LayersGraph {
  if (model.inputs.length !== 1) throw new UnsupportedLayerError(`a model with ${model.inputs.length} inputs`);
  const target = (until ?? (model.outputs.length === 1 ? model.outputs[0] : null)) as unknown as SymbolicTensorLike | null;
  if (!target) throw new UnsupportedLayerError(`a model with ${model.outputs.length} outputs`);
  const modelInput = model.inputs[0] as unknown as SymbolicTensorLike;
  const inputShape = modelInput.shape.map((d) => d ?? -1);
  if (inputShape.length !== 4) throw new UnsupportedLayerError(`a ${inputShape.length}-D input`);

  const b = new Builder();
  const input = b.node('input', 'Placeholder', [], { dtype: T, shape: { shape: inputShape } });

  // Consumers of each symbolic tensor inside the converted part: a conv may absorb the BN after it
  // only when that BN is its one consumer.
  const consumers = new Map<number, number>();
  const inputsOf = (t: SymbolicTensorLike) => t.sourceLayer.inboundNodes[t.nodeIndex]?.inputTensors ?? [];
  const seen = new Set<number>();
  const count = (t: SymbolicTensorLike) => {
    if (seen.has(t.id) || t.id === modelInput.id) return;
    seen.add(t.id);
    for (const i of inputsOf(t)) {
      consumers.set(i.id, (consumers.get(i.id) ?? 0) + 1);
      count(i);
    }
  };
  count(target);

  const emitted = new Map<number, string>();
  emitted.set(modelInput.id, input);
  const disposeAfter: tf.Tensor[] = [];

  const emit = (t: SymbolicTensorLike): string => {
    const done = emitted.get(t.id);
    if (done) return done;
    const layer = t.sourceLayer;
    if (t.tensorIndex !== 0) throw new UnsupportedLayerError(`layer ${layer.name} (${layer.getClassName()}) with several outputs`);
    const ins = inputsOf(t);
    if (ins.length === 0) throw new UnsupportedLayerError(`another input (${layer.name})`);
    const xs = ins.map(emit);
    // a BatchNormalization folded into the conv just emitted for its input is that conv's output
    const folded = emitted.get(t.id);
    if (folded) return folded;
    const out = emitLayer(layer, xs, t);
    emitted.set(t.id, out);
    return out;
  };

  const emitLayer = (layer: LayerLike, xs: string[], t: SymbolicTensorLike): string => {
    const kind = layer.getClassName();
    const config = layer.getConfig();
    const n = layer.name;
    const x = xs[0];
    if (config.dataFormat !== undefined && config.dataFormat !== 'channelsLast')
      throw new UnsupportedLayerError(`layer ${n} (${kind}, ${JSON.stringify(config.dataFormat)})`);
    switch (kind) {
      case 'Conv2D':
      case 'DepthwiseConv2D': {
        const depthwise = kind === 'DepthwiseConv2D';
        const weights = layer.getWeights();
        let filter = weights[0];
        let bias: tf.Tensor | null = config.useBias === false ? null : weights[1];
        let activation = activationName(config.activation);
        // Fold the BatchNormalization that is this conv's only consumer (then its output is ours).
        const bnTensor = activation === 'linear' ? foldableBatchNormAfter(t) : null;
        if (bnTensor) {
          [filter, bias] = foldIntoConv(filter as tf.Tensor4D, bias, batchNormOf(bnTensor.sourceLayer), depthwise);
          disposeAfter.push(filter, bias);
          activation = 'linear';
        }
        const [sh, sw] = pair(config.strides);
        const [dh, dw] = pair(config.dilationRate);
        const padding = String(config.padding).toUpperCase();
        if (padding !== 'SAME' && padding !== 'VALID') throw new UnsupportedLayerError(`layer ${n} (${kind}, padding ${padding})`);
        const attrs: Record<string, AttrValue> = {
          T,
          strides: { ints: [1, sh, sw, 1] },
          padding: { s: padding },
          data_format: { s: 'NHWC' },
          dilations: { ints: [1, dh, dw, 1] },
        };
        let y = b.node(n, depthwise ? 'DepthwiseConv2dNative' : 'Conv2D', [x, b.const(`${n}/kernel`, filter)], attrs);
        if (bias) y = b.node(`${n}/BiasAdd`, 'BiasAdd', [y, b.const(`${n}/bias`, bias)], { T, data_format: { s: 'NHWC' } });
        y = b.activation(n, y, activation, n);
        if (bnTensor) emitted.set(bnTensor.id, y);
        return y;
      }
      case 'BatchNormalization': {
        const { scale, shift } = batchNormAffine(batchNormOf(layer));
        disposeAfter.push(scale, shift);
        const y = b.node(`${n}/mul`, 'Mul', [x, b.const(`${n}/scale`, scale)], { T });
        return b.node(`${n}/add`, 'AddV2', [y, b.const(`${n}/shift`, shift)], { T });
      }
      case 'Dense': {
        if (t.shape.length !== 2) throw new UnsupportedLayerError(`layer ${n} (Dense on a ${t.shape.length}-D tensor)`);
        const weights = layer.getWeights();
        let y = b.node(n, 'MatMul', [x, b.const(`${n}/kernel`, weights[0])], { T, transpose_a: { b: false }, transpose_b: { b: false } });
        if (config.useBias !== false) y = b.node(`${n}/BiasAdd`, 'BiasAdd', [y, b.const(`${n}/bias`, weights[1])], { T });
        return b.activation(n, y, activationName(config.activation), n);
      }
      case 'Activation':
        return b.activation(n, x, activationName(config.activation), n);
      case 'ReLU': {
        const max = config.maxValue;
        if (max == null) return b.node(n, 'Relu', [x], { T });
        if (Number(max) === 6) return b.node(n, 'Relu6', [x], { T });
        throw new UnsupportedLayerError(`layer ${n} (ReLU with maxValue ${JSON.stringify(max)})`);
      }
      case 'LeakyReLU':
        return b.node(n, 'LeakyRelu', [x], { T, alpha: { f: Number(config.alpha ?? 0.3) } });
      case 'Softmax':
        if (Number(config.axis ?? -1) !== -1) throw new UnsupportedLayerError(`layer ${n} (Softmax on axis ${String(config.axis)})`);
        return b.node(n, 'Softmax', [x], { T });
      case 'Add':
      case 'Multiply': {
        if (xs.length < 2) throw new UnsupportedLayerError(`layer ${n} (${kind} of ${xs.length} tensor)`);
        let y = xs[0];
        for (let i = 1; i < xs.length; i++)
          y = b.node(i === xs.length - 1 ? n : `${n}/${i}`, kind === 'Add' ? 'AddV2' : 'Mul', [y, xs[i]], { T });
        return y;
      }
      case 'Concatenate':
        return b.node(n, 'ConcatV2', [...xs, b.ints(`${n}/axis`, [Number(config.axis ?? -1)], [])], {
          T,
          N: { i: xs.length },
          Tidx: { type: 'int32' },
        });
      case 'ZeroPadding2D': {
        const p = config.padding as number | [number, number] | [[number, number], [number, number]];
        const rows = Array.isArray(p) ? (Array.isArray(p[0]) ? p[0] : [p[0], p[0]]) : [p, p];
        const cols = Array.isArray(p) ? (Array.isArray(p[1]) ? p[1] : [p[1], p[1]]) : [p, p];
        const pads = [0, 0, Number(rows[0]), Number(rows[1]), Number(cols[0]), Number(cols[1]), 0, 0];
        return b.node(n, 'Pad', [x, b.ints(`${n}/paddings`, pads, [4, 2])], { T, Tpaddings: { type: 'int32' } });
      }
      case 'MaxPooling2D':
      case 'AveragePooling2D': {
        const [ph, pw] = pair(config.poolSize);
        const [sh, sw] = pair(config.strides ?? config.poolSize);
        return b.node(n, kind === 'MaxPooling2D' ? 'MaxPool' : 'AvgPool', [x], {
          T,
          ksize: { ints: [1, ph, pw, 1] },
          strides: { ints: [1, sh, sw, 1] },
          padding: { s: String(config.padding).toUpperCase() },
          data_format: { s: 'NHWC' },
        });
      }
      case 'GlobalAveragePooling2D':
      case 'GlobalMaxPooling2D':
        return b.node(n, kind === 'GlobalAveragePooling2D' ? 'Mean' : 'Max', [x, b.ints(`${n}/axes`, [1, 2])], {
          T,
          Tidx: { type: 'int32' },
          keep_dims: { b: config.keepDims === true },
        });
      case 'Flatten':
      case 'Reshape': {
        const shape = t.shape.map((d, i) => (i === 0 ? -1 : (d ?? -1)));
        if (shape.slice(1).includes(-1)) throw new UnsupportedLayerError(`layer ${n} (${kind} to an unknown shape)`);
        return b.node(n, 'Reshape', [x, b.ints(`${n}/shape`, shape)], { T, Tshape: { type: 'int32' } });
      }
      case 'Rescaling': {
        const scale = b.scalar(`${n}/scale`, Number(config.scale ?? 1));
        const offset = b.scalar(`${n}/offset`, Number(config.offset ?? 0));
        return b.node(`${n}/add`, 'AddV2', [b.node(n, 'Mul', [x, scale], { T }), offset], { T });
      }
      case 'Dropout':
      case 'SpatialDropout2D':
      case 'GaussianNoise':
      case 'GaussianDropout':
      case 'AlphaDropout':
        // inference: the identity
        return x;
      default:
        throw new UnsupportedLayerError(`layer ${n} (${kind})`);
    }
  };

  /** The BatchNormalization reading `t` when it is t's only consumer in the converted part. */
  const foldableBatchNormAfter = (t: SymbolicTensorLike): SymbolicTensorLike | null => {
    if ((consumers.get(t.id) ?? 0) !== 1) return null;
    for (const layer of (
      t.sourceLayer as unknown as {
        outboundNodes: { outboundLayer: LayerLike; inputTensors: SymbolicTensorLike[]; outputTensors: SymbolicTensorLike[] }[];
      }
    ).outboundNodes) {
      const out = layer.outputTensors[0];
      if (
        layer.outboundLayer.getClassName() === 'BatchNormalization' &&
        layer.inputTensors.length === 1 &&
        layer.inputTensors[0].id === t.id &&
        seen.has(out.id)
      )
        return out;
    }
    return null;
  };

  try {
    const last = emit(target);
    const output = b.node('output', 'Identity', [last], { T });
    return { nodes: b.nodes, input, output, inputShape, weights: b.weights };
  } finally {
    disposeAfter.forEach((d) => d.dispose());
  }
}
