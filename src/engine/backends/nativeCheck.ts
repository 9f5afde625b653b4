// The check that an installed libtensorflow really works in this engine before the editor marks it
// installed: the `tensorflow` backend loads, a conv2d of a 3x3 ramp with a 2x2 diagonal kernel and
// its gradient with respect to the filter (the kernel wasm lacks) have their exact known values,
// and the library that was mapped is the one installed (read from /proc/self/maps), not another
// libtensorflow that happened to be on the loader's path. The same check as
// scripts/provision-libtensorflow's verify step.
import { readFileSync } from 'node:fs';
import type { NativeCheckResult } from '../../protocol/messages.ts';
import { tf } from '../tf.ts';
import { useBackend } from './index.ts';

/** Where the process mapped libtensorflow_cc.so.2 from (Linux), or null. */
function mappedLibrary(name: string): string | null {
  try {
    const line = readFileSync('/proc/self/maps', 'utf8')
      .split('\n')
      .find((l) => l.endsWith(`/${name}`));
    return line ? line.slice(line.indexOf('/')) : null;
  } catch {
    return null;
  }
}

export async function checkNative(): Promise<NativeCheckResult> {
  await useBackend('tensorflow'); // throws BackendUnavailableError with the load failure
  const result = tf.tidy(() => {
    const x = tf.tensor4d([1, 2, 3, 4, 5, 6, 7, 8, 9], [1, 3, 3, 1]);
    const k = tf.tensor4d([1, 0, 0, 1], [2, 2, 1, 1]);
    const y = tf.conv2d(x, k, 1, 'valid');
    const g = tf.grad((f) => tf.conv2d(x, f as tf.Tensor4D, 1, 'valid').sum())(k);
    return { conv2d: Array.from(y.dataSync()), filterGradient: Array.from(g.dataSync()) };
  });
  const backend = tf.backend() as unknown as { binding?: { TF_Version?: string }; isUsingGpuDevice?: boolean };
  const binding = backend.binding;
  return {
    backend: tf.getBackend(),
    libtensorflow: binding?.TF_Version ?? 'unknown',
    ...result,
    loadedFrom: mappedLibrary('libtensorflow_cc.so.2'),
    gpu: backend.isUsingGpuDevice === true,
  };
}
