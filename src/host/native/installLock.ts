// One install (or removal) of the native backend at a time, across VS Code windows: each window has
// its own extension host, all share globalStorage. A proper-lockfile lock (an atomic mkdir of
// <storage>/native/install.lock whose mtime the holder refreshes); the extension host's event loop
// is never blocked for long, so a lock not refreshed for 30 s belongs to a window that died and is
// taken over. install.lock.owner.json beside it names the holder for the refusal line.
import { readFileSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import lockfile from 'proper-lockfile';
import { NativeInstallError } from './errors.ts';

const STALE_MS = 30_000;
const UPDATE_MS = 5_000;

export async function withLock<T>(root: string, fn: () => Promise<T>): Promise<T> {
  await mkdir(root, { recursive: true });
  const lockPath = join(root, 'install.lock');
  const ownerPath = `${lockPath}.owner.json`; // beside: the lock folder must stay empty to be released
  let release: () => Promise<void>;
  try {
    release = await lockfile.lock(root, {
      realpath: false,
      lockfilePath: lockPath,
      stale: STALE_MS,
      update: UPDATE_MS,
      retries: 0,
      onCompromised: () => {},
    });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ELOCKED')
      throw new NativeInstallError('io', `cannot lock ${lockPath}: ${(e as Error).message}`);
    let owner = '';
    try {
      const o = JSON.parse(readFileSync(ownerPath, 'utf8')) as { pid: number; since: string };
      owner = ` (pid ${o.pid}, since ${o.since})`;
    } catch {
      /* just taken, owner not written yet */
    }
    throw new NativeInstallError(
      'busy',
      `another VS Code window${owner} is installing or removing the native backend (lock ${lockPath}); wait for it to finish`,
    );
  }
  try {
    await writeFile(ownerPath, JSON.stringify({ pid: process.pid, since: new Date().toISOString() }) + '\n');
    return await fn();
  } finally {
    await rm(ownerPath, { force: true });
    await release().catch(() => {
      /* compromised or gone: nothing of ours left to remove */
    });
  }
}
