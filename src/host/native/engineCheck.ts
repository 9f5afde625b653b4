// The check an install must pass before install.json is written: a fresh engine process, forked
// with the new library folder first on LD_LIBRARY_PATH (on Linux the loader searches it before the
// binding's RUNPATH, $ORIGIN/../../deps/lib, which an installed VSIX does not have), loads the
// `tensorflow` backend and computes a conv2d and its filter gradient. The editor's own engine is not
// touched until this passed.
import { nativeCheckProblem } from '../../core/nativeCheck.ts';
import { EngineClient } from '../engineClient.ts';
import { NativeInstallError } from './errors.ts';
import { nativeEngineEnv } from './installer.ts';
import type { Flavour } from './nativeTarget.ts';

export interface EngineCheckOptions {
  enginePath: string;
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** every line the engine wrote, for the log */
  onOutput?: (line: string) => void;
  /** gpu: the folder holds the CUDA build (its cuda/ folder goes on LD_LIBRARY_PATH too) */
  flavour?: Flavour;
  /** fail unless libtensorflow placed the ops on a CUDA GPU (a tensorflow-gpu install with its CUDA libraries) */
  requireGpu?: boolean;
}

export async function checkInEngine(libDir: string, opts: EngineCheckOptions): Promise<string> {
  const client = new EngineClient({ enginePath: opts.enginePath, cwd: opts.cwd, env: nativeEngineEnv(libDir, opts.env, opts.flavour) });
  let stderr = '';
  client.onOutput(({ stream, text }) => {
    if (stream === 'stderr') stderr = (stderr + text).slice(-600);
    for (const line of text.split('\n')) if (line.trim()) opts.onOutput?.(line);
  });
  try {
    const r = await client.request('checkNative', {}).catch((e: Error) => {
      const tail = stderr.trim().split('\n').slice(-3).join(' | ');
      throw new NativeInstallError(
        'check',
        `the installed libtensorflow failed the engine's check: ${e.message.split('\n')[0]}${tail && !e.message.includes(tail) ? ` (stderr: ${tail})` : ''}`,
      );
    });
    const problem = nativeCheckProblem(r);
    if (problem) throw new NativeInstallError('check', `the installed libtensorflow computes wrongly: ${problem}`);
    if (r.loadedFrom !== null && !r.loadedFrom.startsWith(`${libDir}/`)) {
      throw new NativeInstallError('check', `the engine loaded libtensorflow from ${r.loadedFrom}, not from the installed ${libDir}`);
    }
    if (opts.requireGpu && !r.gpu) {
      throw new NativeInstallError(
        'check',
        'the CUDA build of libtensorflow loaded and computed, but on the CPU: it found no usable GPU (see the log for its CUDA messages; check nvidia-smi)',
      );
    }
    return `libtensorflow ${r.libtensorflow} from ${r.loadedFrom ?? libDir}: conv2d ${r.conv2d.join(',')}, filter gradient ${r.filterGradient.join(',')} (device: ${r.gpu ? 'GPU' : 'CPU'})`;
  } finally {
    client.dispose();
  }
}
