// Folds inference-mode BatchNormalization into the convolution in front of it, as Keras' traced
// graph does (Grappler). tfjs runs each BN as several full passes over the activation (subtract,
// multiply, rsqrt, add): the largest item of MobileNetV2's forward pass (bench/README.md). With the
// conv and BN weights fixed, BN(conv(x, W) + b) = conv(x, W·s) + (b − μ)·s + β with s = γ/√(σ² + ε),
// one convolution with a bias. The weights must not change while folded: callers fold frozen
// layers (feature extraction, prediction, a fine-tuning phase's frozen prefix) and undo it after.
// Results differ from the unfolded model only by float rounding (a few 1e-7 relative).
import { tf } from '../tf.ts';

interface Weight {
  read(): tf.Tensor;
}
type Call = (inputs: tf.Tensor | tf.Tensor[], kwargs: Record<string, unknown>) => tf.Tensor | tf.Tensor[];
interface ConvLike {
  name: string;
  call: Call;
  getClassName(): string;
  outboundNodes: unknown[];
  kernel?: Weight;
  depthwiseKernel?: Weight;
  bias?: Weight | null;
  strides: number | number[];
  padding: 'same' | 'valid';
  dilationRate: number | number[];
  dataFormat?: string;
  activation?: { getClassName(): string };
}
export interface BatchNormLike {
  call: Call;
  getClassName(): string;
  inboundNodes: { inboundLayers: unknown[] }[];
  axis: number;
  epsilon: number;
  gamma?: Weight | null;
  beta?: Weight | null;
  movingMean: Weight;
  movingVariance: Weight;
}

const first = (inputs: tf.Tensor | tf.Tensor[]) => (Array.isArray(inputs) ? inputs[0] : inputs);
const pair = (v: number | number[]): [number, number] => (Array.isArray(v) ? [v[0], v[1] ?? v[0]] : [v, v]);

/** The conv whose only consumer is this BN, when the pair can be folded. */
function foldableConv(bn: BatchNormLike): ConvLike | null {
  if (bn.getClassName() !== 'BatchNormalization' || bn.inboundNodes.length !== 1) return null;
  if (bn.axis !== -1 && bn.axis !== 3) return null;
  const inbound = bn.inboundNodes[0].inboundLayers;
  if (inbound.length !== 1) return null;
  const conv = inbound[0] as ConvLike;
  const kind = conv.getClassName();
  if (kind !== 'Conv2D' && kind !== 'DepthwiseConv2D') return null;
  // Another consumer of the conv's output would see the folded (normalised) values.
  if (conv.outboundNodes.length !== 1) return null;
  if ((conv.dataFormat ?? 'channelsLast') !== 'channelsLast') return null;
  if (conv.activation && conv.activation.getClassName() !== 'linear') return null;
  return conv;
}

/**
 * An inference-mode BatchNormalization as a per-channel affine map y = x·scale + shift, with
 * scale = γ/√(σ² + ε) and shift = β − μ·scale (new tensors, the caller frees them).
 */
export function batchNormAffine(bn: Pick<BatchNormLike, 'epsilon' | 'gamma' | 'beta' | 'movingMean' | 'movingVariance'>): {
  scale: tf.Tensor1D;
  shift: tf.Tensor1D;
} {
  return tf.tidy(() => {
    const mean = bn.movingMean.read();
    const scale = tf.div<tf.Tensor1D>(
      bn.gamma ? bn.gamma.read() : tf.onesLike(mean),
      tf.sqrt(tf.add(bn.movingVariance.read(), bn.epsilon)),
    );
    const negMean = tf.neg(tf.mul<tf.Tensor1D>(mean, scale));
    const shift = bn.beta ? tf.add<tf.Tensor1D>(negMean, bn.beta.read()) : negMean;
    return { scale, shift };
  });
}

/**
 * The kernel and bias of conv(x, W, b) followed by `bn`: W·scale and b·scale + shift (for a
 * depthwise kernel [h, w, in, multiplier], output channel c is input channel c / multiplier,
 * multiplier c % it). New tensors, the caller frees them.
 */
export function foldIntoConv(
  kernel: tf.Tensor4D,
  bias: tf.Tensor | null,
  bn: Parameters<typeof batchNormAffine>[0],
  depthwise: boolean,
): [tf.Tensor4D, tf.Tensor1D] {
  return tf.tidy(() => {
    const { scale, shift } = batchNormAffine(bn);
    const folded = tf.mul<tf.Tensor4D>(kernel, depthwise ? tf.reshape(scale, [1, 1, kernel.shape[2], kernel.shape[3]]) : scale);
    return [folded, bias ? tf.add<tf.Tensor1D>(tf.mul(bias, scale), shift) : shift];
  });
}

/**
 * Folds every foldable conv → BN pair of `model` whose two layers pass `accept`; the returned
 * function puts the layers back as they were and frees the folded weights.
 */
export function foldBatchNorms(model: tf.LayersModel, accept: (layer: tf.layers.Layer) => boolean = () => true): () => void {
  const undo: (() => void)[] = [];
  for (const layer of model.layers) {
    const bn = layer as unknown as BatchNormLike;
    const conv = foldableConv(bn);
    if (!conv || !accept(layer) || !accept(conv as unknown as tf.layers.Layer)) continue;
    const depthwise = conv.getClassName() === 'DepthwiseConv2D';
    const kernel = (depthwise ? conv.depthwiseKernel! : conv.kernel!).read() as tf.Tensor4D;
    // kept: they outlive any tidy scope this is called in, until undo frees them
    const [filter, bias] = foldIntoConv(kernel, conv.bias ? conv.bias.read() : null, bn, depthwise).map((t) => tf.keep(t)) as [
      tf.Tensor4D,
      tf.Tensor1D,
    ];
    const convCall = conv.call;
    const bnCall = bn.call;
    const strides = pair(conv.strides);
    const dilations = pair(conv.dilationRate);
    conv.call = (inputs) => {
      const x = first(inputs) as tf.Tensor4D;
      return depthwise
        ? tf.fused.depthwiseConv2d({ x, filter, strides, pad: conv.padding, dilations, bias })
        : tf.fused.conv2d({ x, filter, strides, pad: conv.padding, dilations, bias });
    };
    bn.call = (inputs) => first(inputs);
    undo.push(() => {
      conv.call = convCall;
      bn.call = bnCall;
      filter.dispose();
      bias.dispose();
    });
  }
  return () => undo.reverse().forEach((u) => u());
}
