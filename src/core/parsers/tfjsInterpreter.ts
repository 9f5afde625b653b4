// The tfjs front end's interpreter: the Python interpreter's machinery (scopes, calls with their
// arguments bound, loops unrolled up to a cap, branch joins, Unknown with its reason) running the
// statements jsSyntax.ts makes, with JavaScript's values and the tfjs API instead of Python's and
// Keras': `tf.sequential` / `model.add`, `tf.layers.x({…})` and `.apply(x)`, `tf.input`,
// `tf.model`, Sequentials and models applied as layers, and raw ops (`tf.conv2d`, `x.maxPool(…)`)
// on tensors whose shapes are literal. As on the Python side, every shape it shows is the one
// tfjs computes or unknown.
import { formatShape, type Shape } from '../shape.ts';
import type { LiteralValue, ShapeDiagnostic } from '../layers/index.ts';
import { makeLayerSpec } from '../layers/index.ts';
import type { CallExpr } from './common.ts';
import type { Expr } from './expr.ts';
import { KEYS_BUILTIN, RANGE_BUILTIN, requiredModule } from './jsSyntax.ts';
import { PythonInterpreter, shift } from './pythonInterpreter.ts';
import {
  BoundMethod,
  BuiltinV,
  DictV,
  ExternalV,
  FuncV,
  LayerV,
  ListV,
  ModelV,
  SequentialV,
  TensorV,
  toLiteral,
  Unknown,
  unknownReason,
  type ModelBuild,
  type Scope,
  type Value,
} from './pythonValues.ts';
import { TFJS_LAYER_CLASSES, TFJS_MERGE_FACTORIES } from './tfjsLayerFactories.ts';

/** Tensor creators: where their shape argument is. */
const CREATORS: Record<string, number> = {
  zeros: 0,
  ones: 0,
  randomNormal: 0,
  randomUniform: 0,
  truncatedNormal: 0,
  fill: 0,
  randomStandardNormal: 0,
  buffer: 0,
  tensor: 1,
  tensor1d: -1,
  tensor2d: 1,
  tensor3d: 1,
  tensor4d: 1,
  tensor5d: 1,
};
const RAW_OPS = new Set(['conv2d', 'depthwiseConv2d', 'maxPool', 'avgPool']);
/** Element-wise ops of one tensor (extra arguments are scalars): the shape stays. */
const SHAPE_KEEPING = new Set([
  'relu',
  'relu6',
  'sigmoid',
  'tanh',
  'elu',
  'selu',
  'softplus',
  'leakyRelu',
  'softmax',
  'logSoftmax',
  'neg',
  'abs',
  'square',
  'sqrt',
  'exp',
  'log',
  'clone',
  'cast',
  'asType',
  'toFloat',
  'toInt',
  'round',
  'floor',
  'ceil',
  'sign',
  'step',
  'clipByValue',
  'zerosLike',
  'onesLike',
  'variable',
]);
/** Element-wise ops of two operands: a tensor and a number, or two tensors of one shape. */
const ELEMENT_WISE = new Set(['add', 'sub', 'mul', 'div', 'maximum', 'minimum', 'pow', 'squaredDifference']);
const MATH_FUNCTIONS: Record<string, (...a: number[]) => number> = {
  floor: Math.floor,
  ceil: Math.ceil,
  round: Math.round,
  trunc: Math.trunc,
  abs: Math.abs,
  sqrt: Math.sqrt,
  pow: Math.pow,
  max: Math.max,
  min: Math.min,
  log2: Math.log2,
  log: Math.log,
  exp: Math.exp,
};

export class TfjsInterpreter extends PythonInterpreter {
  private opsBuild: ModelBuild | null = null;

  // ---- JavaScript values -------------------------------------------------------------------------

  protected override eval(e: Expr, scope: Scope): Value {
    if (e.kind === 'name') {
      switch (e.value) {
        case 'true':
          return true;
        case 'false':
          return false;
        case 'null':
        case 'undefined':
          return null;
        case '$tf':
          return new ExternalV(['tf']);
        case RANGE_BUILTIN:
          return new BuiltinV('range');
      }
      const v = scope.lookup(e.value);
      // JavaScript has none of Python's builtins: an undefined name is a global of the page or a module
      return v !== undefined ? v : new ExternalV([e.value]);
    }
    if (e.kind === 'bool' && e.op === '??') {
      const l = this.eval(e.left, scope);
      if (l === null) return this.eval(e.right, scope);
      return l instanceof Unknown ? l : l;
    }
    if (e.kind === 'call' && e.callee.kind === 'name' && (e.callee.value === KEYS_BUILTIN || e.callee.value === '$module')) {
      const arg = e.args[0] ? this.eval(e.args[0], scope) : null;
      if (e.callee.value === '$module') return new ExternalV([typeof arg === 'string' ? arg : 'module']);
      if (arg instanceof ListV && arg.items)
        return new ListV(
          arg.items.map((_, i) => String(i)),
          false,
        );
      if (arg instanceof DictV && arg.entries) return new ListV([...arg.entries.keys()], false);
      return new ListV(null, false, unknownReason(arg) ?? 'the keys of a value known only at run time');
    }
    return super.eval(e, scope);
  }

  /** JavaScript truthiness: every array and object is true, whatever it holds. */
  protected override truth(v: Value): boolean | undefined {
    if (v instanceof ListV || v instanceof DictV) return true;
    if (typeof v === 'number' && Number.isNaN(v)) return false;
    return super.truth(v);
  }

  protected override binary(op: string, l: Value, r: Value): Value {
    if (
      op === '+' &&
      (typeof l === 'string' || typeof r === 'string') &&
      (typeof l === 'string' || typeof l === 'number') &&
      (typeof r === 'string' || typeof r === 'number')
    )
      return String(l) + String(r);
    if (typeof l === 'number' && typeof r === 'number' && op === '%') return r === 0 ? new Unknown('a remainder by zero') : l % r;
    if (op === '//') return new Unknown('not JavaScript');
    // arrays and tensors with + - * / are strings or NaN in JavaScript, never a tensor operation
    if (
      l instanceof ListV ||
      r instanceof ListV ||
      l instanceof DictV ||
      r instanceof DictV ||
      l instanceof TensorV ||
      r instanceof TensorV
    )
      return new Unknown(`${op} of an array, object or tensor (JavaScript converts them)`);
    return super.binary(op, l, r);
  }

  protected override attribute(obj: Value, name: string): Value {
    if (obj instanceof ListV && name === 'length') return obj.items ? obj.items.length : new Unknown(obj.reason);
    if (typeof obj === 'string' && name === 'length') return obj.length;
    if (obj instanceof DictV) {
      if (!obj.entries) return new Unknown('an object filled at run time');
      if (obj.entries.has(name)) return obj.entries.get(name)!;
      return ['hasOwnProperty', 'toString'].includes(name) ? new BoundMethod(obj, name) : null; // absent: undefined
    }
    if (obj instanceof ExternalV && obj.path.length === 1 && obj.path[0] === 'Math' && (name === 'PI' || name === 'E')) return Math[name];
    if (obj instanceof TensorV && this.isOps(obj)) {
      if (name === 'shape')
        return obj.shape ? new ListV([...obj.shape], false) : new ListV(null, false, obj.reason ?? 'a tensor whose shape is not known');
      if (name === 'rank') return obj.shape ? obj.shape.length : new Unknown(obj.reason ?? 'a tensor whose shape is not known');
    }
    if (obj instanceof TensorV && name === 'shape')
      return obj.shape ? new ListV([null, ...obj.shape], false) : new ListV(null, false, obj.reason ?? 'a tensor whose shape is not known');
    return super.attribute(obj, name);
  }

  // ---- calls ---------------------------------------------------------------------------------------

  protected override call(
    callee: Value,
    args: Value[],
    kwargs: Map<string, Value>,
    starred: string | null,
    e: CallExpr,
    target?: string,
  ): Value {
    if (callee instanceof BoundMethod && callee.name === 'apply') {
      const obj = callee.obj;
      if (obj instanceof LayerV) return this.applyLayer(obj, args[0], shift(e.range, this.base));
      if (obj instanceof SequentialV) return this.applySequential(obj, this.symbolic(args[0]));
      if (obj instanceof ModelV) return this.applyModel(obj, this.symbolic(args[0]));
    }
    // chained raw ops: x.conv2d(w, 1, 'same').maxPool(2, 2, 'valid')
    if (callee instanceof BoundMethod && callee.obj instanceof TensorV && this.isOps(callee.obj))
      return this.tensorOp(callee.name, [callee.obj, ...args], e) ?? new Unknown(`.${callee.name}() of a tensor is not followed`);
    if (callee instanceof LayerV || callee instanceof SequentialV || callee instanceof ModelV)
      return new Unknown('a tfjs layer or model is not a function (use .apply)');
    return super.call(callee, args, kwargs, starred, e, target);
  }

  protected override applyLayer(layer: LayerV, input: Value | undefined, range: CallExpr['range']): Value {
    const x =
      input instanceof ListV && input.items
        ? new ListV(
            input.items.map((i) => this.symbolic(i)),
            false,
          )
        : this.symbolic(input);
    return super.applyLayer(layer, x, range);
  }

  /** A concrete tensor given to a layer runs it eagerly: no model, and its shape has the batch. */
  private symbolic(v: Value | undefined): Value {
    if (v === undefined) return new Unknown('no input given');
    return v instanceof TensorV && this.isOps(v)
      ? new Unknown('a concrete tensor (applying a layer to one runs it, it builds no model)')
      : v;
  }

  protected override method(obj: Value, name: string, args: Value[], kwargs: Map<string, Value>): Value {
    if (obj instanceof ListV) {
      const list = this.listMethod(obj, name, args);
      if (list !== undefined) return list;
    }
    if (obj instanceof TensorV && this.isOps(obj))
      return this.tensorOp(name, [obj, ...args], undefined) ?? new Unknown(`.${name}() of a tensor is not followed`);
    if (obj instanceof SequentialV || obj instanceof ModelV) return super.method(obj, name, args, kwargs);
    if (obj instanceof TensorV) return new Unknown(`.${name}() of a symbolic tensor`);
    return super.method(obj, name, args, kwargs);
  }

  private listMethod(list: ListV, name: string, args: Value[]): Value | undefined {
    const f = args[0];
    switch (name) {
      case 'push':
        if (list.items) list.items.push(...args);
        return list.items ? list.items.length : new Unknown(list.reason);
      case 'concat': {
        const parts = args.map((a) => (a instanceof ListV ? a.items : [a]));
        if (!list.items || parts.some((p) => p === null)) return new ListV(null, false, list.reason);
        return new ListV([...list.items, ...(parts as Value[][]).flat()], false);
      }
      case 'slice': {
        const [lo, hi] = args;
        if (!list.items || (lo !== undefined && typeof lo !== 'number') || (hi !== undefined && typeof hi !== 'number'))
          return new ListV(null, false, list.reason);
        return new ListV(list.items.slice(lo, hi), false);
      }
      case 'entries':
        return list.items
          ? new ListV(
              list.items.map((v, i) => new ListV([i, v], false)),
              false,
            )
          : new ListV(null, false, list.reason);
      case 'keys':
        return list.items
          ? new ListV(
              list.items.map((_, i) => i),
              false,
            )
          : new ListV(null, false, list.reason);
      case 'map':
      case 'forEach': {
        if (!(f instanceof FuncV)) return undefined;
        if (!list.items) {
          // the callback still runs (its layers get rows), on an unknown item
          this.callFunction(f, [new Unknown(list.reason), new Unknown(list.reason)], new Map(), null);
          return name === 'map' ? new ListV(null, false, list.reason) : null;
        }
        const out = list.items.map((v, i) => this.callFunction(f, [v, i, list], new Map(), null));
        return name === 'map' ? new ListV(out, false) : null;
      }
      default:
        return undefined;
    }
  }

  /**
   * JavaScript binding: a parameter not given is undefined, or its default. (`null` stands for both
   * null and undefined here, so an explicit null where there is a default is not known.)
   */
  protected override callFunction(f: FuncV, args: Value[], kwargs: Map<string, Value>, starred: string | null): Value {
    if (starred || kwargs.size > 0) return super.callFunction(f, args, kwargs, starred);
    const params = new Map<string, Value>();
    let i = 0;
    for (const p of f.params) {
      if (p.star) {
        params.set(p.name, new ListV(args.slice(i), false));
        i = args.length;
        continue;
      }
      const v = i < args.length ? args[i] : undefined;
      i++;
      const given = v === undefined ? null : v;
      if (given === null && f.defaults.has(p.name))
        params.set(
          p.name,
          v === undefined ? f.defaults.get(p.name)! : new Unknown(`${p.name}: null or undefined (the analyser does not tell them apart)`),
        );
      else params.set(p.name, given);
    }
    return this.invoke(f, params);
  }

  protected override external(
    path: string[],
    args: Value[],
    kwargs: Map<string, Value>,
    starred: string | null,
    e: CallExpr,
    target?: string,
  ): Value {
    if (path.length === 2 && path[0] === 'Array' && path[1] === 'isArray' && args.length === 1) {
      const a = args[0];
      if (a instanceof ListV) return true;
      if (
        a === null ||
        typeof a === 'number' ||
        typeof a === 'string' ||
        typeof a === 'boolean' ||
        a instanceof DictV ||
        a instanceof LayerV ||
        a instanceof TensorV
      )
        return false;
    }
    if (path[0] === 'tf' && path.length > 1) return this.tfjs(path.slice(1), args, starred, e, target);
    if (path.length === 1 && path[0] === 'require' && typeof args[0] === 'string') return new ExternalV(requiredModule(args[0]));
    if (path.length === 2 && path[0] === 'Math' && MATH_FUNCTIONS[path[1]] && args.length > 0 && args.every((a) => typeof a === 'number'))
      return MATH_FUNCTIONS[path[1]](...args);
    if (path.length === 1 && (path[0] === 'Number' || path[0] === 'parseInt' || path[0] === 'parseFloat') && typeof args[0] === 'number')
      return path[0] === 'parseInt' ? Math.trunc(args[0]) : args[0];
    if (path[0] === 'console') return null;
    // a callback given to code the analyser does not follow (an event listener, setTimeout, …)
    // still runs once, its parameters unknown, so the models it builds get rows
    for (const a of args)
      if (a instanceof FuncV && a.calls === 0) this.callFunction(a, [], new Map(), `arguments from ${path.join('.')}()`);
    return new Unknown(`depends on ${path.join('.')}()`);
  }

  /** A tfjs options object as keyword arguments (snake_case, as the layer specs read them). */
  private options(v: Value | undefined, what: string): { kwargs: Map<string, Value>; starred: string | null } {
    const kwargs = new Map<string, Value>();
    if (v === undefined || v === null) return { kwargs, starred: null };
    if (v instanceof DictV && v.entries) {
      for (const [k, x] of v.entries) kwargs.set(k.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase(), x);
      return { kwargs, starred: null };
    }
    return { kwargs, starred: `${what} (${unknownReason(v) ?? 'an object known only at run time'})` };
  }

  private tfjs(rest: string[], args: Value[], starred: string | null, e: CallExpr, target?: string): Value {
    const [head, fn] = rest;
    if (rest.length === 1 && head === 'sequential') {
      const { kwargs, starred: s } = this.options(args[0], 'the Sequential options');
      if (s) kwargs.set('layers', new ListV(null, false, s));
      return this.newSequential([], kwargs, target);
    }
    if (rest.length === 1 && head === 'model') return this.newModel([], this.options(args[0], 'the model options').kwargs, target);
    if ((rest.length === 1 && head === 'input') || (rest.length === 2 && head === 'layers' && fn === 'input')) {
      const { kwargs, starred: s } = this.options(args[0], 'the input options');
      const layer = this.makeLayer('InputLayer', [], kwargs, s ?? starred, e);
      const build = this.newBuild('model', 'functional');
      const row = this.row(build, layer, [], shift(e.range, this.base), []);
      return new TensorV(row.outputShape, build, layer.spec, row.outputShape ? undefined : 'an input whose shape is not known');
    }
    if (rest.length === 2 && head === 'layers' && /^[a-z]/.test(fn)) {
      // every lower-case tf.layers factory makes a layer: one the inference does not know gets a
      // row saying so (and unknown shapes after it), never dropped
      const className = TFJS_LAYER_CLASSES[fn] ?? fn;
      if (TFJS_MERGE_FACTORIES.has(fn) && args[0] instanceof ListV) {
        const layer = this.makeLayer(className, [], new Map(), null, e);
        return this.applyLayer(layer, args[0], shift(e.range, this.base));
      }
      const { kwargs, starred: s } = this.options(args[0], 'the layer options');
      // tfjs' GRU has no reset_after (it computes Keras' reset_after=False); dense's inputDim is inputShape [inputDim]
      if (className === 'GRU' && !kwargs.has('reset_after')) kwargs.set('reset_after', false);
      if (className === 'Dense' && kwargs.has('input_dim') && !kwargs.has('input_shape') && !kwargs.has('batch_input_shape')) {
        const dim = kwargs.get('input_dim')!;
        kwargs.set('input_shape', new ListV([dim], false));
        kwargs.delete('input_dim');
      }
      return this.makeLayer(className, [], kwargs, s ?? starred, e);
    }
    if (rest.length === 1 && head === 'tidy') {
      const f = args.find((a): a is FuncV => a instanceof FuncV);
      return f ? this.callFunction(f, [], new Map(), null) : new Unknown('tf.tidy() of a function the analyser does not see');
    }
    if (rest.length === 1) {
      const op = this.tensorOp(head, args, e);
      if (op !== undefined) return op;
    }
    return new Unknown(`depends on tf.${rest.join('.')}()`);
  }

  // ---- raw ops on concrete tensors ---------------------------------------------------------------

  private isOps(t: TensorV): boolean {
    return this.opsBuild !== null && t.graph === this.opsBuild;
  }

  private ops(): ModelBuild {
    return (this.opsBuild ??= this.newBuild('tf ops', 'ops'));
  }

  private tensor(shape: Shape | null, reason?: string): TensorV {
    return new TensorV(shape, this.ops(), undefined, shape ? undefined : (reason ?? 'a tensor whose shape is not known'));
  }

  /** `tf.op(x, …)` / `x.op(…)` (args[0] is x): a tensor, or undefined when `op` is not a tensor op. */
  private tensorOp(op: string, args: Value[], e: CallExpr | undefined): Value | undefined {
    const x = args[0];
    const shapeOf = (v: Value | undefined): Shape | null => (v instanceof TensorV && this.isOps(v) ? v.shape : null);
    const why = (v: Value | undefined) =>
      (v instanceof TensorV ? v.reason : unknownReason(v ?? null)) ?? 'a tensor whose shape is not known';
    if (op in CREATORS) {
      const at = CREATORS[op];
      const lit = at < 0 ? null : toLiteral(args[at] ?? null);
      if (op === 'tensor1d') {
        const data = toLiteral(x ?? null);
        return this.tensor(Array.isArray(data) ? [data.length] : null);
      }
      const ok = Array.isArray(lit) && lit.every((d) => typeof d === 'number' && Number.isInteger(d) && d >= 0);
      return this.tensor(ok ? (lit as number[]) : null, `the shape of tf.${op}() is not known before run time`);
    }
    if (RAW_OPS.has(op) && e) return this.rawOp(op, args, e);
    if (RAW_OPS.has(op)) return this.tensor(null, `.${op}() chained on a tensor`);
    if (SHAPE_KEEPING.has(op)) return x instanceof TensorV ? this.tensor(shapeOf(x), why(x)) : this.tensor(null, why(x));
    if (ELEMENT_WISE.has(op)) {
      const [a, b] = args;
      const sa = shapeOf(a);
      const sb = typeof b === 'number' ? sa : shapeOf(b);
      const same = sa && sb && sa.length === sb.length && sa.every((d, i) => d === sb[i]);
      return this.tensor(
        same ? sa : null,
        sa && sb ? `${op} of tensors of different shapes (broadcasting is not followed)` : why(sa ? b : a),
      );
    }
    if (op === 'reshape') {
      const s = shapeOf(x);
      const t = toLiteral(args[1] ?? null);
      if (!s || !Array.isArray(t) || !t.every((d) => typeof d === 'number'))
        return this.tensor(null, s ? 'a reshape to a shape known only at run time' : why(x));
      const total = s.reduce((p: number, d) => p * (d ?? NaN), 1);
      const dims = t;
      const known = dims.filter((d) => d !== -1).reduce((p, d) => p * d, 1);
      const free = dims.filter((d) => d === -1).length;
      if (free > 1 || (free === 1 ? total % known !== 0 : known !== total))
        return this.tensor(null, `a reshape of ${formatShape(s)} to [${dims.join(', ')}] that tfjs rejects`);
      return this.tensor(dims.map((d) => (d === -1 ? total / known : d)));
    }
    if (op === 'flatten') {
      const s = shapeOf(x);
      return this.tensor(s ? [s.reduce((p: number, d) => p * (d ?? NaN), 1)] : null, why(x));
    }
    if (['dispose', 'print', 'data', 'dataSync', 'array', 'arraySync'].includes(op))
      return new Unknown(`the values of a tensor (.${op}())`);
    return undefined;
  }

  /** tf.conv2d / depthwiseConv2d / maxPool / avgPool: a row of the file's 'tf ops' model. */
  private rawOp(op: string, args: Value[], e: CallExpr): Value {
    const x = args[0];
    const xs = x instanceof TensorV && this.isOps(x) ? x.shape : null;
    const extra: ShapeDiagnostic[] = [];
    const uncertain: string[] = [];
    const isPool = op === 'maxPool' || op === 'avgPool';
    const lit = (i: number, name: string, fallback: LiteralValue | undefined): LiteralValue | undefined => {
      const v = args[i];
      if (v === undefined || v === null) return fallback;
      const l = toLiteral(v);
      if (l === undefined) uncertain.push(`${name} (${unknownReason(v) ?? 'known only at run time'})`);
      return l;
    };
    const kw: Record<string, LiteralValue | undefined> = {
      strides: lit(2, 'strides', 1),
      padding: lit(3, 'pad', 'valid'),
      use_bias: false,
    };
    if (!isPool) kw.dilation_rate = lit(5, 'dilations', 1);
    let className: string;
    if (isPool) {
      className = op === 'maxPool' ? 'MaxPooling2D' : 'AveragePooling2D';
      kw.pool_size = lit(1, 'filterSize', undefined);
    } else {
      const filter = args[1];
      const f = filter instanceof TensorV && this.isOps(filter) ? filter.shape : null;
      className = op === 'conv2d' ? 'Conv2D' : 'DepthwiseConv2D';
      if (f && f.length === 4 && f.every((d) => d !== null)) {
        kw.kernel_size = [f[0], f[1]];
        if (op === 'conv2d') kw.filters = f[3]!;
        else kw.depth_multiplier = f[3]!;
        const cin = xs ? xs[xs.length - 1] : null;
        if (cin !== null && f[2] !== cin)
          extra.push({
            severity: 'error',
            message: `${op}: the filter has ${f[2]} input channels but the input ${formatShape(xs)} has ${cin}`,
          });
      } else if (f) {
        extra.push({
          severity: 'error',
          message: `${op}: the filter must be 4-D [filterHeight, filterWidth, inChannels, outChannels], got ${formatShape(f)}`,
        });
      } else {
        uncertain.push(
          `the filter (${filter instanceof TensorV ? (filter.reason ?? 'its shape is not known') : (unknownReason(filter ?? null) ?? 'not a tensor the analyser follows')})`,
        );
        kw.kernel_size = 1; // not used: the shape is unknown while the filter is
        if (op === 'conv2d') kw.filters = 1;
      }
    }
    const spec = makeLayerSpec(className, kw);
    spec.name = this.namer.next(`tf.${className}`);
    const layer = new LayerV(className, spec, uncertain, e, this.base);
    const hasBatch = xs?.length === 4;
    const input = xs ? (hasBatch ? xs.slice(1) : xs) : null;
    const reasons = input
      ? []
      : [
          x instanceof TensorV
            ? (x.reason ?? 'a tensor whose shape is not known')
            : (unknownReason(x ?? null) ?? 'not a tensor the analyser follows'),
        ];
    const row = this.row(this.ops(), layer, [input], shift(e.range, this.base), reasons);
    row.params = null; // a raw op takes its filter as a tensor: no layer weights
    if (uncertain.length > 0) row.arithmetic = [];
    row.diagnostics.unshift(...extra);
    const out = row.outputShape;
    return this.tensor(
      out && xs && out.every((d) => d !== null) ? (hasBatch ? [xs[0], ...out] : out) : null,
      `the output of tf.${op}() is not known`,
    );
  }
}
