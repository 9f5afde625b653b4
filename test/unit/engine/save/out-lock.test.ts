// Two `train --out M` at once used to both print "saved" and share M.checkpoint. A run now holds
// a lock beside M (M.lock) for its whole length; a second run fails at once naming the holder.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdirSync, readdirSync, utimesSync } from 'node:fs';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { withExperimentDefaults } from '../../../../src/core/experimentDefaults.ts';
import { LOCK_STALE_MS, lockOutFolder } from '../../../../src/engine/save/outLock.ts';
import { runTraining } from '../../../../src/engine/train/run.ts';
import { tempDir } from '../helpers/fixtures.ts';

let root: string;
before(() => {
  root = tempDir('cnnlab-lock-');
});

test('a second lock on the same folder fails at once, naming the pid and since when', async () => {
  const out = join(root, 'M');
  const release = await lockOutFolder(out);
  try {
    await assert.rejects(lockOutFolder(out), (e: Error) => {
      assert.match(
        e.message,
        new RegExp(
          `^cannot train into ${out}: another CNN Lab run \\(pid ${process.pid}, since \\d{4}-\\d\\d-\\d\\dT[^)]+\\) is using it \\(lock ${out}\\.lock\\); wait for it to finish or choose another output folder$`,
        ),
      );
      return true;
    });
  } finally {
    await release();
  }
  // released: nothing left beside or inside the folder, and the folder can be locked again
  assert.deepEqual(
    readdirSync(root).filter((n) => n.startsWith('M')),
    [],
  );
  await (
    await lockOutFolder(out)
  )();
});

test('the lock lives beside the folder, never inside it', async () => {
  const out = join(root, 'mine');
  mkdirSync(out);
  const release = await lockOutFolder(out);
  assert.deepEqual(readdirSync(out), []);
  assert.ok(existsSync(`${out}.lock`));
  await release();
});

test('a stale lock (not refreshed for longer than LOCK_STALE_MS, no owner file) is broken', async () => {
  const out = join(root, 'stale');
  mkdirSync(`${out}.lock`);
  const past = new Date(Date.now() - LOCK_STALE_MS - 60_000);
  utimesSync(`${out}.lock`, past, past);
  const release = await lockOutFolder(out);
  await release();
  assert.equal(existsSync(`${out}.lock`), false);
});

test('runTraining refuses an output folder another run holds, before any work', async () => {
  const out = join(root, 'busy');
  const data = join(root, 'data');
  mkdirSync(data);
  const release = await lockOutFolder(out);
  try {
    const config = withExperimentDefaults({ data, out, base: 'mobilenet_v2' });
    await assert.rejects(
      runTraining(config, { runId: 'r', notify: () => {}, signal: new AbortController().signal, keepBestOnCancel: () => false }),
      /cannot train into .*busy: another CNN Lab run \(pid \d+/,
    );
  } finally {
    await release();
  }
});

test('a fresh lock whose owner pid is dead (a SIGKILLed run, resumed at once) is broken without waiting', async () => {
  const { spawnSync } = await import('node:child_process');
  const { writeFileSync } = await import('node:fs');
  const out = join(root, 'killed');
  mkdirSync(`${out}.lock`);
  const dead = spawnSync('true').pid;
  writeFileSync(`${out}.lock.owner.json`, JSON.stringify({ pid: dead, since: new Date().toISOString() }));
  const release = await lockOutFolder(out);
  await release();
  assert.equal(existsSync(`${out}.lock`), false);
});

for (const signal of ['SIGTERM', 'SIGHUP'] as const) {
  test(`a run killed with ${signal} leaves neither the lock nor its owner file beside the folder`, async () => {
    const out = join(root, `signalled-${signal}`);
    const probe = join(__dirname, 'probes', 'holdOutLock.ts');
    const child = spawn(process.execPath, ['--import', 'tsx', probe, out], {
      cwd: join(__dirname, '../../../..'),
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const exited = once(child, 'exit');
    let stdout = '';
    for await (const chunk of child.stdout) {
      stdout += chunk;
      if (stdout.includes('locked')) break;
    }
    assert.equal(stdout.trim(), 'locked');
    assert.ok(existsSync(`${out}.lock`) && existsSync(`${out}.lock.owner.json`), 'the probe holds the lock');
    child.kill(signal);
    const [code, gotSignal] = await exited;
    assert.deepEqual([code, gotSignal], [null, signal], 'the process still dies of the signal');
    assert.deepEqual(
      readdirSync(root).filter((n) => n.startsWith(`signalled-${signal}`)),
      [],
    );
  });
}

test('an owner file that cannot be written fails the lock in one line and releases it; a folder in its place stays', async () => {
  const out = join(root, 'ownerless');
  mkdirSync(`${out}.lock.owner.json`); // not ours: writing the owner file there fails with EISDIR
  await assert.rejects(lockOutFolder(out), (e: Error) => {
    assert.equal(e.message, `cannot lock ${out}: cannot write ${out}.lock.owner.json (EISDIR)`);
    return true;
  });
  assert.equal(existsSync(`${out}.lock`), false, 'the lock is released');
  assert.ok(existsSync(`${out}.lock.owner.json`), "the folder in the owner file's place is left alone");
});
