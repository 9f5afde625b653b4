// NaN and exploding loss stop the run with an explanation, and the best epoch so far is kept as a
// checkpoint. Real runs on the CPU backend: a fine-tune learning rate far too high, and a base
// whose weights hold NaN (a broken download, not a learning-rate problem).
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { checkpointDirOf } from '../../../../src/core/checkpointPath.ts';
import { join } from 'node:path';
import { before, describe, test } from 'node:test';
import { withExperimentDefaults } from '../../../../src/core/experimentDefaults.ts';
import { loadModelDir } from '../../../../src/engine/save/load.ts';
import { readMetadata } from '../../../../src/engine/save/modelDir.ts';
import { tf } from '../../../../src/engine/tf.ts';
import { saturatedLossThreshold } from '../../../../src/engine/train/loop.ts';
import { runTraining, type TrainHooks } from '../../../../src/engine/train/run.ts';
import { tempDir, writeShapesDataset, writeTinyBase } from '../helpers/fixtures.ts';

let root: string;
let data: string;
let baseJson: string;

const hooks = (): TrainHooks => ({
  runId: 'd',
  notify: () => {},
  signal: new AbortController().signal,
  keepBestOnCancel: () => true,
  featureCacheDir: null,
  checkpointIntervalMs: 60_000,
});
const config = (out: string, over: Parameters<typeof withExperimentDefaults>[0] = {}) =>
  withExperimentDefaults({
    data,
    out,
    base: baseJson,
    backend: 'cpu',
    fcUnits: 8,
    batchSize: 4,
    validationSplit: 0.25,
    transfer: { epochs: 3, learningRate: 0.01 },
    earlyStopping: null,
    freeze: [],
    ...over,
  });

before(async () => {
  await tf.setBackend('cpu');
  root = tempDir('cnnlab-diverge-');
  data = await writeShapesDataset(join(root, 'data'), 8, 16);
  baseJson = await writeTinyBase(join(root, 'base'), 16);
});

describe('divergence', () => {
  test('the saturation threshold sits above a uniform guess for any number of classes', () => {
    for (const k of [2, 10, 1000, 20000]) assert.ok(saturatedLossThreshold(k) >= 2 * Math.log(k), `k=${k}`);
    assert.ok(Math.abs(saturatedLossThreshold(2) - -Math.log(1e-7) / 3) < 1e-6);
  });

  test('a fine-tune learning rate of 10: stopped with "learning rate too high"; the best transfer epoch is the checkpoint', async () => {
    const out = join(root, 'lr-too-high');
    await assert.rejects(runTraining(config(out, { fineTune: { epochs: 5, learningRate: 10, momentum: 0.9 } }), hooks()), (e: Error) => {
      assert.match(e.message, /^fine-tune: the loss (exploded to [\d.]+|became NaN) at epoch 1/);
      assert.match(e.message, /training diverged; the learning rate 10 is probably too high \(try 10× lower\)/);
      assert.match(
        e.message,
        /The best weights so far \(transfer epoch \d\) are saved as a checkpoint in .*lr-too-high\.checkpoint \(.*lr-too-high is left as it was\); resume from it with a lower learning rate/,
      );
      return true;
    });
    assert.equal(existsSync(out), false, 'nothing was put in the output folder');
    const meta = readMetadata(checkpointDirOf(out));
    assert.equal(meta.status, 'checkpoint');
    assert.equal(meta.bestEpoch?.phase, 'transfer');
    assert.ok(
      meta.history.every((h) => h.phase === 'transfer' && Number.isFinite(h.loss)),
      JSON.stringify(meta.history),
    );
    const clf = await loadModelDir(checkpointDirOf(out));
    const p = clf.predict(tf.zeros([1, 16, 16, 3]));
    assert.ok((await p.data()).every(Number.isFinite), 'the saved checkpoint predicts finite probabilities');
    p.dispose();
    clf.dispose();
  });

  test('a base whose weights are NaN: stopped at the first batch, blaming the base, not the learning rate', async () => {
    const dir = join(root, 'nan-base');
    const json = await writeTinyBase(dir, 16);
    const manifest = JSON.parse(readFileSync(json, 'utf8')).weightsManifest[0].weights as { name: string; shape: number[] }[];
    const weights = readFileSync(join(dir, 'weights.bin'));
    let offset = 0;
    for (const w of manifest) {
      const n = w.shape.reduce((a, b) => a * b, 1);
      if (w.name === 'conv2/bias') for (let i = 0; i < n; i++) weights.writeFloatLE(NaN, offset + 4 * i);
      offset += 4 * n;
    }
    writeFileSync(join(dir, 'weights.bin'), weights);
    const out = join(root, 'nan-out');
    await assert.rejects(
      runTraining(config(out, { base: json }), hooks()),
      /^Error: transfer: the loss is NaN on the very first batch, before any weight was updated — the base model or the input images produce non-finite values .*not a learning-rate problem$/,
    );
  });
});
