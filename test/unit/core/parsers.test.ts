// The source parsers on real-looking files: Keras Python (expected values checked against Keras
// 3.15's own model.summary() of the same files), tfjs TypeScript (checked against tfjs running the
// fixture itself), a layers model.json, and half-typed code at every prefix.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { parseModelJsonText, parsePythonKeras, parseSource, parseTfjs, type ParsedModel } from '../../../src/core/parsers/index.ts';
import { functionalModel, rawOps, sequentialModel } from '../../fixtures/code/tfjs_model.ts';

const fixture = (name: string) => readFileSync(join(process.cwd(), 'test', 'fixtures', 'code', name), 'utf8');
const rows = (m: ParsedModel) => m.layers.map((l) => [l.spec.className, l.outputShape, l.params?.total ?? null]);

test('Keras Sequential: list form + add(), tuples and ints, constants, both quote styles', () => {
  const { models } = parsePythonKeras(fixture('keras_sequential.py'));
  assert.equal(models.length, 1);
  const [m] = models;
  assert.equal(m.name, 'classifier');
  assert.equal(m.kind, 'sequential');
  // Keras 3.15 model.summary() of this file gives the same shapes and counts.
  assert.deepEqual(rows(m), [
    ['Conv2D', [62, 62, 32], 896],
    ['MaxPooling2D', [31, 31, 32], 0],
    ['Conv2D', [16, 16, 64], 18496],
    ['BatchNormalization', [16, 16, 64], 256],
    ['Dropout', [16, 16, 64], 0],
    ['Conv2D', [12, 14, 128], 123008],
    ['MaxPooling2D', [6, 7, 128], 0],
    ['Flatten', [5376], 0],
    ['Dense', [5], 26885],
  ]);
  assert.deepEqual(m.layers.map((l) => l.spec.name).slice(0, 3), ['conv2d', 'max_pooling2d', 'conv2d_1']);
  // Source ranges: line of each call (0-based) and the exact columns of the first.
  assert.deepEqual(
    m.layers.map((l) => l.range.start.line),
    [11, 12, 13, 14, 15, 17, 18, 19, 20],
  );
  assert.deepEqual(m.layers[0].range, { start: { line: 11, col: 4 }, end: { line: 11, col: 92 } });
  assert.deepEqual(m.layers[5].range.start, { line: 17, col: 10 }, 'inside model.add(...), the layer call itself');
});

test('Keras functional: Input(shape=), branches, layer variables, concatenate/add, Model(name=)', () => {
  const { models } = parsePythonKeras(fixture('keras_functional.py'));
  assert.equal(models.length, 1);
  const [m] = models;
  assert.equal(m.name, 'branchy');
  assert.equal(m.kind, 'functional');
  // Keras 3.15 agrees on every shape and count (it lists the shortcut after the separable conv).
  assert.deepEqual(rows(m), [
    ['InputLayer', [96, 128, 3], 0],
    ['Conv2D', [47, 63, 32], 896],
    ['ZeroPadding2D', [48, 64, 32], 0],
    ['Conv2D', [48, 64, 16], 528],
    ['Conv2D', [48, 64, 24], 6936],
    ['MaxPooling2D', [48, 64, 32], 0],
    ['Concatenate', [48, 64, 72], 0],
    ['Conv2D', [48, 64, 64], 4672],
    ['SeparableConv2D', [48, 64, 64], 5320],
    ['DepthwiseConv2D', [48, 64, 64], 640],
    ['Add', [48, 64, 64], 0],
    ['Conv2DTranspose', [96, 128, 16], 9232],
    ['Cropping2D', [92, 120, 16], 0],
    ['GlobalAveragePooling2D', [16], 0],
    ['Reshape', [4, 4, 1], 0],
    ['Flatten', [16], 0],
    ['Dense', [10], 170],
  ]);
  const concat = m.layers[6];
  assert.equal(concat.inputShapes.length, 3);
  assert.equal(m.layers[1].spec.name, 'stem');
  assert.equal(m.layers[5].range.start.line, 12, 'a stored layer applied later points at the call site');
});

test('tfjs TypeScript: sequential, functional and raw ops agree with tfjs running the same file', () => {
  const { models } = parseTfjs(fixture('tfjs_model.ts'));
  assert.deepEqual(
    models.map((m) => [m.name, m.kind]),
    [
      ['model', 'sequential'],
      ['model', 'functional'],
      ['tf ops', 'ops'],
    ],
  );
  for (const [parsed, real] of [
    [models[0], sequentialModel()],
    [models[1], functionalModel()],
  ] as const) {
    try {
      assert.equal(parsed.layers.length, real.layers.length);
      real.layers.forEach((layer, i) => {
        assert.equal(parsed.layers[i].spec.className, layer.getClassName());
        assert.deepEqual(parsed.layers[i].outputShape, (layer.outputShape as number[]).slice(1), layer.name);
        assert.equal(parsed.layers[i].params?.total, layer.countParams(), layer.name);
      });
    } finally {
      real.dispose();
    }
  }
  const ops = models[2].layers;
  const [y, pooled, averaged] = rawOps();
  assert.deepEqual(
    ops.map((l) => l.outputShape),
    [y.slice(1), pooled.slice(1), averaged.slice(1), null],
  );
  assert.equal(ops[0].arithmetic[0], 'W2 = (32 \u2212 5 + 2\u00b72)/1 + 1 = 32   (H2 likewise)');
  assert.match(ops[3].diagnostics.map((d) => d.message).join('\n'), /stride 2 does not fit: \(32 − 5 \+ 2\) = 29 is not divisible by 2/);
  assert.equal(tf.memory().numTensors, 0, 'the fixture ops were tidied');
});

test('model.json text: every layer mapped to its line, shapes from the topology', () => {
  const text = fixture('model.json');
  const { models } = parseModelJsonText(text);
  assert.equal(models.length, 1);
  const lines = text.split('\n');
  for (const layer of models[0].layers) {
    const line = lines[layer.range.start.line];
    assert.equal(
      line.slice(layer.range.start.col, layer.range.end.col),
      JSON.stringify(layer.spec.name),
      `${layer.spec.name} at its "name"`,
    );
  }
  const conv = models[0].layers.find((l) => l.spec.name === 'conv')!;
  assert.deepEqual(conv.outputShape, [32, 32, 10]);
  assert.equal(conv.arithmetic[0], 'W2 = (32 \u2212 5 + 2\u00b72)/1 + 1 = 32   (H2 likewise)', 'the ZeroPadding2D in front shows as P');
  assert.deepEqual(parseModelJsonText(text.slice(0, 500)).models, [], 'incomplete JSON: no models, no exception');
  assert.deepEqual(parseModelJsonText('{"a": 1}').models, []);
});

test('partial code while typing: every prefix of every fixture parses without throwing', () => {
  const cases = [
    ['keras_sequential.py', parsePythonKeras],
    ['keras_functional.py', parsePythonKeras],
    ['keras_problems.py', parsePythonKeras],
    ['tfjs_model.ts', parseTfjs],
  ] as const;
  for (const [name, parse] of cases) {
    const text = fixture(name);
    let layersSeen = 0;
    for (let end = 0; end <= text.length; end++) {
      const result = parse(text.slice(0, end)); // throws → the test fails with the prefix length
      layersSeen = Math.max(
        layersSeen,
        result.models.reduce((s, m) => s + m.layers.length, 0),
      );
    }
    assert.ok(layersSeen > 0, `${name}: prefixes found layers`);
  }
  // And with one character deleted anywhere (unbalanced brackets, cut names, broken strings).
  const text = fixture('keras_functional.py');
  for (let i = 0; i < text.length; i++) parsePythonKeras(text.slice(0, i) + text.slice(i + 1));
});

test('a half-typed layer call gives fewer results, and the rest of the file still works', () => {
  const text = [
    'from tensorflow.keras import layers, Sequential',
    'model = Sequential([',
    '    layers.Conv2D(8, 3, input_shape=(16, 16, 3)),',
    '    layers.Conv2D(',
    '])',
    'm2 = Sequential([layers.Dense(4, input_shape=(7,))])',
  ].join('\n');
  const { models } = parsePythonKeras(text);
  const first = models.find((m) => m.name === 'model')!;
  assert.deepEqual(first.layers[0].outputShape, [14, 14, 8]);
  const second = models.find((m) => m.name === 'm2')!;
  assert.deepEqual(second.layers[0].outputShape, [4]);
});

test('parseSource picks the parser by kind and never throws', () => {
  assert.equal(parseSource('model = Sequential([Dense(3, input_shape=(2,))])', 'python').models[0].layers[0].params?.total, 9);
  assert.deepEqual(parseSource('not json', 'model.json').models, []);
  assert.deepEqual(parseSource('', 'tfjs').models, []);
});

test('type annotations on assignments are skipped in both languages; a bare annotation binds nothing', () => {
  const ts = [
    'let pending: tf.LayersModel;',
    'const size: number = 16;',
    'const model: tf.Sequential = tf.sequential({ layers: [tf.layers.conv2d({ inputShape: [size, size, 3], filters: 4, kernelSize: 3 })] });',
  ].join('\n');
  const [tsModel] = parseTfjs(ts).models;
  assert.deepEqual([tsModel.name, tsModel.layers[0].outputShape], ['model', [14, 14, 4]]);
  const py = [
    'size: int = 16',
    'shape: tuple[int, int, int] = (size, size, 3)',
    'model: keras.Sequential = Sequential([layers.Conv2D(4, 3, input_shape=shape)])',
  ].join('\n');
  const [pyModel] = parsePythonKeras(py).models;
  assert.deepEqual([pyModel.name, pyModel.layers[0].outputShape], ['model', [14, 14, 4]]);
});
