// The values the Python interpreter (pythonInterpreter.ts) computes with. Anything it cannot know
// before run time is an Unknown that carries the reason, so a hint can say why it does not know
// instead of guessing. Shapes flow eagerly: a TensorV knows its shape (or null) when it is made.
import type { LayerSpec, LiteralValue } from '../layers/index.ts';
import type { Shape } from '../shape.ts';
import type { CallExpr } from './common.ts';
import type { Param, Stmt } from './pythonSyntax.ts';
import type { ParsedLayer, ParsedModel } from './types.ts';

export class Unknown {
  constructor(readonly reason: string) {}
}

/** A list or tuple; `items` null when its contents are not known (appended to in a loop, …). */
export class ListV {
  constructor(
    public items: Value[] | null,
    readonly tuple = false,
    readonly reason = 'a list filled at run time',
  ) {}
}

export class DictV {
  constructor(public entries: Map<string, Value> | null) {}
}

/** A name the file does not define: a module, or something imported from one (`layers.Conv2D`). */
export class ExternalV {
  constructor(readonly path: string[]) {}
}

export class FuncV {
  calls = 0;
  constructor(
    readonly name: string,
    readonly params: Param[],
    readonly defaults: Map<string, Value>,
    readonly body: Stmt[],
    readonly closure: Scope,
    /** line offset of the block the def is in (its syntax tree is cached with block-relative lines) */
    readonly base: number,
    readonly calledNames: Set<string>,
    /** the def statement (its identity is stable while the block's text is: a cache key) */
    readonly def: Extract<Stmt, { kind: 'def' }>,
  ) {}
}

export class BuiltinV {
  constructor(readonly name: string) {}
}

export class BoundMethod {
  constructor(
    readonly obj: Value,
    readonly name: string,
  ) {}
}

/** A layer constructed, not yet applied: Keras names it here, each application is a row. */
export class LayerV {
  constructor(
    readonly className: string,
    readonly spec: LayerSpec,
    /** arguments not known before run time that change its shape or parameters */
    readonly uncertain: string[],
    readonly call: CallExpr,
    readonly base: number,
  ) {}
}

/** A model under construction: rows, and (functional) union-find parent after a merge. */
export interface ModelBuild {
  name: string;
  kind: ParsedModel['kind'];
  rows: ParsedLayer[];
  parent?: ModelBuild;
  order: number;
  /** explicit layer names in the model, to warn about duplicates (Keras refuses them) */
  names: Map<string, LayerV>;
  /** a Sequential without an input shape of its own, applied inside another model: not listed */
  hidden?: boolean;
  /** made while analysing a function no code calls (ParsedModel.uncalled) */
  uncalled?: string;
}

export class TensorV {
  constructor(
    readonly shape: Shape | null,
    readonly graph: ModelBuild,
    /** the layer that made it (a ZeroPadding2D in front of a conv shows in the arithmetic) */
    readonly producer?: LayerSpec,
    /** why the shape is unknown */
    readonly reason?: string,
  ) {}
}

export type SeqItem = LayerV | SequentialV | ModelV;

export class SequentialV {
  /** layers in order; null when one was not known (then re-applying it gives unknown) */
  items: SeqItem[] | null = [];
  /** the output shape so far; undefined before anything (no input shape yet) */
  shape: Shape | null | undefined = undefined;
  /** its own input shape (Input / input_shape= on the first layer) */
  inputShape: Shape | null | undefined = undefined;
  reason?: string;
  /** the last layer added (a ZeroPadding2D in front of a conv shows in the arithmetic) */
  last?: LayerSpec;
  constructor(readonly build: ModelBuild) {}
}

export class ModelV {
  constructor(
    readonly build: ModelBuild,
    readonly inputs: TensorV[],
    readonly outputs: TensorV[],
  ) {}
}

export type Value =
  | number
  | string
  | boolean
  | null
  | Unknown
  | ListV
  | DictV
  | ExternalV
  | FuncV
  | BuiltinV
  | BoundMethod
  | LayerV
  | TensorV
  | SequentialV
  | ModelV;

export class Scope {
  readonly vars = new Map<string, Value>();
  /** names declared `global` / `nonlocal` here: assignments go to the scope that has them */
  outer?: Set<string>;
  constructor(readonly parent?: Scope) {}
  /** The scope an assignment to `name` binds in. */
  owner(name: string): Scope {
    if (!this.outer?.has(name)) return this;
    for (let s = this.parent; s; s = s.parent) if (s.vars.has(name) || !s.parent) return s;
    return this;
  }
  lookup(name: string): Value | undefined {
    // eslint-disable-next-line @typescript-eslint/no-this-alias -- a cursor walking up the scope chain, not an alias
    for (let s: Scope | undefined = this; s; s = s.parent) {
      const v = s.vars.get(name);
      if (v !== undefined) return v;
    }
    return undefined;
  }
}

/** The JSON-like literal of a value (layer arguments); undefined when any part is not known. */
export function toLiteral(v: Value): LiteralValue | undefined {
  if (v === null || typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean') return v;
  if (v instanceof ListV) {
    if (!v.items) return undefined;
    const out: LiteralValue[] = [];
    for (const i of v.items) {
      const l = toLiteral(i);
      if (l === undefined) return undefined;
      out.push(l);
    }
    return out;
  }
  if (v instanceof DictV) {
    if (!v.entries) return undefined;
    const out: { [k: string]: LiteralValue } = {};
    for (const [k, x] of v.entries) {
      const l = toLiteral(x);
      if (l === undefined) return undefined;
      out[k] = l;
    }
    return out;
  }
  return undefined;
}

export function fromLiteral(v: LiteralValue): Value {
  if (Array.isArray(v)) return new ListV(v.map(fromLiteral), true);
  if (v !== null && typeof v === 'object') return new DictV(new Map(Object.entries(v).map(([k, x]) => [k, fromLiteral(x)])));
  return v;
}

/** Why a value is not known, if it is not. */
export function unknownReason(v: Value): string | undefined {
  if (v instanceof Unknown) return v.reason;
  if (v instanceof ListV && !v.items) return v.reason;
  if (v instanceof ListV)
    for (const i of v.items!) {
      const r = unknownReason(i);
      if (r) return r;
    }
  return undefined;
}

/** Dimension by dimension: equal stays, different becomes unknown; different ranks: unknown. */
export function joinShapes(a: Shape | null | undefined, b: Shape | null | undefined): Shape | null {
  if (!a || !b || a.length !== b.length) return null;
  return a.map((d, i) => (d === b[i] ? d : null));
}

export function literalEqual(a: Value, b: Value): boolean {
  if (a === b) return true;
  const la = toLiteral(a);
  const lb = toLiteral(b);
  return la !== undefined && lb !== undefined && JSON.stringify(la) === JSON.stringify(lb);
}
