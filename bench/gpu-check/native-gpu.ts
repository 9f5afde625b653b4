// GPU check of the tensorflow-gpu flavour of "Install Native Backend", for a Linux x86-64 host with
// an NVIDIA driver and access to a Python package index (pypi.org or a mirror carrying tensorflow
// and the nvidia-*-cu12 wheels): installs the CUDA 12 build of libtensorflow and the CUDA wheels its
// METADATA names through the extension's installer (same code path, same checks), then, in a child
// process started with the engine's environment for that install, runs a conv2d and its filter
// gradient on backend tensorflow-gpu and prints the device libtensorflow placed them on.
//
//   npx tsx bench/gpu-check/native-gpu.ts [--index URL] [--storage DIR]
//   npx tsx bench/gpu-check/native-gpu.ts --cpu-dry-run   (no GPU: the CUDA build's two libraries
//       only, no CUDA wheels, computed on backend tensorflow — a check of this script itself)
// Downloads ~572 MB (tensorflow) + ~3 GB (the twelve nvidia wheels); needs ~6 GB free in --storage.
// Exit status 0 only when the ops ran on a GPU (or, with --cpu-dry-run, computed right on the CPU).
import { spawnSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { useBackend } from '../../src/engine/backends/index.ts';
import { tf } from '../../src/engine/tf.ts';
import { checkInEngine } from '../../src/host/native/engineCheck.ts';
import { formatMB } from '../../src/host/native/errors.ts';
import { installFromIndex, nativeEngineEnv, readInstalled, versionDir } from '../../src/host/native/installer.ts';
import { TF_VERSION } from '../../src/host/native/nativeTarget.ts';
import { checkNvidiaDriver } from '../../src/host/native/nvidiaDriver.ts';

const repo = resolve(__dirname, '../..');

async function compute(backend: 'tensorflow' | 'tensorflow-gpu'): Promise<void> {
  // the child: the engine's environment (LD_LIBRARY_PATH, CNN_LAB_NATIVE_GPU_LIB) is already set
  await useBackend(backend);
  const b = tf.backend() as unknown as { isUsingGpuDevice?: boolean; binding?: { TF_Version?: string } };
  const x = tf.tensor4d([1, 2, 3, 4, 5, 6, 7, 8, 9], [1, 3, 3, 1]);
  const k = tf.tensor4d([1, 0, 0, 1], [2, 2, 1, 1]);
  const y = Array.from(tf.conv2d(x, k, 1, 'valid').dataSync());
  const g = Array.from(
    tf
      .grad((f) => tf.conv2d(x, f as tf.Tensor4D, 1, 'valid').sum())(k)
      .dataSync(),
  );
  // a MobileNet-sized layer, to see the device work: 32x112x112x32 * 3x3x32x64, forward + filter gradient
  const big = tf.randomNormal<tf.Rank.R4>([32, 112, 112, 32]);
  const kb = tf.randomNormal<tf.Rank.R4>([3, 3, 32, 64]);
  const step = () =>
    tf.tidy(() =>
      tf
        .grad((f) => tf.conv2d(big, f as tf.Tensor4D, 1, 'same').sum())(kb)
        .dataSync(),
    );
  step();
  const t0 = performance.now();
  for (let i = 0; i < 5; i++) step();
  const ms = (performance.now() - t0) / 5;
  const device = b.isUsingGpuDevice ? 'GPU' : 'CPU';
  console.log(`backend ${backend} (libtensorflow ${b.binding?.TF_Version}), device: ${device}`);
  console.log(`conv2d ${y.join(',')} (expected 6,8,12,14), filter gradient ${g.join(',')} (expected 12,16,24,28)`);
  console.log(`conv2d + filter gradient, 32x112x112x32 * 3x3x32x64: ${ms.toFixed(1)} ms per step on the ${device}`);
  const right = y.join() === '6,8,12,14' && g.join() === '12,16,24,28';
  process.exit(right && (backend === 'tensorflow' || b.isUsingGpuDevice) ? 0 : 1);
}

async function main(argv: string[]): Promise<void> {
  if (argv[0] === '--compute') return compute(argv[1] as 'tensorflow' | 'tensorflow-gpu');
  let indexUrl = 'https://pypi.org/simple/';
  let storage = join(repo, '.cache/native-gpu-storage');
  let dry = false;
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--index') indexUrl = argv[++i];
    else if (argv[i] === '--storage') storage = resolve(argv[++i]);
    else if (argv[i] === '--cpu-dry-run') dry = true;
    else throw new Error(`unknown argument ${argv[i]}`);
  }
  if (!dry) {
    const driver = checkNvidiaDriver();
    if (!driver.ok) {
      console.error(`native-gpu: ${driver.reason}`);
      process.exit(2);
    }
    console.log(`NVIDIA driver ${driver.driver}, ${driver.libcuda}${driver.gpus.length ? `, ${driver.gpus.join('; ')}` : ''}`);
  }
  const t0 = Date.now();
  let last = 0;
  const record =
    (await readInstalled(storage, TF_VERSION, 'gpu').then((r) => (r && (dry || r.cuda) ? r : null))) ??
    (await installFromIndex({
      storage,
      indexUrl,
      flavour: 'gpu',
      withCuda: !dry,
      onStage: (_s, detail) => console.log(`[${((Date.now() - t0) / 1000).toFixed(0)} s] ${detail}`),
      onProgress: (p) => {
        if (Date.now() - last < 5000) return;
        last = Date.now();
        console.log(`  ${formatMB(p.received)} / ${formatMB(p.total)}`);
      },
      onRetry: (reason, n) => console.log(`  retry ${n}: ${reason}`),
      verify: (dir) =>
        checkInEngine(dir, {
          enginePath: join(repo, 'dist/engine.js'),
          cwd: repo,
          flavour: 'gpu',
          requireGpu: !dry,
          onOutput: (l) => console.log(`  [engine] ${l}`),
        }),
    }));
  console.log(`installed in ${versionDir(storage, TF_VERSION, 'gpu')} (${((Date.now() - t0) / 1000).toFixed(0)} s): ${record.check}`);
  for (const w of record.cuda?.wheels ?? []) console.log(`  ${w.filename} (${formatMB(w.size)})`);
  const env = nativeEngineEnv(versionDir(storage, TF_VERSION, 'gpu'), process.env, 'gpu');
  const child = spawnSync(process.execPath, ['--import', 'tsx', __filename, '--compute', dry ? 'tensorflow' : 'tensorflow-gpu'], {
    env,
    stdio: 'inherit',
    cwd: repo,
  });
  process.exit(child.status ?? 1);
}

main(process.argv.slice(2)).catch((e: unknown) => {
  console.error(`native-gpu: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});
