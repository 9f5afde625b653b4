// `cnn-lab export --format keras|h5`: a trained model directory as a file Keras loads, written here
// without Python. `.keras` is Keras 3's zip (metadata.json, config.json, model.weights.h5, entries
// stored uncompressed as Keras writes them); `.h5` is the legacy Keras 2 file (`model_config`
// attribute, weights grouped by layer name), which tf_keras and Keras 3 both load. The labels and
// the preprocessing travel in the file (metadata.json / an h5 attribute) and beside it (labels.json).
//
// HDF5 is written with h5wasm: maintained (NIST), the HDF5 C library compiled to WASM, so no
// native build and no Python; the Keras-Applications weights loader reads h5 with the same package.
// The zip is written with yazl, the writing twin of the yauzl this project reads zips with.
import { randomBytes } from 'node:crypto';
import { createWriteStream, existsSync, readFileSync, rmSync, statSync } from 'node:fs';
import { rename, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { pipeline } from 'node:stream/promises';
import yazl from 'yazl';
import { tf } from '../tf.ts';
import { layersModelFromArtifacts, readModelArtifacts } from '../save/modelFiles.ts';
import { readMetadata, type ModelMetadata } from '../save/modelDir.ts';
import { cnnLabVersion } from '../packageRoot.ts';
import { exportLayers, keras2ModelConfig, keras3ModelConfig, kerasWeightPaths, type ExportLayer } from './kerasConfig.ts';

export type KerasFormat = 'keras' | 'h5';

/** What a Keras user needs to feed the model: the same fields as labels.json. */
export interface ExportedMetadata {
  labels: string[];
  inputSize: [number, number];
  preprocessing: ModelMetadata['preprocessing'];
  /** the same formula in Python on a float32 array of 0..255 RGB pixels */
  preprocessingPython: string;
  resize: ModelMetadata['resize'];
  base: string;
  exportedBy: string;
}

// Keyed by string, not by the Preprocessing union: a scaling added to the engine later is refused
// by name here (pythonPreprocessing) until its formula is written, instead of exported unscaled.
const PYTHON_PREPROCESSING: Record<string, string> = {
  '0..1': 'x / 255.0',
  '-1..1': 'x / 127.5 - 1.0',
  '0..255': 'x',
  '(x-127)/128': '(x - 127.0) / 128.0',
  // Keras applications' "caffe" mode: RGB -> BGR, minus the ImageNet channel means
  caffe: 'x[..., ::-1] - [103.939, 116.779, 123.68]',
};

/** The preprocessing as a Python expression on float32 RGB pixels `x` in 0..255. */
export function pythonPreprocessing(preprocessing: string): string {
  const formula = PYTHON_PREPROCESSING[preprocessing];
  if (!formula) throw new Error(`preprocessing '${preprocessing}' has no Keras-side formula in the export yet`);
  return formula;
}

export function exportedMetadata(meta: ModelMetadata): ExportedMetadata {
  return {
    labels: meta.labels,
    inputSize: meta.inputSize,
    preprocessing: meta.preprocessing,
    preprocessingPython: pythonPreprocessing(meta.preprocessing),
    resize: meta.resize,
    base: meta.base.id,
    exportedBy: `cnn-lab ${cnnLabVersion()}`,
  };
}

type H5 = typeof import('h5wasm/node');
let h5: Promise<H5> | undefined;
/** h5wasm is ESM with a WASM module to instantiate: loaded once, on the first export. */
async function h5wasm(): Promise<H5> {
  h5 ??= import('h5wasm/node').then(async (m) => {
    await m.ready;
    return m;
  });
  return h5;
}

/** Keras 3's model.weights.h5: layers/<snake_case class>[_n]/vars/<i>, each group naming its layer. */
async function writeKeras3Weights(path: string, layers: ExportLayer[], modelName: string): Promise<void> {
  const { File } = await h5wasm();
  const f = new File(path, 'w');
  try {
    const paths = kerasWeightPaths(layers);
    f.create_group('layers');
    for (const [i, layer] of layers.entries()) {
      f.create_group(paths[i]);
      const vars = f.create_group(`${paths[i]}/vars`);
      vars.create_attribute('name', layer.name);
      for (const [j, w] of layer.weights.entries()) vars.create_dataset({ name: String(j), data: w.values, shape: w.shape, dtype: '<f' });
    }
    f.create_group('vars').create_attribute('name', modelName);
  } finally {
    f.close();
  }
}

/** Keras 2's h5: model_config + model_weights/<layer>/<layer>/<weight>:0, listed by name in attributes. */
async function writeLegacyH5(path: string, model: tf.LayersModel, layers: ExportLayer[], metadata: object): Promise<void> {
  const { File } = await h5wasm();
  const config = keras2ModelConfig(model);
  const f = new File(path, 'w');
  try {
    f.create_attribute('model_config', JSON.stringify({ class_name: config.class_name, config: config.config }));
    f.create_attribute('keras_version', KERAS2_VERSION);
    f.create_attribute('backend', 'tensorflow');
    f.create_attribute('cnn_lab_metadata', JSON.stringify(metadata));
    const weights = f.create_group('model_weights');
    weights.create_attribute(
      'layer_names',
      layers.map((l) => l.name),
    );
    weights.create_attribute('keras_version', KERAS2_VERSION);
    weights.create_attribute('backend', 'tensorflow');
    for (const layer of layers) {
      const g = weights.create_group(layer.name);
      // Keras reads a missing weight_names as none; h5wasm cannot write an empty string array
      if (layer.weights.length === 0) continue;
      g.create_attribute(
        'weight_names',
        layer.weights.map((w) => `${layer.name}/${w.name}:0`),
      );
      const inner = g.create_group(layer.name);
      for (const w of layer.weights) inner.create_dataset({ name: `${w.name}:0`, data: w.values, shape: w.shape, dtype: '<f' });
    }
  } finally {
    f.close();
  }
}

/** The Keras 2 version the legacy h5 files were checked against (tf_keras 2.21 in the bench venv). */
export const KERAS2_VERSION = '2.21.0';
/** The Keras 3 version the .keras files were checked against. */
export const KERAS3_VERSION = '3.15.1';

export interface ExportResult {
  out: string;
  labelsFile: string;
  layers: number;
  weights: number;
}

/** The format `out`'s extension names, if any. */
export function formatOfPath(out: string): KerasFormat | undefined {
  if (/\.keras$/i.test(out)) return 'keras';
  if (/\.h5$/i.test(out)) return 'h5';
  return undefined;
}

/** labels.json beside `out` (model.keras → model.labels.json), so two exports in a folder keep their own. */
export function labelsPathFor(out: string): string {
  return join(dirname(out), `${basename(out).replace(/\.(keras|h5)$/i, '')}.labels.json`);
}

function writtenByCnnLab(labelsFile: string): boolean {
  try {
    return String(JSON.parse(readFileSync(labelsFile, 'utf8')).exportedBy ?? '').startsWith('cnn-lab ');
  } catch {
    return false;
  }
}

/**
 * Writes the model in `modelDir` as `out` (format from `format`, checked against the extension
 * Keras requires) and its labels beside it. Refuses to replace a file
 * that an earlier CNN Lab export did not write.
 */
export async function exportKerasModel(modelDir: string, outInput: string, format: KerasFormat): Promise<ExportResult> {
  const dir = resolve(modelDir);
  const out = resolve(outInput);
  const ext = formatOfPath(out);
  // Keras 3's load_model picks the reader by extension: a mismatch would not load
  if (ext !== format) throw new Error(`${out}: a ${format} export must end in .${format === 'keras' ? 'keras' : 'h5'}`);
  if (existsSync(out) && statSync(out).isDirectory()) throw new Error(`${out} is a folder; give a file name ending in .${format}`);
  const labelsFile = labelsPathFor(out);
  // never replace what CNN Lab did not write: an earlier export is recognised by its labels file
  const ours = writtenByCnnLab(labelsFile);
  if (existsSync(out) && !ours)
    throw new Error(
      `${out} exists and is not a CNN Lab export (no ${basename(labelsFile)} from cnn-lab beside it); choose another name or remove it`,
    );
  if (existsSync(labelsFile) && !ours) throw new Error(`${labelsFile} exists and was not written by CNN Lab; choose another output name`);
  const meta = readMetadata(dir);
  if (meta.modelInput === 'pooled-head') {
    throw new Error(
      `${dir} holds only the classifier head (its base ${meta.base.id} is a graph model, kept apart); Keras export needs a model trained on a layers base`,
    );
  }
  const { format: jsonFormat, artifacts } = await readModelArtifacts(join(dir, 'model.json'));
  if (jsonFormat !== 'layers-model') throw new Error(`${dir}/model.json is a graph model; only layers models export to Keras`);
  const model = await layersModelFromArtifacts(artifacts, join(dir, 'model.json'));
  try {
    const metadata = exportedMetadata(meta);
    const { layers, weights } = await writeKerasFile(model, out, format, metadata);
    await writeFile(labelsFile, JSON.stringify(metadata, null, 2) + '\n');
    return { out, labelsFile, layers, weights };
  } finally {
    model.dispose();
  }
}

/**
 * Writes a layers model as a Keras file at `out`, `cnnLab` stored in it (metadata.json's cnn_lab,
 * or the h5 attribute cnn_lab_metadata). Through a temporary sibling renamed into place, so a
 * failed export never leaves half a file under `out`.
 */
export async function writeKerasFile(
  model: tf.LayersModel,
  out: string,
  format: KerasFormat,
  cnnLab: object,
): Promise<{ layers: number; weights: number }> {
  const layers = exportLayers(model);
  const tmp = join(dirname(out), `.${basename(out)}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    if (format === 'h5') await writeLegacyH5(tmp, model, layers, cnnLab);
    else await writeKerasZip(tmp, model, layers, cnnLab);
    await rename(tmp, out);
  } finally {
    rmSync(tmp, { force: true });
  }
  return { layers: layers.length, weights: layers.reduce((n, l) => n + l.weights.length, 0) };
}

async function writeKerasZip(path: string, model: tf.LayersModel, layers: ExportLayer[], metadata: object): Promise<void> {
  const weightsTmp = `${path}.weights.h5`;
  try {
    await writeKeras3Weights(weightsTmp, layers, model.name);
    const zip = new yazl.ZipFile();
    const now = new Date();
    const stamp = `${now.getFullYear()}-${String(now.getMonth() + 1).padStart(2, '0')}-${String(now.getDate()).padStart(2, '0')}@${now.toTimeString().slice(0, 8)}`;
    // Keras reads keras_version and date_saved; the rest is ours (Keras ignores unknown keys)
    zip.addBuffer(Buffer.from(JSON.stringify({ keras_version: KERAS3_VERSION, date_saved: stamp, cnn_lab: metadata })), 'metadata.json', {
      compress: false,
    });
    zip.addBuffer(Buffer.from(JSON.stringify(keras3ModelConfig(model))), 'config.json', { compress: false });
    zip.addBuffer(readFileSync(weightsTmp), 'model.weights.h5', { compress: false });
    zip.end();
    await pipeline(zip.outputStream, createWriteStream(path));
  } finally {
    rmSync(weightsTmp, { force: true });
  }
}
