// Run by out-lock.test.ts: takes the output-folder lock on argv[2], says so on stdout, and holds it
// until a signal ends the process.
import { lockOutFolder } from '../../../../../src/engine/save/outLock.ts';

async function main(): Promise<void> {
  await lockOutFolder(process.argv[2]);
  process.stdout.write('locked\n');
  setInterval(() => {}, 60_000);
}
void main();
