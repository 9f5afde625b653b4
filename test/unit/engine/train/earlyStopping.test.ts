// EarlyStopping: patience counted in epochs without improvement, restarted per phase.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { EarlyStopping } from '../../../../src/engine/train/earlyStopping.ts';

test('stops after `patience` epochs in a row without improvement', () => {
  const early = new EarlyStopping({ patience: 2, restoreBest: false });
  assert.equal(early.afterEpoch(true), false);
  assert.equal(early.afterEpoch(false), false);
  assert.equal(early.waited, 1);
  assert.equal(early.afterEpoch(false), true);
  assert.equal(early.waited, 2);
});

test('an improvement resets the count', () => {
  const early = new EarlyStopping({ patience: 2, restoreBest: true });
  early.afterEpoch(false);
  assert.equal(early.afterEpoch(true), false);
  assert.equal(early.waited, 0);
  assert.equal(early.afterEpoch(false), false);
  assert.equal(early.restoresBest, true);
});

test('restart (a new phase) clears the count', () => {
  const early = new EarlyStopping({ patience: 2, restoreBest: false });
  early.afterEpoch(false);
  early.restart();
  assert.equal(early.afterEpoch(false), false);
  assert.equal(early.afterEpoch(false), true);
});

test('without a setting it counts but never stops, and restores nothing', () => {
  const early = new EarlyStopping(null);
  for (let i = 0; i < 50; i++) assert.equal(early.afterEpoch(false), false);
  assert.equal(early.waited, 50);
  assert.equal(early.restoresBest, false);
});
