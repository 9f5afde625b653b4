// tfjs' own shapes for every layer a TypeScript/JavaScript file builds: runs the file (it must only
// build models) with real tfjs and prints JSON, one record per layer made by a tf.layers factory,
// in construction order — the same records bench/keras/shape-oracle.py makes for Keras:
//   {"line": construction line in the file, "callLines": [lines where it was applied],
//    "cls": getClassName(), "shapes": [output shape of each application, batch dimension dropped],
//    "params": countParams() or null}
// Lines are 1-based, of the innermost stack frame in the file itself (a layer made in a helper has
// the helper's line). Layers never applied (a wrapped layer, one kept for later) are left out.
// Usage: node --import tsx bench/tfjs/shape-oracle.ts FILE.(ts|js|cjs)
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import * as tf from '@tensorflow/tfjs';

const path = resolve(process.argv[2]);
interface Tracked {
  layer: tf.layers.Layer;
  line: number | null;
  calls: number[];
  shapes: (number | null)[][];
}
const records: Tracked[] = [];
const byLayer = new Map<object, Tracked>();

function fileLine(): number | null {
  for (const frame of (new Error().stack ?? '').split('\n').slice(1)) {
    const m = /\((?:file:\/\/)?(.*):(\d+):\d+\)$/.exec(frame) ?? /at (?:file:\/\/)?(.*):(\d+):\d+$/.exec(frame);
    if (m && resolve(m[1]) === path) return Number(m[2]);
  }
  return null;
}

const factories = tf.layers as unknown as Record<string, (...a: unknown[]) => unknown>;
for (const name of Object.keys(factories)) {
  if (!/^[a-z]/.test(name) || name === 'input') continue;
  const make = factories[name];
  factories[name] = (...args: unknown[]) => {
    const made = make(...args);
    if (made instanceof tf.layers.Layer) {
      const t: Tracked = { layer: made, line: fileLine(), calls: [], shapes: [] };
      records.push(t);
      byLayer.set(made, t);
    }
    return made;
  };
}
const layerProto = tf.layers.Layer.prototype as unknown as { apply: (...a: unknown[]) => unknown };
const apply = layerProto.apply;
layerProto.apply = function (this: object, ...args: unknown[]) {
  const out = apply.apply(this, args);
  const t = byLayer.get(this);
  if (t) {
    const line = fileLine();
    if (line !== null && !t.calls.includes(line)) t.calls.push(line);
    const first = Array.isArray(out) ? null : (out as { shape?: (number | null)[] }).shape;
    if (first) t.shapes.push(first.slice(1));
  }
  return out;
};

const params = (l: tf.layers.Layer): number | null => {
  try {
    return l.countParams();
  } catch {
    return null;
  }
};
async function main(): Promise<void> {
  await import(pathToFileURL(path).href);
  const out = records
    .filter((t) => t.shapes.length > 0)
    .map((t) => ({ line: t.line, callLines: t.calls, cls: t.layer.getClassName(), shapes: t.shapes, params: params(t.layer) }));
  console.log(JSON.stringify(out));
}
void main();
