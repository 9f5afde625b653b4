// A Keras model's saved architecture (Keras 3's config.json, or Keras 2's h5 `model_config`) as
// the one flat Keras-2 topology tfjs's `tf.models.modelFromJSON` builds. The reverse of
// export/kerasConfig.ts, for the models the exported train.py saves: a base model called as a
// layer inside the classifier, which is inlined here (tfjs would keep it nested, and its weights
// are then addressed by the inner layers' names either way).
//
// Only layer classes whose meaning tfjs reproduces exactly are converted; anything else is
// refused by class name rather than guessed. Keras' random augmentation layers are the identity
// at inference (Keras skips them when training=False), so they are dropped and their consumers
// fed from their input. Initializers, regularizers and constraints are dropped: the weights are
// set from the file and none of them changes a prediction.

import { EXPORTABLE_LAYERS } from '../export/kerasConfig.ts';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- Keras JSON configs are read field by field, each checked where used
type Json = Record<string, any>;
/** A Keras-2 inbound reference: [layer name, node index, tensor index, kwargs]. */
type Ref = [string, number, number, Json];

/**
 * Layer classes converted one to one (tfjs implements the same computation under the same name):
 * every class export writes as-is, and Rescaling, which import reads but export does not write.
 */
export const IMPORTABLE_LAYERS = new Set([...EXPORTABLE_LAYERS, 'Rescaling']);

/** Random augmentation: Keras applies these only in training, so at inference they pass the input through. */
export const INFERENCE_IDENTITY_LAYERS = new Set([
  'RandomFlip',
  'RandomRotation',
  'RandomTranslation',
  'RandomZoom',
  'RandomShear',
  'RandomContrast',
  'RandomBrightness',
]);

const NESTED_MODELS = new Set(['Functional', 'Model', 'Sequential']);

export interface KerasTopology {
  /** what modelFromJSON takes */
  topology: Json;
  /** the Keras layer classes dropped as inference-time identities, by layer name */
  dropped: { name: string; className: string }[];
}

function isKerasObject(v: unknown): v is Json {
  return !!v && typeof v === 'object' && !Array.isArray(v) && 'class_name' in v && 'config' in v;
}

/** Keras 3's inbound node ({args: [__keras_tensor__ …], kwargs}) as Keras 2's list of refs. */
function keras3Node(node: Json, where: string, layer: string): Ref[] {
  const refs: Ref[] = [];
  const visit = (v: unknown): void => {
    if (Array.isArray(v)) v.forEach(visit);
    else if (isKerasObject(v) && v.class_name === '__keras_tensor__') {
      const h = v.config.keras_history;
      if (!Array.isArray(h) || typeof h[0] !== 'string') throw new Error(`${where}: layer '${layer}' has an input without keras_history`);
      refs.push([h[0], Number(h[1]), Number(h[2]), {}]);
    } else if (v && typeof v === 'object') {
      // a constant or an option in the call (Keras 3 records them beside the tensors)
      return;
    }
  };
  visit(node.args ?? []);
  return refs;
}

/** Keras 3 model_config layers' refs for input_layers/output_layers: one [name, node, tensor] or a list of them. */
function refList(v: unknown): [string, number, number][] {
  if (!Array.isArray(v) || v.length === 0) return [];
  return (typeof v[0] === 'string' ? [v] : v) as [string, number, number][];
}

/** One layer's config as tfjs reads it: float32, no initializers/regularizers/constraints, Keras 3 keys mapped. */
function layerConfig(className: string, config: Json, where: string, name: string): Json {
  const out: Json = {};
  for (const [key, value] of Object.entries(config)) {
    if (/_(initializer|regularizer|constraint)$/.test(key)) continue;
    out[key] = value;
  }
  // a dtype policy ({class_name: 'DTypePolicy', config: {name: 'mixed_float16'}}) computes here in float32
  if (out.dtype !== undefined) out.dtype = 'float32';
  const refuse = (what: string) => new Error(`${where}: layer '${name}' (${className}) ${what}, which CNN Lab does not convert`);
  if ('data_format' in out && out.data_format !== 'channels_last') throw refuse(`uses data_format ${out.data_format}`);
  if (className === 'InputLayer') {
    if (out.batch_shape !== undefined) out.batch_input_shape = out.batch_shape;
    delete out.batch_shape;
    delete out.optional;
    if (!Array.isArray(out.batch_input_shape)) throw refuse('has no input shape');
  }
  if ((className === 'Conv2D' || className === 'SeparableConv2D') && (out.groups ?? 1) !== 1) throw refuse(`has groups=${out.groups}`);
  if (className === 'ReLU') {
    if (Number(out.negative_slope ?? 0) !== 0 || Number(out.threshold ?? 0) !== 0) throw refuse('has a negative slope or a threshold');
    delete out.negative_slope;
    delete out.threshold;
  }
  if (className === 'BatchNormalization') {
    if (Array.isArray(out.axis)) {
      if (out.axis.length !== 1) throw refuse(`normalizes over axes ${JSON.stringify(out.axis)}`);
      out.axis = out.axis[0];
    }
    if (out.renorm) throw refuse('uses batch renormalization');
  }
  if ((className === 'GlobalAveragePooling2D' || className === 'GlobalMaxPooling2D') && out.keepdims)
    throw refuse('keeps the pooled dimensions (keepdims)');
  if (className === 'Activation' && typeof out.activation !== 'string') throw refuse('has a custom activation');
  if (className === 'Rescaling' && (typeof out.scale !== 'number' || typeof out.offset !== 'number'))
    throw refuse('has a per-channel scale or offset');
  if (className === 'Dense' && out.lora_rank) throw refuse('has a LoRA adapter');
  return out;
}

/** A Keras 3 or Keras 2 layer entry as a Keras 2 one ({class_name, name, config, inbound_nodes: Ref[][]}). */
function keras2Layer(entry: Json, keras3: boolean, where: string): Json {
  const className = String(entry.class_name);
  const name = String(entry.name ?? entry.config?.name);
  const nodes: Ref[][] = keras3
    ? (entry.inbound_nodes ?? []).map((n: Json) => keras3Node(n, where, name))
    : (entry.inbound_nodes ?? []).map((n: unknown[]) =>
        (n as unknown[][]).map((r) => [String(r[0]), Number(r[1]), Number(r[2]), {}] as Ref),
      );
  return { class_name: className, name, config: entry.config ?? {}, inbound_nodes: nodes };
}

/**
 * The flat tfjs topology of a saved Keras model. `config` is the parsed config.json (Keras 3) or
 * model_config (Keras 2); `where` names the file in errors, which are one line naming the layer.
 */
export function kerasTopology(config: Json, keras3: boolean, where: string): KerasTopology {
  const layers: Json[] = [];
  const dropped: KerasTopology['dropped'] = [];
  const emitted = new Set<string>();
  // what a reference to a dropped layer or an inlined model's output stands for
  const alias = new Map<string, Ref>();
  const key = (name: string, node: number, tensor: number) => `${name}\u0000${node}\u0000${tensor}`;
  const nestedOutputs = new Map<string, Ref[]>();
  const resolve = (r: Ref): Ref => {
    const outs = nestedOutputs.get(r[0]);
    if (outs) {
      const out = outs[r[2]];
      if (!out) throw new Error(`${where}: a layer reads output ${r[2]} of model '${r[0]}', which has ${outs.length}`);
      return out;
    }
    return alias.get(key(r[0], r[1], r[2])) ?? [r[0], r[1], r[2], {}];
  };

  /** Adds the layers of one (possibly nested) functional model; `inputs` replace its InputLayers. */
  function addFunctional(cfg: Json, inputs: Ref[] | undefined): Ref[] {
    const entries = (cfg.layers ?? []) as Json[];
    if (!Array.isArray(entries)) throw new Error(`${where}: model '${cfg.name}' has no layer list`);
    const inputLayers = refList(cfg.input_layers);
    if (inputs && inputs.length !== inputLayers.length)
      throw new Error(`${where}: model '${cfg.name}' takes ${inputLayers.length} inputs but is called on ${inputs.length}`);
    if (inputs) inputLayers.forEach(([n, node, t], i) => alias.set(key(n, node, t), inputs[i]));
    for (const raw of entries) {
      const entry = keras2Layer(raw, keras3, where);
      if (inputs && entry.class_name === 'InputLayer') continue;
      addLayer(entry, raw);
    }
    return refList(cfg.output_layers).map(([n, node, t]) => resolve([n, node, t, {}]));
  }

  /** A Sequential model's layers as a chain from `input` (or from its own InputLayer). */
  function addSequential(cfg: Json, input: Ref | undefined): Ref[] {
    let current = input;
    for (const raw of (cfg.layers ?? []) as Json[]) {
      const className = String(raw.class_name);
      const name = String(raw.config?.name ?? raw.name);
      if (className === 'InputLayer') {
        if (!current) {
          addLayer({ class_name: className, name, config: raw.config ?? {}, inbound_nodes: [] }, raw);
          current = [name, 0, 0, {}];
        }
        continue;
      }
      if (!current) throw new Error(`${where}: Sequential model '${cfg.name}' has no Input layer, so its input shape is not saved`);
      addLayer({ class_name: className, name, config: raw.config ?? {}, inbound_nodes: [[current]] }, raw);
      current = resolve([name, 0, 0, {}]);
    }
    if (!current) throw new Error(`${where}: Sequential model '${cfg.name}' has no layers`);
    return [current];
  }

  function addLayer(entry: Json, raw: Json): void {
    const { class_name: className, name } = entry;
    const nodes = (entry.inbound_nodes as Ref[][]).map((n) => n.map(resolve));
    if (NESTED_MODELS.has(className)) {
      if (nodes.length !== 1)
        throw new Error(
          `${where}: model '${name}' is called ${nodes.length} times inside the model; CNN Lab converts a nested model called once`,
        );
      const outs = className === 'Sequential' ? addSequential(raw.config ?? {}, nodes[0][0]) : addFunctional(raw.config ?? {}, nodes[0]);
      nestedOutputs.set(name, outs);
      return;
    }
    if (INFERENCE_IDENTITY_LAYERS.has(className)) {
      nodes.forEach((n, i) => alias.set(key(name, i, 0), n[0]));
      dropped.push({ name, className });
      return;
    }
    if (!IMPORTABLE_LAYERS.has(className)) {
      throw new Error(
        `${where}: layer '${name}' is a ${className}, which CNN Lab does not convert (supported: ${[...IMPORTABLE_LAYERS].join(', ')}, and ${[...INFERENCE_IDENTITY_LAYERS].join(', ')} as the identity)`,
      );
    }
    if (emitted.has(name))
      throw new Error(`${where}: two layers are named '${name}' (one inside a nested model); CNN Lab needs unique layer names`);
    if (nodes.length > 1)
      throw new Error(`${where}: layer '${name}' is shared (called ${nodes.length} times); CNN Lab converts layers called once`);
    emitted.add(name);
    layers.push({
      class_name: className,
      name,
      config: { ...layerConfig(className, entry.config, where, name), name },
      inbound_nodes: nodes.map((n) => n.map((r) => [r[0], r[1], r[2], {}])),
    });
  }

  const top = config.class_name;
  const inner = config.config ?? {};
  let outputs: Ref[];
  if (top === 'Sequential') outputs = addSequential(inner, undefined);
  else if (top === 'Functional' || top === 'Model') outputs = addFunctional(inner, undefined);
  else throw new Error(`${where}: the saved model is a ${top}; CNN Lab loads Functional and Sequential models`);
  const inputLayers = layers.filter((l) => l.class_name === 'InputLayer').map((l) => [l.name, 0, 0]);
  if (inputLayers.length !== 1)
    throw new Error(`${where}: the model has ${inputLayers.length} inputs; CNN Lab predicts with one image input`);
  return {
    topology: {
      class_name: 'Model',
      config: {
        name: String(inner.name ?? 'model'),
        layers,
        input_layers: inputLayers,
        output_layers: outputs.map((r) => [r[0], r[1], r[2]]),
      },
      keras_version: 'tfjs-layers',
      backend: 'tensor_flow.js',
    },
    dropped,
  };
}
