// One training run per output folder. Two runs into the same `out` would both print "saved" while
// overwriting each other's model and sharing `<out>.checkpoint`; the engine's training run holds
// this lock for its whole length, so the CLI and the editor both get it.
//
// The lock is proper-lockfile's: an atomic mkdir of `<out>.lock` BESIDE the folder (never inside
// it: the folder may be the user's, and we only write files there that we own), whose mtime the
// holder refreshes every few seconds. A process killed with SIGKILL stops refreshing, so its lock
// goes stale and the next run breaks it safely. Who holds it (pid, since when) is kept in
// `<out>.lock.owner.json`, also beside the folder, so the second run can say so in one line.
import { readFileSync, rmSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import lockfile from 'proper-lockfile';

/** a lock not refreshed for this long belongs to a dead process */
export const LOCK_STALE_MS = 20_000;
const LOCK_UPDATE_MS = 5_000;

export const lockPathOf = (out: string) => resolve(out).replace(/[\\/]+$/, '') + '.lock';
const ownerPathOf = (out: string) => lockPathOf(out) + '.owner.json';

interface LockOwner {
  pid: number;
  since: string;
}

/**
 * Takes the lock on `outInput` or throws at once, naming who holds it. Returns the release
 * function (idempotent), which removes the lock and its owner file.
 */
export async function lockOutFolder(outInput: string, onCompromised: (message: string) => void = () => {}): Promise<() => Promise<void>> {
  const out = resolve(outInput);
  const lockPath = lockPathOf(out);
  const ownerPath = ownerPathOf(out);
  await mkdir(dirname(out), { recursive: true });
  let release: () => Promise<void>;
  try {
    release = await lockfile.lock(out, {
      realpath: false, // `out` need not exist yet
      lockfilePath: lockPath,
      stale: LOCK_STALE_MS,
      update: LOCK_UPDATE_MS,
      retries: 0,
      // The default throws from a timer and kills the process; a lost lock (e.g. the folder's disk
      // stalled past `stale`) is worth a warning, not a crash of the run.
      onCompromised: (e) => onCompromised(`the lock ${lockPath} was lost (${e.message}); another run may now use ${out}`),
    });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ELOCKED') throw new Error(`cannot lock ${out} (${lockPath}): ${(e as Error).message}`);
    let who = 'another CNN Lab run';
    try {
      const owner = JSON.parse(readFileSync(ownerPath, 'utf8')) as LockOwner;
      who = `another CNN Lab run (pid ${owner.pid}, since ${owner.since})`;
    } catch {
      /* the holder has not written its owner file yet */
    }
    throw new Error(`cannot train into ${out}: ${who} is using it (lock ${lockPath}); wait for it to finish or choose another output folder`);
  }
  const owner: LockOwner = { pid: process.pid, since: new Date().toISOString() };
  await writeFile(ownerPath, JSON.stringify(owner) + '\n');
  let released = false;
  return async () => {
    if (released) return;
    released = true;
    rmSync(ownerPath, { force: true });
    try {
      await release();
    } catch {
      /* already released or compromised: nothing of ours is left to remove */
    }
  };
}
