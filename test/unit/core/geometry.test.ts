import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { computeConvAxis, computeTransposeAxis, type AxisGeometry } from '../../../src/core/geometry.ts';

const axis = (g: Partial<AxisGeometry>): AxisGeometry => ({
  input: 32,
  kernel: 3,
  stride: 1,
  dilation: 1,
  padding: { mode: 'valid' },
  axis: 'W',
  ...g,
});

test("the seed's example: W2 = (32 − 5 + 2·2)/1 + 1 = 32", () => {
  const r = computeConvAxis(axis({ kernel: 5, padding: { mode: 'explicit', before: 2, after: 2 } }));
  assert.equal(r.size, 32);
  assert.equal(r.text, 'W2 = (32 \u2212 5 + 2\u00b72)/1 + 1 = 32');
  assert.equal(r.error, undefined);
});

test('explicit padding: a stride that does not fit is an error naming the numbers', () => {
  const r = computeConvAxis(axis({ kernel: 5, stride: 2, padding: { mode: 'explicit', before: 1, after: 1 } }));
  assert.equal(r.size, null);
  assert.match(r.error ?? '', /stride 2 does not fit: \(32 − 5 \+ 2\) = 29 is not divisible by 2 along the width/);
  const fits = computeConvAxis(axis({ kernel: 4, stride: 3, padding: { mode: 'explicit', before: 1, after: 1 } }));
  assert.equal(fits.size, 11);
  assert.equal(fits.text, 'W2 = (32 \u2212 4 + 2\u00b71)/3 + 1 = 11');
});

test('explicit padding: asymmetric, dilated, and impossible geometry', () => {
  const asym = computeConvAxis(axis({ kernel: 3, stride: 2, padding: { mode: 'explicit', before: 0, after: 1 }, axis: 'H' }));
  assert.equal(asym.size, 16);
  assert.equal(asym.text, 'H2 = (32 \u2212 3 + 0 + 1)/2 + 1 = 16');
  const dilated = computeConvAxis(axis({ kernel: 3, dilation: 2, padding: { mode: 'explicit', before: 2, after: 2 } }));
  assert.equal(dilated.size, 32); // effective kernel (3 − 1)·2 + 1 = 5
  const tooSmall = computeConvAxis(axis({ input: 3, kernel: 7, padding: { mode: 'explicit', before: 1, after: 1 } }));
  assert.equal(tooSmall.size, null);
  assert.match(tooSmall.error ?? '', /kernel 7 is larger than the padded input 5/);
});

test('same and valid: the rule, ceil semantics and the equivalent padding', () => {
  const same = computeConvAxis(axis({ kernel: 5, stride: 1, padding: { mode: 'same' } }));
  assert.equal(same.size, 32);
  assert.equal(same.text, 'W2 = ceil(32/1) = 32');
  assert.match(same.rule ?? '', /same: W2 = ceil\(W1\/S\); equivalent P = 2/);
  const odd = computeConvAxis(axis({ input: 30, kernel: 5, stride: 2, padding: { mode: 'same' } }));
  assert.equal(odd.size, 15);
  assert.deepEqual([odd.padBefore, odd.padAfter], [1, 2]); // TensorFlow puts the extra pixel after
  const valid = computeConvAxis(axis({ input: 32, kernel: 3, stride: 2 }));
  assert.equal(valid.size, 15);
  assert.equal(valid.text, 'W2 = ceil((32 \u2212 3 + 1)/2) = 15');
  assert.match(valid.rule ?? '', /the last 1 row\/column is never covered/);
  const impossible = computeConvAxis(axis({ input: 4, kernel: 5 }));
  assert.equal(impossible.size, null);
  assert.match(impossible.error ?? '', /impossible geometry: window 5 is larger than the input 4/);
  const unknown = computeConvAxis(axis({ input: null, padding: { mode: 'same' } }));
  assert.equal(unknown.size, null);
  assert.equal(unknown.error, undefined);
});

test('same/valid sizes and padding equal tfjs conv geometry over a grid (non-square, per-axis, dilated)', () => {
  let checked = 0;
  for (const h of [1, 5, 7, 16, 17, 32])
    for (const w of [3, 8, 31])
      for (const k of [1, 2, 3, 5])
        for (const s of [1, 2, 3])
          for (const d of [1, 2])
            for (const pad of ['same', 'valid'] as const) {
              if (d > 1 && s > 1) continue; // tfjs rejects strides > 1 together with dilation > 1
              const kw = Math.max(1, k - 1); // non-square kernels
              const rh = computeConvAxis({ input: h, kernel: k, stride: s, dilation: d, padding: { mode: pad }, axis: 'H' });
              const rw = computeConvAxis({ input: w, kernel: kw, stride: s, dilation: d, padding: { mode: pad }, axis: 'W' });
              const info = tf.backend_util.computeConv2DInfo([1, h, w, 1], [k, kw, 1, 1], [s, s], [d, d], pad);
              const where = `${h}×${w} k${k}×${kw} s${s} d${d} ${pad}`;
              if (info.outHeight <= 0) assert.equal(rh.size, null, where);
              else {
                assert.equal(rh.size, info.outHeight, where);
                assert.equal(rh.padBefore, info.padInfo.top, where);
                assert.equal(rh.padAfter, info.padInfo.bottom, where);
              }
              if (info.outWidth <= 0) assert.equal(rw.size, null, where);
              else {
                assert.equal(rw.size, info.outWidth, where);
                assert.equal(rw.padBefore, info.padInfo.left, where);
                assert.equal(rw.padAfter, info.padInfo.right, where);
              }
              checked++;
            }
  assert.ok(checked > 400);
});

test('transposed convolution: same = W·S, valid = W·S + max(F − S, 0)', () => {
  const same = computeTransposeAxis(axis({ input: 16, kernel: 3, stride: 2, padding: { mode: 'same' } }));
  assert.equal(same.size, 32);
  assert.equal(same.text, 'W2 = 16\u00b72 = 32');
  const valid = computeTransposeAxis(axis({ input: 16, kernel: 5, stride: 2 }));
  assert.equal(valid.size, 35);
  assert.equal(valid.text, 'W2 = 16\u00b72 + max(5 \u2212 2, 0) = 35');
});

test('bad window arguments are errors, not exceptions', () => {
  assert.match(computeConvAxis(axis({ stride: 0 })).error ?? '', /stride must be a positive integer, got 0/);
  assert.match(computeConvAxis(axis({ kernel: 2.5 })).error ?? '', /kernel size must be a positive integer/);
});
