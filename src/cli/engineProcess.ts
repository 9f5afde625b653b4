// The CLI's commands that run libtensorflow in this process (train, predict, evaluate) want the
// allocator settings of src/node/engineAllocator.ts, which glibc reads only at start-up: when
// they are missing the CLI starts itself again with them. Node 22.15+ replaces the process
// (process.execve: same pid, nothing left behind); older Node runs a child with inherited stdio
// and exits as it does, the parent waiting (~40 MiB) and passing on SIGTERM and SIGHUP. Ctrl-C
// reaches the child from the terminal by itself (same process group), so the parent ignores
// SIGINT rather than sending it twice (the second one would skip train's keep-the-best cancel).
import { spawn } from 'node:child_process';
import { constants } from 'node:os';
import { lacksEngineAllocator, withEngineAllocator } from '../node/engineAllocator.ts';

type Execve = (file: string, args: string[], env: NodeJS.ProcessEnv) => never;

/**
 * Runs this CLI again with the allocator settings and resolves with its exit code, or null when
 * this process already has them (or the platform needs none): then the command runs here.
 */
export function rerunWithEngineAllocator(): Promise<number> | null {
  if (!lacksEngineAllocator(process.env)) return null;
  const env = withEngineAllocator(process.env);
  const args = [...process.execArgv, ...process.argv.slice(1)];
  const execve = (process as unknown as { execve?: Execve }).execve;
  if (typeof execve === 'function') execve(process.execPath, [process.execPath, ...args], env);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { stdio: 'inherit', env });
    const pass = (signal: NodeJS.Signals) => () => child.kill(signal);
    const handlers: [NodeJS.Signals, () => void][] = [
      ['SIGTERM', pass('SIGTERM')],
      ['SIGHUP', pass('SIGHUP')],
      ['SIGINT', () => {}],
    ];
    for (const [signal, handler] of handlers) process.on(signal, handler);
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      for (const [s, handler] of handlers) process.off(s, handler);
      resolve(code ?? 128 + (signal ? constants.signals[signal] : 0));
    });
  });
}
