// The dashboard bundle in jsdom, fed by the host's real metric history store: a replayed run
// renders curves' data, the phase switch, KPIs and the final report; deltas extend it; Stop and
// the misclassified thumbnails post the right intents; bad messages are dropped.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MetricHistoryStore } from '../../src/host/training/metricHistory.ts';
import type { EngineNotification, TrainResult } from '../../src/protocol/messages.ts';
import { loadWebview } from './_harness.ts';
import { validateDashboardToWebview } from '../../src/protocol/webview/dashboard.ts';

const runId = 'run-1';

function trainNotifications(batches: number, epochsPerPhase: number): EngineNotification[] {
  const out: EngineNotification[] = [];
  for (const phase of ['transfer', 'fine-tune'] as const) {
    out.push({ method: 'phase', params: { runId, phase, epochs: epochsPerPhase } });
    // the engine counts epochs and batches from 1
    for (let epoch = 1; epoch <= epochsPerPhase; epoch++) {
      for (let batch = 1; batch <= batches; batch++) {
        out.push({
          method: 'batchEnd',
          params: { runId, phase, epoch, batch, batches, loss: 1 / (1 + epoch + batch), acc: 0.5 + batch / (4 * batches) },
        });
      }
      out.push({
        method: 'epochEnd',
        params: {
          runId,
          phase,
          epoch,
          epochs: epochsPerPhase,
          loss: 0.5 - epoch / 10,
          acc: 0.7 + epoch / 20,
          valLoss: 0.6,
          valAcc: 0.8 + epoch / 50,
          lr: 0.001,
          seconds: 2,
          imagesPerSecond: 42.5,
        },
      });
    }
  }
  return out;
}

const result: TrainResult = {
  modelDir: '/ws/models/flowers',
  labels: ['cats', 'dogs'],
  backend: 'cpu',
  bestEpoch: { phase: 'fine-tune', epoch: 1, valAcc: 0.82 },
  history: [],
  cancelled: false,
  saved: true,
  evaluation: {
    accuracy: 0.875,
    labels: ['cats', 'dogs'],
    perClass: [
      { label: 'cats', precision: 0.9, recall: 0.85, support: 20 },
      { label: 'dogs', precision: 0.86, recall: 0.9, support: 20 },
    ],
    confusion: [
      [17, 3],
      [2, 18],
    ],
    misclassified: [{ path: '/ws/data/cats/c1.png', actual: 'cats', predicted: 'dogs', probability: 0.71 }],
    skipped: [],
  },
  skipped: [],
  trainedLayers: [{ phase: 'transfer', layers: ['dense', 'predictions'] }],
};

test('dashboard: a replayed history renders every point, the phase switch, KPIs and the report', async (t) => {
  const store = new MetricHistoryStore();
  const run = store.begin({ runId, title: 'flowers · mobilenet_v2', backend: 'cpu', plannedEpochs: { transfer: 2, 'fine-tune': 2 } }, 0);
  trainNotifications(50, 2).forEach((n, i) => store.apply(n, i * 100));
  run.finish(result);

  const w = await loadWebview('dashboard');
  t.after(() => w.close());
  assert.deepEqual(w.posted, [{ type: 'ready' }]);
  // exactly what the host sends: a JSON-cloned snapshot
  await w.send(JSON.parse(JSON.stringify({ type: 'snapshot', run: run.snapshot() })));
  const q = (id: string) => w.document.querySelector(`[data-testid="${id}"]`);
  assert.equal(q('status')?.textContent, 'finished');
  assert.equal(q('chart-loss')?.getAttribute('data-batches'), '200');
  assert.equal(q('chart-loss')?.getAttribute('data-epochs'), '4');
  assert.ok(q('chart-acc')?.querySelector('canvas'), 'uPlot drew a canvas');
  assert.match(q('chart-loss')!.textContent, /epoch validation/, 'legend lists the validation series');
  assert.equal(q('final-accuracy')?.textContent, 'accuracy 87.5%');
  assert.equal(q('throughput')?.textContent, '42.5 img/s');
  assert.equal(q('backend')?.textContent, 'cpu');
  const rows = [...w.document.querySelectorAll('[data-testid="per-class"] tbody tr')].map((r) => r.textContent);
  assert.deepEqual(rows, ['cats90.0%85.0%20', 'dogs86.0%90.0%20']);
  const cells = [...w.document.querySelectorAll('[data-testid="confusion"] tbody td')].map((c) => c.textContent);
  assert.deepEqual(cells, ['17', '3', '2', '18']);
  assert.equal(q('stop'), null, 'no Stop button after the run');

  const thumb = w.document.querySelector<HTMLElement>('[data-testid="misclassified"] .thumb')!;
  thumb.click();
  assert.deepEqual(w.posted.at(-1), { type: 'openFile', path: '/ws/data/cats/c1.png' });

  // a theme change re-renders from the same data
  w.document.body.className = 'vscode-light';
  await new Promise((r) => setTimeout(r, 30));
  assert.equal(q('chart-loss')?.getAttribute('data-batches'), '200');
});

test('dashboard: after the run the header shows the finished state, not the evaluate/save phase it ended in', async (t) => {
  const store = new MetricHistoryStore();
  const run = store.begin({ runId, title: 'shapes · mobilenet_v2', backend: 'cpu', plannedEpochs: { transfer: 2, 'fine-tune': 2 } }, 0);
  const w = await loadWebview('dashboard');
  t.after(() => w.close());
  await w.send(JSON.parse(JSON.stringify({ type: 'snapshot', run: run.snapshot() })));
  const q = (id: string) => w.document.querySelector(`[data-testid="${id}"]`)?.textContent ?? null;
  // as the engine sends it: training, then evaluate and save, then the result (live, as deltas)
  let cursor = run.cursor();
  const deliver = async () => {
    const next = run.deltaSince(cursor)!;
    cursor = next.cursor;
    await w.send(JSON.parse(JSON.stringify({ type: 'delta', delta: next.delta })));
  };
  trainNotifications(2, 2).forEach((n, i) => store.apply(n, i * 100));
  store.apply({ method: 'phase', params: { runId, phase: 'evaluate', detail: 'validation set' } }, 2000);
  store.apply({ method: 'phase', params: { runId, phase: 'save', detail: '/ws/models/shapes' } }, 2100);
  await deliver();
  // while saving: no stale "batch 0/2" from the last training epoch
  assert.equal(q('phase'), 'save');
  assert.equal(q('batch'), '–');
  run.finish(result);
  await deliver();
  assert.equal(q('status'), 'finished');
  // the last epoch trained was fine-tune epoch 2 of 2; the best epoch (fine-tune 1) had val acc 82%
  assert.equal(q('phase'), 'done');
  assert.equal(q('epoch'), 'fine-tune 2/2');
  assert.equal(q('best-val-acc'), '82.0% (fine-tune 1)');
  assert.equal(q('batch'), null, 'no batch counter after the run');
  assert.equal(q('val-acc'), '87.5%');
  // and the same after a reload (a snapshot of the finished run)
  await w.send(JSON.parse(JSON.stringify({ type: 'snapshot', run: run.snapshot() })));
  assert.deepEqual([q('phase'), q('epoch'), q('best-val-acc')], ['done', 'fine-tune 2/2', '82.0% (fine-tune 1)']);
});

test('dashboard: a stopped run says where it stopped', async (t) => {
  const store = new MetricHistoryStore();
  const run = store.begin({ runId, title: 'stopped', plannedEpochs: { transfer: 5 } }, 0);
  // one of five transfer epochs, then a cancel during the second
  const notes = trainNotifications(3, 5).filter((n) => n.method !== 'log' && 'phase' in n.params && n.params.phase === 'transfer');
  notes.slice(0, 7).forEach((n, i) => store.apply(n, i * 100));
  run.finish({ ...result, cancelled: true, saved: false, evaluation: undefined, bestEpoch: { phase: 'transfer', epoch: 1, valAcc: 0.82 } });
  const w = await loadWebview('dashboard');
  t.after(() => w.close());
  await w.send(JSON.parse(JSON.stringify({ type: 'snapshot', run: run.snapshot() })));
  const q = (id: string) => w.document.querySelector(`[data-testid="${id}"]`)?.textContent ?? null;
  assert.equal(q('status'), 'stopped');
  assert.equal(q('phase'), 'stopped');
  assert.equal(q('epoch'), 'transfer 1/5');
  assert.equal(q('best-val-acc'), '82.0% (transfer 1)');
  // stopped without keeping the best: not evaluated, nothing saved, nothing to open
  assert.equal(q('final-accuracy'), 'not evaluated');
  assert.equal(q('not-saved'), 'nothing saved; left as it was:');
  assert.equal(q('model-dir'), '/ws/models/flowers');
  assert.equal(q('open-model'), null);
});

test('dashboard: live deltas extend the run; Stop and "Stop, keep best" post the intent', async (t) => {
  const store = new MetricHistoryStore();
  const run = store.begin({ runId, title: 'live', plannedEpochs: { transfer: 2 } }, 0);
  const all = trainNotifications(10, 2);
  all.slice(0, 5).forEach((n, i) => store.apply(n, i * 100));
  const w = await loadWebview('dashboard');
  t.after(() => w.close());
  await w.send(JSON.parse(JSON.stringify({ type: 'snapshot', run: run.snapshot() })));
  const q = (id: string) => w.document.querySelector(`[data-testid="${id}"]`);
  assert.equal(q('status')?.textContent, 'training');
  assert.equal(q('chart-loss')?.getAttribute('data-batches'), '4');
  assert.equal(q('phase')?.textContent, 'transfer');

  const cursor = run.cursor();
  all.slice(5, 30).forEach((n, i) => store.apply(n, 1000 + i * 100));
  const next = run.deltaSince(cursor)!;
  await w.send(JSON.parse(JSON.stringify({ type: 'delta', delta: next.delta })));
  assert.equal(q('chart-loss')?.getAttribute('data-batches'), String(run.batchCount));
  assert.equal(q('chart-loss')?.getAttribute('data-epochs'), '2');
  assert.equal(q('phase')?.textContent, 'fine-tune');
  assert.match(q('eta')?.textContent ?? '', /^\d+s$/);

  (q('stop-keep-best') as HTMLElement).click();
  (q('stop') as HTMLElement).click();
  assert.deepEqual(w.posted.slice(-2), [
    { type: 'stop', runId, keepBest: true },
    { type: 'stop', runId, keepBest: false },
  ]);
});

test('dashboard: malformed messages are dropped; a failed run shows its error', async (t) => {
  const w = await loadWebview('dashboard');
  t.after(() => w.close());
  await w.send({ type: 'snapshot', run: null });
  assert.ok(w.document.querySelector('[data-testid="empty"]'));
  await w.send({ type: 'snapshot', run: { runId: 'x', status: 'running' } });
  await w.send({ type: 'explode' });
  await w.send('not an object');
  assert.ok(w.document.querySelector('[data-testid="empty"]'), 'still the empty state');

  const store = new MetricHistoryStore();
  const run = store.begin({ runId, title: 'crash', plannedEpochs: {} }, 0);
  run.fail("The CNN Lab engine process was killed by SIGKILL during 'train'.");
  await w.send(JSON.parse(JSON.stringify({ type: 'snapshot', run: run.snapshot() })));
  assert.equal(w.document.querySelector('[data-testid="status"]')?.textContent, 'failed');
  assert.match(w.document.querySelector('[data-testid="error"]')?.textContent ?? '', /SIGKILL/);
});

test('dashboard: the report lists every skipped file with its reason, once, and a click asks to show it', async (t) => {
  const store = new MetricHistoryStore();
  const run = store.begin({ runId, title: 'skips', backend: 'cpu', plannedEpochs: { transfer: 1 } }, 0);
  const loop = { path: '/ws/data/cats/loop', reason: "symlink loop: links back to class folder 'cats', already scanned (/ws/data/cats)" };
  const broken = { path: '/ws/data/dogs/gone.png', reason: 'broken symlink: its target does not exist' };
  // the engine hands the evaluation the same list: shown once per file
  run.finish({ ...result, skipped: [loop, broken], evaluation: { ...result.evaluation!, skipped: [loop, broken] } });
  const w = await loadWebview('dashboard');
  t.after(() => w.close());
  await w.send(JSON.parse(JSON.stringify({ type: 'snapshot', run: run.snapshot() })));
  const items = [...w.document.querySelectorAll('[data-testid="skipped"] li')].map((li) => li.textContent);
  assert.deepEqual(items, [`${loop.path}: ${loop.reason}`, `${broken.path}: ${broken.reason}`]);
  assert.match(w.document.body.textContent, /Skipped files: 2/);
  w.document.querySelector<HTMLElement>('[data-testid="skipped"] button')!.click();
  assert.deepEqual(w.posted.at(-1), { type: 'openFile', path: loop.path });
});

test('dashboard validator: a result whose skipped entries lack a reason, or an old numeric count, is rejected', () => {
  const store = new MetricHistoryStore();
  const run = store.begin({ runId, title: 'v', backend: 'cpu', plannedEpochs: {} }, 0);
  run.finish({ ...result, skipped: [{ path: '/a', reason: 'b' }] });
  const good = JSON.parse(JSON.stringify({ type: 'snapshot', run: run.snapshot() }));
  assert.doesNotThrow(() => validateDashboardToWebview(good));
  const noReason = structuredClone(good);
  noReason.run.result.skipped = [{ path: '/a' }];
  assert.throws(() => validateDashboardToWebview(noReason), /result\.skipped\[0\]\.reason is missing/);
  const count = structuredClone(good);
  count.run.result.skipped = 3;
  assert.throws(() => validateDashboardToWebview(count), /result\.skipped is not an array/);
});
