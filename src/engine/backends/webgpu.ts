// WebGPU in Node through Dawn (npm `webgpu`, a prebuilt dawn.node): any GPU vendor with a Vulkan
// driver on Linux (D3D12 on Windows, Metal on macOS). @tensorflow/tfjs-backend-webgpu registers
// itself only when `navigator.gpu` exists at import time, and its kernels use the GPU* constant
// globals (GPUBufferUsage, GPUMapMode…), so both are installed before importing it.
import { firstLine, importOptional, type BackendDriver, type LoadOutcome } from './driver.ts';
import { installContext, packageHint } from './installHints.ts';
import { findSharedLibrary } from './sharedLibs.ts';
import { tf } from '../tf.ts';

interface AdapterInfo {
  vendor?: string;
  architecture?: string;
  device?: string;
  description?: string;
  isFallbackAdapter?: boolean;
}
interface Adapter {
  info?: AdapterInfo;
  isFallbackAdapter?: boolean;
}
interface Gpu {
  requestAdapter(options?: { powerPreference?: 'high-performance' | 'low-power' }): Promise<Adapter | null>;
}

const INSTALL_DRIVER =
  "install the Vulkan loader and your GPU vendor's Vulkan driver (Debian/Ubuntu: libvulkan1, plus the NVIDIA driver or mesa-vulkan-drivers for AMD/Intel); check with vulkaninfo --summary";

/** "NVIDIA H200 (nvidia, vulkan)" from whatever fields this Dawn fills in. */
export function describeAdapter(info: AdapterInfo | undefined): string {
  if (!info) return 'unknown adapter';
  const name = info.description || info.device || info.architecture || 'unnamed adapter';
  const extra = [info.vendor, info.architecture].filter((s) => s && !name.includes(s));
  return extra.length ? `${name} (${extra.join(', ')})` : name;
}

/** CPU-emulated Vulkan (llvmpipe/lavapipe, SwiftShader): correct but slower than the CPU backends. */
export function isSoftwareAdapter(adapter: Adapter): boolean {
  const info = adapter.info ?? {};
  if (adapter.isFallbackAdapter || info.isFallbackAdapter) return true;
  return /llvmpipe|lavapipe|swiftshader/i.test(`${info.description ?? ''} ${info.device ?? ''} ${info.architecture ?? ''}`);
}

function installGlobals(globals: Record<string, unknown>, gpu: Gpu): void {
  const g = globalThis as Record<string, unknown>;
  for (const [key, value] of Object.entries(globals)) if (!(key in g)) g[key] = value;
  const nav = g.navigator as Record<string, unknown> | undefined;
  if (nav === undefined) g.navigator = { gpu };
  // Node >= 21 has a global navigator without `gpu`.
  else if (!nav.gpu) Object.defineProperty(nav, 'gpu', { value: gpu, configurable: true });
}

async function loadWebgpu(): Promise<LoadOutcome> {
  // Without the Vulkan loader Dawn finds no adapter anyway, after printing a native warning.
  if (process.platform === 'linux' && !findSharedLibrary('libvulkan.so.1')) {
    return {
      ok: false,
      reason: 'no GPU adapter: no Vulkan driver (libvulkan.so.1 not found), so Dawn cannot reach a GPU',
      install: INSTALL_DRIVER,
    };
  }
  let dawn: { create(options: string[]): Gpu; globals: Record<string, unknown> };
  try {
    dawn = await importOptional('webgpu');
  } catch (e) {
    return {
      ok: false,
      reason: `the npm package webgpu (Dawn) could not load: ${firstLine(e)}`,
      install: packageHint('webgpu', installContext()),
    };
  }
  // e.g. CNN_LAB_DAWN_OPTIONS="enable-dawn-features=allow_unsafe_apis" for GPU timestamps when profiling.
  const gpu = dawn.create((process.env.CNN_LAB_DAWN_OPTIONS ?? '').split(/\s+/).filter(Boolean));
  let adapter: Adapter | null;
  try {
    adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
  } catch (e) {
    return { ok: false, reason: `no GPU adapter: ${firstLine(e)}`, install: INSTALL_DRIVER };
  }
  if (!adapter) {
    return {
      ok: false,
      reason: 'no GPU adapter: Dawn found no Vulkan device (no GPU, or no Vulkan driver for it)',
      install: INSTALL_DRIVER,
    };
  }
  const software = isSoftwareAdapter(adapter);
  installGlobals(dawn.globals, gpu);
  try {
    await import('@tensorflow/tfjs-backend-webgpu');
  } catch (e) {
    return {
      ok: false,
      reason: `@tensorflow/tfjs-backend-webgpu could not load: ${firstLine(e)}`,
      install: packageHint(`@tensorflow/tfjs-backend-webgpu@${tf.version.tfjs}`, installContext()),
    };
  }
  if (!tf.findBackendFactory('webgpu')) {
    return {
      ok: false,
      reason:
        '@tensorflow/tfjs-backend-webgpu was imported before navigator.gpu existed, so it did not register (import it only through the backend registry)',
      install: 'select the backend through cnnLab.backend / --backend instead of importing tfjs-backend-webgpu directly',
    };
  }
  return {
    ok: true,
    tfName: 'webgpu',
    note: `adapter: ${describeAdapter(adapter.info)}${software ? ' — a software renderer, slower than the CPU backends' : ''}`,
    slow: software,
  };
}

export const webgpuDriver: BackendDriver = { name: 'webgpu', canTrainConv: true, load: loadWebgpu };
