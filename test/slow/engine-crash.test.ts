// The engine process (dist/engine.js, forked by the host's EngineClient exactly as in the
// extension) is SIGKILLed in the middle of a fine-tuning epoch. The client must report the crash,
// the next request must start a fresh process, the last checkpoint must be intact and loadable,
// and a resumed run must continue from the checkpoint's epoch and complete.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { after, before, test } from 'node:test';
import { checkpointDirOf } from '../../src/core/checkpointPath.ts';
import { withExperimentDefaults } from '../../src/core/experimentDefaults.ts';
import { EngineClient, EngineCrashedError, type EngineExit } from '../../src/host/engineClient.ts';
import type { EngineNotification } from '../../src/protocol/messages.ts';
import { loadModelDir } from '../../src/engine/save/load.ts';
import { readMetadata } from '../../src/engine/save/modelDir.ts';
import { tf } from '../../src/engine/tf.ts';
import { tempDir, writeShapesDataset, writeTinyBase } from '../unit/engine/helpers/fixtures.ts';

const enginePath = resolve(__dirname, '..', '..', 'dist', 'engine.js');
let root: string;
let client: EngineClient;

before(async () => {
  assert.ok(existsSync(enginePath), `${enginePath} missing: run \`npm run build\` (scripts/run-slow-tests.mjs does)`);
  await tf.setBackend('cpu');
  root = tempDir('cnnlab-crash-');
  client = new EngineClient({
    enginePath,
    // every improving epoch is checkpointed at once, so the kill finds one on disk
    env: { ...process.env, CNN_LAB_CHECKPOINT_INTERVAL_MS: '0', CNN_LAB_CACHE: join(root, 'cache') },
  });
});
after(() => {
  client?.dispose();
  rmSync(root, { recursive: true, force: true });
});

test('SIGKILL mid-epoch: reported, restarted, checkpoint intact, resume continues from it', { timeout: 240_000 }, async () => {
  const data = await writeShapesDataset(join(root, 'data'), 24, 32);
  const base = await writeTinyBase(join(root, 'base'), 32);
  const out = join(root, 'model');
  const config = withExperimentDefaults({
    data,
    out,
    base,
    backend: 'cpu',
    fcUnits: 16,
    batchSize: 4,
    validationSplit: 0.25,
    earlyStopping: null,
    freeze: ['up to conv1'],
    transfer: { epochs: 2, learningRate: 0.01 },
    fineTune: { epochs: 6, learningRate: 0.001, momentum: 0.9 },
  });

  const exits: EngineExit[] = [];
  client.onExit((e) => exits.push(e));
  const seen: EngineNotification[] = [];
  let killedAt: { epoch: number; batch: number } | undefined;
  let crashReported = false;
  const sub = client.onNotification((n) => {
    seen.push(n);
    if (!killedAt && n.method === 'batchEnd' && n.params.phase === 'fine-tune' && n.params.epoch === 3) {
      killedAt = { epoch: n.params.epoch, batch: n.params.batch };
      process.kill(client.pid!, 'SIGKILL');
    }
  });
  const firstPid = await new Promise<number>((resolvePid) => {
    const s = client.onStart((pid) => {
      s.dispose();
      resolvePid(pid);
    });
    void client.request('train', { runId: 'crash', config }).then(
      () => assert.fail('the run should not finish: the engine was killed'),
      (e: unknown) => {
        assert.ok(e instanceof EngineCrashedError, `expected EngineCrashedError, got ${e}`);
        assert.match(e.message, /The CNN Lab engine process was killed by SIGKILL during 'train'/);
        crashReported = true;
      },
    );
  });
  await waitFor(() => crashReported, 180_000, 'the crash to be reported');
  sub.dispose();
  assert.ok(killedAt, 'killed during fine-tune epoch 3');
  assert.deepEqual(
    exits.map((e) => [e.expected, e.signal]),
    [[false, 'SIGKILL']],
  );
  assert.equal(client.running, false);

  // The last checkpoint: intact, loadable, an epoch before the kill; the output folder untouched.
  assert.equal(existsSync(out), false, 'the output folder gets the model only when the run completes');
  const meta = readMetadata(checkpointDirOf(out));
  assert.equal(meta.status, 'checkpoint');
  const b = meta.bestEpoch!;
  assert.ok(b.phase === 'transfer' || (b.phase === 'fine-tune' && b.epoch <= 3), JSON.stringify(b));
  const clf = await loadModelDir(checkpointDirOf(out));
  clf.dispose();
  const doneBefore = seen.filter((n) => n.method === 'epochEnd').length;
  assert.ok(doneBefore >= 4, `epochs finished before the kill: ${doneBefore}`);

  // Resume: a new engine process continues after the checkpoint's epoch and completes.
  const resumedEpochs: string[] = [];
  const sub2 = client.onNotification((n) => n.method === 'epochEnd' && resumedEpochs.push(`${n.params.phase} ${n.params.epoch}`));
  const result = await client.request('train', { runId: 'resumed', config, resume: true });
  sub2.dispose();
  assert.notEqual(client.pid, firstPid, 'a fresh engine process');
  const expected =
    b.phase === 'transfer'
      ? [
          ...Array.from({ length: 2 - b.epoch }, (_, i) => `transfer ${b.epoch + 1 + i}`),
          ...[1, 2, 3, 4, 5, 6].map((e) => `fine-tune ${e}`),
        ]
      : Array.from({ length: 6 - b.epoch }, (_, i) => `fine-tune ${b.epoch + 1 + i}`);
  assert.deepEqual(resumedEpochs, expected);
  assert.equal(result.cancelled, false);
  assert.deepEqual(result.history.slice(0, meta.history.length), meta.history, 'the history up to the checkpoint is kept');
  assert.equal(result.history.length, 8);
  const final = readMetadata(out);
  assert.equal(final.status, 'complete');
  (await loadModelDir(out)).dispose();
  assert.equal(existsSync(checkpointDirOf(out)), false, 'the completed run removed its checkpoint');
  assert.deepEqual(
    readdirSync(root).filter((n) => n.startsWith('.model')),
    [],
    'no temp folder left',
  );
});

async function waitFor(ok: () => boolean, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > end) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
