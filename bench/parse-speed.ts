// How long the editor's shape analysis takes on a large Python Keras file: tokenize + parse +
// shape inference of a generated 5,000-line file, median of several runs, against a keystroke
// budget (one 60 Hz frame = 16 ms; 100 ms = the limit for feeling instant).
// It measures what the editor does per edit: analyse the whole file (diagnostics come out of the
// same pass), list the diagnostics of the whole file (VS Code takes them all, debounced), and
// format inlay hints for the visible lines only (the provider asks for the visible range:
// VISIBLE_LINES around the edit). Each timed edit follows the text analysed just before it, as
// in the editor: a keystroke after a cold analysis, then an Enter after that keystroke.
// Run: npx tsx bench/parse-speed.ts [lines=5000] [runs=15]   (LANG=tfjs: the same models in tfjs TypeScript)
// It times the code as it ships: analysis.ts bundled by esbuild like dist/extension.js (the tsx
// loader's transform adds a name-keeping helper to every function, which costs ~15 % here).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { buildSync } from 'esbuild';
import type * as Analysis from '../src/host/language/analysis.ts';

const bundleDir = mkdtempSync(join(tmpdir(), 'cnn-lab-parse-speed-'));
const bundle = join(bundleDir, 'analysis.cjs');
buildSync({
  entryPoints: [join(__dirname, '../src/host/language/analysis.ts')],
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  outfile: bundle,
  logLevel: 'error',
});
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { analyzeDocument, clearParseCaches, diagnosticsFor, inlayHintsFor } = require(bundle) as typeof Analysis;
rmSync(bundleDir, { recursive: true, force: true });

const targetLines = Number(process.argv[2] ?? 5000);
const runs = Number(process.argv[3] ?? 15);

/** A realistic file: many small CNN builders, Sequential and functional, with comments. */
function generate(lines: number): string {
  const out: string[] = ['import tensorflow as tf', 'from tensorflow import keras', 'from tensorflow.keras import layers', ''];
  let block = 0;
  while (out.length < lines) {
    const n = block++;
    const size = 32 + (n % 8) * 16;
    if (n % 2 === 0) {
      out.push(
        `# model ${n}: a sequential stack`,
        `def build_sequential_${n}(num_classes=10):`,
        `    model = keras.Sequential([`,
        `        keras.Input(shape=(${size}, ${size}, 3)),`,
        `        layers.Conv2D(${16 + (n % 4) * 8}, (3, 3), strides=1, padding="same", activation="relu"),`,
        `        layers.BatchNormalization(),`,
        `        layers.MaxPooling2D(pool_size=2),`,
        `        layers.Conv2D(64, kernel_size=5, strides=(2, 2), padding='valid'),`,
        `        layers.DepthwiseConv2D(3, padding="same", depth_multiplier=2),`,
        `        layers.SeparableConv2D(128, 3, dilation_rate=2),`,
        `        layers.GlobalAveragePooling2D(),`,
        `        layers.Dropout(0.5),`,
        `        layers.Dense(num_classes, activation="softmax"),`,
        `    ], name="seq_${n}")`,
        `    return model`,
        '',
      );
    } else {
      out.push(
        `# model ${n}: a functional inception-like block`,
        `def build_functional_${n}():`,
        `    inputs = keras.Input(shape=(${size}, ${size + 8}, 3))`,
        `    x = layers.Conv2D(32, 3, strides=2, padding="valid")(inputs)`,
        `    a = layers.Conv2D(16, 1, padding="same")(x)`,
        `    b = layers.Conv2D(16, 3, padding="same")(x)`,
        `    c = layers.MaxPooling2D(3, strides=1, padding="same")(x)`,
        `    x = layers.Concatenate(axis=-1)([a, b, c])`,
        `    y = layers.Conv2D(64, 1)(x)`,
        `    x = layers.add([y, layers.Conv2D(64, 1)(x)])`,
        `    x = layers.Flatten()(x)`,
        `    outputs = layers.Dense(5)(x)`,
        `    return keras.Model(inputs, outputs, name="func_${n}")`,
        '',
      );
    }
  }
  return out.slice(0, lines).join('\n');
}

/** The same builders in tfjs TypeScript: tf.sequential with model.add, and tf.input/apply graphs. */
function generateTfjs(lines: number): string {
  const out: string[] = ["import * as tf from '@tensorflow/tfjs';", ''];
  let block = 0;
  while (out.length < lines) {
    const n = block++;
    const size = 32 + (n % 8) * 16;
    if (n % 2 === 0) {
      out.push(
        `// model ${n}: a sequential stack`,
        `export function buildSequential${n}(numClasses = 10): tf.Sequential {`,
        `  const model = tf.sequential({ name: 'seq_${n}' });`,
        `  model.add(tf.layers.conv2d({ inputShape: [${size}, ${size}, 3], filters: ${16 + (n % 4) * 8}, kernelSize: [3, 3], strides: 1, padding: 'same', activation: 'relu' }));`,
        `  model.add(tf.layers.batchNormalization());`,
        `  model.add(tf.layers.maxPooling2d({ poolSize: 2 }));`,
        `  model.add(tf.layers.conv2d({ filters: 64, kernelSize: 5, strides: [2, 2], padding: 'valid' }));`,
        `  model.add(tf.layers.depthwiseConv2d({ kernelSize: 3, padding: 'same', depthMultiplier: 2 }));`,
        `  model.add(tf.layers.separableConv2d({ filters: 128, kernelSize: 3, dilationRate: 2 }));`,
        `  model.add(tf.layers.globalAveragePooling2d({}));`,
        `  model.add(tf.layers.dropout({ rate: 0.5 }));`,
        `  model.add(tf.layers.dense({ units: numClasses, activation: 'softmax' }));`,
        `  return model;`,
        `}`,
        '',
      );
    } else {
      out.push(
        `// model ${n}: a functional inception-like block`,
        `export function buildFunctional${n}(): tf.LayersModel {`,
        `  const inputs = tf.input({ shape: [${size}, ${size + 8}, 3] });`,
        `  let x = tf.layers.conv2d({ filters: 32, kernelSize: 3, strides: 2, padding: 'valid' }).apply(inputs) as tf.SymbolicTensor;`,
        `  const a = tf.layers.conv2d({ filters: 16, kernelSize: 1, padding: 'same' }).apply(x) as tf.SymbolicTensor;`,
        `  const b = tf.layers.conv2d({ filters: 16, kernelSize: 3, padding: 'same' }).apply(x) as tf.SymbolicTensor;`,
        `  const c = tf.layers.maxPooling2d({ poolSize: 3, strides: 1, padding: 'same' }).apply(x) as tf.SymbolicTensor;`,
        `  x = tf.layers.concatenate({ axis: -1 }).apply([a, b, c]) as tf.SymbolicTensor;`,
        `  const y = tf.layers.conv2d({ filters: 64, kernelSize: 1 }).apply(x) as tf.SymbolicTensor;`,
        `  x = tf.layers.add().apply([y, tf.layers.conv2d({ filters: 64, kernelSize: 1 }).apply(x) as tf.SymbolicTensor]) as tf.SymbolicTensor;`,
        `  x = tf.layers.flatten().apply(x) as tf.SymbolicTensor;`,
        `  const outputs = tf.layers.dense({ units: 5 }).apply(x) as tf.SymbolicTensor;`,
        `  return tf.model({ inputs, outputs, name: 'func_${n}' });`,
        `}`,
        '',
      );
    }
  }
  return out.slice(0, lines).join('\n');
}

const tfjs = process.env.LANG === 'tfjs';
const text = tfjs ? generateTfjs(targetLines) : generate(targetLines);
if (process.env.DUMP) writeFileSync(process.env.DUMP, text);
const lineCount = text.split('\n').length;

/** `source` after keystroke `k`: one digit of one model's Dropout rate changed (a different model each time). */
const DROPOUT_RATE = tfjs ? /layers\.dropout\(\{ rate: 0\.(\d)/ : /layers\.Dropout\(0\.(\d)/;
function afterKeystroke(source: string, k: number): { text: string; line: number } {
  const lines = source.split('\n');
  const dropoutLines = lines.flatMap((l, i) => (DROPOUT_RATE.test(l) ? [i] : []));
  const i = dropoutLines[(k * 7) % dropoutLines.length];
  lines[i] = lines[i].replace(DROPOUT_RATE, (m, digit: string) => m.slice(0, -1) + String((Number(digit) % 9) + 1));
  return { text: lines.join('\n'), line: i };
}

/** `source` after pressing Enter at the end of the first function's first line: every block below moves down. */
function afterEnter(source: string): { text: string; line: number } {
  const at = source.indexOf('\n', source.indexOf(tfjs ? 'function ' : 'def ')) + 1;
  return { text: source.slice(0, at) + '\n' + source.slice(at), line: source.slice(0, at).split('\n').length - 1 };
}

/** The lines an editor window shows around an edit (the inlay hint provider's range). */
const VISIBLE_LINES = 60;

interface Timing {
  wall: number;
  cpu: number;
}
function analyse(source: string, editLine = 0): Timing & { models: number; layers: number } {
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  const analysis = analyzeDocument(source, tfjs ? 'typescript' : 'python');
  const fromLine = Math.max(0, editLine - VISIBLE_LINES / 2);
  inlayHintsFor(analysis, fromLine, fromLine + VISIBLE_LINES - 1);
  diagnosticsFor(analysis);
  const c1 = process.cpuUsage(c0);
  return {
    wall: performance.now() - t0,
    cpu: (c1.user + c1.system) / 1000,
    models: analysis.models.length,
    layers: analysis.models.reduce((s, m) => s + m.layers.length, 0),
  };
}
const median = (xs: number[]) => xs.slice().sort((a, b) => a - b)[Math.floor(xs.length / 2)];

// Warm-up: JIT the tokenizer and parser before timing.
for (let i = 0; i < 3; i++) {
  clearParseCaches();
  analyse(text);
}
// Cold: a file opened for the first time (nothing cached). Then an editing session, each edit on
// the text the one before left: a keystroke inside one model (a different one each time; the other
// models are unchanged), then an Enter near the top (every model below keeps its text but moves).
const cold: Timing[] = [];
const typing: Timing[] = [];
const enter: Timing[] = [];
let shape = { models: 0, layers: 0 };
for (let i = 0; i < runs; i++) {
  clearParseCaches();
  const c = analyse(text);
  cold.push(c);
  shape = c;
}
let current = text;
for (let i = 0; i < runs; i++) {
  const typed = afterKeystroke(current, i);
  typing.push(analyse(typed.text, typed.line));
  const entered = afterEnter(typed.text);
  enter.push(analyse(entered.text, entered.line));
  current = entered.text;
}
console.log(
  `parse + shape inference + diagnostics (whole file) + inlay hints (${VISIBLE_LINES} visible lines) of a ${lineCount}-line ${tfjs ? 'tfjs TypeScript' : 'Python Keras'} file (${(text.length / 1024).toFixed(0)} KiB, ${shape.models} models, ${shape.layers} layers), ${runs} runs, medians:`,
);
for (const [what, xs] of [
  ['first analysis (cold)     ', cold],
  ['after a keystroke         ', typing],
  ['after Enter (models move) ', enter],
] as const) {
  const wall = median(xs.map((x) => x.wall));
  const cpu = median(xs.map((x) => x.cpu));
  const verdict = (budget: number) =>
    wall <= budget ? `within (${((wall / budget) * 100).toFixed(0)}% of it)` : `OVER by ${(wall - budget).toFixed(1)} ms`;
  console.log(`  ${what}: ${wall.toFixed(1)} ms wall, ${cpu.toFixed(1)} ms CPU; 16 ms frame: ${verdict(16)}; 100 ms: ${verdict(100)}`);
}
