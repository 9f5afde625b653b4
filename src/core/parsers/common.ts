// Pieces shared by the Python and tfjs front ends: turning a call's evaluated arguments into a
// LayerSpec, and collecting models (sequential stacks, functional graphs) as statements go by.
import { canonicalLayerKind, LayerNamer, makeLayerSpec, type LayerSpec, type LiteralValue, type ShapeDiagnostic } from '../layers/index.ts';
import { evalLiteral, type Expr, type SourceRange } from './expr.ts';
import { buildParsedModel, type LayerEntry, type ParsedModel } from './types.ts';

/** Builds a spec from call arguments, noting arguments that are not compile-time constants. */
export function specFromCall(
  className: string,
  positional: Expr[],
  keyword: { name: string; value: Expr }[],
  env: Map<string, LiteralValue>,
  namer: LayerNamer,
): { spec: LayerSpec; extra: ShapeDiagnostic[] } {
  const unresolved: string[] = [];
  const pos = positional.map((e, i) => {
    const v = evalLiteral(e, env);
    if (v === undefined) unresolved.push(`#${i + 1}`);
    return v;
  });
  const kw: Record<string, LiteralValue | undefined> = {};
  for (const { name, value } of keyword) {
    const v = evalLiteral(value, env);
    if (v === undefined) unresolved.push(name);
    kw[name] = v;
  }
  const spec = makeLayerSpec(className, kw, pos);
  if (!spec.name) spec.name = namer.next(spec.className);
  const extra: ShapeDiagnostic[] = [];
  // A required argument given as an expression we cannot evaluate is not an error in the code.
  const missing = spec.problems.filter((p) => / is missing$/.test(p));
  if (unresolved.length > 0 && missing.length > 0) {
    spec.problems = spec.problems.filter((p) => !missing.includes(p));
    extra.push({ severity: 'info', message: `${spec.className}: ${missing.map((m) => m.replace(/ is missing$/, '')).join(', ')} not known before run time` });
  }
  return { spec, extra };
}

export interface ModelBuild {
  name: string;
  kind: ParsedModel['kind'];
  entries: LayerEntry[];
  /** union-find parent for functional graphs merged by a layer with inputs from both */
  parent?: ModelBuild;
  /** creation order, to keep the file order of models */
  order: number;
}

/** Collects models while a parser walks the statements of a file. */
export class ModelCollector {
  readonly namer = new LayerNamer();
  private readonly models: ModelBuild[] = [];
  private readonly names = new Set<string>();

  create(name: string, kind: ParsedModel['kind']): ModelBuild {
    const m: ModelBuild = { name, kind, entries: [], order: this.models.length };
    this.models.push(m);
    return m;
  }

  root(m: ModelBuild): ModelBuild {
    while (m.parent) m = m.parent;
    return m;
  }

  /** Merges functional graph b into a (a layer took inputs from both). */
  merge(a: ModelBuild, b: ModelBuild): ModelBuild {
    const ra = this.root(a);
    const rb = this.root(b);
    if (ra === rb) return ra;
    const [keep, drop] = ra.order <= rb.order ? [ra, rb] : [rb, ra];
    keep.entries.push(...drop.entries);
    drop.entries = [];
    drop.parent = keep;
    return keep;
  }

  /** Adds a layer; renames a duplicate layer name so graph edges stay unambiguous. */
  add(model: ModelBuild, spec: LayerSpec, inbound: string[], range: SourceRange, extra: ShapeDiagnostic[] = []): string {
    if (this.names.has(spec.name)) {
      extra = [...extra, { severity: 'warning', message: `layer name '${spec.name}' is used twice; Keras would refuse to build this model` }];
      let i = 1;
      while (this.names.has(`${spec.name}__${i}`)) i++;
      spec.name = `${spec.name}__${i}`;
    }
    this.names.add(spec.name);
    this.root(model).entries.push({ spec, inbound, range, extra });
    return spec.name;
  }

  /** Runs inference on every non-empty model, in creation order. */
  finish(): ParsedModel[] {
    return this.models
      .filter((m) => !m.parent && m.entries.length > 0)
      .map((m) => {
        // Sequential stacks keep their add() order; merged functional graphs go back to file order.
        const entries = m.kind === 'functional' ? [...m.entries].sort((x, y) => x.range.start.line - y.range.start.line || x.range.start.col - y.range.start.col) : m.entries;
        return buildParsedModel(m.name, m.kind, entries);
      });
  }
}

export type CallExpr = Extract<Expr, { kind: 'call' }>;

/** A tensor variable of a functional graph: the graph and the node that produced it. */
export interface TensorRef {
  model: ModelBuild;
  node: string;
}

/** How a front end reads a layer constructor call: its class (null if not a layer) and its spec. */
export interface LayerCallReader {
  classOf(call: CallExpr): string | null;
  spec(call: CallExpr, className: string): { spec: LayerSpec; extra: ShapeDiagnostic[] };
}

/**
 * Sequential stacks and functional graphs built from layer calls — the part of model building the
 * Keras and tfjs front ends share; each supplies how its own layer calls read.
 */
export class LayerGraph {
  /** tensor variables of functional graphs (`x = Conv2D(...)(x)`, `x = conv.apply(x)`) */
  readonly tensors = new Map<string, TensorRef>();
  /** layers kept in variables before being applied (`conv = Conv2D(...)`) */
  readonly layerVars = new Map<string, CallExpr>();

  constructor(
    private readonly c: ModelCollector,
    private readonly reader: LayerCallReader,
  ) {}

  /** Adds a layer call, or a variable holding one, to a Sequential model. */
  addToSequential(model: ModelBuild, layer: Expr, range: SourceRange): void {
    const call = layer.kind === 'call' ? layer : layer.kind === 'name' ? this.layerVars.get(layer.value) : undefined;
    if (!call) return;
    const className = this.reader.classOf(call);
    if (!className) return;
    const { spec, extra } = this.reader.spec(call, className);
    const prev = model.entries[model.entries.length - 1];
    this.c.add(model, spec, prev ? [prev.spec.name] : [], layer.kind === 'call' ? layer.range : range, extra);
  }

  /** The layer applied to the tensors named in `inputExpr` (one, or a list for merge layers): a functional node. */
  apply(layerCall: CallExpr, className: string, inputExpr: Expr | undefined, range: SourceRange): TensorRef {
    const inputs = inputExpr?.kind === 'list' ? inputExpr.items : inputExpr ? [inputExpr] : [];
    const refs = inputs.map((e) => (e.kind === 'name' ? this.tensors.get(e.value) : undefined));
    let model: ModelBuild | undefined;
    for (const r of refs) if (r) model = model ? this.c.merge(model, r.model) : this.c.root(r.model);
    // Input of unknown shape (e.g. a function parameter): a graph of its own with unknown shapes.
    model ??= this.c.create('model', 'functional');
    const { spec, extra } = this.reader.spec(layerCall, className);
    const node = this.c.add(model, spec, refs.flatMap((r) => (r ? [r.node] : [])), range, extra);
    return { model: this.c.root(model), node };
  }

  /**
   * A layer constructor call assigned to `target`: an Input starts a functional graph, any other
   * layer is kept for a later application. False when the call constructs no layer.
   */
  construct(call: CallExpr, target: string | undefined): boolean {
    const className = this.reader.classOf(call);
    if (!className) return false;
    if (canonicalLayerKind(className) === 'InputLayer') {
      const model = this.c.create('model', 'functional');
      const { spec, extra } = this.reader.spec(call, className);
      const node = this.c.add(model, spec, [], call.range, extra);
      if (target) this.tensors.set(target, { model, node });
    } else if (target) {
      this.layerVars.set(target, call);
    }
    return true;
  }

  /** `Model(inputs, outputs, name=…)` / `tf.model({outputs, name})`: names the graph of the (first) output. */
  nameGraphOf(outputs: Expr | undefined, name: string | undefined): void {
    const first = outputs?.kind === 'list' ? outputs.items[0] : outputs;
    const out = first?.kind === 'name' ? this.tensors.get(first.value) : undefined;
    if (out && name) this.c.root(out.model).name = name;
  }
}
