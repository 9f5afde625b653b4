// Shapes on real-world tfjs patterns, checked against tfjs itself: each fixture in
// test/fixtures/tfjs-shapes/ was run with real tfjs by bench/tfjs/shape-oracle.ts
// (`npx tsx bench/tfjs-shapes.ts --update`), which saved every layer's output shape and parameter
// count as FILE.tfjs.json. The expected values below are tfjs', not ours (issue 18, the tfjs half).
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { compareWithKeras, type KerasRecord } from '../../../bench/lib/kerasShapes.ts';
import { parseTfjs } from '../../../src/core/parsers/index.ts';

const dir = join(process.cwd(), 'test', 'fixtures', 'tfjs-shapes');
const SOURCE = /\.(ts|js|cjs|mjs)$/;
const files = readdirSync(dir).filter((f) => SOURCE.test(f));
const file = (name: string) => files.find((f) => f.replace(SOURCE, '') === name)!;
const source = (name: string) => readFileSync(join(dir, file(name)), 'utf8');
const records = (name: string) => JSON.parse(readFileSync(join(dir, `${name}.tfjs.json`), 'utf8')) as KerasRecord[];
const agreement = (name: string) => compareWithKeras(source(name), records(name), parseTfjs);

function allMatch(name: string): void {
  const a = agreement(name);
  assert.deepEqual(a.wrong, [], `${name}: rows that show a wrong shape as known`);
  assert.deepEqual(
    { matched: a.matched, unknown: a.unknown, missing: a.missing, unbuilt: a.unbuilt },
    { matched: a.total, unknown: 0, missing: 0, unbuilt: [] },
    name,
  );
}

test('tfjs helpers: function declarations and arrow functions with defaults and a destructured options object, a functional block helper', () =>
  allMatch('helpers'));
test('tfjs loops: for…of over literal arrays, counted for loops (up and down), forEach / map with an index, .entries() destructured', () =>
  allMatch('loops'));
test('tfjs nested Sequentials in layers: [...], a Sequential applied to a tf.input (cnn.apply(image)), a model applied inside another', () =>
  allMatch('nested'));
test('tfjs import forms: named imports, a namespace under another name', () => allMatch('named_imports'));
test("tfjs require('@tensorflow/tfjs-node'), const { layers } = tf, a factory renamed, a builder called from a callback", () =>
  allMatch('require_forms'));
test('tfjs sequence layers: embedding, masking, simpleRNN / lstm / gru, bidirectional merge modes, timeDistributed, repeatVector, permute, conv1d and 1-D pools', () =>
  allMatch('sequences'));

test('tfjs layer kinds: every one matches tfjs but conv3d, which has a row saying it is not supported and unknown shapes after it', () => {
  const a = agreement('layer_kinds');
  assert.deepEqual(a.wrong, []);
  assert.deepEqual([a.matched, a.unknown, a.missing], [a.total - 3, 3, 0]);
  const volume = parseTfjs(source('layer_kinds')).models.find((m) => m.name === 'volume')!;
  assert.match(volume.layers[0].diagnostics.map((d) => d.message).join('\n'), /Conv3D: layer not supported/);
  assert.deepEqual(
    volume.layers.map((l) => l.outputShape),
    [null, null, null],
  );
});

test('tfjs branches: a constant condition takes one path (never both chained); a run-time one keeps what both agree on', () => {
  const a = agreement('branches');
  assert.deepEqual(a.wrong, []);
  // all but the Dense after the run-time join: its shape is right, its input width is not known
  assert.deepEqual([a.matched, a.unknown, a.missing], [a.total - 1, 1, 0]);
  assert.deepEqual(a.unbuilt, [{ line: 28, cls: 'Dense', shown: '(64) 1088' }], 'the branch tfjs did not take shows what it would give');
  const models = parseTfjs(source('branches')).models;
  // mlp() and mlp(true): 784→256→128→10 and 784→256→32→10, three rows each (tfjs' counts)
  const built = models.filter((m) => m.name === 'model');
  assert.deepEqual(
    built.map((m) => m.layers.length),
    [3, 3],
  );
  assert.deepEqual(
    built.map((m) => m.layers.reduce((s, l) => s + (l.params?.total ?? 0), 0)),
    [200960 + 32896 + 1290, 200960 + 8224 + 330],
  );
  const runtime = models.find((m) => m.name === 'runtime')!;
  assert.deepEqual(
    runtime.layers.map((l) => l.outputShape),
    [[16], [64], [8], [4]],
  );
  assert.equal(runtime.layers[3].params, null);
});

test("property: on every tfjs fixture each shape shown is tfjs' or unknown", () => {
  assert.ok(files.length >= 8);
  for (const f of files) assert.deepEqual(agreement(f.replace(SOURCE, '')).wrong, [], f);
});

test("chained raw ops (x.conv2d(w, 1, 'same').maxPool(…)) have tfjs' shapes", () => {
  const text = [
    'const x = tf.zeros([2, 30, 30, 3]);',
    'const w = tf.randomNormal([3, 3, 3, 6]);',
    "const y = x.conv2d(w, 2, 'same').relu().maxPool(3, 1, 'valid');",
    "const z = tf.avgPool(y.mul(2), [2, 2], 2, 'valid').depthwiseConv2d(tf.ones([3, 3, 6, 2]), 1, 'same');",
  ].join('\n');
  const ops = parseTfjs(text).models[0];
  assert.equal(ops.kind, 'ops');
  const real = tf.tidy(() => {
    const y1 = tf.conv2d(tf.zeros<tf.Rank.R4>([2, 30, 30, 3]), tf.randomNormal<tf.Rank.R4>([3, 3, 3, 6]), 2, 'same');
    const y2 = tf.maxPool(tf.relu(y1), 3, 1, 'valid');
    const z1 = tf.avgPool(tf.mul<tf.Tensor4D>(y2, 2), [2, 2], 2, 'valid');
    const z2 = tf.depthwiseConv2d(z1, tf.ones<tf.Rank.R4>([3, 3, 6, 2]), 1, 'same');
    return [y1.shape, y2.shape, z1.shape, z2.shape].map((s) => s.slice(1));
  });
  assert.deepEqual(
    ops.layers.map((l) => l.outputShape),
    real,
  );
});

test('tfjs: an unbounded loop and recursion stop at a cap with unknown shapes, never a hang', () => {
  const text = [
    'function deep(x, n) { return deep(tf.layers.dense({units: 4}).apply(x), n + 1); }',
    'const inp = tf.input({shape: [8]});',
    'const out = deep(inp, 0);',
    'const m = tf.sequential();',
    'm.add(tf.layers.dense({units: 4, inputShape: [4]}));',
    'for (let i = 0; i < 100000; i++) m.add(tf.layers.dense({units: 4}));',
    'while (true) { m.add(tf.layers.dense({units: 2})); }',
  ].join('\n');
  const t0 = Date.now();
  const { models } = parseTfjs(text);
  assert.ok(Date.now() - t0 < 5000);
  const m = models.find((x) => x.name === 'm')!;
  assert.deepEqual(m.layers[0].outputShape, [4]);
  assert.ok(
    m.layers.slice(1).every((l) => l.diagnostics.some((d) => /loop/.test(d.message))),
    'the layers in and after the loops say why they are unknown',
  );
});

test('issue 18 defect 11: model.add in exclusive branches of a run-time condition is never one chained model', () => {
  const text = [
    "import * as tf from '@tensorflow/tfjs';",
    'export function build(big) {',
    '  const model = tf.sequential();',
    '  if (big) {',
    '    model.add(tf.layers.dense({inputShape: [784], units: 256}));',
    '  } else {',
    '    model.add(tf.layers.dense({inputShape: [784], units: 32}));',
    '  }',
    '  model.add(tf.layers.dense({units: 10}));',
    '  return model;',
    '}',
  ].join('\n');
  const real = (units: number) => {
    const m = tf.sequential({ layers: [tf.layers.dense({ inputShape: [784], units }), tf.layers.dense({ units: 10 })] });
    const counts = m.layers.map((l) => l.countParams());
    m.dispose();
    return counts;
  };
  const [big, small] = [real(256), real(32)];
  const rows = parseTfjs(text).models[0].layers;
  // each branch's row has its own count (the branch it is in), and the layer after the join has
  // tfjs' shape either way but no count: 256 or 32 inputs
  assert.deepEqual(
    rows.map((l) => l.params?.total ?? null),
    [big[0], small[0], null],
  );
  assert.deepEqual(
    rows.map((l) => l.outputShape),
    [[256], [32], [10]],
  );
});
