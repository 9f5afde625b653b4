// Whether the process that left a lock or a save's temp folder still runs, judged by the pid each
// records (the lock's owner file, the temp folder's name), so a killed engine's leftovers are
// repaired at once rather than after a timeout.
import { readFileSync } from 'node:fs';

export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
  // A killed engine stays a zombie until its parent reaps it, and kill(pid, 0) succeeds on a
  // zombie: on Linux its state in /proc says it is dead.
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return true;
  }
}
