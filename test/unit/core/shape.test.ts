// Shape text as each place shows it: hovers and diagnostics (×), the CLI's Keras-style table with
// the batch dimension, the architecture view's tuple without it.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatKerasShape, formatShape } from '../../../src/core/shape.ts';

test('formatShape: 32×32×3, unknown dimensions and shapes as ?', () => {
  assert.equal(formatShape([32, 32, 3]), '32×32×3');
  assert.equal(formatShape([null, 10]), '?×10');
  assert.equal(formatShape([]), 'scalar');
  assert.equal(formatShape(null), '?');
});

test('formatKerasShape: (None, …) with the batch, a bare tuple without it', () => {
  assert.equal(formatKerasShape([32, 32, 10]), '(None, 32, 32, 10)');
  assert.equal(formatKerasShape([]), '(None,)');
  assert.equal(formatKerasShape([null, 4]), '(None, None, 4)');
  assert.equal(formatKerasShape([7, 7, 1280], { batch: false }), '(7, 7, 1280)');
  assert.equal(formatKerasShape([null, 1280], { batch: false }), '(None, 1280)');
  assert.equal(formatKerasShape(null, { batch: false }), '?');
});
