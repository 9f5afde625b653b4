// `keras:<name>` bases: a Keras Application (include_top=False) rebuilt in tfjs from the topology
// Keras wrote (assets/keras-topologies/<name>.json, made offline by
// scripts/generate-keras-topologies.py with weights=None) and filled with the ImageNet weights of
// the `*_notop.h5` file Keras downloads (kerasWeightsCache.ts), assigned layer by layer
// (kerasH5Weights.ts).
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isKerasApplicationRef, kerasApplication, kerasWeightsUrl, type KerasApplicationSpec } from '../../core/kerasApplications.ts';
import type { Preprocessing } from '../data/decode-image.ts';
import { tf } from '../tf.ts';
import { assignLayerValues, pairLayers, readKerasH5Weights, type H5Layer, type H5Weight } from './kerasH5Weights.ts';
import { ensureKerasWeights } from './kerasWeightsCache.ts';
import type { BaseModel } from './baseModel.ts';
import { packageRoot } from '../packageRoot.ts';

export { isKerasApplicationRef };

/**
 * EfficientNet's input scaling divides by sqrt(stddev) once more after its Normalization layer when
 * Keras loads the ImageNet weights (tf_keras efficientnet.py, IMAGENET_STDDEV_RGB; Keras issue
 * tensorflow/tensorflow#49930: the weights expect (x − mean) / variance).
 */
export const IMAGENET_STDDEV_RGB = [0.229, 0.224, 0.225] as const;

/** The folder of the committed topologies: assets/ beside CNN Lab's package.json (src/ and dist/ alike). */
export function kerasTopologyDir(): string {
  const dir = join(packageRoot(), 'assets', 'keras-topologies');
  if (existsSync(dir)) return dir;
  throw new Error(`the Keras topologies (assets/keras-topologies) are missing from this CNN Lab install (looked in ${dir})`);
}

type LayerConfig = { class_name: string; config: { name: string; cnnlab_translated_from?: string } };

/**
 * tfjs has no Normalization layer, so the generator wrote it as a 1×1 DepthwiseConv2D of the same
 * name: here the file's mean and variance become that layer's kernel and bias, times Keras'
 * extra 1/sqrt(stddev) — the exact function Keras computes: (x − mean) / sqrt(variance) / sqrt(stddev).
 */
export function normalizationAsDepthwise(layer: string, file: H5Weight[], where: string): H5Weight[] {
  const get = (short: string) => file.find((w) => w.name.replace(/:\d+$/, '').split('/').at(-1) === short);
  const mean = get('mean');
  const variance = get('variance');
  if (!mean || !variance)
    throw new Error(
      `${where}: layer "${layer}" should be a Normalization layer with "mean" and "variance" weights, has ${file.map((w) => w.name).join(', ') || 'none'}`,
    );
  const c = mean.values.length;
  if (variance.values.length !== c || c !== IMAGENET_STDDEV_RGB.length) {
    throw new Error(`${where}: layer "${layer}": Normalization over ${c} channels, expected ${IMAGENET_STDDEV_RGB.length} (RGB)`);
  }
  const kernel = new Float32Array(c);
  const bias = new Float32Array(c);
  for (let i = 0; i < c; i++) {
    // Keras' Normalization divides by max(sqrt(variance), epsilon 1e-7)
    const scale = 1 / Math.max(Math.sqrt(variance.values[i]), 1e-7) / Math.sqrt(IMAGENET_STDDEV_RGB[i]);
    kernel[i] = scale;
    bias[i] = -mean.values[i] * scale;
  }
  return [
    { name: `${layer}/depthwise_kernel:0`, shape: [1, 1, c, 1], values: kernel },
    { name: `${layer}/bias:0`, shape: [c], values: bias },
  ];
}

/**
 * A layers base from a Keras topology (`model.to_json()`) and a Keras h5 weights file. Every layer
 * with weights must get them (by name, else in order as Keras does); on any mismatch the model is
 * disposed and one line names the layer.
 */
export async function kerasBaseFromFiles(p: {
  id: string;
  label: string;
  topology: unknown;
  h5Path: string;
  /** the file in messages (its URL, or a path) */
  where: string;
  preprocessing: Preprocessing;
}): Promise<BaseModel> {
  const layersConfig = (p.topology as { config?: { layers?: LayerConfig[] } })?.config?.layers;
  if (!Array.isArray(layersConfig)) throw new Error(`the topology of ${p.id} is not a Keras functional model (no config.layers)`);
  const file = await readKerasH5Weights(p.h5Path, p.where);
  const model = await tf.models.modelFromJSON(p.topology as Parameters<typeof tf.models.modelFromJSON>[0]);
  try {
    const translated = new Set(layersConfig.filter((l) => l.config.cnnlab_translated_from === 'Normalization').map((l) => l.config.name));
    const fileLayers: H5Layer[] = file.map((l) =>
      translated.has(l.name) ? { name: l.name, weights: normalizationAsDepthwise(l.name, l.weights, p.where) } : l,
    );
    const { pairs } = pairLayers(
      model,
      layersConfig.map((l) => l.config.name),
      fileLayers,
      p.where,
    );
    assignLayerValues(pairs, p.where);
    const input = model.inputs[0].shape;
    const out = model.outputs[0].shape;
    if (input.length !== 4 || input[1] === null || input[2] === null || out.length !== 4) {
      throw new Error(
        `the topology of ${p.id} must map a fixed-size image [batch, h, w, 3] to features [batch, h, w, c]; it maps ${JSON.stringify(input)} to ${JSON.stringify(out)}`,
      );
    }
    return {
      id: p.id,
      label: p.label,
      kind: 'layers',
      inputSize: [input[1], input[2]],
      preprocessing: p.preprocessing,
      // include_top=False already ends where the conv features do: nothing to cut
      layers: model,
      featureShape: out.slice(1) as number[],
      layerNames: model.layers.map((l) => l.name),
      fineTunable: true,
    };
  } catch (e) {
    model.dispose(); // a refused base must not stay in the long-lived engine's memory
    throw e;
  }
}

function readTopology(ref: string): unknown {
  kerasApplication(ref); // an unknown name fails here, with the known ones listed
  return JSON.parse(readFileSync(join(kerasTopologyDir(), `${ref.slice('keras:'.length)}.json`), 'utf8'));
}

/** The network of a `keras:` base without its weights (initial values): its layers and shapes, nothing downloaded. */
export async function kerasApplicationTopology(ref: string): Promise<tf.LayersModel> {
  return tf.models.modelFromJSON(readTopology(ref) as Parameters<typeof tf.models.modelFromJSON>[0]);
}

/** `keras:<name>`: the topology from assets/, the ImageNet weights from Keras' URL (cached). */
export async function loadKerasApplication(
  ref: string,
  opts: { signal?: AbortSignal; askedBy?: string; onNote?: (line: string) => void } = {},
): Promise<BaseModel> {
  const spec = kerasApplication(ref);
  return loadKerasWeightsBase(spec, readTopology(ref), kerasWeightsUrl(spec), opts);
}

/** A base from `topology` and the weights file of `spec` at `url` (cached, hash-checked). */
export async function loadKerasWeightsBase(
  spec: Pick<KerasApplicationSpec, 'id' | 'fileName' | 'fileHash' | 'label' | 'preprocessing'>,
  topology: unknown,
  url: string,
  opts: { signal?: AbortSignal; askedBy?: string; onNote?: (line: string) => void } = {},
): Promise<BaseModel> {
  const ref = spec.id;
  // never a silent download: one line says what is fetched and which file asked for it
  const onNote = opts.onNote ?? ((line: string) => process.stderr.write(`cnn-lab: ${line}\n`));
  const weights = await ensureKerasWeights({ id: ref, fileName: spec.fileName, fileHash: spec.fileHash }, url, { ...opts, onNote });
  try {
    return await kerasBaseFromFiles({
      id: ref,
      label: spec.label,
      topology,
      h5Path: weights.path,
      where: url,
      preprocessing: spec.preprocessing,
    });
  } catch (e) {
    // with no pinned hash, an unreadable file may be a bad download: fetch it again next time
    if (!spec.fileHash) await weights.discard();
    throw e;
  }
}
