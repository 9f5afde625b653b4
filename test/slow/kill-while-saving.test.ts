// SIGKILL the forked engine right as it writes a checkpoint (the kill lands at a random point of
// the save: while writing the temp folder, between the two renames, or after), several times in a
// row, resuming after each kill. Whatever the timing, the output folder must load (after the
// repair recoverInterruptedSave does) and the run must finally complete. Checkpoints are written
// to <out>.checkpoint, so that is the folder under fire.
import assert from 'node:assert/strict';
import { existsSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { after, before, test } from 'node:test';
import { checkpointDirOf } from '../../src/core/checkpointPath.ts';
import { withExperimentDefaults } from '../../src/core/experimentDefaults.ts';
import { EngineClient, EngineCrashedError } from '../../src/host/engineClient.ts';
import { loadModelDir } from '../../src/engine/save/load.ts';
import { readMetadata, recoverInterruptedSave } from '../../src/engine/save/modelDir.ts';
import { tf } from '../../src/engine/tf.ts';
import { tempDir, writeShapesDataset, writeTinyBase } from '../unit/engine/helpers/fixtures.ts';

const enginePath = resolve(__dirname, '..', '..', 'dist', 'engine.js');
let root: string;
let client: EngineClient;

before(async () => {
  assert.ok(existsSync(enginePath), `${enginePath} missing: run \`npm run build\``);
  await tf.setBackend('cpu');
  root = tempDir('cnnlab-killsave-');
  client = new EngineClient({
    enginePath,
    env: { ...process.env, CNN_LAB_CHECKPOINT_INTERVAL_MS: '0', CNN_LAB_CACHE: join(root, 'cache') },
  });
});
after(() => {
  client?.dispose();
  rmSync(root, { recursive: true, force: true });
});

test(
  'killed while checkpointing, again and again: the folder always loads; resuming completes the run',
  { timeout: 300_000 },
  async (t) => {
    const data = await writeShapesDataset(join(root, 'data'), 16, 32);
    const base = await writeTinyBase(join(root, 'base'), 32);
    const out = join(root, 'model');
    // a large head makes each checkpoint a few MB, so a save takes long enough to be hit
    const config = withExperimentDefaults({
      data,
      out,
      base,
      backend: 'cpu',
      fcUnits: 4096,
      batchSize: 8,
      validationSplit: 0.25,
      earlyStopping: null,
      transfer: { epochs: 40, learningRate: 0.0005 },
    });
    let kills = 0;
    let repairs = 0;
    let resume = false;
    let from = 0; // the epoch the current run resumes after
    for (let round = 0; round < 8 && kills < 3; round++) {
      let killed = false;
      // from epoch 2 on: epoch 1's checkpoint is on disk (a kill during the very first save leaves no model, rightly)
      const killAfter = Math.max(2, from + 1 + Math.floor(Math.random() * 3));
      const sub = client.onNotification((n) => {
        // epochEnd is sent just before that epoch's checkpoint is written: kill 0–40 ms into it,
        // which lands inside the save, between its renames, or just after it
        if (!killed && n.method === 'epochEnd' && n.params.epoch >= killAfter) {
          killed = true;
          const pid = client.pid!;
          setTimeout(() => process.kill(pid, 'SIGKILL'), Math.floor(Math.random() * 40));
        }
      });
      try {
        const result = await client.request('train', { runId: `r${round}`, config, resume });
        assert.equal(result.cancelled, false);
        break; // finished before a kill landed
      } catch (e) {
        assert.ok(e instanceof EngineCrashedError, String(e));
        kills++;
      } finally {
        sub.dispose();
      }
      const checkpoint = checkpointDirOf(out);
      const repaired = recoverInterruptedSave(checkpoint);
      repairs += repaired.length;
      const clf = await loadModelDir(checkpoint);
      clf.dispose();
      const meta = readMetadata(checkpoint);
      assert.equal(meta.status, 'checkpoint');
      from = meta.bestEpoch!.epoch;
      t.diagnostic(
        `kill ${kills} (after epoch ${killAfter}): checkpoint at ${meta.bestEpoch?.phase} epoch ${from}${repaired.length ? `; repaired: ${repaired.join(', ')}` : ''}`,
      );
      resume = true;
    }
    t.diagnostic(`${kills} kills, ${repairs} repair action(s)`);
    assert.ok(kills >= 2, `only ${kills} kill(s) landed`);
    // and the run completes from the last checkpoint
    const final = await client.request('train', { runId: 'final', config, resume: true });
    assert.equal(final.history.at(-1)?.epoch, 40);
    assert.equal(readMetadata(out).status, 'complete');
  },
);
