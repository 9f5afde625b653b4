// The per-model inference cache behind the editor's re-analysis while typing: a cached analysis
// equals a fresh one, and an edit inside one model re-infers that model (its new shapes show).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { clearParseCaches, parsePythonKeras } from '../../../src/core/parsers/index.ts';

const source = (filters: number) => `
from tensorflow.keras import layers, Sequential
a = Sequential([layers.Input(shape=(32, 32, 3)), layers.Conv2D(${filters}, 3), layers.MaxPooling2D(2)])
b = Sequential([layers.Input(shape=(28, 28, 1)), layers.Conv2D(8, 5, strides=1), layers.Flatten(), layers.Dense(10)])
`;

test('a cached analysis equals a fresh one, ranges included', () => {
  clearParseCaches();
  const fresh = parsePythonKeras(source(16));
  const cached = parsePythonKeras(source(16));
  assert.deepEqual(cached, fresh);
  // The same layers at other source positions keep their own ranges.
  const shifted = parsePythonKeras('\n\n' + source(16));
  assert.equal(shifted.models[0].layers[1].range.start.line, fresh.models[0].layers[1].range.start.line + 2);
  assert.deepEqual(shifted.models[0].layers[1].outputShape, [30, 30, 16]);
});

test('an edit re-infers the edited model and leaves the other as it was', () => {
  clearParseCaches();
  const before = parsePythonKeras(source(16));
  const after = parsePythonKeras(source(40));
  assert.deepEqual(before.models[0].layers[1].outputShape, [30, 30, 16]);
  assert.deepEqual(after.models[0].layers[1].outputShape, [30, 30, 40]);
  assert.equal(after.models[0].layers[1].params?.total, 3 * 3 * 3 * 40 + 40);
  assert.deepEqual(after.models[1], before.models[1]);
});
