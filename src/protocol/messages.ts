// The engine protocol: every message between the extension host (or CLI) and the engine process.
// Discriminated unions with one `switch` each side and an exhaustive `never` check; payloads are
// validated at the boundary (src/protocol/validate.ts) because they cross a process.
import type { BackendChoice, BackendName } from '../core/backends.ts';
import type { ExperimentConfig } from '../core/experiment.ts';
import type { LayerRow } from '../core/layerRow.ts';

export type { LayerRow } from '../core/layerRow.ts';

/**
 * The environment variable the extension host sets to 'vscode' when it forks the engine, so that
 * the engine's advice (e.g. how to get a backend) names what can be done in the editor.
 */
export const ENGINE_HOST_ENV = 'CNN_LAB_HOST';
/** Set by the editor to the folder of the libtensorflow it installed (also put on LD_LIBRARY_PATH). */
export const NATIVE_LIB_ENV = 'CNN_LAB_NATIVE_LIB';
/** Set beside NATIVE_LIB_ENV when that folder holds the CUDA build (the tensorflow-gpu flavour): the engine's tensorflow-gpu backend then loads it through tfjs-node's binding. */
export const NATIVE_GPU_LIB_ENV = 'CNN_LAB_NATIVE_GPU_LIB';

export type { BackendChoice, BackendName } from '../core/backends.ts';

export interface BackendInfo {
  name: BackendName;
  available: boolean;
  /** why not available, or a note (e.g. "no GPU adapter: no Vulkan driver") */
  reason?: string;
  /** how to make it available */
  install?: string;
  /** false for WASM: no Conv2DBackpropFilter / depthwise backprop kernels */
  canTrainConv: boolean;
}

export interface ClassScore {
  label: string;
  index: number;
  probability: number;
}

export interface Prediction {
  /** file path or URL */
  source: string;
  top: ClassScore[];
  error?: string;
}

export interface SkippedFile {
  path: string;
  reason: string;
}

export interface EvaluationReport {
  accuracy: number;
  labels: string[];
  perClass: { label: string; precision: number; recall: number; support: number }[];
  /** confusion[actual][predicted] */
  confusion: number[][];
  misclassified: { path: string; actual: string; predicted: string; probability: number }[];
  skipped: SkippedFile[];
}

export type PhaseName = 'scan' | 'decode' | 'features' | 'transfer' | 'fine-tune' | 'evaluate' | 'save';

export interface EpochMetrics {
  loss: number;
  acc: number;
  valLoss?: number;
  valAcc?: number;
  lr: number;
  seconds: number;
  imagesPerSecond: number;
}

export interface TrainResult {
  modelDir: string;
  labels: string[];
  backend: BackendName;
  bestEpoch: { phase: PhaseName; epoch: number; valAcc?: number; valLoss?: number } | null;
  history: ({ phase: PhaseName; epoch: number } & EpochMetrics)[];
  cancelled: boolean;
  /** whether this run wrote modelDir: always when it completed; when cancelled, only if it kept the best epoch */
  saved: boolean;
  evaluation?: EvaluationReport;
  skipped: SkippedFile[];
  /** layer names that were trainable in each training phase */
  trainedLayers: { phase: PhaseName; layers: string[] }[];
}

/** What the engine's check of the native backend found (see src/engine/backends/nativeCheck.ts). */
export interface NativeCheckResult {
  backend: string;
  libtensorflow: string;
  conv2d: number[];
  filterGradient: number[];
  /** the file libtensorflow_cc.so.2 was mapped from (Linux /proc/self/maps), null where unknown */
  loadedFrom: string | null;
  /** whether libtensorflow placed ops on a CUDA GPU (tfjs-node's isUsingGpuDevice); false on the CPU build or without a GPU */
  gpu?: boolean;
}

/** Requests: method → [params, result]. */
export interface RequestMap {
  describeModel: [{ path: string }, LayerRow[]];
  listBackends: [Record<string, never>, BackendInfo[]];
  /** loads the `tensorflow` backend and computes a conv2d and its filter gradient (after Install Native Backend) */
  checkNative: [Record<string, never>, NativeCheckResult];
  /** resume: continue from the run's checkpoint (<config.out>.checkpoint) after a crash, a cancel or a divergence */
  train: [{ runId: string; config: ExperimentConfig; resume?: boolean }, TrainResult];
  cancel: [{ runId: string; keepBest: boolean }, { cancelled: boolean }];
  predict: [
    /** modelDir: a trained model directory, or a Keras .keras/.h5 file (converted on load); or base: a built-in base with its own ImageNet classifier (labels are ImageNet's) */
    { modelDir?: string; base?: string; images?: string[]; url?: string; topK: number; backend?: BackendChoice },
    { backend: BackendName; predictions: Prediction[] },
  ];
  evaluate: [{ modelDir: string; data: string; backend?: BackendChoice }, EvaluationReport];
  /** a trained model as a Keras file (Keras 3 .keras, or legacy Keras 2 .h5), labels.json beside it */
  exportModel: [
    { modelDir: string; out: string; format: 'keras' | 'h5' },
    { out: string; labelsFile: string; layers: number; weights: number },
  ];
}
export type RequestMethod = keyof RequestMap;
export type RequestParams<M extends RequestMethod> = RequestMap[M][0];
export type RequestResult<M extends RequestMethod> = RequestMap[M][1];

/** Notifications from the engine, never answered. */
export type EngineNotification =
  | { method: 'log'; params: { level: 'info' | 'warn' | 'error'; message: string; runId?: string } }
  | {
      method: 'phase';
      params: {
        runId: string;
        phase: PhaseName;
        detail?: string;
        epochs?: number;
        total?: number;
        /** the backend the run resolved to (first phase) */ backend?: BackendName;
      };
    }
  | {
      method: 'batchEnd';
      /** epoch and batch count from 1: batch `batch` of `batches` in epoch `epoch` of the phase is done */
      params: { runId: string; phase: PhaseName; epoch: number; batch: number; batches: number; loss: number; acc: number };
    }
  | {
      method: 'epochEnd';
      /** numTensors: tf.memory().numTensors at the end of the epoch (leak checks, bench/compare.mjs) */
      params: { runId: string; phase: PhaseName; epoch: number; epochs: number; numTensors?: number } & EpochMetrics;
    }
  | { method: 'done'; params: { runId: string; result: TrainResult } }
  | { method: 'failed'; params: { runId: string; error: string } };

/** The envelopes on the IPC channel. */
export type HostToEngine = {
  [M in RequestMethod]: { kind: 'request'; id: number; method: M; params: RequestParams<M> };
}[RequestMethod];

/**
 * Liveness: while a request is pending the host pings, the engine answers each ping with a pong
 * (any message counts as a sign of life). A stopped or wedged engine answers nothing, and the host
 * restarts it instead of leaving the request pending forever.
 */
export type EnginePing = { kind: 'ping'; id: number };

export type EngineToHost =
  | { kind: 'pong'; id: number }
  | { kind: 'response'; id: number; ok: true; result: unknown }
  | { kind: 'response'; id: number; ok: false; error: string }
  | ({ kind: 'notification' } & EngineNotification);

export function assertNever(x: never): never {
  throw new Error(`unexpected message: ${JSON.stringify(x)}`);
}
