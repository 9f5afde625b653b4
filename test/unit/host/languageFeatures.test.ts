// The hover, inlay-hint and diagnostic logic behind the editor's language features, without VS Code:
// the seed's worked example (32×32×3, ten 5×5 filters, stride 1, zero padding 2 → 32×32×10) in
// Keras and in tfjs raw ops, and the geometry mistakes a user should be warned about.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { test } from 'node:test';
import { analyzeDocument, diagnosticsFor, hoverAt, inlayHintsFor } from '../../../src/host/language/analysis.ts';

const read = (p: string) => readFileSync(resolve(__dirname, '../../..', p), 'utf8');

/** Line and column of the first occurrence of `needle` (plus an offset into it). */
function at(text: string, needle: string, offset = 1): [number, number] {
  const lines = text.split('\n');
  const line = lines.findIndex((l) => l.includes(needle));
  assert.ok(line >= 0, `'${needle}' is in the file`);
  return [line, lines[line].indexOf(needle) + offset];
}

test('Keras hover: the seed example with its arithmetic and parameters', () => {
  const text = read('samples/models/seed_example.py');
  const analysis = analyzeDocument(text, 'python');
  const hover = hoverAt(analysis, ...at(text, 'Conv2D(10'));
  assert.ok(hover);
  assert.match(hover, /\*\*Conv2D\*\* `conv2d` — 36×36×3 → 32×32×10/);
  assert.match(hover, /W2 = \(32 − 5 \+ 2·2\)\/1 \+ 1 = 32/);
  assert.match(hover, /equivalent P = 2/);
  assert.match(hover, /5·5·3·10 weights \+ 10 bias = 760/);
  // A position outside every layer call has no hover.
  assert.equal(hoverAt(analysis, ...at(text, 'from tensorflow import keras')), null);
});

test('tfjs raw op hover: tf.conv2d(x, filter, 1, 2) with literal shapes is the same example', () => {
  const text = read('samples/models/small_cnn.ts');
  const hover = hoverAt(analyzeDocument(text, 'typescript'), ...at(text, 'tf.conv2d(', 4));
  assert.ok(hover);
  assert.match(hover, /32×32×3 → 32×32×10/);
  assert.match(hover, /W2 = \(32 − 5 \+ 2·2\)\/1 \+ 1 = 32/);
});

test('inlay hints: one per layer, at the end of its call, with the output shape', () => {
  const text = read('samples/models/seed_example.py');
  const hints = inlayHintsFor(analyzeDocument(text, 'python'));
  assert.deepEqual(
    hints.map((h) => h.label),
    [' → 32×32×3', ' → 36×36×3', ' → 32×32×10', ' → 16×16×10', ' → 16×16×20', ' → 20', ' → 10'],
  );
  const [line] = at(text, 'Conv2D(10');
  const conv = hints[2];
  assert.equal(conv.line, line);
  assert.equal(text.split('\n')[line].slice(conv.col - 1, conv.col), ')', 'the hint sits right after the closing parenthesis');
  // The editor asks for the visible lines only: the hints of those lines and no others.
  assert.deepEqual(inlayHintsFor(analyzeDocument(text, 'python'), line, line), [conv]);
});

test('diagnostics: impossible geometry, a stride that does not fit, Dense on a 4-D tensor, bad reshape', () => {
  const problems = read('test/fixtures/code/keras_problems.py');
  const messages = diagnosticsFor(analyzeDocument(problems, 'python')).map((d) => `${d.severity}: ${d.message}`);
  assert.ok(
    messages.some((m) => /^error: Conv2D: impossible geometry: window 5 is larger than the input 4/.test(m)),
    messages.join('\n'),
  );
  assert.ok(messages.some((m) => /^error: Conv2D: stride 2 does not fit: \(32 − 5 \+ 2\) = 29 is not divisible by 2/.test(m)));
  assert.ok(messages.some((m) => /^error: Reshape: input 16 has 16 elements, target 3×5 has 15/.test(m)));
  const dense = diagnosticsFor(
    analyzeDocument('m = keras.Sequential([layers.Input(shape=(8, 8, 3)), layers.Conv2D(4, 3), layers.Dense(10)])', 'python'),
  );
  assert.equal(dense.length, 1);
  assert.equal(dense[0].severity, 'warning');
  assert.match(dense[0].message, /Dense on a 4-D tensor \(batch, 6×6×4\) without Flatten or global pooling: .* 6×6×10/);
  // A correct model has none.
  assert.deepEqual(diagnosticsFor(analyzeDocument(read('samples/models/seed_example.py'), 'python')), []);
});

test('other languages and non-model JSON give nothing, and never throw', () => {
  assert.deepEqual(analyzeDocument('Conv2D(3, 3)', 'markdown').models, []);
  assert.deepEqual(analyzeDocument('{"a": 1}', 'json', '/x/settings.json').models, []);
  assert.deepEqual(analyzeDocument('{"modelTopology": ', 'json', '/x/model.json').models, []);
});

test("inlay hints: a helper called several times gets one hint listing its shapes (Keras' shapes for that line)", () => {
  const text = read('test/fixtures/keras-shapes/helpers.py');
  const keras = JSON.parse(read('test/fixtures/keras-shapes/helpers.keras.json')) as { line: number; cls: string; shapes: number[][] }[];
  const [line] = at(text, 'layers.Conv2D(filters, kernel_size');
  const expected = [...new Set(keras.filter((k) => k.line === line + 1 && k.cls === 'Conv2D').map((k) => k.shapes[0].join('×')))];
  assert.ok(expected.length >= 3, 'the helper runs with several shapes');
  const hints = inlayHintsFor(analyzeDocument(text, 'python'), line, line);
  assert.deepEqual(
    hints.map((h) => h.label),
    [` → ${expected.slice(0, 3).join(' | ')}${expected.length > 3 ? ' | …' : ''}`],
  );
  assert.match(hoverAt(analyzeDocument(text, 'python'), line, text.split('\n')[line].indexOf('Conv2D'))!, /This call runs 5 times/);
});

test('inlay hints: an unsupported layer says so instead of staying silent', () => {
  const text = 'from tensorflow.keras import layers\nm = keras.Sequential([layers.Input(shape=(8, 8, 3)), layers.Conv3D(4, 3)])';
  const labels = inlayHintsFor(analyzeDocument(text, 'python')).map((h) => h.label);
  assert.deepEqual(labels, [' → 8×8×3', ' → ? (unsupported layer Conv3D)']);
});
