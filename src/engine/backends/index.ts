// The compute-backend registry: detects what can run here, picks the fastest for `auto`, and
// explains what is missing. Every backend package is imported lazily (`await import`), so a
// missing optional package or native library never breaks the engine's startup.
import { BACKEND_CHOICES, BACKEND_NAMES, isBackendName, type BackendName } from '../../core/backends.ts';
import type { BackendChoice, BackendInfo } from '../../protocol/messages.ts';
import { tf } from '../tf.ts';
import { cpuDriver } from './cpu.ts';
import type { BackendDriver, LoadOutcome } from './driver.ts';
import { nativeBackendOwner, tensorflowDriver, tensorflowGpuDriver } from './tensorflow.ts';
import { WASM_CONV_GRADIENTS_MESSAGE, wasmDriver } from './wasm.ts';
import { webgpuDriver } from './webgpu.ts';

export { WASM_CONV_GRADIENTS_MESSAGE } from './wasm.ts';

/** Fastest first: what `auto` tries. */
export const AUTO_ORDER: readonly BackendName[] = ['tensorflow-gpu', 'webgpu', 'tensorflow', 'wasm', 'cpu'];

const drivers: Record<BackendName, BackendDriver> = {
  tensorflow: tensorflowDriver,
  'tensorflow-gpu': tensorflowGpuDriver,
  webgpu: webgpuDriver,
  wasm: wasmDriver,
  cpu: cpuDriver,
};

/** An explicit backend choice that cannot run here; the message says why and how to get it. */
export class BackendUnavailableError extends Error {
  constructor(
    readonly backend: BackendName,
    readonly reason: string,
    readonly install?: string,
  ) {
    super(`backend '${backend}' is not available: ${reason}${install ? `. To get it: ${install}` : ''}`);
    this.name = 'BackendUnavailableError';
  }
}

export function canTrainConv(name: BackendName): boolean {
  return drivers[name].canTrainConv;
}

// Loading is once per process: packages stay imported and native libraries stay mapped.
const loads = new Map<BackendName, Promise<LoadOutcome>>();
function load(name: BackendName): Promise<LoadOutcome> {
  let pending = loads.get(name);
  if (!pending) {
    pending = drivers[name].load().catch((e: unknown): LoadOutcome => ({
      ok: false,
      reason: e instanceof Error ? e.message : String(e),
      install: 'see the log for the full error',
    }));
    loads.set(name, pending);
  }
  return pending;
}

/** Backends that loaded but failed tfjs's initialization or the smoke test, with the reason. */
const activationFailures = new Map<BackendName, string>();
/** What this registry last activated, and the tfjs name it runs under. */
let current: { name: BackendName; tfName: string } | null = null;
const autoPick = new Map<boolean, BackendName>();

type Activation = { ok: true } | { ok: false; reason: string; install?: string };

/** Makes `name` tfjs's backend and proves it computes (1 + 2 = 3 read back from the device). */
async function activate(name: BackendName): Promise<Activation> {
  const outcome = await load(name);
  if (!outcome.ok) return outcome;
  const failed = activationFailures.get(name);
  if (failed) return { ok: false, reason: failed };
  if (current?.name === name && tf.getBackend() === outcome.tfName) return { ok: true };
  let reason: string | null = null;
  try {
    if (!(await tf.setBackend(outcome.tfName))) reason = `tfjs could not initialize its '${outcome.tfName}' backend`;
    else {
      drivers[name].onActivated?.();
      const sum = tf.add(tf.scalar(1), tf.scalar(2));
      const value = (await sum.data())[0];
      sum.dispose();
      if (value !== 3) reason = `the '${outcome.tfName}' backend computed 1 + 2 = ${value}`;
    }
  } catch (e) {
    reason = `the '${outcome.tfName}' backend failed to start: ${e instanceof Error ? e.message : String(e)}`;
  }
  if (reason) {
    activationFailures.set(name, reason);
    // Leave tfjs on a backend that works rather than half-switched.
    await tf.setBackend(current?.tfName ?? 'cpu');
    return { ok: false, reason };
  }
  current = { name, tfName: outcome.tfName };
  return { ok: true };
}

/**
 * Sets tfjs's backend. `auto` picks the fastest that works (tensorflow-gpu > webgpu > tensorflow >
 * wasm > cpu), skipping wasm when conv gradients are needed and software GPU adapters always.
 * An explicit choice that cannot run throws a BackendUnavailableError saying why and how to get it.
 */
export async function useBackend(choice: BackendChoice, opts: { needConvGradients?: boolean } = {}): Promise<BackendName> {
  const needConv = opts.needConvGradients ?? false;
  if (choice === 'auto') {
    const picked = autoPick.get(needConv);
    if (picked && (await activate(picked)).ok) return picked;
    const skipped: string[] = [];
    for (const name of AUTO_ORDER) {
      if (name === 'wasm' && needConv) continue;
      const outcome = await load(name);
      if (outcome.ok && outcome.slow) {
        skipped.push(`${name}: ${outcome.note ?? 'slow'}`);
        continue;
      }
      const result = await activate(name);
      if (result.ok) {
        autoPick.set(needConv, name);
        return name;
      }
      skipped.push(`${name}: ${result.reason}`);
    }
    throw new Error(`no compute backend works here: ${skipped.join('; ')}`);
  }
  if (!isBackendName(choice)) {
    throw new Error(`unknown backend '${String(choice)}': expected ${BACKEND_CHOICES.join(', ')}`);
  }
  if (choice === 'wasm' && needConv) throw new Error(WASM_CONV_GRADIENTS_MESSAGE);
  const result = await activate(choice);
  if (!result.ok) throw new BackendUnavailableError(choice, result.reason, result.install);
  return choice;
}

/** The backend tfjs computes on now, by this registry's names. */
export function currentBackend(): BackendName {
  const tfName = tf.getBackend();
  if (!tfName) throw new Error('no compute backend chosen yet: call useBackend() first');
  if (current?.tfName === tfName) return current.name;
  if (tfName === 'tensorflow') return nativeBackendOwner() ?? 'tensorflow';
  if (isBackendName(tfName)) return tfName;
  throw new Error(`tfjs is on backend '${tfName}', which this registry does not manage`);
}

/**
 * Every backend, in BACKEND_NAMES order, available or not and why. Loads each one (native ones in
 * `auto`'s order, so tensorflow-gpu gets the shared 'tensorflow' name when it works) but leaves
 * tfjs on the backend it was on.
 */
export async function listBackends(): Promise<BackendInfo[]> {
  const outcomes = new Map<BackendName, LoadOutcome>();
  for (const name of AUTO_ORDER) outcomes.set(name, await load(name));
  if (current) await activate(current.name);
  return BACKEND_NAMES.map((name): BackendInfo => {
    const outcome = outcomes.get(name)!;
    const failed = activationFailures.get(name);
    if (!outcome.ok || failed) {
      return {
        name,
        available: false,
        reason: failed ?? (outcome as { reason: string }).reason,
        install: outcome.ok ? undefined : outcome.install,
        canTrainConv: canTrainConv(name),
      };
    }
    return { name, available: true, reason: outcome.note, canTrainConv: canTrainConv(name) };
  });
}
