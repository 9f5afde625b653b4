// An abstract interpreter for the Python that Keras model code is written in: module and function
// scopes, calls of the file's own functions with their arguments bound (positional, keyword,
// defaults, literal *args / **kwargs), returns, `for` loops over literal lists, tuples and range()
// (unrolled up to a cap), subscripts, tuple/list arithmetic, and `if` on conditions it can
// evaluate. Where it cannot (a condition, an iterable or a value known only at run time) branches
// are joined and loops are not unrolled: what the paths agree on stays known, the rest becomes
// Unknown with the reason. Layer shapes are inferred as the code runs, so every shape it shows is
// either the one Keras computes or unknown — never a guess.
import {
  canonicalLayerKind,
  inferLayer,
  LayerNamer,
  makeLayerSpec,
  positionalNames,
  type InferenceContext,
  type LayerKind,
  type LiteralValue,
  type ShapeDiagnostic,
} from '../layers/index.ts';
import { shapesEqual, type Shape } from '../shape.ts';
import type { CallExpr } from './common.ts';
import type { Expr, SourceRange } from './expr.ts';
import type { Stmt } from './pythonSyntax.ts';
import {
  BoundMethod,
  BuiltinV,
  DictV,
  ExternalV,
  fromLiteral,
  FuncV,
  joinShapes,
  LayerV,
  ListV,
  literalEqual,
  ModelV,
  Scope,
  SequentialV,
  TensorV,
  toLiteral,
  Unknown,
  unknownReason,
  type ModelBuild,
  type Value,
} from './pythonValues.ts';
import type { ParsedLayer, ParsedModel } from './types.ts';

/** Caps that keep a keystroke's analysis bounded, whatever the code does. */
const MAX_UNROLL = 1000;
const MAX_ROWS = 5000;
const MAX_STEPS = 400_000;
const MAX_DEPTH = 32;

const MERGE_FUNCTIONS = new Set(['concatenate', 'add', 'subtract', 'multiply', 'average', 'maximum', 'minimum']);
const CONV_KINDS = new Set<LayerKind>([
  'Conv2D',
  'DepthwiseConv2D',
  'SeparableConv2D',
  'Conv2DTranspose',
  'MaxPooling2D',
  'AveragePooling2D',
]);
const BUILTINS = new Set([
  'range',
  'len',
  'int',
  'float',
  'bool',
  'str',
  'tuple',
  'list',
  'enumerate',
  'zip',
  'min',
  'max',
  'abs',
  'round',
  'sum',
  'reversed',
  'print',
  'isinstance',
  'dict',
  'sorted',
  'super',
  'getattr',
  'hasattr',
  'type',
]);
/** Arguments that change neither a layer's output shape nor its parameter count. */
const HARMLESS = new Set([
  'name',
  'activation',
  'dtype',
  'trainable',
  'seed',
  'momentum',
  'epsilon',
  'rate',
  'noise_shape',
  'interpolation',
  'fill_mode',
  'fill_value',
  'factor',
  'height_factor',
  'width_factor',
  'value_range',
  'crop_to_aspect_ratio',
  'negative_slope',
  'max_value',
  'threshold',
  'alpha',
  'stddev',
  'data_format_hint',
  'kernel_initializer',
  'bias_initializer',
  'depthwise_initializer',
  'pointwise_initializer',
  'beta_initializer',
  'gamma_initializer',
  'moving_mean_initializer',
  'moving_variance_initializer',
  'kernel_regularizer',
  'bias_regularizer',
  'activity_regularizer',
  'depthwise_regularizer',
  'pointwise_regularizer',
  'beta_regularizer',
  'gamma_regularizer',
  'kernel_constraint',
  'bias_constraint',
  'depthwise_constraint',
  'pointwise_constraint',
  'beta_constraint',
  'gamma_constraint',
  'batch_size',
  'sparse',
  'ragged',
  'synchronized',
  'renorm',
  'invert',
  // recurrent and embedding layers (layers/sequence.ts)
  'dropout',
  'recurrent_dropout',
  'recurrent_activation',
  'recurrent_initializer',
  'recurrent_regularizer',
  'recurrent_constraint',
  'unit_forget_bias',
  'implementation',
  'go_backwards',
  'stateful',
  'unroll',
  'mask_value',
  'mask_zero',
  'embeddings_initializer',
  'embeddings_regularizer',
  'embeddings_constraint',
  'alpha_initializer',
  'alpha_regularizer',
  'alpha_constraint',
  'theta',
]);
const harmless = (kind: LayerKind | null, arg: string) =>
  HARMLESS.has(arg) || (kind === 'Rescaling' && (arg === 'scale' || arg === 'offset')) || (kind === 'RandomAugmentation' && arg === 'mode');

type Signal = null | { kind: 'return'; value: Value } | { kind: 'break' } | { kind: 'continue' };

class CapReached extends Error {}

interface ObjectState {
  seq?: { items: SequentialV['items']; shape: SequentialV['shape']; inputShape: SequentialV['inputShape']; reason?: string };
  list?: Value[] | null;
  dict?: Map<string, Value> | null;
}
interface Snapshot {
  vars: Map<string, Value>;
  objects: Map<object, ObjectState>;
}

/** A block-relative range moved to the block's place in the file. */
export const shift = (r: SourceRange, by: number): SourceRange =>
  by === 0 ? r : { start: { line: r.start.line + by, col: r.start.col }, end: { line: r.end.line + by, col: r.end.col } };
const describeExpr = (e: Expr): string => {
  if (e.kind === 'name') return e.value;
  if (e.kind === 'attr') return `${describeExpr(e.obj)}.${e.name}`;
  if (e.kind === 'call') return `${describeExpr(e.callee)}()`;
  if (e.kind === 'sub') return `${describeExpr(e.obj)}[…]`;
  return 'an expression';
};

export interface ProgramPiece {
  stmts: Stmt[];
  /** added to the pieces' (block-relative) line numbers */
  base: number;
}

export class PythonInterpreter {
  private readonly builds: ModelBuild[] = [];
  protected namer = new LayerNamer();
  /** names of the module's functions called while a standalone analysis runs */
  private calledDuring: Set<string> | null = null;
  private readonly globals = new Scope();
  private readonly topFunctions: FuncV[] = [];
  protected base = 0;
  private steps = 0;
  private rowCount = 0;
  private depth = 0;
  /** candidate return values of the function running (from `return` under an unknown condition) */
  private returns: Value[] | null = null;
  /** a break/continue under an unknown condition happened in the loop running */
  private loopUncertain = false;
  private targetHint: string | undefined;

  constructor() {
    this.globals.vars.set('__name__', '__main__');
  }

  /** Runs the module's statements, then each of its functions no code here calls (parameters unknown). */
  run(pieces: ProgramPiece[]): ParsedModel[] {
    try {
      for (const p of pieces) {
        this.base = p.base;
        const sig = this.exec(p.stmts, this.globals);
        if (sig?.kind === 'return') break;
      }
      const uncalled = this.topFunctions.filter((f) => f.calls === 0);
      // Roots first: a helper called by an uncalled builder is analysed through that builder.
      const calledByOthers = new Set(uncalled.flatMap((f) => [...f.calledNames].filter((n) => n !== f.name)));
      for (const f of [...uncalled.filter((f) => !calledByOthers.has(f.name)), ...uncalled.filter((f) => calledByOthers.has(f.name))]) {
        if (f.calls > 0) continue;
        this.standalone(f);
      }
    } catch (e) {
      if (!(e instanceof CapReached)) throw e;
    }
    const models: ParsedModel[] = [];
    for (const m of this.builds) {
      if (m.parent || m.hidden || m.rows.length === 0) continue;
      // (no conditional spread: this runs for every model of the file after each edit)
      const model: ParsedModel = { name: this.root(m).name, kind: m.kind, layers: m.rows };
      if (m.uncalled) model.uncalled = m.uncalled;
      models.push(model);
    }
    return models.sort((a, b) => a.layers[0].range.start.line - b.layers[0].range.start.line);
  }

  /**
   * A function no code in the file calls, analysed with its parameters unknown (defaults where it
   * has them). Its rows depend only on its own text and the module values it reads, so they are
   * reused while the user types elsewhere: the key is the def (stable while its block's text is)
   * and those values. Each such analysis names its layers afresh, as a separate build would.
   */
  private standalone(f: FuncV): void {
    const key = this.dependencyKey(f, new Set());
    const byDef = key === null ? undefined : standaloneCache.get(f.def);
    const hit = key === null ? undefined : byDef?.get(key);
    if (hit) {
      f.calls++;
      for (const n of hit.called) {
        const g = this.globals.vars.get(n);
        if (g instanceof FuncV) g.calls++;
      }
      const by = f.base - hit.base;
      for (const m of hit.models) {
        const b = this.newBuild(m.name, m.kind);
        b.hidden = m.hidden;
        b.uncalled = f.name;
        b.rows = by === 0 ? m.rows : m.rows.map((l) => ({ ...l, range: shift(l.range, by) }));
      }
      return;
    }
    const first = this.builds.length;
    const savedNamer = this.namer;
    this.namer = new LayerNamer();
    this.calledDuring = new Set();
    try {
      const params = new Map<string, Value>();
      for (const p of f.params)
        params.set(
          p.name,
          f.defaults.has(p.name)
            ? f.defaults.get(p.name)!
            : p.star
              ? new Unknown(`*${p.name}`)
              : new Unknown(`parameter ${p.name} (no call of ${f.name}() in this file gives it)`),
        );
      this.invoke(f, params);
      for (const b of this.builds.slice(first)) b.uncalled = f.name;
      if (key === null) return;
      // Only models made here and not merged into older ones can be replayed.
      const made = this.builds.slice(first);
      if (made.some((b) => b.parent && this.builds.indexOf(this.root(b)) < first)) return;
      const models = made.filter((b) => !b.parent).map((b) => ({ name: b.name, kind: b.kind, rows: b.rows, hidden: b.hidden }));
      const entry = { base: f.base, models, called: [...this.calledDuring] };
      const map = byDef ?? new Map();
      if (map.size >= 8) map.delete(map.keys().next().value);
      map.set(key, entry);
      standaloneCache.set(f.def, map);
    } finally {
      this.namer = savedNamer;
      this.calledDuring = null;
    }
  }

  /** What a function reads from the module, as text; null when it reads something not replayable. */
  private dependencyKey(f: FuncV, seen: Set<FuncV>): string | null {
    if (f.closure !== this.globals) return null;
    seen.add(f);
    const parts: string[] = [];
    for (const n of f.def.refs) {
      const v = this.globals.vars.get(n);
      if (v === undefined) continue;
      let enc: string | null;
      if (v instanceof FuncV)
        enc = seen.has(v)
          ? `F${defId(v.def)}`
          : (() => {
              const inner = this.dependencyKey(v, seen);
              return inner === null ? null : `F${defId(v.def)}@${v.base}{${inner}}`;
            })();
      else if (v instanceof ExternalV) enc = `E${v.path.join('.')}`;
      else if (v instanceof Unknown) enc = `U${v.reason}`;
      else {
        const lit = toLiteral(v);
        enc = lit === undefined ? null : `L${JSON.stringify(lit)}`;
      }
      if (enc === null) return null;
      parts.push(`${n}=${enc}`);
    }
    return parts.join('\u0000');
  }

  // ---- statements ------------------------------------------------------------------------------

  private exec(stmts: Stmt[], scope: Scope): Signal {
    for (const s of stmts) {
      if (++this.steps > MAX_STEPS) throw new CapReached();
      const sig = this.stmt(s, scope);
      if (sig) return sig;
    }
    return null;
  }

  private stmt(s: Stmt, scope: Scope): Signal {
    switch (s.kind) {
      case 'assign': {
        const first = s.targets[0];
        this.targetHint = first?.kind === 'name' ? first.value : undefined;
        const v = this.eval(s.value, scope);
        this.targetHint = undefined;
        for (const t of s.targets) this.assign(t, v, scope);
        return null;
      }
      case 'augassign': {
        const cur = this.eval(s.target, scope);
        const value = this.eval(s.value, scope);
        // `xs += [...]` extends the list in place (every name for it sees the change)
        if (cur instanceof ListV && !cur.tuple && s.op === '+') {
          const more = this.iterate(value);
          if (cur.items && Array.isArray(more)) cur.items.push(...more);
          else cur.items = null;
          return null;
        }
        this.assign(s.target, this.binary(s.op, cur, value), scope);
        return null;
      }
      case 'global':
        for (const n of s.names) (scope.outer ??= new Set()).add(n);
        return null;
      case 'unpack': {
        // JavaScript `const { a, b = 2 } = v`: a key absent from a known object takes its default
        const v = this.eval(s.value, scope);
        for (const p of s.props) {
          let x: Value;
          if (p.rest) x = new Unknown('the rest of a destructured object');
          else if (v instanceof DictV && v.entries)
            x = v.entries.has(p.key) ? v.entries.get(p.key)! : p.default ? this.eval(p.default, scope) : null;
          else if (v instanceof ExternalV) x = new ExternalV([...v.path, p.key]);
          else x = this.unknownFrom(v, `a property (${p.key}) of a value`);
          scope.owner(p.target).vars.set(p.target, x);
        }
        return null;
      }
      case 'expr':
        this.eval(s.value, scope);
        return null;
      case 'def': {
        const defaults = new Map<string, Value>();
        for (const p of s.params) if (p.default) defaults.set(p.name, this.eval(p.default, scope));
        const f = new FuncV(s.name, s.params, defaults, s.body, scope, this.base, s.calls, s);
        scope.vars.set(s.name, f);
        if (scope === this.globals) this.topFunctions.push(f);
        return null;
      }
      case 'class': {
        // Methods are analysed on their own (self and their parameters unknown).
        const body = new Scope(scope);
        this.exec(s.body, body);
        for (const v of body.vars.values()) if (v instanceof FuncV && scope === this.globals) this.topFunctions.push(v);
        scope.vars.set(s.name, new Unknown(`an instance of class ${s.name}`));
        return null;
      }
      case 'import':
        for (const n of s.names) scope.vars.set(n.as, new ExternalV([...s.module, n.name]));
        return null;
      case 'return':
        return { kind: 'return', value: s.value ? this.eval(s.value, scope) : null };
      case 'break':
      case 'continue':
        return { kind: s.kind };
      case 'skip':
        return null;
      case 'if': {
        const test = this.truth(this.eval(s.test, scope));
        if (test === true) return this.exec(s.body, scope);
        if (test === false) return this.exec(s.orelse, scope);
        return this.branches(s.body, s.orelse, scope);
      }
      case 'for':
        return this.forLoop(s, scope);
      case 'while': {
        const test = this.truth(this.eval(s.test, scope));
        if (test === false) return null;
        return this.havocLoop(s.body, undefined, scope, `changes in a while loop (${describeExpr(s.test)})`);
      }
      case 'with':
        for (const item of s.items) {
          const v = this.eval(item.value, scope);
          if (item.as)
            this.assign(
              item.as,
              v instanceof ExternalV
                ? new Unknown(`the value of ${describeExpr(item.value)}`)
                : new Unknown(`bound by with ${describeExpr(item.value)}`),
              scope,
            );
        }
        return this.exec(s.body, scope);
      case 'try': {
        // The path without an exception; `except` bodies run only when something failed.
        const sig = this.exec(s.body, scope);
        if (sig) return sig;
        const other = this.exec(s.orelse, scope);
        if (other) return other;
        return this.exec(s.final, scope);
      }
    }
  }

  private assign(target: Expr, v: Value, scope: Scope): void {
    if (target.kind === 'name') {
      scope.owner(target.value).vars.set(target.value, v);
      return;
    }
    if (target.kind === 'list') {
      const items = v instanceof ListV && v.items && v.items.length === target.items.length ? v.items : null;
      target.items.forEach((t, i) =>
        this.assign(
          t.kind === 'star' ? t.arg : t,
          items
            ? items[i]
            : new Unknown(unknownReason(v) ?? `unpacked from ${target.items.length === 2 ? 'a pair' : 'a sequence'} of unknown length`),
          scope,
        ),
      );
      return;
    }
    if (target.kind === 'sub') {
      const obj = this.eval(target.obj, scope);
      const key = target.index.kind === 'slice' ? undefined : this.eval(target.index, scope);
      if (obj instanceof DictV && obj.entries) {
        if (typeof key === 'string') obj.entries.set(key, v);
        else obj.entries = null;
      } else if (obj instanceof ListV && obj.items) {
        if (typeof key === 'number' && Number.isInteger(key) && key >= -obj.items.length && key < obj.items.length)
          obj.items[key < 0 ? key + obj.items.length : key] = v;
        else obj.items = null;
      }
    }
    // attribute targets (self.conv = …): not modelled
  }

  /** Both branches of an `if` whose condition is not known, then the join of what they left. */
  private branches(body: Stmt[], orelse: Stmt[], scope: Scope): Signal {
    const snap = this.snapshot(scope);
    const sigA = this.exec(body, scope);
    const a = this.capture(snap, scope);
    this.restore(snap, scope);
    const sigB = this.exec(orelse, scope);
    const b = this.capture(snap, scope);
    const reason = 'differs between the branches of an if the analyser cannot decide';
    // A branch that returned or left the loop leaves only the other one's state behind.
    const keep = sigA && !sigB ? b : sigB && !sigA ? a : null;
    if (keep) {
      this.restore(keep, scope);
      const sig = (sigA ?? sigB)!;
      if (sig.kind === 'return') (this.returns ??= []).push(sig.value);
      else this.loopUncertain = true;
      return null;
    }
    this.restore(this.joinSnapshots(snap, a, b, reason), scope);
    if (sigA && sigB) {
      if (sigA.kind === 'return' && sigB.kind === 'return') return { kind: 'return', value: this.join(sigA.value, sigB.value, reason) };
      if (sigA.kind !== sigB.kind) this.loopUncertain = true;
      return sigA;
    }
    return null;
  }

  private forLoop(s: Extract<Stmt, { kind: 'for' }>, scope: Scope): Signal {
    const items = this.iterate(this.eval(s.iter, scope));
    if (!Array.isArray(items) || items.length > MAX_UNROLL) {
      const reason = Array.isArray(items)
        ? `a loop of ${items.length} iterations (more than the ${MAX_UNROLL} unrolled)`
        : `changes in a loop over ${describeExpr(s.iter)} (${items.reason})`;
      return this.havocLoop(s.body, s.target, scope, reason);
    }
    const outer = this.loopUncertain;
    this.loopUncertain = false;
    let broke = false;
    for (const v of items) {
      this.assign(s.target, v, scope);
      const sig = this.exec(s.body, scope);
      if (sig?.kind === 'break') {
        broke = true;
        break;
      }
      if (sig?.kind === 'return') {
        this.loopUncertain = outer;
        return sig;
      }
    }
    if (this.loopUncertain) this.havoc(s.body, s.target, scope, 'depends on a break or continue the analyser cannot decide');
    this.loopUncertain = outer;
    if (!broke) return this.exec(s.orelse, scope);
    return null;
  }

  /** A loop not unrolled: what its body changes is unknown before, during and after it. */
  private havocLoop(body: Stmt[], target: Expr | undefined, scope: Scope, reason: string): Signal {
    this.havoc(body, target, scope, reason);
    const outer = this.loopUncertain;
    const sig = this.exec(body, scope);
    this.loopUncertain = outer;
    if (sig?.kind === 'return') (this.returns ??= []).push(sig.value);
    this.havoc(body, target, scope, reason);
    return null;
  }

  private havoc(body: Stmt[], target: Expr | undefined, scope: Scope, reason: string): void {
    const names = new Set<string>();
    const receivers = new Set<string>();
    if (target) targetNames(target, names);
    assignedIn(body, names, receivers);
    for (const n of names) {
      // A tensor stays in its graph (the model goes on), its shape no longer known.
      const cur = scope.vars.get(n);
      scope.vars.set(n, cur instanceof TensorV ? new TensorV(null, cur.graph, undefined, reason) : new Unknown(reason));
    }
    for (const n of receivers) {
      const v = scope.lookup(n);
      if (v instanceof SequentialV) {
        v.shape = null;
        v.items = null;
        v.reason = reason;
      } else if (v instanceof ListV) v.items = null;
      else if (v instanceof DictV) v.entries = null;
    }
  }

  // ---- branch states ---------------------------------------------------------------------------

  private reachable(scope: Scope): Set<object> {
    const seen = new Set<object>();
    const walk = (v: Value) => {
      if (!(v instanceof ListV || v instanceof DictV || v instanceof SequentialV) || seen.has(v)) return;
      seen.add(v);
      if (v instanceof ListV) v.items?.forEach(walk);
      else if (v instanceof DictV) v.entries?.forEach(walk);
    };
    for (let s: Scope | undefined = scope; s; s = s.parent) s.vars.forEach(walk);
    return seen;
  }

  private snapshot(scope: Scope): Snapshot {
    const objects = new Map<object, ObjectState>();
    for (const o of this.reachable(scope)) objects.set(o, stateOf(o));
    return { vars: new Map(scope.vars), objects };
  }

  private capture(snap: Snapshot, scope: Scope): Snapshot {
    const objects = new Map<object, ObjectState>();
    for (const o of snap.objects.keys()) objects.set(o, stateOf(o));
    return { vars: new Map(scope.vars), objects };
  }

  private restore(snap: Snapshot, scope: Scope): void {
    scope.vars.clear();
    for (const [k, v] of snap.vars) scope.vars.set(k, v);
    for (const [o, st] of snap.objects) {
      if (o instanceof SequentialV && st.seq)
        Object.assign(o, {
          items: st.seq.items ? [...st.seq.items] : null,
          shape: st.seq.shape,
          inputShape: st.seq.inputShape,
          reason: st.seq.reason,
        });
      else if (o instanceof ListV) o.items = st.list ? [...st.list] : null;
      else if (o instanceof DictV) o.entries = st.dict ? new Map(st.dict) : null;
    }
  }

  private joinSnapshots(before: Snapshot, a: Snapshot, b: Snapshot, reason: string): Snapshot {
    const vars = new Map<string, Value>();
    for (const k of new Set([...a.vars.keys(), ...b.vars.keys()])) {
      const va = a.vars.get(k);
      const vb = b.vars.get(k);
      // Set in one branch only and not before: using it later means that branch ran.
      if (va === undefined || vb === undefined) vars.set(k, before.vars.has(k) ? new Unknown(reason) : (va ?? vb)!);
      else vars.set(k, this.join(va, vb, reason));
    }
    const objects = new Map<object, ObjectState>();
    for (const [o] of before.objects) {
      const sa = a.objects.get(o)!;
      const sb = b.objects.get(o)!;
      if (sa.seq && sb.seq) {
        const same =
          sa.seq.items &&
          sb.seq.items &&
          sa.seq.items.length === sb.seq.items.length &&
          sa.seq.items.every((x, i) => x === sb.seq!.items![i]);
        const shape = sa.seq.shape === undefined && sb.seq.shape === undefined ? undefined : joinShapes(sa.seq.shape, sb.seq.shape);
        objects.set(o, {
          seq: {
            items: same ? sa.seq.items : null,
            shape,
            inputShape: sa.seq.inputShape === sb.seq.inputShape ? sa.seq.inputShape : joinShapes(sa.seq.inputShape, sb.seq.inputShape),
            reason,
          },
        });
      } else if (sa.list !== undefined) {
        const same = sa.list && sb.list && sa.list.length === sb.list.length;
        objects.set(o, { list: same ? sa.list!.map((x, i) => this.join(x, sb.list![i], reason)) : null });
      } else {
        const same = sa.dict && sb.dict && sa.dict.size === sb.dict.size && [...sa.dict].every(([k, x]) => sb.dict!.get(k) === x);
        objects.set(o, { dict: same ? sa.dict : null });
      }
    }
    return { vars, objects };
  }

  private join(a: Value, b: Value, reason: string): Value {
    if (a === b || literalEqual(a, b)) return a;
    if (a instanceof TensorV && b instanceof TensorV) {
      const graph = this.merge(a.graph, b.graph);
      const shape = joinShapes(a.shape, b.shape);
      return new TensorV(shape, graph, undefined, shape && a.shape && shapesEqual(shape, a.shape) ? undefined : reason);
    }
    if (a instanceof ListV && b instanceof ListV && a.items && b.items && a.items.length === b.items.length)
      return new ListV(
        a.items.map((x, i) => this.join(x, b.items![i], reason)),
        a.tuple,
      );
    return new Unknown(reason);
  }

  // ---- expressions -----------------------------------------------------------------------------

  protected eval(e: Expr, scope: Scope): Value {
    switch (e.kind) {
      case 'num':
        return Number.isFinite(e.value) ? e.value : new Unknown('a number the analyser does not read');
      case 'str':
        return e.value;
      case 'name': {
        if (e.value === 'True') return true;
        if (e.value === 'False') return false;
        if (e.value === 'None') return null;
        const v = scope.lookup(e.value);
        if (v !== undefined) return v;
        if (BUILTINS.has(e.value)) return new BuiltinV(e.value);
        return new ExternalV([e.value]);
      }
      case 'attr':
        return this.attribute(this.eval(e.obj, scope), e.name);
      case 'call':
        return this.evalCall(e, scope);
      case 'list': {
        const items: Value[] = [];
        for (const i of e.items) {
          if (i.kind === 'star') {
            const v = this.eval(i.arg, scope);
            const expanded = this.iterate(v);
            if (!Array.isArray(expanded)) return new ListV(null, true, expanded.reason);
            items.push(...expanded);
          } else items.push(this.eval(i, scope));
        }
        return new ListV(items, e.tuple === true);
      }
      case 'obj': {
        const m = new Map<string, Value>();
        for (const p of e.props) m.set(p.key, this.eval(p.value, scope));
        return new DictV(m);
      }
      case 'bin':
        return this.binary(e.op, this.eval(e.left, scope), this.eval(e.right, scope));
      case 'neg': {
        const v = this.eval(e.arg, scope);
        return typeof v === 'number' ? -v : this.unknownFrom(v, 'a negated value');
      }
      case 'sub':
        return this.subscript(this.eval(e.obj, scope), e.index, scope);
      case 'cmp':
        return this.compare(e.op, this.eval(e.left, scope), this.eval(e.right, scope));
      case 'bool': {
        const l = this.eval(e.left, scope);
        const t = this.truth(l);
        if (t === undefined) {
          const r = this.eval(e.right, scope);
          return this.truth(r) === (e.op === 'or') ? r : this.unknownFrom(l, 'a condition');
        }
        if (e.op === 'and') return t ? this.eval(e.right, scope) : l;
        return t ? l : this.eval(e.right, scope);
      }
      case 'not': {
        const t = this.truth(this.eval(e.arg, scope));
        return t === undefined ? new Unknown('a condition known only at run time') : !t;
      }
      case 'cond': {
        const t = this.truth(this.eval(e.test, scope));
        if (t === true) return this.eval(e.then, scope);
        if (t === false) return this.eval(e.orelse, scope);
        return this.join(this.eval(e.then, scope), this.eval(e.orelse, scope), `depends on ${describeExpr(e.test)}`);
      }
      default:
        return new Unknown('an expression the analyser does not read');
    }
  }

  protected unknownFrom(v: Value, what: string): Unknown {
    return new Unknown(unknownReason(v) ?? `${what} known only at run time`);
  }

  protected truth(v: Value): boolean | undefined {
    if (v === null) return false;
    if (typeof v === 'boolean') return v;
    if (typeof v === 'number') return v !== 0;
    if (typeof v === 'string') return v.length > 0;
    if (v instanceof ListV) return v.items ? v.items.length > 0 : undefined;
    if (v instanceof DictV) return v.entries ? v.entries.size > 0 : undefined;
    if (v instanceof FuncV || v instanceof LayerV || v instanceof SequentialV || v instanceof ModelV || v instanceof TensorV) return true;
    return undefined;
  }

  protected binary(op: string, l: Value, r: Value): Value {
    if (typeof l === 'number' && typeof r === 'number') {
      switch (op) {
        case '+':
          return l + r;
        case '-':
          return l - r;
        case '*':
          return l * r;
        case '/':
          return r === 0 ? new Unknown('a division by zero') : l / r;
        case '//':
          return r === 0 ? new Unknown('a division by zero') : Math.floor(l / r);
        case '%':
          return r === 0 ? new Unknown('a division by zero') : ((l % r) + r) % r;
        case '**':
          return l ** r;
      }
    }
    if (typeof l === 'boolean' || typeof r === 'boolean')
      return this.binary(op, typeof l === 'boolean' ? Number(l) : l, typeof r === 'boolean' ? Number(r) : r);
    if (op === '+' && typeof l === 'string' && typeof r === 'string') return l + r;
    if (l instanceof ListV && r instanceof ListV && op === '+')
      return l.items && r.items ? new ListV([...l.items, ...r.items], l.tuple) : new ListV(null, l.tuple, l.items ? r.reason : l.reason);
    if (op === '*' && l instanceof ListV && typeof r === 'number' && Number.isInteger(r) && r >= 0 && r <= MAX_UNROLL)
      return l.items ? new ListV(Array.from({ length: r }, () => l.items!).flat(), l.tuple) : l;
    if (l instanceof TensorV || r instanceof TensorV) return this.tensorArithmetic(op, l, r);
    return new Unknown(unknownReason(l) ?? unknownReason(r) ?? `a value (${op}) known only at run time`);
  }

  /**
   * `x + y`, `x * 0.5`, … on tensors: element-wise, so two tensors of the same shape, or a tensor
   * and a number, keep the shape. Broadcasting between different shapes is not followed.
   */
  private tensorArithmetic(op: string, l: Value, r: Value): Value {
    const unfollowed = new Unknown(`a tensor operation (${op}) the analyser does not follow`);
    if (!['+', '-', '*', '/'].includes(op)) return unfollowed;
    if (l instanceof TensorV && r instanceof TensorV) {
      const graph = this.merge(l.graph, r.graph);
      if (l.shape && r.shape && shapesEqual(l.shape, r.shape) && l.shape.every((d) => d !== null)) return new TensorV(l.shape, graph);
      return new TensorV(
        null,
        graph,
        undefined,
        l.shape && r.shape
          ? `${op} of tensors of different shapes (broadcasting is not followed)`
          : (l.reason ?? r.reason ?? 'a tensor whose shape is not known'),
      );
    }
    const t = (l instanceof TensorV ? l : r) as TensorV;
    const other = l instanceof TensorV ? r : l;
    if (typeof other === 'number') return new TensorV(t.shape, t.graph, undefined, t.reason);
    return unfollowed;
  }

  protected compare(op: string, l: Value, r: Value): Value {
    if (op === 'is' || op === 'is not') {
      if (r === null || l === null) {
        const other = r === null ? l : r;
        if (other instanceof Unknown || other instanceof BoundMethod || other instanceof ExternalV)
          return new Unknown(other instanceof Unknown ? other.reason : 'a comparison known only at run time');
        return op === 'is' ? other === null : other !== null;
      }
      return new Unknown('an identity test known only at run time');
    }
    if (op === 'in' || op === 'not in') {
      const lit = toLiteral(l);
      let found: boolean | undefined;
      if (typeof r === 'string' && typeof l === 'string') found = r.includes(l);
      else if (r instanceof ListV && r.items && lit !== undefined) {
        if (r.items.some((i) => literalEqual(i, l))) found = true;
        else if (r.items.every((i) => toLiteral(i) !== undefined)) found = false;
      } else if (r instanceof DictV && r.entries && typeof l === 'string') found = r.entries.has(l);
      if (found === undefined) return new Unknown(unknownReason(l) ?? unknownReason(r) ?? 'a membership test known only at run time');
      return op === 'in' ? found : !found;
    }
    const a = toLiteral(l);
    const b = toLiteral(r);
    if (a === undefined || b === undefined)
      return new Unknown(unknownReason(l) ?? unknownReason(r) ?? 'a comparison known only at run time');
    if (op === '==') return JSON.stringify(a) === JSON.stringify(b);
    if (op === '!=') return JSON.stringify(a) !== JSON.stringify(b);
    if (typeof a === 'number' && typeof b === 'number') return op === '<' ? a < b : op === '>' ? a > b : op === '<=' ? a <= b : a >= b;
    if (typeof a === 'string' && typeof b === 'string') return op === '<' ? a < b : op === '>' ? a > b : op === '<=' ? a <= b : a >= b;
    return new Unknown('a comparison the analyser does not evaluate');
  }

  private subscript(obj: Value, index: Expr, scope: Scope): Value {
    const seq = obj instanceof ListV ? obj.items : typeof obj === 'string' ? [...obj] : null;
    if (index.kind === 'slice') {
      const lo = index.lo ? this.eval(index.lo, scope) : null;
      const hi = index.hi ? this.eval(index.hi, scope) : null;
      if (seq && (lo === null || typeof lo === 'number') && (hi === null || typeof hi === 'number')) {
        const part = seq.slice(lo ?? 0, hi ?? seq.length);
        return typeof obj === 'string' ? (part as string[]).join('') : new ListV(part, (obj as ListV).tuple);
      }
      return this.unknownFrom(obj, 'a slice');
    }
    const key = this.eval(index, scope);
    if (seq && typeof key === 'number' && Number.isInteger(key)) {
      const i = key < 0 ? key + seq.length : key;
      if (i >= 0 && i < seq.length) return seq[i];
      return new Unknown(`index ${key} is out of range`);
    }
    if (obj instanceof DictV && obj.entries && typeof key === 'string')
      return obj.entries.has(key) ? obj.entries.get(key)! : new Unknown(`key '${key}' is not in the dict`);
    if (obj instanceof TensorV) return new Unknown('a slice of a tensor (not followed)');
    return new Unknown(unknownReason(obj) ?? unknownReason(key) ?? 'a subscript known only at run time');
  }

  protected attribute(obj: Value, name: string): Value {
    if (obj instanceof ExternalV) return new ExternalV([...obj.path, name]);
    if (obj instanceof TensorV && name === 'shape') return this.shapeTuple(obj);
    if (obj instanceof ModelV) {
      if (name === 'output' || name === 'outputs')
        return name === 'output' && obj.outputs.length === 1 ? obj.outputs[0] : new ListV(obj.outputs, false);
      if (name === 'input' || name === 'inputs')
        return name === 'input' && obj.inputs.length === 1 ? obj.inputs[0] : new ListV(obj.inputs, false);
    }
    if (obj instanceof Unknown) return obj;
    return new BoundMethod(obj, name);
  }

  /** `x.shape`: (None, H, W, C) with the dimensions this analysis knows. */
  private shapeTuple(t: TensorV): Value {
    if (!t.shape) return new ListV(null, true, t.reason ?? 'a tensor whose shape is not known');
    return new ListV([null, ...t.shape.map((d) => (d === null ? new Unknown('a dimension known only at run time') : d))], true);
  }

  protected iterate(v: Value): Value[] | Unknown {
    if (v instanceof ListV) return v.items ?? new Unknown(v.reason);
    if (typeof v === 'string') return [...v];
    if (v instanceof DictV) return v.entries ? [...v.entries.keys()] : new Unknown('a dict filled at run time');
    if (v instanceof Unknown) return v;
    return new Unknown(`${v instanceof TensorV ? 'a tensor' : 'a value'} the analyser cannot iterate`);
  }

  // ---- calls -----------------------------------------------------------------------------------

  private evalCall(e: CallExpr, scope: Scope): Value {
    const target = this.targetHint;
    this.targetHint = undefined;
    const callee = this.eval(e.callee, scope);
    // Sequential([...]) and model.add(...): items read with `Input(...)` as an input layer.
    if (callee instanceof ExternalV && callee.path[callee.path.length - 1] === 'Sequential') {
      const { args, kwargs } = this.args(e, scope, true);
      return this.newSequential(args, kwargs, target);
    }
    if (callee instanceof BoundMethod && callee.obj instanceof SequentialV && callee.name === 'add') {
      const item = e.args[0];
      if (item) this.seqAdd(callee.obj, this.evalSeqItem(item, scope), item.range);
      return null;
    }
    const { args, kwargs, starred } = this.args(e, scope, false);
    return this.call(callee, args, kwargs, starred, e, target);
  }

  /** An item of a Sequential: `Input(...)` there is the model's input layer, not a tensor. */
  private evalSeqItem(e: Expr, scope: Scope): Value {
    if (e.kind === 'call') {
      const callee = this.eval(e.callee, scope);
      if (callee instanceof ExternalV && callee.path[callee.path.length - 1] === 'Input') {
        const { args, kwargs, starred } = this.args(e, scope, false);
        return this.makeLayer('InputLayer', args, kwargs, starred, e);
      }
    }
    return this.eval(e, scope);
  }

  /** The items of a Sequential's list, `*more_layers` expanded where the list is known. */
  private seqItems(items: Expr[], scope: Scope): ListV {
    const out: Value[] = [];
    for (const i of items) {
      if (i.kind !== 'star') {
        out.push(this.evalSeqItem(i, scope));
        continue;
      }
      const more = this.iterate(this.eval(i.arg, scope));
      if (!Array.isArray(more)) return new ListV(null, false, more.reason);
      out.push(...more);
    }
    return new ListV(out, false);
  }

  private args(e: CallExpr, scope: Scope, seqItems: boolean): { args: Value[]; kwargs: Map<string, Value>; starred: string | null } {
    const args: Value[] = [];
    const kwargs = new Map<string, Value>();
    let starred: string | null = null;
    for (const a of e.args) {
      if (a.kind === 'star') {
        const v = this.eval(a.arg, scope);
        if (a.double) {
          if (v instanceof DictV && v.entries) for (const [k, x] of v.entries) kwargs.set(k, x);
          else starred = `**${describeExpr(a.arg)}`;
        } else {
          const items = this.iterate(v);
          if (Array.isArray(items)) args.push(...items);
          else starred = `*${describeExpr(a.arg)}`;
        }
        continue;
      }
      if (seqItems && a.kind === 'list' && args.length === 0) {
        args.push(this.seqItems(a.items, scope));
        continue;
      }
      args.push(this.eval(a, scope));
    }
    for (const k of e.kwargs) {
      if (seqItems && k.name === 'layers' && k.value.kind === 'list') kwargs.set(k.name, this.seqItems(k.value.items, scope));
      else kwargs.set(k.name, this.eval(k.value, scope));
    }
    return { args, kwargs, starred };
  }

  protected call(callee: Value, args: Value[], kwargs: Map<string, Value>, starred: string | null, e: CallExpr, target?: string): Value {
    if (callee instanceof FuncV) return this.callFunction(callee, args, kwargs, starred);
    if (callee instanceof LayerV) return this.applyLayer(callee, args[0], shift(e.range, this.base));
    if (callee instanceof SequentialV) return this.applySequential(callee, args[0]);
    if (callee instanceof ModelV) return this.applyModel(callee, args[0]);
    if (callee instanceof BoundMethod) return this.method(callee.obj, callee.name, args, kwargs);
    if (callee instanceof BuiltinV) return this.builtin(callee.name, args, kwargs);
    if (callee instanceof ExternalV) return this.external(callee.path, args, kwargs, starred, e, target);
    return new Unknown(unknownReason(callee) ?? `a call of ${describeExpr(e.callee)} the analyser does not follow`);
  }

  protected callFunction(f: FuncV, args: Value[], kwargs: Map<string, Value>, starred: string | null): Value {
    const params = new Map<string, Value>();
    let i = 0;
    for (const p of f.params) {
      if (p.star === 'star') {
        params.set(p.name, starred ? new ListV(null, true, `given as ${starred}`) : new ListV(args.slice(i), true));
        i = args.length;
      } else if (p.star === 'double') {
        const rest = new Map([...kwargs].filter(([k]) => !f.params.some((q) => q.name === k && !q.star)));
        params.set(p.name, new DictV(starred ? null : rest));
      } else if (i < args.length) params.set(p.name, args[i++]);
      else if (kwargs.has(p.name)) params.set(p.name, kwargs.get(p.name)!);
      else if (starred) params.set(p.name, new Unknown(`given through ${starred}`));
      else params.set(p.name, f.defaults.has(p.name) ? f.defaults.get(p.name)! : new Unknown(`parameter ${p.name} not given`));
    }
    return this.invoke(f, params);
  }

  protected invoke(f: FuncV, params: Map<string, Value>): Value {
    f.calls++;
    if (this.calledDuring && f.closure === this.globals) this.calledDuring.add(f.name);
    if (this.depth >= MAX_DEPTH) return new Unknown(`${f.name}() calls itself deeper than ${MAX_DEPTH} levels`);
    const scope = new Scope(f.closure);
    for (const [k, v] of params) scope.vars.set(k, v);
    const saved = { base: this.base, returns: this.returns, loop: this.loopUncertain };
    this.base = f.base;
    this.returns = null;
    this.depth++;
    try {
      const sig = this.exec(f.body, scope);
      const last: Value = sig?.kind === 'return' ? sig.value : null;
      const candidates = this.returns as Value[] | null;
      return candidates
        ? candidates.reduce((acc: Value, v: Value) => this.join(acc, v, `depends on which return of ${f.name}() runs`), last)
        : last;
    } finally {
      this.depth--;
      this.base = saved.base;
      this.returns = saved.returns;
      this.loopUncertain = saved.loop;
    }
  }

  protected builtin(name: string, args: Value[], kwargs: Map<string, Value>): Value {
    const nums = args.every((a) => typeof a === 'number') ? args : null;
    const seq = args[0] !== undefined ? this.iterate(args[0]) : null;
    switch (name) {
      case 'range': {
        if (!nums || nums.length === 0 || !nums.every(Number.isInteger))
          return new Unknown(unknownReason(args.find((a) => typeof a !== 'number') ?? null) ?? 'a range known only at run time');
        const [start, stop, step] = nums.length === 1 ? [0, nums[0], 1] : [nums[0], nums[1], nums[2] ?? 1];
        if (step === 0) return new Unknown('range() with step 0');
        const n = Math.max(0, Math.ceil((stop - start) / step));
        if (n > MAX_UNROLL) return new Unknown(`range of ${n} (more than the ${MAX_UNROLL} unrolled)`);
        return new ListV(
          Array.from({ length: n }, (_, k) => start + k * step),
          false,
        );
      }
      case 'len':
        if (typeof args[0] === 'string') return args[0].length;
        return Array.isArray(seq) ? seq.length : new Unknown(seq?.reason ?? 'a length known only at run time');
      case 'int':
        return typeof args[0] === 'number'
          ? Math.trunc(args[0])
          : typeof args[0] === 'boolean'
            ? Number(args[0])
            : this.unknownFrom(args[0] ?? null, 'int()');
      case 'float':
        return typeof args[0] === 'number' ? args[0] : this.unknownFrom(args[0] ?? null, 'float()');
      case 'bool': {
        const t = this.truth(args[0] ?? false);
        return t === undefined ? new Unknown('bool() of a value known only at run time') : t;
      }
      case 'str':
        return typeof args[0] === 'string'
          ? args[0]
          : typeof args[0] === 'number'
            ? String(args[0])
            : this.unknownFrom(args[0] ?? null, 'str()');
      case 'tuple':
      case 'list':
      case 'sorted':
      case 'reversed': {
        if (args.length === 0) return new ListV([], name === 'tuple');
        if (!Array.isArray(seq)) return new ListV(null, name === 'tuple', seq?.reason);
        if (name === 'reversed') return new ListV([...seq].reverse(), false);
        if (name === 'sorted')
          return seq.every((x) => typeof x === 'number')
            ? new ListV(
                [...seq].sort((a, b) => a - b),
                false,
              )
            : new ListV(null, false, 'sorted() of values known only at run time');
        return new ListV([...seq], name === 'tuple');
      }
      case 'enumerate': {
        if (!Array.isArray(seq)) return new ListV(null, false, seq?.reason);
        const start = typeof args[1] === 'number' ? args[1] : typeof kwargs.get('start') === 'number' ? (kwargs.get('start') as number) : 0;
        return new ListV(
          seq.map((v, k) => new ListV([start + k, v], true)),
          false,
        );
      }
      case 'zip': {
        const lists = args.map((a) => this.iterate(a));
        const bad = lists.find((l): l is Unknown => !Array.isArray(l));
        if (bad) return new ListV(null, false, bad.reason);
        const ls = lists as Value[][];
        const n = Math.min(...ls.map((l) => l.length));
        return new ListV(
          Array.from(
            { length: n },
            (_, k) =>
              new ListV(
                ls.map((l) => l[k]),
                true,
              ),
          ),
          false,
        );
      }
      case 'min':
      case 'max':
      case 'sum':
      case 'abs':
      case 'round': {
        const vals = args.length === 1 && Array.isArray(seq) ? seq : args;
        if (!vals.every((v) => typeof v === 'number')) return new Unknown(`${name}() of values known only at run time`);
        const ns = vals;
        if (name === 'min') return Math.min(...ns);
        if (name === 'max') return Math.max(...ns);
        if (name === 'sum') return ns.reduce((a, b) => a + b, 0);
        if (name === 'abs') return Math.abs(ns[0]);
        return ns.length > 1 ? Number(ns[0].toFixed(ns[1])) : Math.round(ns[0]);
      }
      case 'print':
        return null;
      case 'dict':
        return new DictV(new Map(kwargs));
      default:
        return new Unknown(`${name}() is not evaluated`);
    }
  }

  protected method(obj: Value, name: string, args: Value[], kwargs: Map<string, Value>): Value {
    if (obj instanceof ListV) {
      if (name === 'append') {
        obj.items?.push(args[0] ?? null);
        return null;
      }
      if (name === 'extend') {
        const more = this.iterate(args[0] ?? null);
        if (obj.items && Array.isArray(more)) obj.items.push(...more);
        else obj.items = null;
        return null;
      }
      if (name === 'index' || name === 'count') return new Unknown(`list.${name}() is not evaluated`);
      obj.items = null; // insert, pop, remove, sort, …: contents no longer known
      return new Unknown(`list.${name}() is not evaluated`);
    }
    if (obj instanceof DictV) {
      if (name === 'get' && typeof args[0] === 'string' && obj.entries)
        return obj.entries.has(args[0]) ? obj.entries.get(args[0])! : (args[1] ?? null);
      if (name === 'keys' && obj.entries) return new ListV([...obj.entries.keys()], false);
      if (name === 'values' && obj.entries) return new ListV([...obj.entries.values()], false);
      if (name === 'items' && obj.entries)
        return new ListV(
          [...obj.entries].map(([k, v]) => new ListV([k, v], true)),
          false,
        );
      if (name === 'copy' && obj.entries) return new DictV(new Map(obj.entries));
      if (name === 'update' || name === 'pop' || name === 'setdefault') obj.entries = null;
      return new Unknown(`dict.${name}() is not evaluated`);
    }
    if (typeof obj === 'string') {
      if (name === 'lower') return obj.toLowerCase();
      if (name === 'upper') return obj.toUpperCase();
      return new Unknown(`str.${name}() is not evaluated`);
    }
    if (obj instanceof SequentialV) {
      if (name === 'pop') {
        obj.items = null;
        obj.shape = null;
        obj.reason = 'a layer was popped';
      }
      return null; // summary(), compile(), fit(), …: no shape change
    }
    if (obj instanceof ModelV) return null;
    if (obj instanceof TensorV) return new Unknown(`a tensor method (.${name}()) the analyser does not follow`);
    void kwargs;
    return new Unknown(unknownReason(obj) ?? `.${name}() is not followed`);
  }

  protected external(
    path: string[],
    args: Value[],
    kwargs: Map<string, Value>,
    starred: string | null,
    e: CallExpr,
    target?: string,
  ): Value {
    const last = path[path.length - 1];
    const fromLayers = path.includes('layers') || path.includes('preprocessing');
    if (last === 'Input') {
      const layer = this.makeLayer('InputLayer', args, kwargs, starred, e);
      const build = this.newBuild('model', 'functional');
      const row = this.row(build, layer, [], shift(e.range, this.base), []);
      return new TensorV(row.outputShape, build, layer.spec, row.outputShape ? undefined : 'an Input whose shape is not known');
    }
    if (last === 'Model' || last === 'Functional') return this.newModel(args, kwargs, target);
    if (/^[A-Z]/.test(last) && (canonicalLayerKind(last) || fromLayers) && !path.includes('applications'))
      return this.makeLayer(last, args, kwargs, starred, e);
    if (MERGE_FUNCTIONS.has(last) && (fromLayers || path.length === 1)) {
      const layer = this.makeLayer(last[0].toUpperCase() + last.slice(1), args.slice(1), kwargs, starred, e);
      return this.applyLayer(layer, args[0], shift(e.range, this.base));
    }
    if (last === 'int_shape' && args[0] instanceof TensorV) return this.shapeTuple(args[0]);
    const known = this.kerasHelper(last, path, args, kwargs);
    if (known !== undefined) return known;
    if (path.length === 2 && path[0] === 'math' && args.length >= 1 && args.every((a) => typeof a === 'number')) {
      const [a, b] = args;
      if (last === 'ceil') return Math.ceil(a);
      if (last === 'floor') return Math.floor(a);
      if (last === 'sqrt' && a >= 0) return Math.sqrt(a);
      if (last === 'pow' && b !== undefined) return a ** b;
    }
    if (path.includes('applications')) return new Unknown(`the pretrained ${last}() (its shapes are not computed)`);
    return new Unknown(`depends on ${path.join('.')}()`);
  }

  /**
   * The few Keras helpers that keras.applications builds its input shapes with, as Keras computes
   * them (undefined: not one of them). image_data_format() is the default 'channels_last', the
   * same assumption the layer inference makes for every layer without data_format.
   */
  private kerasHelper(last: string, path: string[], args: Value[], kwargs: Map<string, Value>): Value | undefined {
    const arg = (i: number, name: string): Value | undefined => (i < args.length ? args[i] : kwargs.get(name));
    if (last === 'image_data_format' && path.includes('backend')) return 'channels_last';
    if (last === 'obtain_input_shape' && path.includes('imagenet_utils')) {
      const input = arg(0, 'input_shape') ?? null;
      const size = arg(1, 'default_size');
      const format = arg(3, 'data_format');
      const flatten = this.truth(arg(4, 'require_flatten') ?? new Unknown('require_flatten not given'));
      const weights = arg(5, 'weights') ?? null;
      const inputLit = toLiteral(input);
      if (
        typeof size !== 'number' ||
        format !== 'channels_last' ||
        flatten === undefined ||
        inputLit === undefined ||
        toLiteral(weights) === undefined
      ) {
        return new Unknown(unknownReason(input) ?? unknownReason(weights) ?? 'depends on imagenet_utils.obtain_input_shape()');
      }
      const given = Array.isArray(inputLit) && inputLit.length === 3 ? inputLit : null;
      const fallback = fromLiteral([size, size, weights !== 'imagenet' && given ? given[2] : 3]);
      if (weights === 'imagenet' && flatten) return fallback;
      if (inputLit !== null && !(Array.isArray(inputLit) && inputLit.length === 0)) return input;
      return flatten ? fallback : fromLiteral([null, null, 3]);
    }
    if (last === 'correct_pad' && path.includes('imagenet_utils')) {
      const t = arg(0, 'inputs');
      const k = toLiteral(arg(1, 'kernel_size') ?? null);
      const kernel =
        typeof k === 'number' ? [k, k] : Array.isArray(k) && k.length === 2 && k.every((d) => typeof d === 'number') ? k : null;
      if (!(t instanceof TensorV) || !t.shape || t.shape.length !== 3 || !kernel)
        return new Unknown(
          t instanceof TensorV ? (t.reason ?? 'depends on imagenet_utils.correct_pad()') : 'depends on imagenet_utils.correct_pad()',
        );
      const [h, w] = t.shape;
      const adjust = h === null || w === null ? [1, 1] : [1 - (h % 2), 1 - (w % 2)];
      const c = [Math.floor(kernel[0] / 2), Math.floor(kernel[1] / 2)];
      return fromLiteral([
        [c[0] - adjust[0], c[0]],
        [c[1] - adjust[1], c[1]],
      ]);
    }
    return undefined;
  }

  // ---- layers and models -----------------------------------------------------------------------

  protected makeLayer(className: string, args: Value[], kwargs: Map<string, Value>, starred: string | null, e: CallExpr): LayerV {
    const kind = canonicalLayerKind(className);
    const names = positionalNames(kind);
    const unresolved: string[] = [];
    const why = new Map<string, string>();
    const note = (name: string, v: Value) => {
      unresolved.push(name);
      const r = unknownReason(v);
      if (r) why.set(name, r);
    };
    // Bidirectional(LSTM(8)) / TimeDistributed(Dense(4)): the wrapped layer is a layer, not a literal
    const wraps = kind === 'Bidirectional' || kind === 'TimeDistributed';
    const wrapped = wraps ? (args[0] instanceof LayerV ? args[0] : kwargs.get('layer')) : undefined;
    const pos = args.map((v, i) => {
      if (wrapped !== undefined && v === wrapped) return null;
      const l = toLiteral(v);
      if (l === undefined) note(names[i] ?? `#${i + 1}`, v);
      return l;
    });
    const kw: Record<string, LiteralValue | undefined> = {};
    for (const [k, v] of kwargs) {
      if (wrapped !== undefined && v === wrapped) continue;
      const l = toLiteral(v);
      if (l === undefined) note(k, v);
      kw[k] = l;
    }
    const explain = (list: string[]) => list.map((n) => (why.has(n) ? `${n} (${why.get(n)})` : n)).join(', ');
    const spec = makeLayerSpec(className, kw, pos);
    if (wrapped instanceof LayerV) {
      spec.args.inner = wrapped.spec;
      // its unknown arguments make the wrapper's shape unknown too
      for (const u of wrapped.uncertain) unresolved.push(`layer ${u}`);
    } else if (wraps) note('layer', wrapped ?? new Unknown('no wrapped layer given'));
    const explicitName = spec.name !== '';
    if (!spec.name) spec.name = this.namer.next(spec.className);
    const notes: ShapeDiagnostic[] = [];
    // A required argument that is an expression known only at run time is not an error in the code.
    const missing = spec.problems.filter((p) => / is missing$/.test(p)).map((p) => p.replace(/ is missing$/, ''));
    // (with *args / **kwargs the analyser cannot expand, any of them may come through those)
    const missingGiven = missing.filter((m) => unresolved.includes(m) || starred !== null);
    if (missingGiven.length > 0) {
      spec.problems = spec.problems.filter((p) => !missingGiven.some((m) => p === `${m} is missing`));
      notes.push({ severity: 'info', message: `${spec.className}: ${explain(missingGiven)} not known before run time` });
    }
    const uncertain = unresolved
      .filter((u) => !missingGiven.includes(u) && !harmless(kind, u))
      .map((u) => (why.has(u) ? `${u} (${why.get(u)})` : u));
    if (starred) uncertain.push(starred);
    const padding = kwargs.get('padding');
    if (kind && CONV_KINDS.has(kind) && Array.isArray(spec.args.padding) && padding !== undefined) {
      const lit = toLiteral(padding);
      notes.push({
        severity: 'warning',
        message: `${spec.className}: Keras accepts only padding='same' or 'valid'; computed with explicit zero padding as asked — in Keras put ZeroPadding2D(${lit !== undefined ? JSON.stringify(lit).replace(/\[/g, '(').replace(/\]/g, ')') : 'P'}) in front`,
      });
    }
    const layer = new LayerV(spec.className, spec, uncertain, e, this.base);
    layerNotes.set(layer, { notes, explicitName });
    return layer;
  }

  protected newBuild(name: string, kind: ParsedModel['kind']): ModelBuild {
    const b: ModelBuild = { name, kind, rows: [], order: this.builds.length, names: new Map() };
    this.builds.push(b);
    return b;
  }

  protected root(m: ModelBuild): ModelBuild {
    while (m.parent) m = m.parent;
    return m;
  }

  protected merge(a: ModelBuild, b: ModelBuild): ModelBuild {
    const ra = this.root(a);
    const rb = this.root(b);
    if (ra === rb) return ra;
    const [keep, drop] = ra.order <= rb.order ? [ra, rb] : [rb, ra];
    keep.rows.push(...drop.rows);
    for (const [k, v] of drop.names) if (!keep.names.has(k)) keep.names.set(k, v);
    drop.rows = [];
    drop.parent = keep;
    return keep;
  }

  /** One application of a layer: a row with its inferred shapes. */
  protected row(
    build: ModelBuild,
    layer: LayerV,
    inputs: (Shape | null)[],
    range: SourceRange,
    reasons: string[],
    producer?: TensorV['producer'],
  ): ParsedLayer {
    if (++this.rowCount > MAX_ROWS) throw new CapReached();
    const model = this.root(build);
    const context: InferenceContext = {};
    if (producer?.kind === 'ZeroPadding2D' && producer.args.amounts && !producer.args.channelsFirst)
      context.zeroPaddingBefore = { amounts: producer.args.amounts, layerName: producer.name };
    const inf = inferLayer(layer.spec, inputs, context);
    const meta = layerNotes.get(layer);
    const diagnostics: ShapeDiagnostic[] = [...(meta?.notes ?? []), ...inf.diagnostics];
    let { outputShape, params } = inf;
    if (layer.uncertain.length > 0) {
      outputShape = null;
      params = null;
      diagnostics.push({
        severity: 'info',
        message: `${layer.spec.className}: ${layer.uncertain.join(', ')} not known before run time, so its shape is unknown`,
      });
    }
    for (const r of new Set(reasons)) diagnostics.push({ severity: 'info', message: `input shape unknown: ${r}` });
    if (meta?.explicitName) {
      const other = model.names.get(layer.spec.name);
      if (other && other !== layer)
        diagnostics.push({
          severity: 'warning',
          message: `layer name '${layer.spec.name}' is used twice; Keras would refuse to build this model`,
        });
      else model.names.set(layer.spec.name, layer);
    }
    const parsed: ParsedLayer = {
      spec: layer.spec,
      range,
      inputShape: inputs[0] ?? null,
      inputShapes: inputs,
      outputShape,
      params,
      arithmetic: inf.arithmetic,
      diagnostics,
    };
    model.rows.push(parsed);
    return parsed;
  }

  protected applyLayer(layer: LayerV, input: Value | undefined, range: SourceRange): Value {
    const values = input instanceof ListV && input.items ? input.items : [input ?? new Unknown('no input given')];
    const shapes: (Shape | null)[] = [];
    const reasons: string[] = [];
    let build: ModelBuild | undefined;
    for (const v of values) {
      if (v instanceof TensorV) {
        shapes.push(v.shape);
        if (!v.shape && v.reason) reasons.push(v.reason);
        build = build ? this.merge(build, v.graph) : this.root(v.graph);
      } else {
        shapes.push(null);
        reasons.push(
          unknownReason(v) ??
            (v instanceof SequentialV || v instanceof LayerV
              ? 'a layer or model given where a tensor belongs'
              : 'a value the analyser does not follow'),
        );
      }
    }
    // An input the analyser does not know: a graph of its own, its shapes unknown from here.
    build ??= this.newBuild('model', 'functional');
    const producer = values.length === 1 && values[0] instanceof TensorV ? values[0].producer : undefined;
    const row = this.row(build, layer, shapes, range, reasons, producer);
    return new TensorV(
      row.outputShape,
      this.root(build),
      layer.spec,
      row.outputShape ? undefined : (reasons[0] ?? `the output of ${layer.spec.name} is not known`),
    );
  }

  protected newSequential(args: Value[], kwargs: Map<string, Value>, target?: string): SequentialV {
    const nameV = kwargs.get('name');
    const seq = new SequentialV(this.newBuild(typeof nameV === 'string' ? nameV : (target ?? 'sequential'), 'sequential'));
    const list = args[0] ?? kwargs.get('layers');
    if (list instanceof ListV) {
      if (list.items) for (const item of list.items) this.seqAdd(seq, item, item instanceof LayerV ? item.call.range : undefined, true);
      else this.seqAdd(seq, new Unknown(list.reason), undefined);
    } else if (list !== undefined && list !== null) this.seqAdd(seq, list, undefined);
    return seq;
  }

  /** `model.add(item)` / an item of `Sequential([...])`. */
  private seqAdd(seq: SequentialV, item: Value, range: SourceRange | undefined, ownBase = false): void {
    if (item instanceof LayerV) {
      const at = item.call.range === range || ownBase || !range ? shift(item.call.range, item.base) : shift(range, this.base);
      seq.items?.push(item);
      if (item.spec.kind === 'InputLayer') {
        const row = this.row(seq.build, item, [], at, []);
        seq.last = item.spec;
        seq.shape = row.outputShape;
        seq.inputShape = row.outputShape;
        return;
      }
      let inputs: (Shape | null)[] = [];
      const reasons: string[] = [];
      if (seq.shape === undefined) {
        if (item.spec.args.inputShape) {
          inputs = [item.spec.args.inputShape];
          seq.inputShape = item.spec.args.inputShape;
        }
      } else {
        inputs = [seq.shape];
        if (!seq.shape && seq.reason) reasons.push(seq.reason);
      }
      seq.shape = this.row(seq.build, item, inputs, at, reasons, seq.last).outputShape;
      seq.last = item.spec;
      return;
    }
    if (item instanceof SequentialV || item instanceof ModelV) {
      seq.items?.push(item);
      seq.last = undefined;
      if (item instanceof SequentialV && item.inputShape === undefined) item.build.hidden = true;
      const own = item instanceof SequentialV ? item.inputShape : item.inputs.length === 1 ? item.inputs[0].shape : null;
      const input = seq.shape === undefined ? own : seq.shape;
      if (input === undefined) {
        seq.shape = this.applyItems([item], null, seq.build, 'the Sequential has no input shape yet');
        return;
      }
      if (seq.shape === undefined) seq.inputShape = input;
      seq.shape = this.applyItems([item], input, seq.build, seq.reason);
      return;
    }
    seq.items = null;
    seq.shape = null;
    seq.reason =
      unknownReason(item) ?? (item instanceof TensorV ? 'a tensor given where a layer belongs' : 'a layer the analyser cannot see');
  }

  /** Re-applies a Sequential's layers to an input shape, adding their rows to `into`. */
  private applyItems(items: SequentialV['items'], input: Shape | null, into: ModelBuild, reason?: string): Shape | null {
    if (!items) return null;
    let shape = input;
    let why = reason;
    let prev: LayerV | undefined;
    for (const item of items) {
      if (item instanceof LayerV) {
        if (item.spec.kind === 'InputLayer') continue;
        shape = this.row(into, item, [shape], shift(item.call.range, item.base), shape ? [] : why ? [why] : [], prev?.spec).outputShape;
        prev = item;
        continue;
      }
      prev = undefined;
      if (item instanceof SequentialV) {
        if (item.inputShape === undefined) item.build.hidden = true;
        shape = this.applyItems(item.items, shape, into, why);
        if (!item.items) why = item.reason;
      } else {
        shape = this.modelOutput(item, shape);
        if (!shape) why = 'a functional model applied to an input shape other than its own';
      }
    }
    return shape;
  }

  protected applySequential(seq: SequentialV, input: Value | undefined): Value {
    if (!(input instanceof TensorV))
      return new Unknown(unknownReason(input ?? null) ?? 'a Sequential applied to something the analyser does not follow');
    if (seq.inputShape === undefined) seq.build.hidden = true;
    const graph = this.root(input.graph);
    const out = this.applyItems(seq.items, input.shape, graph, seq.items ? input.reason : seq.reason);
    return new TensorV(
      out,
      graph,
      undefined,
      out ? undefined : (seq.reason ?? input.reason ?? `the output of ${seq.build.name} is not known`),
    );
  }

  private modelOutput(m: ModelV, input: Shape | null): Shape | null {
    if (m.inputs.length !== 1 || m.outputs.length !== 1) return null;
    const own = m.inputs[0].shape;
    return own && input && shapesEqual(own, input) ? m.outputs[0].shape : null;
  }

  protected applyModel(m: ModelV, input: Value | undefined): Value {
    if (!(input instanceof TensorV))
      return new Unknown(unknownReason(input ?? null) ?? 'a model applied to something the analyser does not follow');
    const out = this.modelOutput(m, input.shape);
    return new TensorV(
      out,
      this.root(input.graph),
      undefined,
      out ? undefined : `the model ${m.build.name} applied to an input shape other than its own`,
    );
  }

  protected newModel(args: Value[], kwargs: Map<string, Value>, target?: string): Value {
    const tensors = (v: Value | undefined): TensorV[] =>
      v instanceof TensorV
        ? [v]
        : v instanceof ListV && v.items
          ? v.items.filter((x): x is TensorV => x instanceof TensorV)
          : v instanceof DictV && v.entries
            ? [...v.entries.values()].filter((x): x is TensorV => x instanceof TensorV)
            : [];
    const inputs = tensors(kwargs.get('inputs') ?? args[0]);
    const outputs = tensors(kwargs.get('outputs') ?? args[1]);
    const nameV = kwargs.get('name');
    const name = typeof nameV === 'string' ? nameV : target;
    if (outputs.length === 0) return new Unknown('a model whose outputs the analyser does not follow');
    const build = this.root(outputs[0].graph);
    if (name) build.name = name;
    return new ModelV(build, inputs, outputs);
  }
}

interface CachedStandalone {
  base: number;
  models: { name: string; kind: ParsedModel['kind']; rows: ParsedLayer[]; hidden?: boolean }[];
  called: string[];
}
/** Standalone analyses by def statement (weak: a def whose block text changed is dropped). */
const standaloneCache = new WeakMap<object, Map<string, CachedStandalone>>();
const defIds = new WeakMap<object, number>();
let nextDefId = 0;
function defId(def: object): number {
  let id = defIds.get(def);
  if (id === undefined) defIds.set(def, (id = nextDefId++));
  return id;
}

/** Per-layer notes kept out of the LayerV value (diagnostics for every row, whether it was named). */
const layerNotes = new WeakMap<LayerV, { notes: ShapeDiagnostic[]; explicitName: boolean }>();

function stateOf(o: object): ObjectState {
  if (o instanceof SequentialV)
    return { seq: { items: o.items ? [...o.items] : null, shape: o.shape, inputShape: o.inputShape, reason: o.reason } };
  if (o instanceof ListV) return { list: o.items ? [...o.items] : null };
  const d = o as DictV;
  return { dict: d.entries ? new Map(d.entries) : null };
}

function targetNames(t: Expr, into: Set<string>): void {
  if (t.kind === 'name') into.add(t.value);
  else if (t.kind === 'list') t.items.forEach((i) => targetNames(i.kind === 'star' ? i.arg : i, into));
}

/** Names a body assigns, and names whose objects it may change (`model.add`, `xs.append`, `d[k] = …`). */
function assignedIn(body: Stmt[], names: Set<string>, receivers: Set<string>): void {
  const calls = (e: Expr): void => {
    switch (e.kind) {
      case 'call':
        if (e.callee.kind === 'attr' && e.callee.obj.kind === 'name') receivers.add(e.callee.obj.value);
        calls(e.callee);
        e.args.forEach(calls);
        e.kwargs.forEach((k) => calls(k.value));
        break;
      case 'attr':
        calls(e.obj);
        break;
      case 'list':
        e.items.forEach(calls);
        break;
      case 'bin':
      case 'cmp':
      case 'bool':
        calls(e.left);
        calls(e.right);
        break;
      case 'sub':
        calls(e.obj);
        break;
      default:
        break;
    }
  };
  for (const s of body) {
    switch (s.kind) {
      case 'assign':
        for (const t of s.targets) {
          targetNames(t, names);
          if (t.kind === 'sub' && t.obj.kind === 'name') receivers.add(t.obj.value);
        }
        calls(s.value);
        break;
      case 'augassign':
        targetNames(s.target, names);
        calls(s.value);
        break;
      case 'unpack':
        for (const p of s.props) names.add(p.target);
        calls(s.value);
        break;
      case 'expr':
        calls(s.value);
        break;
      case 'def':
      case 'class':
        names.add(s.name);
        break;
      case 'if':
        calls(s.test);
        assignedIn(s.body, names, receivers);
        assignedIn(s.orelse, names, receivers);
        break;
      case 'for':
        targetNames(s.target, names);
        assignedIn(s.body, names, receivers);
        assignedIn(s.orelse, names, receivers);
        break;
      case 'while':
        assignedIn(s.body, names, receivers);
        break;
      case 'with':
        for (const i of s.items) if (i.as) targetNames(i.as, names);
        assignedIn(s.body, names, receivers);
        break;
      case 'try':
        assignedIn(s.body, names, receivers);
        s.handlers.forEach((h) => assignedIn(h, names, receivers));
        assignedIn(s.orelse, names, receivers);
        assignedIn(s.final, names, receivers);
        break;
      default:
        break;
    }
  }
}

export { fromLiteral };
