// The engine: answers protocol requests and emits notifications. The same object serves the forked
// engine process (main.ts), the CLI and the tests in-process. One training run at a time; `cancel`
// aborts it at the next batch boundary through its AbortController.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describeModelJson } from '../core/modelJson.ts';
import type {
  BackendChoice,
  BackendName,
  EngineNotification,
  LayerRow,
  RequestMethod,
  RequestParams,
  RequestResult,
} from '../protocol/messages.ts';
import { currentBackend, listBackends, useBackend } from './backends/index.ts';
import { isBundledBaseId } from '../core/experimentDefaults.ts';
import { checkNative } from './backends/nativeCheck.ts';
import { disposeBase, loadBase } from './models/zoo.ts';
import { isKerasApplicationRef, kerasApplicationTopology } from './models/kerasApplication.ts';
import { evaluateFolder, predictImages, predictUrl } from './predict/predict.ts';
import { loadImageNetClassifier } from './predict/imagenetClassifier.ts';
import { loadClassifier, loadModelDir } from './save/load.ts';
import { isKerasModelFile, loadKerasModelFile } from './import/kerasModelFile.ts';
import { METADATA_FILE } from './save/modelDir.ts';
import { tf } from './tf.ts';
import { runTraining, type TrainHooks } from './train/run.ts';

export interface Engine {
  handle<M extends RequestMethod>(method: M, params: RequestParams<M>): Promise<RequestResult<M>>;
  /** the run in progress, if any (for reporting uncaught errors as its failure) */
  activeRunId(): string | undefined;
}

export interface EngineOptions {
  /** overrides for training runs (tests: checkpoint interval, feature cache folder) */
  trainHooks?: Partial<Pick<TrainHooks, 'checkpointIntervalMs' | 'featureCacheDir' | 'decodedMemoryBudget'>>;
}

/** model.summary()-style rows of a loaded layers model. */
export function describeLayersModel(model: tf.LayersModel): LayerRow[] {
  return model.layers.map((layer) => {
    let outputShape: (number | null)[] | null = null;
    try {
      const s = layer.outputShape;
      if (Array.isArray(s) && !Array.isArray(s[0])) outputShape = (s as (number | null)[]).slice(1);
    } catch {
      /* a layer with several outputs: left unknown */
    }
    return { name: layer.name, className: layer.getClassName(), outputShape, params: layer.countParams(), trainable: layer.trainable };
  });
}

export function createEngine(notify: (n: EngineNotification) => void, options: EngineOptions = {}): Engine {
  let active: { runId: string; controller: AbortController; keepBest: boolean } | undefined;

  /** Picks the backend for a prediction; a running training keeps its backend. */
  async function backendFor(choice: BackendChoice | undefined): Promise<BackendName> {
    if (active) return currentBackend();
    return useBackend(choice ?? 'auto', { needConvGradients: false });
  }

  async function describeModel(path: string): Promise<LayerRow[]> {
    // a keras: base is described from its committed topology: nothing is downloaded
    if (isKerasApplicationRef(path)) {
      await backendFor(undefined);
      const model = await kerasApplicationTopology(path);
      try {
        return describeLayersModel(model);
      } finally {
        model.dispose();
      }
    }
    if (isBundledBaseId(path)) {
      // The base as used for transfer learning (cut like include_top=False): what freeze ranges address.
      await backendFor(undefined);
      const base = await loadBase(path);
      try {
        return describeLayersModel(base.layers!);
      } finally {
        disposeBase(base);
      }
    }
    if (!existsSync(path)) throw new Error(`not found: ${path}`);
    if (isKerasModelFile(path) && statSync(path).isFile()) {
      // a Keras file (train.py's model.keras / model.h5), converted as predict converts it
      await backendFor(undefined);
      const { model } = await loadKerasModelFile(path);
      try {
        return describeLayersModel(model);
      } finally {
        model.dispose();
      }
    }
    if (statSync(path).isDirectory()) {
      if (existsSync(join(path, METADATA_FILE))) {
        await backendFor(undefined);
        const clf = await loadModelDir(path);
        try {
          return describeLayersModel(clf.model);
        } finally {
          clf.dispose();
        }
      }
      path = join(path, 'model.json');
    }
    let json: unknown;
    try {
      json = JSON.parse(readFileSync(path, 'utf8'));
    } catch (e) {
      throw new Error(`${path}: cannot read as JSON (${(e as Error).message})`);
    }
    return describeModelJson(json);
  }

  const handlers: { [M in RequestMethod]: (params: RequestParams<M>) => Promise<RequestResult<M>> } = {
    describeModel: (p) => describeModel(p.path),
    listBackends: () => listBackends(),
    checkNative: () => checkNative(),
    async train(p) {
      if (active) throw new Error(`a training run (${active.runId}) is already in progress; cancel it first`);
      const run = { runId: p.runId, controller: new AbortController(), keepBest: true };
      active = run;
      try {
        const result = await runTraining(p.config, {
          runId: p.runId,
          notify,
          signal: run.controller.signal,
          keepBestOnCancel: () => run.keepBest,
          resume: p.resume === true,
          ...options.trainHooks,
        });
        notify({ method: 'done', params: { runId: p.runId, result } });
        return result;
      } catch (e) {
        const message = e instanceof Error ? e.message : String(e);
        notify({ method: 'failed', params: { runId: p.runId, error: message } });
        throw e;
      } finally {
        active = undefined;
      }
    },
    async cancel(p) {
      if (!active || active.runId !== p.runId) return { cancelled: false };
      active.keepBest = p.keepBest;
      active.controller.abort();
      return { cancelled: true };
    },
    async predict(p) {
      const backend = await backendFor(p.backend);
      if (!p.modelDir === !p.base) throw new Error('predict: give a model directory or a base, not both or neither');
      const clf = p.base ? loadImageNetClassifier(p.base) : await loadClassifier(p.modelDir!);
      try {
        const predictions = [];
        if (p.images?.length) predictions.push(...(await predictImages(clf, p.images, p.topK)));
        if (p.url) predictions.push(await predictUrl(clf, p.url, p.topK));
        return { backend, predictions };
      } finally {
        clf.dispose();
      }
    },
    async exportModel(p) {
      await backendFor(undefined);
      const { exportKerasModel } = await import('./export/kerasExport.ts');
      return exportKerasModel(p.modelDir, p.out, p.format);
    },
    async evaluate(p) {
      await backendFor(p.backend);
      const clf = await loadClassifier(p.modelDir);
      try {
        return await evaluateFolder(clf, p.data);
      } finally {
        clf.dispose();
      }
    },
  };

  return {
    handle<M extends RequestMethod>(method: M, params: RequestParams<M>): Promise<RequestResult<M>> {
      const handler = handlers[method] as (params: RequestParams<M>) => Promise<RequestResult<M>>;
      if (!handler) return Promise.reject(new Error(`unknown method ${String(method)}`));
      return handler(params);
    },
    activeRunId: () => active?.runId,
  };
}
