// Shape propagation through a layer graph: sequential stacks are graphs where each node's only
// inbound node is the previous one; functional models list their inbound nodes by name.
import { inferLayer, type InferenceContext, type LayerInference, type LayerSpec } from './layers/index.ts';
import type { Shape } from './shape.ts';

export interface GraphNode {
  spec: LayerSpec;
  /** names of the nodes feeding this one, in argument order; empty for inputs */
  inbound: string[];
  /**
   * Result computed elsewhere (a nested model used as a layer). Called with the input shapes so a
   * nested Sequential without its own input shape can take the outer one.
   */
  override?: (inputs: (Shape | null)[]) => LayerInference;
}

export interface InferredNode {
  spec: LayerSpec;
  inbound: string[];
  inputShapes: (Shape | null)[];
  inference: LayerInference;
}

/**
 * Infers every node, in the given order. Nodes may be listed before their inputs (resolved
 * recursively); a missing inbound name or a cycle yields an unknown input and a diagnostic.
 */
export function inferGraph(nodes: GraphNode[]): InferredNode[] {
  const byName = new Map<string, GraphNode>();
  for (const n of nodes) if (n.spec.name && !byName.has(n.spec.name)) byName.set(n.spec.name, n);
  const done = new Map<GraphNode, InferredNode>();
  const inProgress = new Set<GraphNode>();

  const visit = (node: GraphNode): InferredNode => {
    const cached = done.get(node);
    if (cached) return cached;
    if (inProgress.has(node)) {
      return {
        spec: node.spec,
        inbound: node.inbound,
        inputShapes: [],
        inference: {
          outputShape: null,
          params: null,
          arithmetic: [],
          diagnostics: [{ severity: 'error', message: `cycle through ${node.spec.name}` }],
        },
      };
    }
    inProgress.add(node);
    const missing: string[] = [];
    const sources = node.inbound.map((name) => {
      const src = byName.get(name);
      if (!src) missing.push(name);
      return src ? visit(src) : null;
    });
    const inputShapes: (Shape | null)[] =
      node.inbound.length === 0
        ? node.spec.args.inputShape && node.spec.kind !== 'InputLayer'
          ? [node.spec.args.inputShape]
          : []
        : sources.map((s) => s?.inference.outputShape ?? null);
    const context: InferenceContext = {};
    const only = sources.length === 1 ? sources[0] : null;
    if (only && only.spec.kind === 'ZeroPadding2D' && only.spec.args.amounts && !only.spec.args.channelsFirst) {
      context.zeroPaddingBefore = { amounts: only.spec.args.amounts, layerName: only.spec.name };
    }
    const inference = node.override ? node.override(inputShapes) : inferLayer(node.spec, inputShapes, context);
    for (const name of missing)
      inference.diagnostics.push({ severity: 'error', message: `input '${name}' of ${node.spec.name} is not defined` });
    const result: InferredNode = { spec: node.spec, inbound: node.inbound, inputShapes, inference };
    inProgress.delete(node);
    done.set(node, result);
    return result;
  };
  return nodes.map(visit);
}

/** A sequential stack as a graph: each layer fed by the previous one. */
export function sequentialGraph(specs: LayerSpec[]): GraphNode[] {
  return specs.map((spec, i) => ({ spec, inbound: i === 0 ? [] : [specs[i - 1].name] }));
}
