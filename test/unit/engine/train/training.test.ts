// End-to-end training runs on the CPU backend with a generated dataset and a tiny stand-in base:
// accuracy, frozen weights untouched, BN statistics untouched, save → load → same predictions,
// flat tensor count, corrupt files reported, checkpoint left by a cancel.
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { checkpointDirOf } from '../../../../src/core/checkpointPath.ts';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { withExperimentDefaults } from '../../../../src/core/experimentDefaults.ts';
import type { EngineNotification, TrainResult } from '../../../../src/protocol/messages.ts';
import { createEngine } from '../../../../src/engine/engine.ts';
import { predictFiles } from '../../../../src/engine/predict/predict.ts';
import { loadModelDir } from '../../../../src/engine/save/load.ts';
import { readMetadata } from '../../../../src/engine/save/modelDir.ts';
import { readModelArtifacts } from '../../../../src/engine/save/modelFiles.ts';
import { tf } from '../../../../src/engine/tf.ts';
import { runTraining } from '../../../../src/engine/train/run.ts';
import { tempDir, writeShapesDataset, writeTinyBase } from '../helpers/fixtures.ts';

let root: string;
let data: string;
let baseJson: string;

/** Weights of a model.json by name, as raw float arrays. */
async function weightsByName(modelJson: string): Promise<Map<string, Float32Array>> {
  const { artifacts } = await readModelArtifacts(modelJson);
  const map = new Map<string, Float32Array>();
  let offset = 0;
  const buffer = artifacts.weightData as ArrayBuffer;
  for (const spec of artifacts.weightSpecs!) {
    const n = spec.shape.reduce((a, b) => a * b, 1);
    map.set(spec.name, new Float32Array(buffer.slice(offset, offset + n * 4)));
    offset += n * 4;
  }
  return map;
}

function config(out: string, overrides: Parameters<typeof withExperimentDefaults>[0] = {}) {
  return withExperimentDefaults({
    data,
    out,
    base: baseJson,
    backend: 'cpu',
    fcUnits: 16,
    batchSize: 8,
    validationSplit: 0.25,
    transfer: { epochs: 6, learningRate: 0.01 },
    earlyStopping: null,
    ...overrides,
  });
}

function collect() {
  const events: EngineNotification[] = [];
  return { events, notify: (n: EngineNotification) => events.push(n) };
}

before(async () => {
  await tf.setBackend('cpu');
  root = tempDir();
  process.env.CNN_LAB_CACHE = join(root, 'cache');
  data = await writeShapesDataset(join(root, 'data'), 40);
  // Odd files that must be reported while the run completes.
  writeFileSync(join(data, 'blobs', 'empty.jpg'), '');
  writeFileSync(join(data, 'stripes', 'notes.png'), 'this is text, not a PNG');
  baseJson = await writeTinyBase(join(root, 'base'));
});

after(() => {
  delete process.env.CNN_LAB_CACHE;
});

describe('transfer learning with a frozen tiny base', () => {
  let result: TrainResult;
  const tensorsAtEpochEnd: number[] = [];
  let out: string;

  before(async () => {
    out = join(root, 'model-transfer');
    const { notify } = collect();
    result = await runTraining(config(out), {
      runId: 'r1',
      notify: (n) => {
        if (n.method === 'epochEnd') tensorsAtEpochEnd.push(tf.memory().numTensors);
        notify(n);
      },
      signal: new AbortController().signal,
      keepBestOnCancel: () => true,
      checkpointIntervalMs: 0,
    });
  });

  it('reaches high validation accuracy', () => {
    assert.equal(result.cancelled, false);
    assert.deepEqual(result.labels, ['blobs', 'stripes']);
    assert.equal(result.history.length, 6);
    assert.ok(result.evaluation, 'an evaluation on the validation split');
    assert.ok(result.evaluation.accuracy >= 0.9, `validation accuracy ${result.evaluation.accuracy}`);
  });

  it('reports the corrupt files and still completes', () => {
    const reasons = new Map(result.skipped.map((s) => [s.path, s.reason]));
    assert.ok(reasons.has(join(data, 'blobs', 'empty.jpg')), JSON.stringify(result.skipped));
    assert.ok(reasons.has(join(data, 'stripes', 'notes.png')), JSON.stringify(result.skipped));
    assert.match(reasons.get(join(data, 'blobs', 'empty.jpg'))!, /empty|0 bytes/i);
  });

  it('keeps tf.memory().numTensors flat across epochs', () => {
    assert.equal(tensorsAtEpochEnd.length, 6);
    // Epoch 1 creates the optimizer's slots and the best-weights copy; from then on nothing may grow.
    const steady = tensorsAtEpochEnd.slice(1);
    assert.ok(
      steady.every((n) => n === steady[0]),
      `numTensors per epoch: ${tensorsAtEpochEnd}`,
    );
  });

  it('leaves the frozen base weights bit-identical', async () => {
    const before = await weightsByName(baseJson);
    const after = await weightsByName(join(out, 'model.json'));
    for (const [name, values] of before) {
      assert.ok(after.has(name), `saved model has ${name}`);
      assert.deepEqual(after.get(name), values, `${name} unchanged`);
    }
  });

  it('saves a model directory that reproduces the validation predictions exactly', async () => {
    const meta = readMetadata(out);
    assert.equal(meta.status, 'complete');
    assert.deepEqual(meta.labels, ['blobs', 'stripes']);
    assert.deepEqual(meta.inputSize, [32, 32]);
    assert.equal(meta.history.length, 6);
    assert.match(meta.versions.tfjs, /^4\./);
    const saved = meta.validationPredictions!;
    assert.ok(saved.length >= 10);
    const clf = await loadModelDir(out);
    try {
      const probs = await predictFiles(
        clf,
        saved.map((s) => ({ path: s.path, label: 0 })),
      );
      assert.deepEqual(
        probs.paths,
        saved.map((s) => s.path),
      );
      const k = meta.labels.length;
      saved.forEach((s, i) => assert.deepEqual(Array.from(probs.values.slice(i * k, (i + 1) * k)), s.probabilities, s.path));
    } finally {
      clf.dispose();
    }
  });

  it('reuses cached bottleneck features on a second run', async () => {
    const { events, notify } = collect();
    await runTraining(config(join(root, 'model-again'), { transfer: { epochs: 1, learningRate: 0.01 } }), {
      runId: 'r1b',
      notify,
      signal: new AbortController().signal,
      keepBestOnCancel: () => true,
    });
    const details = events.flatMap((e) => (e.method === 'phase' && e.params.phase === 'features' ? [e.params.detail ?? ''] : []));
    assert.ok(
      details.some((d) => /from cache/.test(d)),
      details.join('\n'),
    );
    // The first phase names the backend the run resolved to, for the dashboard and status bar.
    const first = events.find((e) => e.method === 'phase');
    assert.equal(first?.method === 'phase' ? first.params.backend : undefined, 'cpu');
  });
});

describe('fine-tuning with part of the base frozen', () => {
  it('changes trainable layers only; BN moving statistics stay as they were', async () => {
    const out = join(root, 'model-finetune');
    const result = await runTraining(
      config(out, {
        transfer: { epochs: 1, learningRate: 0.01 },
        fineTune: { epochs: 2, learningRate: 0.05, momentum: 0.9 },
        freeze: ['up to conv1'],
      }),
      { runId: 'r2', notify: () => {}, signal: new AbortController().signal, keepBestOnCancel: () => true, checkpointIntervalMs: 0 },
    );
    assert.equal(result.cancelled, false);
    const ft = result.trainedLayers.find((t) => t.phase === 'fine-tune')!;
    assert.deepEqual(ft.layers, ['bn1', 'conv2', 'cnnlab_fc', 'cnnlab_predictions']);
    const before = await weightsByName(baseJson);
    const after = await weightsByName(join(out, 'model.json'));
    assert.deepEqual(after.get('conv1/kernel'), before.get('conv1/kernel'));
    assert.deepEqual(after.get('conv1/bias'), before.get('conv1/bias'));
    assert.deepEqual(after.get('bn1/moving_mean'), before.get('bn1/moving_mean'));
    assert.deepEqual(after.get('bn1/moving_variance'), before.get('bn1/moving_variance'));
    assert.notDeepEqual(after.get('conv2/kernel'), before.get('conv2/kernel'));
    assert.notDeepEqual(after.get('bn1/gamma'), before.get('bn1/gamma'));
  });
});

describe('engine: train with augmentation, then cancel', () => {
  it('runs augmented transfer epochs', async () => {
    const { events, notify } = collect();
    const engine = createEngine(notify, { trainHooks: { checkpointIntervalMs: 0 } });
    const result = await engine.handle('train', {
      runId: 'aug',
      config: config(join(root, 'model-aug'), { augment: 'light', transfer: { epochs: 2, learningRate: 0.01 } }),
    });
    assert.equal(result.history.length, 2);
    assert.ok(events.some((e) => e.method === 'done'));
    assert.ok(events.some((e) => e.method === 'batchEnd'));
  });

  it('cancel mid-run leaves the last checkpoint loadable', async () => {
    const out = join(root, 'model-cancel');
    const events: EngineNotification[] = [];
    const engine = createEngine(
      (n) => {
        events.push(n);
        if (n.method === 'epochEnd' && n.params.epoch === 2) void engine.handle('cancel', { runId: 'c1', keepBest: false });
      },
      { trainHooks: { checkpointIntervalMs: 0 } },
    );
    const result = await engine.handle('train', {
      runId: 'c1',
      config: config(out, { batchSize: 4, transfer: { epochs: 50, learningRate: 0.01 } }),
    });
    assert.equal(result.cancelled, true);
    assert.equal(result.history.length, 2, 'stopped at the first batch after epoch 2');
    // checkpoints live beside the output folder, which a cancelled run leaves as it was
    const checkpoint = checkpointDirOf(out);
    assert.equal(existsSync(out), false, 'no model was in the output folder, and none was put there');
    const meta = readMetadata(checkpoint);
    assert.equal(meta.status, 'checkpoint');
    const clf = await loadModelDir(checkpoint);
    clf.dispose();
    assert.equal(engine.activeRunId(), undefined);
    // A new run may start after the cancel.
    const again = await engine.handle('cancel', { runId: 'c1', keepBest: true });
    assert.equal(again.cancelled, false);
    assert.ok(JSON.parse(readFileSync(join(checkpoint, 'model.json'), 'utf8')).modelTopology);
  });
});
