// The architecture of a tfjs layers model as Keras writes it: Keras 3's config.json (the `.keras`
// zip) and Keras 2's `model_config` (legacy `.h5`). tfjs stores Keras 2's JSON already (its
// converter reads Keras h5 files), so the h5 config is that JSON; Keras 3 names every object by
// module and writes inbound nodes as calls on `__keras_tensor__`s, so its config is rebuilt here.
// Only the layer classes below are converted: each was checked against a real Keras load (the
// slow suite's export-keras test); anything else is refused by name rather than guessed.
import type { tf } from '../tf.ts';

/** Layer classes whose tfjs config Keras 3 accepts as-is (same keys, same meaning). */
export const EXPORTABLE_LAYERS = new Set([
  'InputLayer',
  'Conv2D',
  'DepthwiseConv2D',
  'SeparableConv2D',
  'Dense',
  'BatchNormalization',
  'Activation',
  'ReLU',
  'Add',
  'Multiply',
  'Concatenate',
  'GlobalAveragePooling2D',
  'GlobalMaxPooling2D',
  'MaxPooling2D',
  'AveragePooling2D',
  'ZeroPadding2D',
  'Dropout',
  'Flatten',
  'Reshape',
]);

/** The weight order Keras creates a layer's variables in (what `vars/0`, `vars/1`… and legacy h5 loading follow). */
const WEIGHT_ORDER = ['kernel', 'depthwise_kernel', 'pointwise_kernel', 'bias', 'gamma', 'beta', 'moving_mean', 'moving_variance'];

export interface ExportWeight {
  /** the short name: 'kernel', 'gamma', … */
  name: string;
  shape: number[];
  values: Float32Array;
}

export interface ExportLayer {
  name: string;
  className: string;
  /** in Keras's creation order */
  weights: ExportWeight[];
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- Keras JSON configs are read field by field, each checked where used
type Json = Record<string, any>;

/** Layers in model order with their weights in Keras order; throws naming the first layer Keras cannot take. */
export function exportLayers(model: tf.LayersModel): ExportLayer[] {
  return model.layers.map((layer) => {
    const className = layer.getClassName();
    if (!EXPORTABLE_LAYERS.has(className)) {
      throw new Error(
        `layer '${layer.name}' is a ${className}, which the Keras export does not convert (supported: ${[...EXPORTABLE_LAYERS].join(', ')})`,
      );
    }
    if (layer.inboundNodes.length > 1)
      throw new Error(
        `layer '${layer.name}' is shared (called ${layer.inboundNodes.length} times); the Keras export handles layers called once`,
      );
    const weights = layer.weights.map((w) => {
      const name = w.originalName.slice(w.originalName.lastIndexOf('/') + 1);
      if (!WEIGHT_ORDER.includes(name))
        throw new Error(`layer '${layer.name}': weight '${w.originalName}' has no Keras counterpart the export knows`);
      return { name, shape: w.shape as number[], values: w.read().dataSync() as Float32Array };
    });
    weights.sort((a, b) => WEIGHT_ORDER.indexOf(a.name) - WEIGHT_ORDER.indexOf(b.name));
    return { name: layer.name, className, weights };
  });
}

/** Keras's naming.to_snake_case: the key a layer's variables have in a Keras 3 weights file. */
export function toSnakeCase(name: string): string {
  return name
    .replace(/\W+/g, '')
    .replace(/(.)([A-Z][a-z]+)/g, '$1_$2')
    .replace(/([a-z])([A-Z])/g, '$1_$2')
    .toLowerCase();
}

/**
 * The paths Keras 3 stores each layer's variables under (`layers/conv2d`, `layers/conv2d_1`, …):
 * the snake-cased class name, numbered in model.layers order (saving_lib._save_container_state).
 */
export function kerasWeightPaths(layers: { className: string }[]): string[] {
  const used = new Map<string, number>();
  return layers.map(({ className }) => {
    const base = toSnakeCase(className);
    const n = used.get(base);
    used.set(base, n === undefined ? 0 : n + 1);
    return `layers/${n === undefined ? base : `${base}_${n + 1}`}`;
  });
}

/** Keras 2's model_config: the tfjs topology, which is that format, with tfjs's class name for a functional model. */
export function keras2ModelConfig(model: tf.LayersModel): Json {
  const topology = model.toJSON(null, false) as Json;
  return { class_name: 'Functional', config: topology.config, keras_version: topology.keras_version, backend: 'tensorflow' };
}

const MODULE_OF_SUFFIX: [string, string][] = [
  ['_initializer', 'keras.initializers'],
  ['_regularizer', 'keras.regularizers'],
  ['_constraint', 'keras.constraints'],
];

/** A tfjs {class_name, config} object (initializer, regularizer, constraint) as Keras 3 serializes it. */
function kerasObject(module: string, value: Json): Json {
  const config = { ...(value.config ?? {}) };
  // Keras 2's 'normal' VarianceScaling was a truncated normal; Keras 3 only knows the explicit name
  if (value.class_name === 'VarianceScaling' && config.distribution === 'normal') config.distribution = 'truncated_normal';
  return { module, class_name: value.class_name, config, registered_name: null };
}

function keras3LayerConfig(config: Json): Json {
  const out: Json = {};
  for (const [key, value] of Object.entries(config)) {
    const suffix = MODULE_OF_SUFFIX.find(([s]) => key.endsWith(s));
    out[key] = suffix && value && typeof value === 'object' && 'class_name' in value ? kerasObject(suffix[1], value) : value;
  }
  return out;
}

const DTYPE_POLICY = { module: 'keras', class_name: 'DTypePolicy', config: { name: 'float32' }, registered_name: null };

function shapeOf(layer: tf.layers.Layer, tensorIndex: number): (number | null)[] {
  const shape = layer.outputShape;
  return (Array.isArray(shape[0]) ? (shape as (number | null)[][])[tensorIndex] : shape) as (number | null)[];
}

/** Keras 3's config.json for the model (keras.saving.serialize_keras_object of a Functional). */
export function keras3ModelConfig(model: tf.LayersModel): Json {
  const topology = model.toJSON(null, false) as Json;
  const byName = new Map(model.layers.map((l) => [l.name, l]));
  const tensor = (ref: [string, number, number]) => ({
    class_name: '__keras_tensor__',
    config: { shape: shapeOf(byName.get(ref[0])!, ref[2]), dtype: 'float32', keras_history: [ref[0], ref[1], ref[2]] },
  });
  const layers = (topology.config.layers as Json[]).map((l) => {
    const layer = byName.get(l.name)!;
    if (l.class_name === 'InputLayer') {
      const c = l.config;
      return {
        module: 'keras.layers',
        class_name: 'InputLayer',
        config: {
          batch_shape: c.batch_input_shape,
          dtype: c.dtype ?? 'float32',
          sparse: false,
          ragged: false,
          name: c.name,
          optional: false,
        },
        registered_name: null,
        name: l.name,
        inbound_nodes: [],
      };
    }
    const config = keras3LayerConfig(l.config);
    delete config.batch_input_shape;
    delete config.input_dtype;
    const nodes = (l.inbound_nodes as [string, number, number, Json][][]).map((inputs) => {
      const tensors = inputs.map((ref) => tensor([ref[0], ref[1], ref[2]]));
      // merge layers (Add, Concatenate…) take one list argument; the others one tensor
      return { args: [inputs.length > 1 || MERGE_LAYERS.has(l.class_name) ? tensors : tensors[0]], kwargs: {} };
    });
    return {
      module: 'keras.layers',
      class_name: l.class_name,
      config: { name: l.name, trainable: config.trainable ?? true, dtype: DTYPE_POLICY, ...config },
      registered_name: null,
      build_config: { input_shape: buildInputShape(layer, l.class_name) },
      name: l.name,
      inbound_nodes: nodes,
    };
  });
  const refs = (list: [string, number, number][]) => (list.length === 1 ? list[0] : list);
  return {
    module: 'keras.src.models.functional',
    class_name: 'Functional',
    config: {
      name: topology.config.name,
      trainable: true,
      layers,
      input_layers: refs(topology.config.input_layers),
      output_layers: refs(topology.config.output_layers),
    },
    registered_name: 'Functional',
    build_config: { input_shape: null },
    compile_config: null,
  };
}

const MERGE_LAYERS = new Set(['Add', 'Multiply', 'Concatenate']);

/**
 * The input shape Keras builds a layer with: one shape, or a list of shapes for a merge layer. tfjs
 * keeps a one-input node's shape either bare or in a one-element list, depending on how the model
 * was built; Conv2D.build reads input_shape[-1] as the channel count, so a list there fails.
 */
function buildInputShape(layer: tf.layers.Layer, className: string): unknown {
  const shapes = layer.inboundNodes[0].inputShapes;
  const nested = Array.isArray(shapes[0]);
  if (MERGE_LAYERS.has(className)) return nested ? shapes : [shapes];
  return nested ? shapes[0] : shapes;
}
