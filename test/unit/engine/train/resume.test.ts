// Resuming from the checkpoint a cancelled (or crashed) run left: the checkpoint's weights are
// loaded by name, its history is kept up to the saved epoch, and training continues with the next
// epoch. Refusals name the folder and the field. (The SIGKILL version is test/slow/engine-crash.)
import assert from 'node:assert/strict';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { checkpointDirOf } from '../../../../src/core/checkpointPath.ts';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { withExperimentDefaults } from '../../../../src/core/experimentDefaults.ts';
import type { EngineNotification } from '../../../../src/protocol/messages.ts';
import { paramsProblem } from '../../../../src/protocol/validate.ts';
import { run as runCli } from '../../../../src/cli/train.ts';
import { createEngine } from '../../../../src/engine/engine.ts';
import { readMetadata } from '../../../../src/engine/save/modelDir.ts';
import { readModelArtifacts } from '../../../../src/engine/save/modelFiles.ts';
import { tf } from '../../../../src/engine/tf.ts';
import { tempDir, writeShapesDataset, writeTinyBase } from '../helpers/fixtures.ts';

let root: string;
let data: string;
let baseJson: string;

const config = (out: string, over: Parameters<typeof withExperimentDefaults>[0] = {}) =>
  withExperimentDefaults({
    data,
    out,
    base: baseJson,
    backend: 'cpu',
    fcUnits: 8,
    batchSize: 4,
    validationSplit: 0.25,
    transfer: { epochs: 6, learningRate: 0.01 },
    earlyStopping: null,
    freeze: ['up to conv1'],
    ...over,
  });

/** Weights by name, as bytes, of a saved model directory. */
async function weightBytes(dir: string): Promise<Map<string, string>> {
  const { artifacts } = await readModelArtifacts(join(dir, 'model.json'));
  const out = new Map<string, string>();
  let offset = 0;
  for (const spec of artifacts.weightSpecs!) {
    const n = spec.shape.reduce((a, b) => a * b, 1) * 4;
    out.set(spec.name, Buffer.from((artifacts.weightData as ArrayBuffer).slice(offset, offset + n)).toString('base64'));
    offset += n;
  }
  return out;
}

/** Trains until `stopAfter` (phase, epoch) has ended, then cancels keeping the last checkpoint. */
async function trainThenCancel(
  out: string,
  over: Parameters<typeof withExperimentDefaults>[0],
  stopAfter: { phase: string; epoch: number },
) {
  const engine = createEngine(
    (n) => {
      if (n.method === 'epochEnd' && n.params.phase === stopAfter.phase && n.params.epoch === stopAfter.epoch)
        void engine.handle('cancel', { runId: 'first', keepBest: false });
    },
    { trainHooks: { checkpointIntervalMs: 0, featureCacheDir: null } },
  );
  const result = await engine.handle('train', { runId: 'first', config: config(out, over) });
  assert.equal(result.cancelled, true);
  return readMetadata(checkpointDirOf(out));
}

async function resume(out: string, over: Parameters<typeof withExperimentDefaults>[0]) {
  const events: EngineNotification[] = [];
  const engine = createEngine((n) => events.push(n), { trainHooks: { checkpointIntervalMs: 0, featureCacheDir: null } });
  const result = await engine.handle('train', { runId: 'again', config: config(out, over), resume: true });
  const epochs = events.flatMap((e) => (e.method === 'epochEnd' ? [`${e.params.phase} ${e.params.epoch}`] : []));
  const logs = events.flatMap((e) => (e.method === 'log' ? [e.params.message] : []));
  return { result, epochs, logs };
}

before(async () => {
  await tf.setBackend('cpu');
  root = tempDir('cnnlab-resume-');
  process.env.CNN_LAB_CACHE = join(root, 'cache'); // the CLI run uses the default feature cache
  data = await writeShapesDataset(join(root, 'data'), 8, 16);
  baseJson = await writeTinyBase(join(root, 'base'), 16);
});

after(() => {
  delete process.env.CNN_LAB_CACHE;
  rmSync(root, { recursive: true, force: true });
});

describe('resume from a checkpoint', () => {
  test('in the transfer phase: the epochs after the checkpoint run, the history before it is kept', async () => {
    const out = join(root, 'transfer');
    const ckpt = await trainThenCancel(out, {}, { phase: 'transfer', epoch: 3 });
    assert.equal(ckpt.status, 'checkpoint');
    const b = ckpt.bestEpoch!;
    assert.equal(b.phase, 'transfer');
    const { result, epochs, logs } = await resume(out, {});
    assert.equal(result.cancelled, false);
    assert.deepEqual(
      epochs,
      Array.from({ length: 6 - b.epoch }, (_, i) => `transfer ${b.epoch + 1 + i}`),
    );
    assert.deepEqual(
      result.history.map((h) => h.epoch),
      [1, 2, 3, 4, 5, 6],
    );
    assert.deepEqual(result.history.slice(0, b.epoch), ckpt.history.slice(0, b.epoch), 'the checkpoint history is kept as it was');
    assert.ok(
      logs.some((l) => l.includes(`resuming from the checkpoint in ${checkpointDirOf(out)}: transfer epoch ${b.epoch}`)),
      logs.join('\n'),
    );
    assert.equal(readMetadata(out).status, 'complete');
    assert.equal(existsSync(checkpointDirOf(out)), false, 'the completed run removed its checkpoint');
  });

  test("into fine-tuning; with nothing left to run, the saved weights are exactly the checkpoint's", async () => {
    const out = join(root, 'fine-tune');
    const over = { transfer: { epochs: 2, learningRate: 0.01 }, fineTune: { epochs: 3, learningRate: 0.001, momentum: 0.9 } };
    const ckpt = await trainThenCancel(out, over, { phase: 'fine-tune', epoch: 2 });
    const b = ckpt.bestEpoch!;
    assert.deepEqual([b.phase, b.epoch], ['fine-tune', 2], 'seeded: fine-tune epoch 2 improved, so it is the checkpoint');
    const { epochs } = await resume(out, over);
    assert.deepEqual(epochs, ['fine-tune 3']);

    // Resume a checkpoint whose epochs are all done: no epoch runs, and the weights saved as the
    // complete model are the checkpoint's, name for name (so they were loaded by name, not order).
    const out2 = join(root, 'nothing-left');
    const ckpt2 = await trainThenCancel(out2, over, { phase: 'fine-tune', epoch: 1 });
    const before = await weightBytes(checkpointDirOf(out2));
    assert.deepEqual([ckpt2.bestEpoch!.phase, ckpt2.bestEpoch!.epoch], ['fine-tune', 1]);
    const again = await resume(out2, { ...over, fineTune: { ...over.fineTune, epochs: 1 } });
    assert.deepEqual(again.epochs, []);
    assert.equal(readMetadata(out2).status, 'complete');
    assert.deepEqual(await weightBytes(out2), before);
  });

  test('refused, naming the folder and the field: no checkpoint, a completed model, a changed experiment', async () => {
    const engine = createEngine(() => {}, { trainHooks: { featureCacheDir: null } });
    const none = join(root, 'none');
    await assert.rejects(
      engine.handle('train', { runId: 'x', config: config(none), resume: true }),
      new RegExp(`cannot resume: no checkpoint in ${none}\\.checkpoint and no model in ${none}`),
    );
    const complete = join(root, 'transfer'); // completed by the first test
    await assert.rejects(
      engine.handle('train', { runId: 'x', config: config(complete), resume: true }),
      /holds a completed model, not a checkpoint/,
    );
    const out = join(root, 'changed');
    await trainThenCancel(out, {}, { phase: 'transfer', epoch: 2 });
    await assert.rejects(
      engine.handle('train', { runId: 'x', config: config(out, { fcUnits: 16 }), resume: true }),
      /trained with fcUnits 8, the experiment now says 16/,
    );
    await assert.rejects(
      engine.handle('train', { runId: 'x', config: config(out, { seed: 7 }), resume: true }),
      /trained with seed 42, the experiment now says 7/,
    );
    assert.equal(readMetadata(checkpointDirOf(out)).status, 'checkpoint', 'a refused resume leaves the checkpoint alone');
    assert.equal(paramsProblem('train', { runId: 'r', config: config(out), resume: 'yes' }), 'params.resume must be true or false');
    assert.ok(JSON.parse(readFileSync(join(checkpointDirOf(out), 'model.json'), 'utf8')).modelTopology);
  });

  test('cnn-lab train --resume --out DIR: the experiment comes from the checkpoint; the run completes', async () => {
    const out = join(root, 'cli');
    const ckpt = await trainThenCancel(out, {}, { phase: 'transfer', epoch: 2 });
    const lines: string[] = [];
    const code = await runCli(['--resume', '--out', out, '--json'], { out: (l) => lines.push(l), err: () => {}, isTTY: false });
    assert.equal(code, 0, lines.join('\n'));
    const result = JSON.parse(lines.at(-1)!);
    assert.equal(result.event, 'result');
    assert.deepEqual(
      result.history.map((h: { epoch: number }) => h.epoch),
      [1, 2, 3, 4, 5, 6],
    );
    assert.deepEqual(result.history.slice(0, ckpt.bestEpoch!.epoch), ckpt.history.slice(0, ckpt.bestEpoch!.epoch));
    await assert.rejects(
      runCli(['--resume', '--out', join(root, 'nowhere')], { out: () => {}, err: () => {}, isTTY: false }),
      /--resume: no checkpoint for .*nowhere/,
    );
  });
});
