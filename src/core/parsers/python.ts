// Python Keras → models: `Sequential([...])`, `model.add(...)`, functional `x = Conv2D(...)(x)`
// with `Input(shape=...)`, merge layers (`Concatenate()([a, b])`, `layers.add([a, b])`), layers
// kept in variables (`conv = Conv2D(...)`; `x = conv(x)`), and simple constants (`IMG = 32`).
// Statements are read in order, ignoring indentation inside a block: a builder function is read
// like a script. Each top-level `def` / `class` is a scope of its own, as in Python: it sees the
// module constants defined above it, and nothing it defines leaks out. That makes a block's models
// a function of its text and those constants, so re-analysing a large file while the user types
// re-parses only the block being edited (the cache below).
import { canonicalLayerKind, type LiteralValue } from '../layers.ts';
import { LayerGraph, ModelCollector, specFromCall, type CallExpr, type ModelBuild } from './common.ts';
import { dottedName, evalLiteral, parseStatements, type Expr, type SourceRange, type Statement } from './expr.ts';
import { splitPythonBlocks, type PythonBlock } from './pythonBlocks.ts';
import { tokenize } from './tokenizer.ts';
import type { ParsedModel, ParseResult } from './types.ts';

const MERGE_FUNCTIONS = new Set(['concatenate', 'add', 'subtract', 'multiply', 'average', 'maximum', 'minimum']);
const CONV_CLASSES = new Set(['Conv2D', 'DepthwiseConv2D', 'SeparableConv2D', 'Conv2DTranspose', 'MaxPooling2D', 'AveragePooling2D']);

/** A layer constructor call (`layers.Conv2D(...)`, `Conv2D(...)`), not yet applied. */
function layerClassOf(call: CallExpr): string | null {
  const path = dottedName(call.callee);
  if (!path) return null;
  const last = path[path.length - 1];
  // Keras layer classes are capitalised; `model.add` / `np.add` are not layers.
  if (!/^[A-Z]/.test(last) || !canonicalLayerKind(last)) return null;
  return last;
}

/** One Python scope (the module, or a top-level block): reads statements, then yields its models. */
interface Scope {
  read(stmt: Statement): void;
  finish(): ParsedModel[];
}

function pythonScope(consts: Map<string, LiteralValue>): Scope {
  const c = new ModelCollector();
  const sequentials = new Map<string, ModelBuild>();

  const makeSpec = (call: CallExpr, className: string) => {
    const { spec, extra } = specFromCall(className, call.args, call.kwargs, consts, c.namer);
    const padding = call.kwargs.find((k) => k.name === 'padding');
    if (padding && CONV_CLASSES.has(spec.className) && Array.isArray(spec.args.padding)) {
      extra.push({ severity: 'warning', message: `${spec.className}: Keras accepts only padding='same' or 'valid'; computed with explicit zero padding as asked — in Keras put ZeroPadding2D(${evalLiteral(padding.value, consts) !== undefined ? JSON.stringify(evalLiteral(padding.value, consts)).replace(/\[/g, '(').replace(/\]/g, ')') : 'P'}) in front` });
    }
    return { spec, extra };
  };

  const graph = new LayerGraph(c, { classOf: layerClassOf, spec: makeSpec });
  const { tensors, layerVars } = graph;

  const newSequential = (call: CallExpr, target: string | undefined): ModelBuild => {
    const nameArg = call.kwargs.find((k) => k.name === 'name');
    const name = nameArg?.value.t === 'str' ? nameArg.value.v : target ?? 'sequential';
    const model = c.create(name, 'sequential');
    const list = call.args[0] ?? call.kwargs.find((k) => k.name === 'layers')?.value;
    if (list?.t === 'list') for (const item of list.items) graph.addToSequential(model, item, item.r);
    return model;
  };

  const handleValue = (value: Expr, target: string | undefined): void => {
    if (value.t !== 'call') {
      const lit = evalLiteral(value, consts);
      if (target && lit !== undefined) consts.set(target, lit);
      if (target && value.t === 'name' && tensors.has(value.v)) tensors.set(target, tensors.get(value.v)!);
      return;
    }
    const path = dottedName(value.callee);
    const last = path?.[path.length - 1];
    // Sequential([...]) / Sequential()
    if (last === 'Sequential') {
      const model = newSequential(value, target);
      if (target) sequentials.set(target, model);
      return;
    }
    // model.add(layer)
    if (path && path.length >= 2 && last === 'add' && value.callee.t === 'attr' && value.args.length >= 1 && !path.includes('layers')) {
      const owner = path.slice(0, -1).join('.');
      let model = sequentials.get(owner);
      if (!model) {
        model = c.create(owner, 'sequential');
        sequentials.set(owner, model);
      }
      graph.addToSequential(model, value.args[0], value.r);
      return;
    }
    // Input(shape=...) starts a functional graph; conv = Conv2D(...) is kept for later
    if (graph.construct(value, target)) return;
    // Layer(...)(x)
    if (value.callee.t === 'call') {
      const inner = layerClassOf(value.callee);
      if (inner) {
        const ref = graph.apply(value.callee, inner, value.args[0], value.r);
        if (ref && target) tensors.set(target, ref);
        return;
      }
    }
    // conv(x) with conv = Conv2D(...)
    if (value.callee.t === 'name' && layerVars.has(value.callee.v)) {
      const stored = layerVars.get(value.callee.v)!;
      const ref = graph.apply(stored, layerClassOf(stored)!, value.args[0], value.r);
      if (ref && target) tensors.set(target, ref);
      return;
    }
    // layers.concatenate([a, b], axis=...) and friends
    if (last && MERGE_FUNCTIONS.has(last) && value.args[0]?.t === 'list' && (path!.length === 1 || path!.includes('layers'))) {
      const className = last[0].toUpperCase() + last.slice(1);
      const call: CallExpr = { ...value, args: value.args.slice(1) };
      const ref = graph.apply(call, className, value.args[0], value.r);
      if (ref && target) tensors.set(target, ref);
      return;
    }
    // keras.Model(inputs, outputs, name=...) names the functional graph
    if (last === 'Model' || last === 'Functional') {
      const outputs = value.kwargs.find((k) => k.name === 'outputs')?.value ?? value.args[1];
      const nameArg = value.kwargs.find((k) => k.name === 'name')?.value;
      graph.nameGraphOf(outputs, nameArg?.t === 'str' ? nameArg.v : target);
    }
  };

  return { read: (stmt) => handleValue(stmt.value, stmt.target), finish: () => c.finish() };
}

const statementsOf = (text: string, firstLine = 0) => parseStatements(tokenize(text, 'python', firstLine), 'python');

/** A block's models, cached by the block's text and the module constants it sees. */
interface CachedBlock {
  startLine: number;
  models: ParsedModel[];
}
const BLOCK_CACHE_SIZE = 2000;
const blockCache = new Map<string, CachedBlock>();

/** Forgets every cached block (benchmarks measure a cold first analysis with it). */
export function clearPythonBlockCache(): void {
  blockCache.clear();
}

const shiftRange = (r: SourceRange, by: number): SourceRange => ({ start: { line: r.start.line + by, col: r.start.col }, end: { line: r.end.line + by, col: r.end.col } });

function blockModels(block: PythonBlock, consts: Map<string, LiteralValue>, constsKey: string): ParsedModel[] {
  const key = `${constsKey}\u0000${block.text}`;
  const hit = blockCache.get(key);
  if (hit) {
    blockCache.delete(key); // re-insert below: the Map's order is the recency order
    if (hit.startLine !== block.startLine) {
      // The same block moved (lines added or removed above it): only its ranges change.
      const by = block.startLine - hit.startLine;
      hit.models = hit.models.map((m) => ({ ...m, layers: m.layers.map((l) => ({ ...l, range: shiftRange(l.range, by) })) }));
      hit.startLine = block.startLine;
    }
    blockCache.set(key, hit);
    return hit.models;
  }
  const scope = pythonScope(new Map(consts));
  for (const stmt of statementsOf(block.text, block.startLine)) scope.read(stmt);
  const models = scope.finish();
  if (blockCache.size >= BLOCK_CACHE_SIZE) blockCache.delete(blockCache.keys().next().value as string);
  blockCache.set(key, { startLine: block.startLine, models });
  return models;
}

export function parsePythonKeras(text: string): ParseResult {
  const { blocks, moduleText } = splitPythonBlocks(text);
  const consts = new Map<string, LiteralValue>();
  const module = pythonScope(consts);
  const moduleStatements = statementsOf(moduleText);
  const fromBlocks: ParsedModel[] = [];
  let next = 0;
  let constsKey = '';
  let keyAt = -1; // how many module statements constsKey reflects
  for (const block of blocks) {
    // Module code above the block runs first: the block sees the constants it defined.
    while (next < moduleStatements.length && moduleStatements[next].value.r.start.line < block.startLine) module.read(moduleStatements[next++]);
    if (keyAt !== next) {
      constsKey = JSON.stringify([...consts]);
      keyAt = next;
    }
    fromBlocks.push(...blockModels(block, consts, constsKey));
  }
  while (next < moduleStatements.length) module.read(moduleStatements[next++]);
  // File order: by each model's first layer (module-level models were built around the blocks).
  const firstLine = (m: ParsedModel) => m.layers[0]?.range.start.line ?? 0;
  const models = [...module.finish(), ...fromBlocks].sort((a, b) => firstLine(a) - firstLine(b));
  return { models };
}
