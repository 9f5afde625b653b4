import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MetricHistoryStore } from '../../../src/host/training/metricHistory.ts';
import type { EngineNotification } from '../../../src/protocol/messages.ts';

const runId = 'r1';
const batch = (phase: 'transfer' | 'fine-tune', epoch: number, b: number, batches = 4): EngineNotification => ({
  method: 'batchEnd',
  params: { runId, phase, epoch, batch: b, batches, loss: 1 / (b + 1), acc: b / batches },
});

test('history: batches, epochs and phase marks are recorded on one global step axis', () => {
  const store = new MetricHistoryStore();
  const run = store.begin({ runId, title: 't', plannedEpochs: { transfer: 1, 'fine-tune': 1 } }, 0);
  store.apply({ method: 'phase', params: { runId, phase: 'transfer', epochs: 1 } }, 0);
  for (let b = 1; b <= 4; b++) store.apply(batch('transfer', 1, b), 100 * (b - 1));
  store.apply(
    {
      method: 'epochEnd',
      params: {
        runId,
        phase: 'transfer',
        epoch: 1,
        epochs: 1,
        loss: 0.5,
        acc: 0.6,
        valLoss: 0.7,
        valAcc: 0.55,
        lr: 0.001,
        seconds: 1,
        imagesPerSecond: 30,
      },
    },
    400,
  );
  store.apply({ method: 'phase', params: { runId, phase: 'fine-tune', epochs: 1 } }, 400);
  store.apply(batch('fine-tune', 1, 1), 400);
  // notifications of other runs and logs are not this run's
  assert.equal(
    store.apply({ method: 'batchEnd', params: { ...(batch('transfer', 0, 0).params as object), runId: 'other' } } as EngineNotification, 0),
    undefined,
  );
  assert.equal(store.apply({ method: 'log', params: { level: 'info', message: 'x' } }, 0), undefined);

  const s = run.snapshot();
  assert.deepEqual(s.batches.step, [0, 1, 2, 3, 4]);
  assert.deepEqual(
    s.phases.map((p) => [p.phase, p.step]),
    [
      ['transfer', 0],
      ['fine-tune', 4],
    ],
  );
  assert.deepEqual(
    s.epochs.map((e) => [e.phase, e.step, e.valAcc]),
    [['transfer', 4, 0.55]],
  );
  assert.equal(s.progress.phase, 'fine-tune');
  assert.deepEqual([s.progress.epoch, s.progress.epochs, s.progress.batch, s.progress.batches], [0, 1, 1, 4]);
  // 3 batches left at 100 ms each (the recent pace)
  assert.ok(Math.abs(s.progress.etaSeconds! - 0.3) < 1e-9, `eta ${s.progress.etaSeconds}`);
});

test('history: the cursor yields only what changed, and nothing when nothing did', () => {
  const store = new MetricHistoryStore();
  const run = store.begin({ runId, title: 't', plannedEpochs: { transfer: 2 } }, 0);
  store.apply(batch('transfer', 1, 1), 0);
  const c0 = run.cursor();
  assert.equal(run.deltaSince(c0), undefined);
  store.apply(batch('transfer', 1, 2), 10);
  store.apply(batch('transfer', 1, 3), 20);
  const d = run.deltaSince(c0)!;
  assert.deepEqual(d.delta.batches.step, [1, 2]);
  assert.deepEqual(d.delta.batches.loss, [1 / 3, 1 / 4]);
  assert.equal(run.deltaSince(d.cursor), undefined);
  run.fail('engine crashed');
  const d2 = run.deltaSince(d.cursor)!;
  assert.deepEqual([d2.delta.status, d2.delta.error, d2.delta.batches.step.length], ['failed', 'engine crashed', 0]);
  assert.throws(() => store.begin({ runId: 'r2', title: 'u', plannedEpochs: {} }, 0).deltaSince(c0), /cursor of run r1 used on run r2/);
});

test('history: a result becomes the report; later failures do not overwrite it; old runs are dropped', () => {
  const store = new MetricHistoryStore();
  const run = store.begin({ runId, title: 't', plannedEpochs: {} }, 0);
  run.finish({
    modelDir: '/m',
    labels: ['a', 'b'],
    backend: 'wasm',
    bestEpoch: null,
    history: [],
    cancelled: true,
    saved: false,
    skipped: [{ path: 'x', reason: 'y' }],
    trainedLayers: [{ phase: 'transfer', layers: ['dense', 'out'] }],
    evaluation: {
      accuracy: 0.5,
      labels: ['a', 'b'],
      perClass: [],
      confusion: [
        [1, 1],
        [1, 1],
      ],
      misclassified: Array.from({ length: 60 }, (_, i) => ({ path: `p${i}`, actual: 'a', predicted: 'b', probability: 0.6 })),
      skipped: [],
    },
  });
  run.fail('late');
  const s = run.snapshot();
  assert.equal(s.status, 'cancelled');
  assert.equal(s.backend, 'wasm');
  assert.equal(s.result?.misclassified.length, 48);
  assert.equal(s.result?.misclassifiedTotal, 60);
  assert.deepEqual(s.result?.trainedLayers, [{ phase: 'transfer', count: 2, first: 'dense', last: 'out' }]);
  for (let i = 0; i < 6; i++) store.begin({ runId: `n${i}`, title: '', plannedEpochs: {} }, 0);
  assert.equal(store.get(runId), undefined);
  assert.equal(store.latest?.runId, 'n5');
});

test('history: 50,000 batches append and replay as one snapshot', () => {
  const store = new MetricHistoryStore();
  const run = store.begin({ runId, title: 't', plannedEpochs: { transfer: 1 } }, 0);
  for (let b = 1; b <= 50_000; b++) store.apply(batch('transfer', 1, b, 50_000), b);
  const s = run.snapshot();
  assert.equal(s.batches.step.length, 50_000);
  assert.equal(s.batches.step[49_999], 49_999);
});

test('history: the backend a run resolved to replaces the requested one', () => {
  const store = new MetricHistoryStore();
  const run = store.begin({ runId, title: 't', backend: 'auto', plannedEpochs: { transfer: 1 } }, 0);
  assert.equal(run.snapshot().backend, 'auto');
  store.apply({ method: 'phase', params: { runId, phase: 'scan', backend: 'tensorflow' } }, 0);
  store.apply({ method: 'phase', params: { runId, phase: 'transfer', epochs: 1 } }, 0);
  assert.equal(run.snapshot().backend, 'tensorflow');
});

test('history: evaluate and save carry no batch counter; after the run progress is the last epoch trained', () => {
  const store = new MetricHistoryStore();
  const run = store.begin({ runId, title: 't', plannedEpochs: { transfer: 3 } }, 0);
  store.apply({ method: 'phase', params: { runId, phase: 'transfer', epochs: 3 } }, 0);
  for (const epoch of [1, 2]) {
    for (let b = 1; b <= 4; b++) store.apply(batch('transfer', epoch, b), epoch * 10 + b);
    store.apply(
      {
        method: 'epochEnd',
        params: {
          runId,
          phase: 'transfer',
          epoch,
          epochs: 3,
          loss: 0.5,
          acc: 0.6,
          valLoss: 0.7,
          valAcc: 0.55,
          lr: 0.001,
          seconds: 1,
          imagesPerSecond: 30,
        },
      },
      50,
    );
  }
  // early stopping after epoch 2 of 3, then evaluate and save
  store.apply({ method: 'phase', params: { runId, phase: 'evaluate' } }, 60);
  store.apply({ method: 'phase', params: { runId, phase: 'save' } }, 70);
  const saving = run.snapshot().progress;
  assert.deepEqual([saving.phase, saving.epochs, saving.batch, saving.batches], ['save', 0, 0, 0]);
  run.finish({
    modelDir: '/m',
    labels: ['a'],
    backend: 'cpu',
    bestEpoch: null,
    history: [],
    cancelled: false,
    saved: true,
    skipped: [],
    trainedLayers: [],
  });
  const done = run.snapshot().progress;
  assert.deepEqual([done.phase, done.epoch, done.epochs, done.batches, done.etaSeconds], ['transfer', 2, 3, 0, 0]);
});
