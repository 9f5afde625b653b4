// Cancel at every stage of a run — decoding, feature extraction, an epoch, saving — and check the
// state after: the engine is free for a new run, no tensor is leaked, the output folder holds the
// previous model untouched (or, when asked to keep the best, a complete new one), and the last
// checkpoint, beside it, loads; never a part of either.
import assert from 'node:assert/strict';
import { cpSync, existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { checkpointDirOf } from '../../../../src/core/checkpointPath.ts';
import { dirname, join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { withExperimentDefaults } from '../../../../src/core/experimentDefaults.ts';
import type { EngineNotification } from '../../../../src/protocol/messages.ts';
import { createEngine } from '../../../../src/engine/engine.ts';
import { loadModelDir } from '../../../../src/engine/save/load.ts';
import { readMetadata } from '../../../../src/engine/save/modelDir.ts';
import { tf } from '../../../../src/engine/tf.ts';
import { tempDir, writeShapesDataset, writeTinyBase } from '../helpers/fixtures.ts';

let root: string;
let data: string;
let baseJson: string;
let previous: string;

const config = (out: string) =>
  withExperimentDefaults({
    data,
    out,
    base: baseJson,
    backend: 'cpu',
    fcUnits: 8,
    batchSize: 4,
    validationSplit: 0.25,
    earlyStopping: null,
    freeze: ['up to conv1'],
    transfer: { epochs: 2, learningRate: 0.01 },
    fineTune: { epochs: 2, learningRate: 0.001, momentum: 0.9 },
  });

const files = (dir: string) =>
  Object.fromEntries(
    readdirSync(dir)
      .sort()
      .map((f) => [f, readFileSync(join(dir, f)).toString('base64')]),
  );

/** Runs with a previous complete model in `out`, cancelling when `when` says so. */
async function cancelWhen(name: string, when: (n: EngineNotification) => boolean, keepBest = false) {
  const out = join(root, name);
  cpSync(previous, out, { recursive: true });
  const tensorsBefore = tf.memory().numTensors;
  let cancelled = false;
  const engine = createEngine(
    (n) => {
      if (!cancelled && when(n)) {
        cancelled = true;
        // a tick later, so the stage is under way (decodes and batches in flight), not about to start
        setImmediate(() => void engine.handle('cancel', { runId: name, keepBest }));
      }
    },
    { trainHooks: { checkpointIntervalMs: 0, featureCacheDir: null } },
  );
  const result = await engine.handle('train', { runId: name, config: config(out) });
  assert.ok(cancelled, 'the cancel point was reached');
  assert.equal(engine.activeRunId(), undefined, 'the engine takes a new run');
  assert.equal(tf.memory().numTensors, tensorsBefore, 'no tensor leaked');
  assert.deepEqual(
    readdirSync(dirname(out)).filter((n) => n.startsWith(`.${name}.`)),
    [],
    'no temp folder left',
  );
  const meta = readMetadata(out);
  (await loadModelDir(out)).dispose(); // whatever is there loads
  const checkpoint = checkpointDirOf(out);
  const ckpt = existsSync(checkpoint) ? readMetadata(checkpoint) : undefined;
  if (ckpt) (await loadModelDir(checkpoint)).dispose();
  return { out, result, meta, ckpt };
}

before(async () => {
  await tf.setBackend('cpu');
  root = tempDir('cnnlab-cancel-');
  data = await writeShapesDataset(join(root, 'data'), 8, 16);
  baseJson = await writeTinyBase(join(root, 'base'), 16);
  previous = join(root, 'previous');
  const engine = createEngine(() => {}, { trainHooks: { featureCacheDir: null } });
  await engine.handle('train', { runId: 'prev', config: config(previous) });
});

after(() => rmSync(root, { recursive: true, force: true }));

describe('cancel at each stage', () => {
  test('during feature extraction (before any checkpoint): the previous model is left byte for byte', async () => {
    const { out, result, meta, ckpt } = await cancelWhen('features', (n) => n.method === 'phase' && n.params.phase === 'features');
    assert.equal(result.cancelled, true);
    assert.equal(result.saved, false);
    assert.deepEqual(result.history, []);
    assert.equal(meta.status, 'complete');
    assert.deepEqual(files(out), files(previous));
    assert.equal(ckpt, undefined);
  });

  test('during an epoch: the previous model is untouched; the last checkpoint (epoch 1) is beside it', async () => {
    const { out, result, ckpt } = await cancelWhen(
      'epoch',
      (n) => n.method === 'batchEnd' && n.params.phase === 'transfer' && n.params.epoch === 2,
    );
    assert.equal(result.cancelled, true);
    assert.equal(result.saved, false);
    assert.deepEqual(files(out), files(previous));
    assert.equal(ckpt?.status, 'checkpoint');
    assert.deepEqual(ckpt?.bestEpoch && [ckpt.bestEpoch.phase, ckpt.bestEpoch.epoch], ['transfer', 1]);
  });

  test('during an epoch, keeping the best: the best weights are saved as "cancelled"', async () => {
    const { result, meta, ckpt } = await cancelWhen(
      'epoch-keep',
      (n) => n.method === 'batchEnd' && n.params.phase === 'transfer' && n.params.epoch === 2,
      true,
    );
    assert.equal(result.cancelled, true);
    assert.equal(result.saved, true);
    assert.equal(meta.status, 'cancelled');
    assert.equal(ckpt, undefined, 'the output folder now holds the best: the checkpoint has served');
  });

  test('during decoding for fine-tuning: the previous model is untouched, the transfer checkpoint stays', async () => {
    const { out, result, ckpt } = await cancelWhen('decode', (n) => n.method === 'phase' && n.params.phase === 'decode');
    assert.equal(result.cancelled, true);
    assert.deepEqual(files(out), files(previous));
    assert.equal(ckpt?.status, 'checkpoint');
    assert.equal(ckpt?.bestEpoch?.phase, 'transfer');
    assert.ok(result.history.every((h) => h.phase === 'transfer'));
  });

  test('during the final save: the save completes (it is not interrupted half-way) and the model is complete', async () => {
    const { result, meta, ckpt } = await cancelWhen('save', (n) => n.method === 'phase' && n.params.phase === 'save');
    assert.equal(result.cancelled, false, 'the run had finished training; cancelling the save does not tear it');
    assert.equal(result.saved, true);
    assert.equal(meta.status, 'complete');
    assert.equal(ckpt, undefined, 'a completed run removes its checkpoint');
    assert.equal(meta.history.length, 4);
  });
});
