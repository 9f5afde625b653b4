// Reading and writing tfjs model artifacts (model.json + weight shards) on disk without
// tfjs-node's file:// handlers, which exist only with the native backend. Every failure names the
// file and what is wrong with it, because users point us at hand-made model directories.
import { readFile } from 'node:fs/promises';
import { localShardPath } from '../models/shardPaths.ts';
import { tf } from '../tf.ts';

export type ModelFormat = 'layers-model' | 'graph-model';

export interface LoadedArtifacts {
  format: ModelFormat;
  artifacts: tf.io.ModelArtifacts;
}

interface ModelJson {
  format?: string;
  modelTopology?: Record<string, unknown>;
  weightsManifest?: { paths: string[]; weights: tf.io.WeightsManifestEntry[] }[];
  trainingConfig?: tf.io.TrainingConfig;
  generatedBy?: string;
  convertedBy?: string | null;
}

/** Tells a graph model (converted TF SavedModel/frozen graph) from a Keras-style layers model. */
export function detectFormat(json: ModelJson): ModelFormat {
  if (json.format === 'graph-model') return 'graph-model';
  if (json.format === 'layers-model') return 'layers-model';
  const topology = json.modelTopology ?? {};
  return 'node' in topology ? 'graph-model' : 'layers-model';
}

/** Parses a model.json document fetched from anywhere; `where` names it in errors. */
export function parseModelJson(text: string, where: string): ModelJson {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new Error(`${where}: not valid JSON (${(e as Error).message})`);
  }
  if (!json || typeof json !== 'object' || Array.isArray(json)) throw new Error(`${where}: not a tfjs model.json (expected an object)`);
  const m = json as ModelJson;
  if (!m.modelTopology || typeof m.modelTopology !== 'object') {
    throw new Error(`${where}: no "modelTopology" — not a tfjs model.json`);
  }
  if (!Array.isArray(m.weightsManifest)) throw new Error(`${where}: no "weightsManifest" array — not a tfjs model.json`);
  for (const [i, g] of m.weightsManifest.entries()) {
    if (!g || !Array.isArray(g.paths) || !Array.isArray(g.weights)) {
      throw new Error(`${where}: weightsManifest[${i}] needs "paths" and "weights" arrays`);
    }
  }
  return m;
}

const DTYPE_BYTES: Record<string, number> = { float32: 4, int32: 4, bool: 1, uint8: 1, uint16: 2, float16: 2 };

/** Bytes the manifest says the shards hold, so short or missing files fail with a clear message. */
export function expectedWeightBytes(specs: tf.io.WeightsManifestEntry[]): number {
  let total = 0;
  for (const w of specs) {
    const count = w.shape.reduce((a, b) => a * b, 1);
    const dtype = w.quantization?.dtype ?? w.dtype;
    const bytes = DTYPE_BYTES[dtype];
    if (bytes === undefined) throw new Error(`weight ${w.name}: unsupported dtype ${dtype}`);
    total += count * bytes;
  }
  return total;
}

/** Builds ModelArtifacts from a parsed model.json and its concatenated shards. */
export function toArtifacts(json: ModelJson, weightData: ArrayBuffer, where: string): tf.io.ModelArtifacts {
  const weightSpecs = json.weightsManifest!.flatMap((g) => g.weights);
  const expected = expectedWeightBytes(weightSpecs);
  if (weightData.byteLength !== expected) {
    throw new Error(
      `${where}: weight files hold ${weightData.byteLength} bytes but the manifest describes ${expected} — missing, short or mismatched shards`,
    );
  }
  return {
    modelTopology: json.modelTopology,
    weightSpecs,
    weightData,
    format: json.format,
    generatedBy: json.generatedBy,
    convertedBy: json.convertedBy ?? undefined,
    trainingConfig: json.trainingConfig,
  };
}

/** The shards of a model's weights as the one ArrayBuffer tfjs takes (a copy; the parts may be views of pooled Buffers). */
export function concatBuffers(parts: Uint8Array[]): ArrayBuffer {
  const total = parts.reduce((n, p) => n + p.byteLength, 0);
  const out = new Uint8Array(total);
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.byteLength;
  }
  return out.buffer;
}

/** Reads model.json and every shard it names (paths relative to the model.json's folder). */
export async function readModelArtifacts(modelJsonPath: string): Promise<LoadedArtifacts> {
  let text: string;
  try {
    text = await readFile(modelJsonPath, 'utf8');
  } catch (e) {
    throw new Error(`cannot read ${modelJsonPath}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  const json = parseModelJson(text, modelJsonPath);
  const parts: Uint8Array[] = [];
  for (const group of json.weightsManifest!) {
    for (const p of group.paths) {
      // a shard path is the model.json's to name, but only inside its own folder
      const file = localShardPath(modelJsonPath, p);
      try {
        parts.push(await readFile(file));
      } catch (e) {
        throw new Error(
          `${modelJsonPath}: weight file ${file} cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`,
        );
      }
    }
  }
  const format = detectFormat(json);
  return { format, artifacts: toArtifacts(json, concatBuffers(parts), modelJsonPath) };
}

/**
 * Disposes the variables registered since `known` was taken: what a half-built model holds when
 * tfjs throws before handing it over (a layer it cannot deserialize after others were built).
 */
function disposeVariablesSince(known: ReadonlySet<string>): void {
  for (const [name, variable] of Object.entries(tf.engine().registeredVariables)) {
    if (!known.has(name)) variable.dispose();
  }
}

/**
 * Loads a layers model from artifacts, naming the source when tfjs rejects it (unknown layer, wrong
 * shapes). Not tf.loadLayersModel: when its weights do not fit, it throws without disposing the
 * model it built nor the weights it decoded (16 tensors for the tiny test base, 528 for
 * InceptionV3), and the editor's long-lived engine would keep them for every failed try. Here the
 * topology is built, the weights decoded and set in steps, and every failure path disposes both.
 */
export async function layersModelFromArtifacts(artifacts: tf.io.ModelArtifacts, where: string): Promise<tf.LayersModel> {
  const known = new Set(Object.keys(tf.engine().registeredVariables));
  let model: tf.LayersModel | undefined;
  let decoded: tf.NamedTensorMap = {};
  try {
    model = await tf.models.modelFromJSON({ modelTopology: artifacts.modelTopology as tf.io.ModelJSON['modelTopology'] });
    // the same two fields tf.loadLayersModel restores (core and layers type TrainingConfig apart)
    if (artifacts.trainingConfig) model.loadTrainingConfig(artifacts.trainingConfig as Parameters<tf.LayersModel['loadTrainingConfig']>[0]);
    if (artifacts.userDefinedMetadata) model.setUserDefinedMetadata(artifacts.userDefinedMetadata);
    if (artifacts.weightData !== undefined) {
      if (!artifacts.weightSpecs) throw new Error('weight data without weight specs');
      decoded = tf.io.decodeWeights(artifacts.weightData, artifacts.weightSpecs);
      // optimizer state is never used here (training builds its own optimizer)
      const modelWeights: tf.NamedTensorMap = {};
      for (const spec of artifacts.weightSpecs) if (spec.group !== 'optimizer') modelWeights[spec.name] = decoded[spec.name];
      model.loadWeights(modelWeights, true);
    }
    return model;
  } catch (e) {
    if (model) model.dispose();
    // Only when tfjs never returned the model: modelFromJSON builds it synchronously right after
    // `known` was taken, so what is new then is its own (not a concurrent run's).
    else disposeVariablesSince(known);
    throw new Error(`${where}: cannot build the layers model: ${(e as Error).message}`);
  } finally {
    // loadWeights copies the values into the model's variables
    tf.dispose(Object.values(decoded));
  }
}

export async function graphModelFromArtifacts(artifacts: tf.io.ModelArtifacts, where: string): Promise<tf.GraphModel> {
  try {
    return await tf.loadGraphModel(tf.io.fromMemory(artifacts));
  } catch (e) {
    throw new Error(`${where}: cannot build the graph model: ${(e as Error).message}`);
  }
}

/** Serializes a layers model to {model.json text, weights.bin bytes}. */
export async function serializeLayersModel(model: tf.LayersModel): Promise<{ modelJson: string; weights: Uint8Array }> {
  let captured: tf.io.ModelArtifacts | undefined;
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      captured = artifacts;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  if (!captured || !captured.weightData || !captured.weightSpecs) throw new Error('tfjs produced no model artifacts');
  const weightBuffer = tf.io.CompositeArrayBuffer.join(captured.weightData);
  const modelJson = {
    format: 'layers-model',
    generatedBy: captured.generatedBy,
    convertedBy: captured.convertedBy ?? null,
    modelTopology: captured.modelTopology,
    weightsManifest: [{ paths: ['weights.bin'], weights: captured.weightSpecs }],
  };
  return { modelJson: JSON.stringify(modelJson), weights: new Uint8Array(weightBuffer) };
}
