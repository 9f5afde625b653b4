// One training run per output folder. Two runs into the same `out` would both print "saved" while
// overwriting each other's model and sharing `<out>.checkpoint`; the engine's training run holds
// this lock for its whole length, so the CLI and the editor both get it.
//
// The lock is proper-lockfile's: an atomic mkdir of `<out>.lock` BESIDE the folder (never inside
// it: the folder may be the user's, and we only write files there that we own), whose mtime the
// holder refreshes every few seconds. A process killed with SIGKILL stops refreshing, so its lock
// goes stale and the next run breaks it safely. Who holds it (pid, since when) is kept in
// `<out>.lock.owner.json`, also beside the folder, so the second run can say so in one line.
// A run ended by a signal (SIGTERM, SIGHUP, …) or by process.exit (the CLI's second Ctrl-C)
// removes both on its way out: proper-lockfile removes its lock through signal-exit, and the
// owner file goes through the same handlers.
import { readFileSync, rmSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import lockfile from 'proper-lockfile';
import onExit from 'signal-exit';
import { processAlive } from './processAlive.ts';

/**
 * A lock not refreshed for this long belongs to a dead process. It is long on purpose: one batch on
 * the cpu or wasm backend blocks the engine's event loop (and so the refresh) for tens of seconds
 * or more, and a live run's lock must not be taken from it. A dead owner on this machine is found
 * at once by its pid (below), so the long wait only applies where the pid cannot be checked.
 */
export const LOCK_STALE_MS = 10 * 60_000;
const LOCK_UPDATE_MS = 30_000;

export const lockPathOf = (out: string) => resolve(out).replace(/[\\/]+$/, '') + '.lock';
const ownerPathOf = (out: string) => lockPathOf(out) + '.owner.json';

interface LockOwner {
  pid: number;
  since: string;
}

function readOwner(ownerPath: string): LockOwner | undefined {
  try {
    const owner = JSON.parse(readFileSync(ownerPath, 'utf8'));
    return Number.isInteger(owner?.pid) ? (owner as LockOwner) : undefined;
  } catch {
    return undefined;
  }
}

/** Removes the owner file, and nothing else: not a folder of that name, and without throwing (exit handlers call it). */
function removeOwnerFile(ownerPath: string): void {
  try {
    rmSync(ownerPath, { force: true });
  } catch {
    /* EISDIR and the like: not our file */
  }
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
  // A holder killed with SIGKILL (the engine under "kill while saving", a closed editor) is often
  // resumed at once, long before its lock goes stale: its owner file names a pid that no longer
  // runs, so the lock is broken now rather than after LOCK_STALE_MS.
  const holder = readOwner(ownerPath);
  if (holder && holder.pid !== process.pid && !processAlive(holder.pid)) {
    rmSync(ownerPath, { force: true });
    rmSync(lockPath, { recursive: true, force: true });
  }
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
    // no owner file: the holder has just taken the lock and not written it yet
    const owner = readOwner(ownerPath);
    const who = owner ? `another CNN Lab run (pid ${owner.pid}, since ${owner.since})` : 'another CNN Lab run';
    throw new Error(
      `cannot train into ${out}: ${who} is using it (lock ${lockPath}); wait for it to finish or choose another output folder`,
    );
  }
  const owner: LockOwner = { pid: process.pid, since: new Date().toISOString() };
  // signal-exit 3, the copy proper-lockfile itself uses: one set of signal handlers, which
  // re-raises the signal once every exit handler has run, so the process still dies of it.
  const removeOwnerOnExit = onExit(() => removeOwnerFile(ownerPath));
  let released = false;
  const releaseAll = async () => {
    if (released) return;
    released = true;
    removeOwnerOnExit();
    removeOwnerFile(ownerPath);
    try {
      await release();
    } catch {
      /* already released or compromised: nothing of ours is left to remove */
    }
  };
  try {
    await writeFile(ownerPath, JSON.stringify(owner) + '\n');
  } catch (e) {
    // a lock nobody can name would refuse the next run without saying who holds it; what the
    // failed write left is ours (a partial file), a folder someone put there is not touched
    await releaseAll();
    throw new Error(`cannot lock ${out}: cannot write ${ownerPath} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  return releaseAll;
}
