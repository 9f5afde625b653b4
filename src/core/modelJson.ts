// A layers `model.json` (tfjs) or Keras model config → layer graph → LayerRows.
// Accepted forms: { modelTopology: { model_config: {class_name, config} } } (Keras H5 conversions),
// { modelTopology: { class_name, config } } (tfjs saves), the topology or config alone;
// Sequential or Model/Functional; Keras 2 `batch_input_shape` and Keras 3 `batch_shape` /
// `{args: [keras_tensor…]}` inbound nodes. Unknown layer classes give rows with unknown shapes.
import { inferGraph, type GraphNode, type InferredNode } from './graph.ts';
import { isObject } from './isObject.ts';
import { toLayerRow, type LayerRow } from './layerRow.ts';
import { makeLayerSpec, type LayerInference, type LiteralValue } from './layers/index.ts';
import type { Shape } from './shape.ts';

type Json = { [key: string]: unknown };

export interface ModelConfig {
  className: string;
  name: string;
  layers: Json[];
  /** names of the output layers (functional), empty for Sequential */
  outputs: string[];
}

const CONTAINER_CLASSES = new Set(['Sequential', 'Model', 'Functional']);

/** Finds the model config ({class_name, config}) inside a model.json-like object. */
export function findModelConfig(json: unknown): ModelConfig {
  if (!isObject(json)) throw new Error('model.json: expected a JSON object');
  let node: unknown = json;
  if (isObject(json.modelTopology)) node = json.modelTopology;
  if (isObject(node) && isObject(node.model_config)) node = node.model_config;
  if (isObject(node) && Array.isArray(node.node)) {
    throw new Error('model.json: this is a tfjs graph model (a frozen TensorFlow graph), which has no layer topology to describe');
  }
  if (!isObject(node) || typeof node.class_name !== 'string') {
    throw new Error('model.json: no layers model topology found (expected modelTopology with class_name/config or model_config)');
  }
  return readContainer(node);
}

function readContainer(node: Json): ModelConfig {
  const className = String(node.class_name);
  const config = node.config;
  // Old Keras Sequential configs are a bare list of layers.
  const layers = Array.isArray(config) ? config : isObject(config) && Array.isArray(config.layers) ? config.layers : null;
  if (!layers) throw new Error(`model.json: ${className} config has no 'layers' list`);
  const name = isObject(config) && typeof config.name === 'string' ? config.name : className.toLowerCase();
  const outputs =
    isObject(config) && Array.isArray(config.output_layers)
      ? config.output_layers.flatMap((o) => (Array.isArray(o) && typeof o[0] === 'string' ? [o[0]] : []))
      : [];
  return { className, name, layers: layers.filter(isObject), outputs };
}

/** Names of the layers feeding a layer (first call node only). */
function inboundNames(layer: Json): string[] {
  const nodes = layer.inbound_nodes;
  if (!Array.isArray(nodes) || nodes.length === 0) return [];
  const first = nodes[0];
  const names: string[] = [];
  if (Array.isArray(first)) {
    // Keras 2 / tfjs: [[name, nodeIndex, tensorIndex, kwargs], …]
    for (const ref of first) if (Array.isArray(ref) && typeof ref[0] === 'string') names.push(ref[0]);
    return names;
  }
  // Keras 3: {args: [...keras tensors, possibly nested in lists], kwargs}
  const collect = (v: unknown): void => {
    if (Array.isArray(v)) v.forEach(collect);
    else if (isObject(v)) {
      if (
        v.class_name === '__keras_tensor__' &&
        isObject(v.config) &&
        Array.isArray(v.config.keras_history) &&
        typeof v.config.keras_history[0] === 'string'
      ) {
        names.push(v.config.keras_history[0]);
      } else Object.values(v).forEach(collect);
    }
  };
  if (isObject(first)) collect(first.args);
  return names;
}

function layerName(layer: Json, index: number): string {
  if (typeof layer.name === 'string') return layer.name;
  if (isObject(layer.config) && typeof layer.config.name === 'string') return layer.config.name;
  return `layer_${index}`;
}

/** The graph of one container, nested containers inferred recursively. */
export function modelConfigToGraph(model: ModelConfig): GraphNode[] {
  const sequential = model.className === 'Sequential';
  const nodes: GraphNode[] = [];
  model.layers.forEach((layer, i) => {
    const className = typeof layer.class_name === 'string' ? layer.class_name : 'Unknown';
    const config = (isObject(layer.config) ? layer.config : {}) as Record<string, LiteralValue>;
    const name = layerName(layer, i);
    const spec = makeLayerSpec(className, config, [], name);
    spec.name = name;
    const inbound = sequential ? (nodes.length === 0 ? [] : [nodes[nodes.length - 1].spec.name]) : inboundNames(layer);
    const node: GraphNode = { spec, inbound };
    if (CONTAINER_CLASSES.has(className)) {
      spec.problems = [];
      node.override = (inputs) => inferNested(readContainer(layer), inputs[0] ?? null);
    }
    nodes.push(node);
  });
  return nodes;
}

function inferNested(model: ModelConfig, outerInput: Shape | null): LayerInference {
  const graph = modelConfigToGraph(model);
  // A nested Sequential without its own input shape takes the outer one.
  if (graph.length > 0 && graph[0].inbound.length === 0 && !graph[0].spec.args.inputShape && outerInput)
    graph[0].spec.args.inputShape = outerInput;
  const inferred = inferGraph(graph);
  const out = model.outputs.length > 0 ? inferred.find((n) => n.spec.name === model.outputs[0]) : inferred[inferred.length - 1];
  let total = 0;
  let nonTrainable = 0;
  let known = true;
  for (const n of inferred) {
    const p = n.inference.params;
    if (!p) known = false;
    else {
      total += p.total;
      nonTrainable += n.spec.trainable ? p.nonTrainable : p.total;
    }
  }
  return {
    outputShape: out?.inference.outputShape ?? null,
    params: known ? { total, nonTrainable, text: `${total} (sum over ${inferred.length} layers of ${model.name})` } : null,
    arithmetic: [],
    diagnostics: inferred.flatMap((n) =>
      n.inference.diagnostics
        .filter((d) => d.severity === 'error')
        .map((d) => ({ ...d, message: `${model.name}/${n.spec.name}: ${d.message}` })),
    ),
  };
}

/** Shape inference for every layer of a model.json (rows in file order). */
export function inferModelJson(json: unknown): { model: ModelConfig; nodes: InferredNode[] } {
  const model = findModelConfig(json);
  const nodes = inferGraph(modelConfigToGraph(model));
  // Sequential summaries (Keras, tfjs) do not list an explicit InputLayer.
  return { model, nodes: model.className === 'Sequential' ? nodes.filter((n) => n.spec.kind !== 'InputLayer') : nodes };
}

/** The `model.summary()` rows of a layers model.json. Throws only when no topology is found. */
export function describeModelJson(json: unknown): LayerRow[] {
  return inferModelJson(json).nodes.map((n) =>
    toLayerRow({ spec: n.spec, outputShape: n.inference.outputShape, params: n.inference.params }),
  );
}
