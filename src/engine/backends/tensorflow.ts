// The native TensorFlow backends: @tensorflow/tfjs-node (CPU) and @tensorflow/tfjs-node-gpu (CUDA).
// When the editor installed the tensorflow-gpu flavour (the CUDA 12 build of libtensorflow and its
// nvidia-*-cu12 libraries, CNN_LAB_NATIVE_GPU_LIB), tensorflow-gpu is tfjs-node's own binding over
// that library instead: the C API is the same, only the library on the loader's path differs.
// Both register the tfjs backend 'tensorflow' and load a libtensorflow into the process, so only
// one of them can be loaded per process; whichever loads first owns the name.
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { NATIVE_GPU_LIB_ENV, NATIVE_LIB_ENV, type BackendName } from '../../protocol/messages.ts';
import { tf } from '../tf.ts';
import { restoreRemovedUtilHelpers } from '../tfjsPatches.ts';
import { firstLine, importOptional, packageDir, packageVersion, type BackendDriver, type LoadOutcome } from './driver.ts';
import { installContext, nativeInstallHint, type NativeProblem } from './installHints.ts';
import { missingSharedLibraries } from './sharedLibs.ts';

type NativeBackend = Extract<BackendName, 'tensorflow' | 'tensorflow-gpu'>;

const PACKAGE: Record<NativeBackend, string> = {
  tensorflow: '@tensorflow/tfjs-node',
  'tensorflow-gpu': '@tensorflow/tfjs-node-gpu',
};

/**
 * What tfjs-node-gpu 4.x's libtensorflow 2.9 loads at run time: CUDA 11.2 and cuDNN 8.1 (plus the
 * driver's libcuda). Without them it silently falls back to the CPU, so we check first.
 */
export const CUDA_LIBRARIES = [
  'libcuda.so.1',
  'libcudart.so.11.0',
  'libcublas.so.11',
  'libcublasLt.so.11',
  'libcufft.so.10',
  'libcurand.so.10',
  'libcusolver.so.11',
  'libcusparse.so.11',
  'libcudnn.so.8',
] as const;

/** Which of the two packages loaded the 'tensorflow' tfjs backend in this process. */
let nativeOwner: NativeBackend | null = null;

export function nativeBackendOwner(): NativeBackend | null {
  return nativeOwner;
}

/** The installed CUDA 12 build's folder, when the editor started this engine with it. */
const installedGpuLib = (): string | undefined => process.env[NATIVE_GPU_LIB_ENV] || undefined;

/** The folder of the package whose binding serves the loaded 'tensorflow' backend, or null. */
export function nativeBackendPackageDir(): string | null {
  return nativeOwner ? packageDir(packageOf(nativeOwner)) : null;
}

/** The package whose binding a backend loads: tfjs-node's for tensorflow-gpu over an installed CUDA 12 build. */
function packageOf(name: NativeBackend): string {
  return name === 'tensorflow-gpu' && installedGpuLib() ? PACKAGE.tensorflow : PACKAGE[name];
}

function installHint(name: NativeBackend, tfjsVersion: string, problem: NativeProblem): string {
  return nativeInstallHint(name, PACKAGE[name], tfjsVersion, problem, installContext());
}

/** The built N-API binding, if any (tfjs-node puts it in lib/napi-v<N>/). */
function findBinding(dir: string): string | null {
  const lib = join(dir, 'lib');
  if (!existsSync(lib)) return null;
  for (const sub of readdirSync(lib)
    .filter((d) => /^napi-v\d+$/.test(d))
    .sort()
    .reverse()) {
    const binding = join(lib, sub, 'tfjs_binding.node');
    if (existsSync(binding)) return binding;
  }
  return null;
}

async function loadNative(name: NativeBackend): Promise<LoadOutcome> {
  const pkg = packageOf(name);
  const gpuInstall = name === 'tensorflow-gpu' ? installedGpuLib() : undefined;
  const tfjsVersion = tf.version.tfjs;
  const install = installHint(name, tfjsVersion, 'unavailable');
  if (gpuInstall) {
    // the CUDA 12 libraries are in the install's cuda/ folder; only the driver's libcuda is the system's
    const missing = missingSharedLibraries(['libcuda.so.1']);
    if (missing.length > 0) {
      return {
        ok: false,
        reason: `the NVIDIA driver's libcuda.so.1 is not found, so the CUDA build in ${gpuInstall} can only run on the CPU`,
        install: 'install the NVIDIA driver (nvidia-smi must work); or use the tensorflow backend',
      };
    }
  }
  const dir = packageDir(pkg);
  if (!dir) return { ok: false, reason: `${pkg} is not installed`, install };
  const version = packageVersion(pkg);
  if (version !== tfjsVersion) {
    return {
      ok: false,
      reason: `${pkg} is ${version} but @tensorflow/tfjs is ${tfjsVersion}; they must be the same version (one tfjs-core)`,
      install,
    };
  }
  if (!findBinding(dir)) {
    return {
      ok: false,
      reason: `${pkg} is installed but its native binding was never built (its installer downloads libtensorflow, which fails offline)`,
      install: installHint(name, tfjsVersion, 'not-built'),
    };
  }
  if (!gpuInstall && name === 'tensorflow-gpu') {
    if (process.platform !== 'linux') return { ok: false, reason: `${pkg} needs Linux with CUDA; this is ${process.platform}`, install };
    const missing = missingSharedLibraries(CUDA_LIBRARIES);
    if (missing.length > 0) {
      return {
        ok: false,
        reason: `CUDA 11.2 / cuDNN 8.1 libraries not found: ${missing.join(', ')} (searched LD_LIBRARY_PATH, /usr/local/cuda/lib64, the system library folders and the ldconfig cache)`,
        install: `install CUDA 11.2 and cuDNN 8.1 (or put their lib folders on LD_LIBRARY_PATH); or use the webgpu backend, which needs only a Vulkan driver`,
      };
    }
  }
  if (nativeOwner && nativeOwner !== name && packageOf(nativeOwner) === pkg) {
    // one binding over one library (the installed CUDA build): both names are the same backend
    return describeLoaded(name);
  }
  if (nativeOwner && nativeOwner !== name) {
    return {
      ok: false,
      reason: `${PACKAGE[nativeOwner]} is already loaded in this process and both register the 'tensorflow' backend; restart with backend '${name}' to use it`,
      install,
    };
  }
  if (nativeOwner === name) return describeLoaded(name);

  // libtensorflow logs oneDNN/CPU-feature banners at INFO level on load; keep warnings and errors.
  process.env.TF_CPP_MIN_LOG_LEVEL ??= '2';
  restoreRemovedUtilHelpers(); // tfjs-node 4.22 on Node ≥ 23: see tfjsPatches.ts
  const previous: string | null = tf.engine().backendName ?? null;
  try {
    await importOptional(pkg);
  } catch (e) {
    // CNN_LAB_NATIVE_LIB: the editor put the libtensorflow of "Install Native Backend" on the loader's path
    const installed = pkg === PACKAGE.tensorflow ? process.env[NATIVE_LIB_ENV] : undefined;
    if (installed) {
      return {
        ok: false,
        reason: `the libtensorflow installed in ${installed} failed to load: ${firstLine(e)}`,
        install: 'run "CNN Lab: Install Native Backend" again to reinstall it, or "CNN Lab: Remove Native Backend"',
      };
    }
    return { ok: false, reason: `${pkg} failed to load: ${firstLine(e)}`, install };
  }
  nativeOwner = name;
  // Importing tfjs-node switches tfjs to its backend as a side effect; put the previous one back.
  if (previous && previous !== 'tensorflow') await tf.setBackend(previous);
  return describeLoaded(name);
}

function describeLoaded(name: NativeBackend): LoadOutcome {
  const backend = tf.findBackend('tensorflow') as unknown as { binding?: { TF_Version?: string }; isUsingGpuDevice?: boolean } | undefined;
  const libVersion = backend?.binding?.TF_Version;
  if (name === 'tensorflow-gpu' && backend && backend.isUsingGpuDevice === false && installedGpuLib()) {
    return {
      ok: false,
      reason: `the CUDA 12 build of libtensorflow in ${installedGpuLib()} loaded but found no usable GPU (driver too old for CUDA 12, or the GPU not supported); it would run on the CPU`,
      install: 'check nvidia-smi (driver 525.60 or newer); or use the tensorflow backend, which this same library serves on the CPU',
    };
  }
  if (name === 'tensorflow-gpu' && backend && backend.isUsingGpuDevice === false) {
    return {
      ok: false,
      reason: 'libtensorflow loaded but found no CUDA GPU (driver not loaded, or GPU not supported by CUDA 11.2); it would run on the CPU',
      install: 'check nvidia-smi and the CUDA 11.2 / cuDNN 8.1 install; or use the webgpu backend',
    };
  }
  return { ok: true, tfName: 'tensorflow', note: libVersion ? `libtensorflow ${libVersion}` : undefined };
}

export const tensorflowDriver: BackendDriver = {
  name: 'tensorflow',
  canTrainConv: true,
  load: () => loadNative('tensorflow'),
};

export const tensorflowGpuDriver: BackendDriver = {
  name: 'tensorflow-gpu',
  canTrainConv: true,
  load: () => loadNative('tensorflow-gpu'),
};
