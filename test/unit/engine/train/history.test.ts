// History and Monitor: the per-epoch record, the best epoch, and which loss is monitored.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { History, Monitor } from '../../../../src/engine/train/history.ts';

const metrics = (epoch: number, loss: number, valLoss?: number) => ({
  epoch,
  loss,
  acc: 0.5,
  valLoss,
  valAcc: valLoss === undefined ? undefined : 0.6,
  lr: 0.01,
  seconds: 1,
  imagesPerSecond: 10,
});

test('the monitor is val_loss with validation data, else loss', () => {
  const withVal = new Monitor(true);
  assert.equal(withVal.name, 'val_loss');
  assert.equal(withVal.value(metrics(1, 0.9, 0.4)), 0.4);
  const without = new Monitor(false);
  assert.equal(without.name, 'loss');
  assert.equal(without.value(metrics(1, 0.9)), 0.9);
});

test('rows are recorded with their phase first, and the best epoch keeps its validation figures', () => {
  const h = new History();
  assert.equal(h.describeBest(), 'none');
  h.record('transfer', metrics(1, 0.9, 0.8));
  h.markBest('transfer', metrics(1, 0.9, 0.8));
  h.record('fine-tune', metrics(1, 0.5, 0.3));
  assert.deepEqual(Object.keys(h.rows[0]), ['phase', 'epoch', 'loss', 'acc', 'valLoss', 'valAcc', 'lr', 'seconds', 'imagesPerSecond']);
  assert.deepEqual(
    h.rows.map((r) => `${r.phase} ${r.epoch}`),
    ['transfer 1', 'fine-tune 1'],
  );
  assert.deepEqual(h.bestEpoch, { phase: 'transfer', epoch: 1, valAcc: 0.6, valLoss: 0.8 });
  assert.equal(h.describeBest(), 'transfer epoch 1');
});

test('a resumed history continues the checkpoint record', () => {
  const h = new History();
  h.continueFrom(
    [
      { phase: 'transfer', ...metrics(1, 0.9) },
      { phase: 'transfer', ...metrics(2, 0.7) },
    ],
    { phase: 'transfer', epoch: 2 },
  );
  h.record('transfer', metrics(3, 0.6));
  assert.deepEqual(
    h.rows.map((r) => r.epoch),
    [1, 2, 3],
  );
  assert.equal(h.describeBest(), 'transfer epoch 2');
});
