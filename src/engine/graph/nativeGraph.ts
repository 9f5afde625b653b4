// Runs a frozen layers model (or its part up to one layer) as one TensorFlow graph on the native
// backend: converted to a GraphDef (layersGraph.ts), written as a SavedModel to a temporary folder,
// loaded into a libtensorflow session through tfjs-node's binding (TF_LoadSessionFromSavedModel,
// TF_SessionRun) and the folder removed (the session keeps the graph). The session applies
// Grappler and oneDNN as Keras' traced graph gets them; bench/README.md has the figures.
// Anything else (another backend, a layer the converter does not know, a load failure) returns
// the reason and the caller keeps running the layers eagerly: same numbers, slower.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tf } from '../tf.ts';
import { nativeBackendPackageDir } from '../backends/tensorflow.ts';
import { layersModelToGraph, UnsupportedLayerError } from './layersGraph.ts';
import { SERVE_TAG, writeSavedModel } from './savedModelFile.ts';

/** Set to 0 to keep every frozen model on the eager path (A/B benchmarks, parity tests). */
export const NATIVE_GRAPH_ENV = 'CNN_LAB_NATIVE_GRAPH';

/**
 * The most images one session run takes; a larger batch runs in slices. The session's peak memory
 * is a few of the largest activations (MobileNetV2 at 224 × 224: 154 MB per 32 images after its
 * first expansion), and libtensorflow keeps what it once allocated, so a batch of 32 raised the
 * process by ~545 MB where 16 raise it by half that, at the same images per second on 2 cores
 * (bench/README.md). Slicing changes no value: every op here is per image.
 */
export const GRAPH_BATCH = 16;

export interface NativeGraph {
  /** the converted part's output for a batch of inputs (a new tensor, the caller disposes it) */
  run(x: tf.Tensor): tf.Tensor;
  dispose(): void;
}

interface SessionBackend {
  loadSavedModelMetaGraph(path: string, tags: string): number;
  runSavedModel(id: number, inputs: tf.Tensor[], inputInfos: { name: string }[], outputs: string[]): tf.Tensor[];
  deleteSavedModel(id: number): void;
}

/**
 * `model` from its input to `until` (default: its output) as a native graph, or why not. The
 * weights are read now: the graph is stale once they change, so compile only what stays frozen.
 */
export function compileNativeGraph(model: tf.LayersModel, until?: tf.SymbolicTensor): NativeGraph | { reason: string } {
  if (process.env[NATIVE_GRAPH_ENV] === '0') return { reason: `${NATIVE_GRAPH_ENV}=0` };
  if (tf.getBackend() !== 'tensorflow') return { reason: `backend ${tf.getBackend()} runs layers eagerly` };
  const packageDir = nativeBackendPackageDir();
  const backend = tf.backend() as unknown as Partial<SessionBackend>;
  if (!packageDir || typeof backend.loadSavedModelMetaGraph !== 'function') return { reason: 'the native binding has no session API' };
  let graph;
  try {
    graph = layersModelToGraph(model, until);
  } catch (e) {
    if (e instanceof UnsupportedLayerError) return { reason: `not convertible: ${e.message}` };
    throw e;
  }
  // A full or read-only temporary folder only costs the speed-up: the eager path needs no files.
  let dir: string | undefined;
  let id: number;
  try {
    dir = mkdtempSync(join(tmpdir(), 'cnn-lab-graph-'));
    writeSavedModel(graph, dir, packageDir);
    id = backend.loadSavedModelMetaGraph(dir, SERVE_TAG);
  } catch (e) {
    graph.weights.forEach((w) => w.tensor.dispose());
    return { reason: `the graph could not be written or loaded: ${(e as Error).message.split('\n')[0]}` };
  } finally {
    if (dir) rmSync(dir, { recursive: true, force: true });
  }
  const session = backend as SessionBackend;
  const inputs = [graph.input, ...graph.weights.map((w) => w.name)].map((name) => ({ name: `${name}:0` }));
  const weights = graph.weights.map((w) => w.tensor);
  const outputs = [`${graph.output}:0`];
  let disposed = false;
  const runOnce = (x: tf.Tensor) => session.runSavedModel(id, [x, ...weights], inputs, outputs)[0];
  return {
    run(x) {
      if (disposed) throw new Error('native graph used after dispose');
      if (x.shape[0] <= GRAPH_BATCH) return runOnce(x);
      return tf.tidy(() => {
        const parts: tf.Tensor[] = [];
        for (let start = 0; start < x.shape[0]; start += GRAPH_BATCH)
          parts.push(runOnce(tf.slice(x, start, Math.min(GRAPH_BATCH, x.shape[0] - start))));
        return tf.concat(parts, 0);
      });
    },
    dispose() {
      if (disposed) return;
      disposed = true;
      session.deleteSavedModel(id);
      weights.forEach((w) => w.dispose());
    },
  };
}
