// Opening a Keras model file (what the exported train.py saves) as a tfjs LayersModel, converted
// on load, with no Python: Keras 3's `.keras` (a zip of config.json + model.weights.h5, weights
// under layers/…/vars/0..n, each vars group naming its layer) and Keras 2's `.h5` (the
// model_config attribute + model_weights/<layer>/…, weights named "<layer>/<weight>:0").
// Converting here rather than asking for a `tensorflowjs_converter` step keeps "train in Keras,
// look at it and predict in CNN Lab" one click: that converter is a Python package with its own
// TensorFlow pin, and it refuses Keras 3 files anyway.
//
// The zip is read with yauzl (as the wheel reader does), HDF5 with h5wasm (as the Keras-Applications
// weights reader does). The weights are matched by layer name and checked for shape before any is set.
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import yauzl, { type Entry, type ZipFile } from 'yauzl';
import { tf } from '../tf.ts';
import { assignLayerValues, datasetWeight, loadH5wasm, type H5Weight, type LayerValues } from '../models/kerasH5Weights.ts';
import { PREPROCESSINGS, type Preprocessing, type ResizeMode } from '../data/decode-image.ts';
import { labelsPathFor } from '../export/kerasExport.ts';
import { kerasTopology } from './kerasTopology.ts';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- Keras JSON configs are read field by field, each checked where used
type Json = Record<string, any>;
type H5 = typeof import('h5wasm/node');

export { isKerasModelFile } from '../../core/kerasModelFile.ts';

/** What prediction needs besides the model: from `<file>.labels.json`, else from inside the file. */
export interface KerasFileMetadata {
  labels: string[];
  inputSize: [number, number];
  preprocessing: Preprocessing;
  resize: ResizeMode;
  /** the file the labels came from (the labels.json, or the model file itself) */
  source: string;
}

export interface KerasModelFile {
  model: tf.LayersModel;
  format: 'keras3' | 'keras2';
  /** undefined when neither a labels.json nor embedded CNN Lab metadata was found */
  metadata?: KerasFileMetadata;
  /** augmentation layers dropped as the identity */
  dropped: { name: string; className: string }[];
}

interface RawFile {
  format: 'keras3' | 'keras2';
  config: Json;
  /** layer name → its weights, in the layer's order (Keras 3) or named "<layer>/<weight>:0" (Keras 2) */
  weights: Map<string, H5Weight[]>;
  embedded?: unknown;
}

function numeric(ds: InstanceType<H5['Dataset']>, where: string, what: string): H5Weight {
  return datasetWeight(ds, what, () => `${where}: weight ${what} is not a numeric array`);
}

function openH5(mod: H5, path: string, where: string): InstanceType<H5['File']> {
  try {
    return new mod.File(path, 'r');
  } catch (e) {
    throw new Error(`${where} is not a readable HDF5 file: ${String((e as Error).message ?? e).split('\n')[0]}`);
  }
}

function parseJson(text: string, where: string): Json {
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new Error(`${where}: not valid JSON (${(e as Error).message})`);
  }
}

/** Keras 2 h5: model_config, and model_weights/<layer>[/<nested layer>]/<weight>:0 listed in weight_names. */
async function readKeras2(path: string, where: string): Promise<RawFile> {
  const mod = await loadH5wasm();
  const f = openH5(mod, path, where);
  try {
    const config = f.attrs['model_config']?.value;
    if (typeof config !== 'string')
      throw new Error(`${where} has no model_config attribute: a weights-only h5 (save_weights), not a saved model`);
    const group = f.get('model_weights');
    if (!(group instanceof mod.Group)) throw new Error(`${where} has no model_weights group`);
    const names = group.attrs['layer_names']?.value;
    const layerNames = Array.isArray(names) ? names.map(String) : typeof names === 'string' ? [names] : [];
    const weights = new Map<string, H5Weight[]>();
    for (const layer of layerNames) {
      const g = group.get(layer);
      if (!(g instanceof mod.Group)) continue;
      const wn = g.attrs['weight_names']?.value;
      const weightNames = Array.isArray(wn) ? wn.map(String) : typeof wn === 'string' ? [wn] : [];
      for (const name of weightNames) {
        const ds = g.get(name);
        if (!(ds instanceof mod.Dataset)) throw new Error(`${where}: weight '${name}' of layer '${layer}' is missing`);
        // a nested model's group holds its inner layers' weights, named by the inner layer
        const owner = name.includes('/') ? name.slice(0, name.lastIndexOf('/')) : layer;
        const list = weights.get(owner) ?? [];
        list.push(numeric(ds, where, name));
        weights.set(owner, list);
      }
    }
    const embedded = f.attrs['cnn_lab_metadata']?.value;
    return {
      format: 'keras2',
      config: parseJson(config, `${where} model_config`),
      weights,
      embedded: typeof embedded === 'string' ? parseJson(embedded, `${where} cnn_lab_metadata`) : undefined,
    };
  } finally {
    f.close();
  }
}

function readZipEntries(path: string, wanted: readonly string[], where: string): Promise<Map<string, Buffer>> {
  return new Promise((resolve, reject) => {
    yauzl.open(path, { lazyEntries: true, autoClose: true }, (err, zip: ZipFile) => {
      if (err) return reject(new Error(`${where} is not a .keras file (not a zip: ${err.message})`));
      const out = new Map<string, Buffer>();
      zip.on('error', (e: Error) => reject(new Error(`${where}: ${e.message}`)));
      zip.on('end', () => resolve(out));
      zip.on('entry', (entry: Entry) => {
        if (!wanted.includes(entry.fileName)) return zip.readEntry();
        zip.openReadStream(entry, (e, stream) => {
          if (e) return reject(new Error(`${where}: ${entry.fileName}: ${e.message}`));
          const chunks: Buffer[] = [];
          stream.on('data', (c: Buffer) => chunks.push(c));
          stream.on('error', (se: Error) => reject(new Error(`${where}: ${entry.fileName}: ${se.message}`)));
          stream.on('end', () => {
            out.set(entry.fileName, Buffer.concat(chunks));
            zip.readEntry();
          });
        });
      });
      zip.readEntry();
    });
  });
}

/** Keras 3 .keras: config.json, metadata.json, and model.weights.h5 whose every `vars` group names its layer. */
async function readKeras3(path: string, where: string): Promise<RawFile> {
  const entries = await readZipEntries(path, ['config.json', 'metadata.json', 'model.weights.h5'], where);
  const configText = entries.get('config.json');
  const weightsFile = entries.get('model.weights.h5');
  if (!configText || !weightsFile)
    throw new Error(`${where} has no ${configText ? 'model.weights.h5' : 'config.json'}: not a Keras 3 model file`);
  const metadataText = entries.get('metadata.json');
  const metadata = metadataText ? parseJson(metadataText.toString('utf8'), `${where} metadata.json`) : {};
  // h5wasm reads files by path (Node's raw file system), so the weights go to a private temp file
  const tmp = join(tmpdir(), `cnn-lab-${randomBytes(6).toString('hex')}.weights.h5`);
  writeFileSync(tmp, weightsFile, { mode: 0o600 });
  const mod = await loadH5wasm();
  try {
    const f = openH5(mod, tmp, `${where} model.weights.h5`);
    try {
      const weights = new Map<string, H5Weight[]>();
      // layers/<layer>/vars/0..n, and a nested model's layers/<model>/layers/…; nothing else (the
      // optimizer's variables at optimizer/vars, a random layer's seed_generator/vars) is a weight
      const visitLayers = (layers: unknown, at: string): void => {
        if (!(layers instanceof mod.Group)) return;
        for (const k of layers.keys()) {
          const layer = layers.get(k);
          if (!(layer instanceof mod.Group)) continue;
          const vars = layer.get('vars');
          const owner = vars instanceof mod.Group ? vars.attrs['name']?.value : undefined;
          const count = vars instanceof mod.Group ? vars.keys().length : 0;
          if (vars instanceof mod.Group && typeof owner === 'string' && count > 0) {
            if (weights.has(owner)) throw new Error(`${where}: two layers named '${owner}' hold weights; CNN Lab needs unique layer names`);
            weights.set(
              owner,
              Array.from({ length: count }, (_, i) => {
                const ds = vars.get(String(i));
                if (!(ds instanceof mod.Dataset)) throw new Error(`${where}: ${at}/${k}/vars/${i} (layer '${owner}') is missing`);
                return numeric(ds, where, `${at}/${k}/vars/${i}`);
              }),
            );
          }
          visitLayers(layer.get('layers'), `${at}/${k}/layers`);
        }
      };
      visitLayers(f.get('layers'), 'layers');
      return {
        format: 'keras3',
        config: parseJson(configText.toString('utf8'), `${where} config.json`),
        weights,
        embedded: metadata.cnn_lab,
      };
    } finally {
      f.close();
    }
  } finally {
    rmSync(tmp, { force: true });
  }
}

/** Labels, input size and preprocessing from a labels.json or the embedded metadata; throws naming the field. */
function parseMetadata(value: unknown, source: string): KerasFileMetadata {
  const m = value as Json;
  if (!m || typeof m !== 'object') throw new Error(`${source}: not a JSON object`);
  if (!Array.isArray(m.labels) || m.labels.length === 0 || !m.labels.every((l: unknown) => typeof l === 'string'))
    throw new Error(`${source}: "labels" must be a non-empty list of strings`);
  if (
    !Array.isArray(m.inputSize) ||
    m.inputSize.length !== 2 ||
    !m.inputSize.every((n: unknown) => Number.isInteger(n) && (n as number) > 0)
  )
    throw new Error(`${source}: "inputSize" must be [height, width]`);
  if (!PREPROCESSINGS.includes(m.preprocessing)) throw new Error(`${source}: "preprocessing" must be one of ${PREPROCESSINGS.join(', ')}`);
  const resize = m.resize ?? 'stretch';
  if (resize !== 'stretch' && resize !== 'center-crop') throw new Error(`${source}: "resize" must be stretch or center-crop`);
  return { labels: m.labels, inputSize: [m.inputSize[0], m.inputSize[1]], preprocessing: m.preprocessing, resize, source };
}

/** The weights for every model layer that has some: by layer name; Keras 2 files by weight name within it. */
function layerValues(model: tf.LayersModel, raw: RawFile, where: string): LayerValues[] {
  const pairs: LayerValues[] = [];
  const used = new Set<string>();
  for (const layer of model.layers) {
    if (layer.weights.length === 0) continue;
    const file = raw.weights.get(layer.name);
    if (!file) throw new Error(`${where}: no weights for layer '${layer.name}' in the file`);
    used.add(layer.name);
    let values = file;
    if (raw.format === 'keras2') {
      // tf_keras lists a nested model's trainable weights before its non-trainable ones: match by name
      values = layer.weights.map((w) => {
        const short = w.originalName.slice(w.originalName.lastIndexOf('/') + 1);
        const hit = file.find((v) => v.name.replace(/:\d+$/, '').endsWith(`/${short}`));
        if (!hit)
          throw new Error(
            `${where}: layer '${layer.name}' has no weight '${short}' in the file (it has ${file.map((v) => v.name).join(', ')})`,
          );
        return hit;
      });
    }
    pairs.push({ layer, values, from: layer.name });
  }
  const extra = [...raw.weights.keys()].find((n) => !used.has(n));
  if (extra) throw new Error(`${where}: the file holds weights for layer '${extra}', which the converted model does not have`);
  return pairs;
}

/**
 * Loads a Keras model file as a tfjs LayersModel with its weights. Throws one line naming the
 * file and, for an unsupported architecture, the layer and its class.
 */
export async function loadKerasModelFile(path: string): Promise<KerasModelFile> {
  if (!existsSync(path)) throw new Error(`not found: ${path}`);
  const raw = /\.keras$/i.test(path) ? await readKeras3(path, path) : await readKeras2(path, path);
  const { topology, dropped } = kerasTopology(raw.config, raw.format === 'keras3', path);
  let model: tf.LayersModel;
  try {
    model = await tf.models.modelFromJSON(topology);
  } catch (e) {
    throw new Error(`${path}: tfjs cannot build the converted architecture: ${(e as Error).message.split('\n')[0]}`);
  }
  try {
    assignLayerValues(layerValues(model, raw, path), path);
    const labelsFile = labelsPathFor(path);
    let metadata: KerasFileMetadata | undefined;
    if (existsSync(labelsFile)) metadata = parseMetadata(parseJson(readFileSync(labelsFile, 'utf8'), labelsFile), labelsFile);
    else if (raw.embedded !== undefined) metadata = parseMetadata(raw.embedded, `${path} (embedded CNN Lab metadata)`);
    return { model, format: raw.format, metadata, dropped };
  } catch (e) {
    model.dispose();
    throw e;
  }
}
