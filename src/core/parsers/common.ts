// Pieces shared by the Python and tfjs front ends: turning a call's evaluated arguments into a
// LayerSpec, and collecting models (sequential stacks, functional graphs) as statements go by.
import { LayerNamer, makeLayerSpec, type LayerSpec, type LiteralValue, type ShapeDiagnostic } from '../layers.ts';
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
