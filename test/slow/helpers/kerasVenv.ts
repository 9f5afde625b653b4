// The Python with TensorFlow and Keras that the Keras-interop slow tests run (bench/setup-keras.sh
// makes it at .cache/bench-venv; CNN_LAB_KERAS_PYTHON names another). When it is missing or cannot
// import keras and tf_keras, the tests skip and say why, rather than fail on a machine without TF.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const REPO = resolve(__dirname, '..', '..', '..');

/** The venv's python, or why the Keras tests cannot run here. */
export function kerasPython(): { python: string } | { skip: string } {
  const python = process.env.CNN_LAB_KERAS_PYTHON ?? join(REPO, '.cache', 'bench-venv', 'bin', 'python');
  if (!existsSync(python))
    return { skip: `no Python with TensorFlow at ${python} (run bash bench/setup-keras.sh, or set CNN_LAB_KERAS_PYTHON)` };
  const probe = spawnSync(python, ['-c', 'import tensorflow, keras, tf_keras; print(tensorflow.__version__)'], {
    encoding: 'utf8',
    env: { ...process.env, TF_CPP_MIN_LOG_LEVEL: '3' },
    timeout: 120_000,
  });
  if (probe.status !== 0)
    return {
      skip: `${python} cannot import tensorflow, keras and tf_keras: ${(probe.stderr || probe.error?.message || '').trim().split('\n').at(-1)}`,
    };
  return { python };
}

/** Runs python with TF's log noise off; returns stdout, throwing with stderr's tail on failure. */
export function runPython(
  python: string,
  args: string[],
  opts: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {},
): { stdout: string; stderr: string } {
  const r = spawnSync(python, args, {
    encoding: 'utf8',
    cwd: opts.cwd,
    env: { ...process.env, TF_CPP_MIN_LOG_LEVEL: '3', CUDA_VISIBLE_DEVICES: '', ...opts.env },
    timeout: opts.timeoutMs ?? 300_000,
    maxBuffer: 64 * 1024 * 1024,
  });
  if (r.status !== 0)
    throw new Error(`${[python, ...args].join(' ')} exited ${r.status ?? r.signal}: ${(r.stderr || r.error?.message || '').slice(-3000)}`);
  return { stdout: r.stdout, stderr: r.stderr };
}
