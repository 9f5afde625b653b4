// The WebAssembly backend: portable and faster than the pure-JS one for inference, but it has no
// conv-filter gradient kernels, so it can train only dense heads (a frozen base).
import { existsSync } from 'node:fs';
import { join, sep } from 'node:path';
import { tf } from '../tf.ts';
import { firstLine, packageDir, type BackendDriver, type LoadOutcome } from './driver.ts';
import { installContext, packageHint } from './installHints.ts';

export const WASM_CONV_GRADIENTS_MESSAGE =
  'WASM cannot compute conv-filter gradients (no Conv2DBackpropFilter or DepthwiseConv2dNativeBackpropFilter kernels), so it cannot fine-tune conv layers (use tensorflow or cpu, or keep the base frozen)';

const WASM_FILES = ['tfjs-backend-wasm.wasm', 'tfjs-backend-wasm-simd.wasm', 'tfjs-backend-wasm-threaded-simd.wasm'];

async function loadWasm(): Promise<LoadOutcome> {
  const install = packageHint(`@tensorflow/tfjs-backend-wasm@${tf.version.tfjs}`, installContext());
  const dir = packageDir('@tensorflow/tfjs-backend-wasm');
  if (!dir) return { ok: false, reason: '@tensorflow/tfjs-backend-wasm is not installed', install };
  const dist = join(dir, 'dist');
  const missing = WASM_FILES.filter((f) => !existsSync(join(dist, f)));
  if (missing.length) return { ok: false, reason: `${dist} lacks ${missing.join(', ')}`, install };
  try {
    const wasm = await import('@tensorflow/tfjs-backend-wasm');
    // In Node the .wasm files are read from disk: point the loader at the package's own dist/.
    wasm.setWasmPaths(dist + sep);
  } catch (e) {
    return { ok: false, reason: `@tensorflow/tfjs-backend-wasm could not load: ${firstLine(e)}`, install };
  }
  return { ok: true, tfName: 'wasm', note: 'dense training only: no conv-filter gradients' };
}

export const wasmDriver: BackendDriver = { name: 'wasm', canTrainConv: false, load: loadWasm };
