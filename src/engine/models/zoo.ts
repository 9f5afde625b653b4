// Pretrained bases, each cut where its convolutional features end (Keras `include_top=False`):
// the two bundled nsfwjs models, a local model.json (layers: fine-tunable; graph: a frozen feature
// extractor only), or an http(s) URL of a layers model (cached on disk).
import { isUrl } from '../../core/modelRef.ts';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { tf } from '../tf.ts';
import { BUNDLED_BASES, isBundledBase, loadBundledFullModel } from './bundled.ts';
import { ensureCachedModel } from './urlCache.ts';
import { isKerasApplicationRef, loadKerasApplication } from './kerasApplication.ts';
import { disposeModels } from './dispose.ts';
import { graphModelFromArtifacts, layersModelFromArtifacts, readModelArtifacts } from '../save/modelFiles.ts';

import { PREPROCESSINGS, type Preprocessing } from '../data/decode-image.ts';
import { efficientNetLiteLabel, isEfficientNetLite, LITE_FEATURE_LAYER, loadEfficientNetLite } from './efficientnetLite.ts';
export type { Preprocessing };
export type { BaseModel } from './baseModel.ts';
import type { BaseModel } from './baseModel.ts';

/** Where a layers model's conv features end: the last layer with a 4-D output larger than 1×1. */
export function findFeatureLayer(model: tf.LayersModel): tf.layers.Layer {
  for (let i = model.layers.length - 1; i >= 0; i--) {
    const layer = model.layers[i];
    const shape = layer.outputShape;
    if (!Array.isArray(shape) || Array.isArray(shape[0])) continue;
    const s = shape as (number | null)[];
    if (s.length === 4 && !(s[1] === 1 && s[2] === 1)) return layer;
  }
  throw new Error(`model ${model.name} has no layer with a 4-D (height × width × channels) output to use as features`);
}

export function cutAt(model: tf.LayersModel, layer: tf.layers.Layer): tf.LayersModel {
  if (layer === model.layers[model.layers.length - 1]) return model;
  return tf.model({ inputs: model.inputs, outputs: layer.output, name: `${model.name}_features` });
}

function inputSizeOf(shape: (number | null)[] | undefined, where: string): [number, number] {
  if (!shape || shape.length !== 4)
    throw new Error(`${where}: input must be 4-D [batch, height, width, channels], got ${JSON.stringify(shape)}`);
  if (shape[3] !== null && shape[3] !== 3) throw new Error(`${where}: input has ${shape[3]} channels; only RGB (3) bases are supported`);
  return [shape[1] ?? 224, shape[2] ?? 224];
}

/** A sibling cnn-lab.json (a model trained here) says how its inputs were scaled. */
function siblingPreprocessing(modelJsonPath: string): Preprocessing | undefined {
  const meta = join(dirname(modelJsonPath), 'cnn-lab.json');
  if (!existsSync(meta)) return undefined;
  try {
    const p = JSON.parse(readFileSync(meta, 'utf8')).preprocessing;
    return (PREPROCESSINGS as readonly unknown[]).includes(p) ? (p as Preprocessing) : undefined;
  } catch {
    return undefined;
  }
}

async function fromLayersModel(model: tf.LayersModel, id: string, label: string, preprocessing: Preprocessing): Promise<BaseModel> {
  const inputSize = inputSizeOf(model.inputs[0]?.shape, id);
  const cut = cutAt(model, findFeatureLayer(model));
  const out = cut.outputs[0].shape.slice(1) as number[];
  return {
    id,
    label,
    kind: 'layers',
    inputSize,
    preprocessing,
    layers: cut,
    source: model,
    featureShape: out,
    layerNames: cut.layers.map((l) => l.name),
    fineTunable: true,
  };
}

/** A base that ships with CNN Lab: its full model cut at a known layer (Keras include_top=False). */
function namedBase(id: string, label: string, full: tf.LayersModel, cutLayer: string, preprocessing: Preprocessing): BaseModel {
  const cut = cutAt(full, full.getLayer(cutLayer));
  return {
    id,
    label,
    kind: 'layers',
    inputSize: inputSizeOf(full.inputs[0].shape, id),
    preprocessing,
    layers: cut,
    source: full,
    featureShape: cut.outputs[0].shape.slice(1) as number[],
    layerNames: cut.layers.map((l) => l.name),
    fineTunable: true,
  };
}

/**
 * Loads a base by reference. Local and URL bases are assumed to expect inputs in [-1, 1] (the
 * Keras-applications and TF-Hub convention for MobileNet/Inception) unless a cnn-lab.json beside
 * the model.json says otherwise.
 */
export async function loadBase(
  ref: string,
  opts: {
    signal?: AbortSignal;
    /** the file that names `ref` (an experiment file, a model's cnn-lab.json), said when a URL is downloaded */
    askedBy?: string;
    /** where one-line notes go (downloading a URL, a bad cache entry discarded); stderr by default */
    onNote?: (line: string) => void;
  } = {},
): Promise<BaseModel> {
  if (isEfficientNetLite(ref)) {
    const { model } = loadEfficientNetLite(ref);
    return namedBase(ref, efficientNetLiteLabel(ref), model, LITE_FEATURE_LAYER, '(x-127)/128');
  }
  if (isKerasApplicationRef(ref)) return loadKerasApplication(ref, opts);
  if (isBundledBase(ref)) {
    const spec = BUNDLED_BASES[ref];
    // nsfwjs divides pixels by 255 (dist/cjs/core.js normalizationOffset), so the bases expect [0, 1].
    return namedBase(ref, spec.label, await loadBundledFullModel(ref), spec.cutLayer, '0..1');
  }
  let modelJsonPath: string;
  let label: string;
  if (isUrl(ref)) {
    if (!/^https?:/i.test(ref)) throw new Error(`base ${ref}: only http(s) URLs are supported`);
    // never a silent download: one line says what is fetched and which file asked for it
    const onNote = opts.onNote ?? ((line: string) => process.stderr.write(`cnn-lab: ${line}\n`));
    const cached = await ensureCachedModel(ref, { signal: opts.signal, askedBy: opts.askedBy, onNote });
    modelJsonPath = cached.modelJsonPath;
    label = `layers model from ${ref}`;
  } else {
    modelJsonPath = resolve(ref);
    if (existsSync(modelJsonPath) && statSync(modelJsonPath).isDirectory()) modelJsonPath = join(modelJsonPath, 'model.json');
    if (!existsSync(modelJsonPath)) {
      throw new Error(`base "${ref}" is not efficientnet_lite0/1/2, inception_v3, mobilenet_v2, an http(s) URL or an existing model.json`);
    }
    label = `local model ${modelJsonPath}`;
  }
  const { format, artifacts } = await readModelArtifacts(modelJsonPath);
  const preprocessing = siblingPreprocessing(modelJsonPath) ?? '-1..1';
  if (format === 'layers-model') {
    const model = await layersModelFromArtifacts(artifacts, modelJsonPath);
    try {
      return fromLayersModel(model, isUrl(ref) ? ref : modelJsonPath, label, preprocessing);
    } catch (e) {
      model.dispose(); // a model that is refused must not stay in the long-lived engine's memory
      throw e;
    }
  }
  if (isUrl(ref)) throw new Error(`base ${ref} is a graph model; URL bases must be tfjs layers models`);
  const graph = await graphModelFromArtifacts(artifacts, modelJsonPath);
  try {
    return describeGraphBase(graph, modelJsonPath, label, preprocessing);
  } catch (e) {
    graph.dispose(); // refused (unusable input or output shape): release its weights
    throw e;
  }
}

function describeGraphBase(graph: tf.GraphModel, modelJsonPath: string, label: string, preprocessing: Preprocessing): BaseModel {
  const input = graph.inputs[0];
  const inputSize = inputSizeOf(input?.shape, modelJsonPath);
  // Run one blank image to learn the feature shape; graph models often leave it unknown.
  const featureShape = tf.tidy(() => {
    const y = graph.predict(tf.zeros([1, inputSize[0], inputSize[1], 3])) as tf.Tensor;
    return y.shape.slice(1);
  });
  if (featureShape.length !== 1 && featureShape.length !== 3) {
    throw new Error(`${modelJsonPath}: graph model output has shape ${JSON.stringify(featureShape)}; need [c] or [h, w, c] features`);
  }
  return {
    id: modelJsonPath,
    label: `${label} (graph model: frozen feature extractor)`,
    kind: 'graph',
    inputSize,
    preprocessing,
    graph,
    featureShape,
    layerNames: [],
    fineTunable: false,
    notFineTunableReason: `${modelJsonPath} is a graph model (converted from a TF SavedModel or frozen graph): it has no trainable layers, so it can only be a frozen feature extractor — set fine-tune epochs to 0, or use a layers model.json`,
  };
}

/** Features for a batch of preprocessed images, in inference mode (frozen BN, no dropout). */
export function extractFeatures(base: BaseModel, x: tf.Tensor4D): tf.Tensor {
  if (base.kind === 'layers') return base.layers!.predict(x) as tf.Tensor;
  return base.graph!.predict(x) as tf.Tensor;
}

export function disposeBase(base: BaseModel): void {
  disposeModels([base.layers, base.source]);
  base.graph?.dispose();
}
