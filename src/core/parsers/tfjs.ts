// TypeScript/JavaScript tfjs → models: `tf.sequential({layers: [...]})`, `model.add(...)`,
// `tf.layers.conv2d({...}).apply(x)` with `tf.input({shape})`, and raw ops
// (`tf.conv2d(x, filter, strides, pad)`, `tf.maxPool(x, filterSize, strides, pad)`, …) when the
// tensors' shapes are literal (`tf.zeros([1, 32, 32, 3])` assigned to a const earlier).
import { inferLayer, makeLayerSpec, type LayerSpec, type LiteralValue, type ShapeDiagnostic } from '../layers/index.ts';
import { formatShape, type Shape } from '../shape.ts';
import { LayerGraph, ModelCollector, specFromCall, type CallExpr, type ModelBuild } from './common.ts';
import { dottedName, evalLiteral, parseStatements, type Expr } from './expr.ts';
import { tokenize } from './tokenizer.ts';
import type { ParseResult } from './types.ts';

/** tfjs factory names that differ from the Keras class name once lower-cased. */
const FACTORY_ALIASES: Record<string, string> = { reLU: 'ReLU', leakyReLU: 'LeakyReLU', input: 'InputLayer' };

/** Tensor creators whose first (or second, for tensor4d) argument is the shape. */
const CREATORS: Record<string, 'first' | 'second'> = {
  zeros: 'first', ones: 'first', randomNormal: 'first', randomUniform: 'first', truncatedNormal: 'first', fill: 'first',
  randomStandardNormal: 'first', tensor4d: 'second', tensor3d: 'second', tensor: 'second', buffer: 'first',
};

/** `tf.layers.conv2d({...})`, `layers.dense({...})`, `tf.input({...})` → class name. */
function layerClassOf(call: CallExpr): string | null {
  const path = dottedName(call.callee);
  if (!path || path.length < 2) return null;
  const last = path[path.length - 1];
  const owner = path[path.length - 2];
  if (owner === 'layers' && /^[a-z]/.test(last)) {
    const alias = FACTORY_ALIASES[last];
    if (alias) return alias;
    // Every lower-case tf.layers factory is a layer: one the shape inference does not know gets a
    // row that says so (and unknown shapes after it) instead of being dropped, which fed the next
    // layer the dropped one's input.
    return last;
  }
  if (owner === 'tf' && last === 'input') return 'InputLayer';
  return null;
}

export function parseTfjs(text: string): ParseResult {
  const statements = parseStatements(tokenize(text, 'javascript'), 'javascript');
  const c = new ModelCollector();
  const consts = new Map<string, LiteralValue>();
  const sequentials = new Map<string, ModelBuild>();
  /** raw-op tensors: full shapes including the batch dimension */
  const opShapes = new Map<string, number[]>();
  let opsModel: ModelBuild | null = null;

  const argsObject = (call: CallExpr) => {
    const obj = call.args[0];
    return obj?.kind === 'obj' ? obj.props.map((p) => ({ name: p.key, value: p.value })) : [];
  };
  const makeSpec = (call: CallExpr, className: string) => specFromCall(className, [], argsObject(call), consts, c.namer);

  const graph = new LayerGraph(c, { classOf: layerClassOf, spec: makeSpec });
  const { tensors, layerVars } = graph;

  const shapeOf = (e: Expr | undefined): number[] | undefined => {
    if (!e) return undefined;
    if (e.kind === 'name') return opShapes.get(e.value);
    if (e.kind === 'call') return creatorShape(e);
    return undefined;
  };
  const creatorShape = (call: CallExpr): number[] | undefined => {
    const path = dottedName(call.callee);
    if (!path || path.length !== 2 || path[0] !== 'tf') return undefined;
    if (path[1] === 'variable') return shapeOf(call.args[0]);
    const where = CREATORS[path[1]];
    if (!where) return undefined;
    const v = evalLiteral(call.args[where === 'first' ? 0 : 1], consts);
    return Array.isArray(v) && v.every((d) => typeof d === 'number') ? (v as number[]) : undefined;
  };

  /** tf.conv2d / tf.depthwiseConv2d / tf.maxPool / tf.avgPool with literal shapes → an op "layer". */
  const rawOp = (call: CallExpr, op: string, target: string | undefined): void => {
    const x = shapeOf(call.args[0]);
    const extra: ShapeDiagnostic[] = [];
    const isPool = op === 'maxPool' || op === 'avgPool';
    const strides = evalLiteral(call.args[2] ?? { kind: 'num', value: 1, range: call.range }, consts);
    const pad = evalLiteral(call.args[3] ?? { kind: 'str', value: 'valid', range: call.range }, consts);
    const dilations = isPool ? undefined : evalLiteral(call.args[5] ?? { kind: 'num', value: 1, range: call.range }, consts);
    const kw: Record<string, LiteralValue | undefined> = { strides, padding: pad, dilation_rate: dilations, use_bias: false };
    let className: string;
    if (isPool) {
      className = op === 'maxPool' ? 'MaxPooling2D' : 'AveragePooling2D';
      kw.pool_size = evalLiteral(call.args[1], consts);
    } else {
      const f = shapeOf(call.args[1]);
      className = op === 'conv2d' ? 'Conv2D' : 'DepthwiseConv2D';
      if (f && f.length === 4) {
        kw.kernel_size = [f[0], f[1]];
        if (op === 'conv2d') kw.filters = f[3];
        else kw.depth_multiplier = f[3];
        const cin = x ? x[x.length - 1] : undefined;
        if (cin !== undefined && f[2] !== cin) extra.push({ severity: 'error', message: `${op}: the filter has ${f[2]} input channels but the input ${formatShape(x ?? null)} has ${cin}` });
      } else if (f) {
        extra.push({ severity: 'error', message: `${op}: the filter must be 4-D [filterHeight, filterWidth, inChannels, outChannels], got ${formatShape(f)}` });
      }
    }
    const hasBatch = x?.length === 4;
    if (x) kw.input_shape = hasBatch ? x.slice(1) : x;
    const spec = makeSpec0(className, kw);
    opsModel ??= c.create('tf ops', 'ops');
    c.add(opsModel, spec, [], call.range, extra);
    // Infer now so later ops can use this result's shape.
    const entry = opsModel.entries[opsModel.entries.length - 1];
    entry.noParams = true;
    if (target && x) {
      const out = inferOne(entry.spec);
      if (out && out.every((d) => d !== null)) opShapes.set(target, hasBatch ? [x[0], ...(out as number[])] : (out as number[]));
    }
  };
  const makeSpec0 = (className: string, kw: Record<string, LiteralValue | undefined>) => {
    const spec = makeLayerSpec(className, kw);
    spec.name = c.namer.next(`tf.${className}`);
    return spec;
  };

  const handleValue = (value: Expr, target: string | undefined): void => {
    if (value.kind !== 'call') {
      const lit = evalLiteral(value, consts);
      if (target && lit !== undefined) consts.set(target, lit);
      if (target && value.kind === 'name') {
        if (tensors.has(value.value)) tensors.set(target, tensors.get(value.value)!);
        if (opShapes.has(value.value)) opShapes.set(target, opShapes.get(value.value)!);
      }
      return;
    }
    const path = dottedName(value.callee);
    const last = path?.[path.length - 1];
    if (path && path.length === 2 && path[0] === 'tf' && last === 'sequential') {
      const model = c.create(target ?? 'sequential', 'sequential');
      const list = argsObject(value).find((p) => p.name === 'layers')?.value;
      if (list?.kind === 'list') for (const item of list.items) graph.addToSequential(model, item, item.range);
      if (target) sequentials.set(target, model);
      return;
    }
    if (path && path.length >= 2 && last === 'add' && value.args.length >= 1 && path[path.length - 2] !== 'tf') {
      const owner = path.slice(0, -1).join('.');
      const model = sequentials.get(owner);
      if (model) graph.addToSequential(model, value.args[0], value.range);
      return;
    }
    if (path && path.length === 2 && path[0] === 'tf' && ['conv2d', 'depthwiseConv2d', 'maxPool', 'avgPool'].includes(path[1])) {
      rawOp(value, path[1], target);
      return;
    }
    if (target) {
      const shape = creatorShape(value);
      if (shape) {
        opShapes.set(target, shape);
        return;
      }
    }
    // tf.input({shape}) starts a functional graph; const conv = tf.layers.conv2d({...}) is kept for later
    if (graph.construct(value, target)) return;
    // tf.layers.conv2d({...}).apply(x)  /  conv.apply(x)
    if (value.callee.kind === 'attr' && value.callee.name === 'apply') {
      const obj = value.callee.obj;
      const call = obj.kind === 'call' ? obj : obj.kind === 'name' ? layerVars.get(obj.value) : undefined;
      const cls = call ? layerClassOf(call) : null;
      if (call && cls) {
        const ref = graph.apply(call, cls, value.args[0], value.range);
        if (target) tensors.set(target, ref);
      }
      return;
    }
    // tf.model({inputs, outputs}) names the functional graph
    if (path && path.length === 2 && path[0] === 'tf' && last === 'model') {
      const props = argsObject(value);
      const outputs = props.find((p) => p.name === 'outputs')?.value;
      const nameProp = props.find((p) => p.name === 'name')?.value;
      graph.nameGraphOf(outputs, nameProp?.kind === 'str' ? nameProp.value : target);
    }
  };

  for (const stmt of statements) handleValue(stmt.value, stmt.target);
  return { models: c.finish() };
}

function inferOne(spec: LayerSpec): Shape | null {
  return inferLayer(spec, spec.args.inputShape ? [spec.args.inputShape] : []).outputShape;
}
