// BestWeights on real tfjs (cpu backend, tiny tensors): keeps the best copy, extends to newly
// trainable variables, restores, and swaps the best in for a checkpoint save and back out.
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { BestWeights } from '../../../../src/engine/train/bestWeights.ts';
import { tf } from '../../../../src/engine/tf.ts';

before(async () => {
  await tf.setBackend('cpu');
});

const values = (v: tf.Variable) => Array.from(v.dataSync());
// tidy frees the temporary tensors; the variables are kept (tidy never disposes a variable)
const variable = (xs: number[]) => tf.tidy(() => tf.variable(tf.tensor1d(xs)));
const set = (v: tf.Variable, xs: number[]) => tf.tidy(() => v.assign(tf.tensor1d(xs)));

test('keeps the weights of the lowest value offered, and restores them', () => {
  const start = tf.memory().numTensors;
  const w = variable([1, 2]);
  const best = new BestWeights();
  assert.equal(best.offer(0.5, [w]), true);
  set(w, [3, 4]);
  assert.equal(best.offer(0.7, [w]), false, 'worse');
  assert.equal(best.offer(0.5, [w]), false, 'equal is not better');
  assert.equal(best.best, 0.5);
  best.restore();
  assert.deepEqual(values(w), [1, 2]);
  best.dispose();
  w.dispose();
  assert.equal(tf.memory().numTensors, start, 'no tensor left behind');
});

test('NaN is never an improvement', () => {
  const w = variable([1]);
  const best = new BestWeights();
  assert.equal(best.offer(NaN, [w]), false);
  assert.equal(best.has, false);
  w.dispose();
});

test('extend adds variables that became trainable, at their current values, only once there is a best', () => {
  const head = variable([1]);
  const conv = variable([10]);
  const best = new BestWeights();
  best.extend([conv]);
  best.offer(0.4, [head]);
  best.extend([head, conv]);
  set(head, [2]);
  set(conv, [20]);
  best.restore();
  assert.deepEqual([values(head), values(conv)], [[1], [10]]);
  best.dispose();
  head.dispose();
  conv.dispose();
});

test('whileRestored runs with the best weights and puts the current ones back, also when the save fails', async () => {
  const start = tf.memory().numTensors;
  const w = variable([1, 1]);
  const best = new BestWeights();
  best.offer(0.1, [w]);
  set(w, [5, 5]);
  const seen = await best.whileRestored([w], async () => values(w));
  assert.deepEqual(seen, [1, 1]);
  assert.deepEqual(values(w), [5, 5]);
  await assert.rejects(
    best.whileRestored([w], async () => {
      throw new Error('disk full');
    }),
    /disk full/,
  );
  assert.deepEqual(values(w), [5, 5]);
  best.dispose();
  w.dispose();
  assert.equal(tf.memory().numTensors, start);
});
