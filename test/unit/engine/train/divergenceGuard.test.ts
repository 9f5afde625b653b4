// DivergenceGuard: non-finite batch losses and saturated epoch losses end a phase, with messages
// that tell a broken base (first batch) from a learning rate that is too high.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DivergenceGuard, saturationThreshold, TrainingDiverged } from '../../../../src/engine/train/divergenceGuard.ts';

const guard = (firstEpoch = 1) => new DivergenceGuard({ phase: 'fine-tune', learningRate: 0.5, firstEpoch, epsilon: 1e-7 });

test('finite losses pass', () => {
  guard().checkBatch(0.7, 1, 1);
  guard().checkBatch(1e6, 3, 9);
  guard().checkEpoch(0.69, 1, 2);
});

test('NaN on the very first batch blames the base or the images, not the learning rate', () => {
  assert.throws(
    () => guard().checkBatch(NaN, 1, 1),
    (e: Error) => e instanceof TrainingDiverged && /very first batch/.test(e.message) && /not a learning-rate problem/.test(e.message),
  );
});

test('a non-finite loss later names the epoch, the batch and the learning rate', () => {
  assert.throws(
    () => guard().checkBatch(Infinity, 2, 5),
    (e: Error) =>
      e instanceof TrainingDiverged &&
      e.message ===
        'fine-tune: the loss became Infinity at epoch 2, batch 5 — training diverged; the learning rate 0.5 is probably too high (try 10× lower)',
  );
  // resumed at epoch 4: its first batch is the one before any update of this run
  assert.throws(() => guard(4).checkBatch(NaN, 4, 1), /very first batch/);
  assert.throws(() => guard(4).checkBatch(NaN, 1, 1), /at epoch 1, batch 1/);
});

test('an epoch loss above the saturation threshold is a divergence; NaN means are left to the batch check', () => {
  const limit = saturationThreshold(2, 1e-7);
  assert.ok(Math.abs(limit - -Math.log(1e-7) / 3) < 1e-9);
  guard().checkEpoch(limit, 1, 2);
  guard().checkEpoch(NaN, 1, 2);
  assert.throws(
    () => guard().checkEpoch(limit + 0.01, 3, 2),
    (e: Error) => e instanceof TrainingDiverged && /exploded to 5\.38 at epoch 3 \(guessing scores 0\.69/.test(e.message),
  );
});

test('the threshold is at least twice a uniform guess for many classes', () => {
  for (const k of [2, 10, 1000, 20000]) assert.ok(saturationThreshold(k, 1e-7) >= 2 * Math.log(k));
  assert.equal(saturationThreshold(20000, 1e-7), 2 * Math.log(20000));
  assert.equal(saturationThreshold(1, 1e-7), saturationThreshold(2, 1e-7), 'one class is treated as two');
});
