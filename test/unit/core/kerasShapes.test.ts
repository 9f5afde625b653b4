// Shapes on real-world Keras patterns, checked against Keras itself: each fixture in
// test/fixtures/keras-shapes/ was run in Keras 3 by bench/keras/shape-oracle.py
// (`npx tsx bench/keras-shapes.ts --update`, bench venv), which saved every layer's output shape
// and parameter count as FILE.keras.json. The expected values below are Keras', not ours.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { compareWithKeras, type KerasRecord } from '../../../bench/lib/kerasShapes.ts';
import { parsePythonKeras } from '../../../src/core/parsers/index.ts';

const dir = join(process.cwd(), 'test', 'fixtures', 'keras-shapes');
const source = (name: string) => readFileSync(join(dir, `${name}.py`), 'utf8');
const keras = (name: string) => JSON.parse(readFileSync(join(dir, `${name}.keras.json`), 'utf8')) as KerasRecord[];
const agreement = (name: string) => compareWithKeras(source(name), keras(name));

/** Every layer of the file matches Keras' shape and parameter count, and nothing is wrong. */
function allMatch(name: string): void {
  const a = agreement(name);
  assert.deepEqual(a.wrong, [], `${name}: rows that show a wrong shape as known`);
  assert.deepEqual(
    { matched: a.matched, unknown: a.unknown, missing: a.missing, unbuilt: a.unbuilt },
    { matched: a.total, unknown: 0, missing: 0, unbuilt: [] },
    name,
  );
}

test('preprocessing layers (Rescaling, Normalization, Random*, Resizing, CenterCrop) keep the chain going, in functional and Sequential models', () =>
  allMatch('preprocessing'));
test('helper functions are followed with their arguments; assigning the result back to the input name changes the shape', () =>
  allMatch('helpers'));
test('loops over literal lists, range() of a constant, enumerate and zip are unrolled', () => allMatch('loops'));
test('call-site arguments bind to parameters: keywords, positionals, defaults, *args, **kwargs and a dict of settings', () =>
  allMatch('call_args'));
test('subscripts, slices and tuple arithmetic of module constants give input shapes and arguments', () => allMatch('subscripts'));
test('nested Sequentials (inline and from a helper) and a functional model used as a layer', () => allMatch('nested_models'));
test('ResNet- and Inception-style blocks written as helpers, as keras.applications writes them', () => allMatch('resnet_inception'));
test('keras.applications style: obtain_input_shape, image_data_format, correct_pad, x.shape[axis], a nested stack function', () =>
  allMatch('applications_style'));
test('element-wise tensor arithmetic keeps the shape of equal shapes; a broadcast stays unknown; math in filter counts', () => {
  const a = agreement('tensor_ops');
  assert.deepEqual(a.wrong, []);
  // All but the conv after `x * gate` ((32, 32, 24) times (1, 1, 24): a broadcast, not followed).
  assert.deepEqual([a.matched, a.unknown, a.missing, a.unbuilt], [a.total - 1, 1, 0, []]);
  const last = parsePythonKeras(source('tensor_ops')).models[0].layers.at(-1)!;
  assert.match(last.diagnostics.map((d) => d.message).join('\n'), /broadcasting is not followed/);
});
test('scopes: global rebinds the module constant, += extends a list in place (an alias sees it), *layers spread into a Sequential', () =>
  allMatch('scopes'));
test('groups in the parameter count, depthwise, Conv1D and 1-D pooling, LayerNormalization, SpatialDropout2D', () =>
  allMatch('conv_variants'));

test('branches: decided ones take one path; an undecidable one keeps only what both paths agree on', () => {
  const a = agreement('branches');
  assert.deepEqual(a.wrong, []);
  // All but the two layers after the undecidable join (their channels are unknown, rightly).
  assert.deepEqual([a.matched, a.unknown, a.missing], [a.total - 2, 2, 0]);
  // The environment variable is unset when Keras ran: it built the else branch. The if branch's
  // row (line 38) shows the shape that branch would give, and after the join the channels are unknown.
  assert.deepEqual(a.unbuilt, [{ line: 38, cls: 'Conv2D', shown: '(20, 20, 32) 896' }]);
  const c = parsePythonKeras(source('branches')).models.find((m) => m.name === 'runtime_branch')!;
  assert.deepEqual(
    c.layers.map((l) => l.outputShape),
    [
      [20, 20, 3],
      [20, 20, 32],
      [20, 20, 8],
      [10, 10, null],
      [10, 10, 4],
    ],
  );
  assert.equal(c.layers[4].params, null, 'the 1×1 conv cannot count its weights without the channels');
});

test('values known only at run time are unknown with the reason, never a guess', () => {
  const a = agreement('runtime_values');
  assert.deepEqual(a.wrong, []);
  const models = parsePythonKeras(source('runtime_values')).models;
  const runtime = models.find((m) => m.name === 'runtime')!;
  assert.ok(
    runtime.layers.every((l) => l.outputShape === null),
    'the input size comes from the environment',
  );
  assert.match(
    runtime.layers[0].diagnostics.map((d) => d.message).join('\n'),
    /shape \(depends on os\.environ\.get\(\)\) not known before run time/,
  );
  const partial = models.find((m) => m.name === 'partial')!;
  // Keras: (26, 26, 8), (26, 26, 4), 2704 with the default; the filters are unknown to us.
  assert.deepEqual(
    partial.layers.map((l) => l.outputShape),
    [[28, 28, 1], [26, 26, null], [26, 26, 4], [2704]],
  );
});

test("property: on every fixture each shape shown is Keras' or unknown", () => {
  const names = readdirSync(dir)
    .filter((f) => f.endsWith('.py'))
    .map((f) => f.slice(0, -3));
  assert.ok(names.length >= 10);
  for (const name of names) {
    assert.deepEqual(agreement(name).wrong, [], name);
  }
});

test('an unbounded loop and recursion stop at a cap with unknown shapes, never a hang', () => {
  const text = [
    'from tensorflow import keras',
    'from tensorflow.keras import layers',
    'def deep(x, n):',
    '    return deep(layers.Conv2D(4, 1)(x), n - 1)',
    'inputs = keras.Input(shape=(8, 8, 3))',
    'x = deep(inputs, 5)',
    'while True:',
    '    x = layers.Conv2D(4, 1)(x)',
    'for i in range(10 ** 9):',
    '    x = layers.Conv2D(4, 1)(x)',
    'y = layers.Flatten()(x)',
  ].join('\n');
  const started = Date.now();
  const { models } = parsePythonKeras(text);
  assert.ok(Date.now() - started < 5000);
  const last = models.flatMap((m) => m.layers).find((l) => l.spec.className === 'Flatten')!;
  assert.equal(last.outputShape, null);
});
