// Loading a model directory back as something that maps preprocessed images to probabilities.
import { join, resolve } from 'node:path';
import { tf } from '../tf.ts';
import { disposeBase, extractFeatures, loadBase, type BaseModel } from '../models/zoo.ts';
import { poolFeatures } from '../models/head.ts';
import { layersModelFromArtifacts, readModelArtifacts } from './modelFiles.ts';
import { interruptedSaveSource, readMetadata, type ModelMetadata } from './modelDir.ts';
import { freezeForInference, type FrozenInference } from '../graph/frozenInference.ts';
import { isKerasModelFile, loadKerasModelFile } from '../import/kerasModelFile.ts';
import { labelsPathFor } from '../export/kerasExport.ts';

/** What prediction needs of a classifier: a saved model directory, or a base's own ImageNet top. */
export interface Classifier {
  /** the model directory, or the base's id: named in errors */
  dir: string;
  meta: Pick<ModelMetadata, 'labels' | 'inputSize' | 'preprocessing' | 'resize'>;
  /** probabilities [n, classes] for preprocessed images [n, h, w, 3] */
  predict(x: tf.Tensor4D): tf.Tensor2D;
  dispose(): void;
}

export interface LoadedClassifier extends Classifier {
  meta: ModelMetadata;
  /** the layers model in model.json */
  model: tf.LayersModel;
  /** probabilities [n, classes] for preprocessed images [n, h, w, 3] */
  predict(x: tf.Tensor4D): tf.Tensor2D;
  dispose(): void;
}

export async function loadModelDir(dirInput: string): Promise<LoadedClassifier> {
  const named = resolve(dirInput);
  // A save killed between its two renames leaves the model beside its name. Loading is read-only
  // (predict, evaluate, the editor): it reads that complete sibling in place and renames nothing;
  // the next train/resume into the folder repairs it (recoverInterruptedSave).
  const dir = interruptedSaveSource(named) ?? named;
  const meta = readMetadata(dir);
  const { format, artifacts } = await readModelArtifacts(join(dir, 'model.json'));
  if (format !== 'layers-model') throw new Error(`${dir}/model.json is a graph model; a cnn-lab model directory holds a layers model`);
  const model = await layersModelFromArtifacts(artifacts, join(dir, 'model.json'));
  const outUnits = model.outputs[0].shape[model.outputs[0].shape.length - 1];
  if (outUnits !== meta.labels.length) {
    model.dispose();
    throw new Error(`${dir}: the model has ${outUnits} outputs but ${meta.labels.length} labels in its metadata`);
  }
  let base: BaseModel | undefined;
  if (meta.modelInput === 'pooled-head') {
    // The graph base cannot live inside a layers model: load it from where training found it.
    try {
      base = await loadBase(meta.base.id, { askedBy: join(dir, 'cnn-lab.json') });
    } catch (e) {
      model.dispose();
      throw new Error(`${dir}: its base ${meta.base.id} cannot be loaded: ${(e as Error).message}`);
    }
  }
  // Prediction only: the model (and a pooled head's base) frozen for inference on first use.
  let frozen: FrozenInference[] | undefined;
  return {
    dir: named,
    meta,
    model,
    predict(x) {
      frozen ??= [freezeForInference(model), ...(base?.layers ? [freezeForInference(base.layers)] : [])];
      return tf.tidy(() => {
        if (!base) return model.predict(x) as tf.Tensor2D;
        const pooled = poolFeatures(extractFeatures(base, x));
        return model.predict(pooled) as tf.Tensor2D;
      });
    },
    dispose() {
      frozen?.forEach((f) => f.restore());
      model.dispose();
      if (base) disposeBase(base);
    },
  };
}

/**
 * A Keras `.keras`/`.h5` file (the exported train.py's output) as a classifier, converted on load.
 * Labels, input size and preprocessing come from `<file>.labels.json` beside it, else from the
 * metadata a CNN Lab export embeds; without either there is nothing to name the outputs with.
 */
export async function loadKerasClassifier(path: string): Promise<Classifier & { model: tf.LayersModel }> {
  const file = resolve(path);
  const { model, metadata } = await loadKerasModelFile(file);
  const fail = (message: string): never => {
    model.dispose();
    throw new Error(message);
  };
  if (!metadata)
    return fail(
      `${file}: no labels: put ${labelsPathFor(file)} beside it (train.py writes it; fields labels, inputSize, preprocessing, resize)`,
    );
  const outUnits = model.outputs[0].shape.at(-1);
  if (model.outputs[0].shape.length !== 2 || outUnits !== metadata.labels.length) {
    fail(
      `${file}: the model's output is ${JSON.stringify(model.outputs[0].shape)} but ${metadata.source} has ${metadata.labels.length} labels`,
    );
  }
  const input = model.inputs[0].shape;
  if (
    input.length !== 4 ||
    input[3] !== 3 ||
    (input[1] !== null && input[1] !== metadata.inputSize[0]) ||
    (input[2] !== null && input[2] !== metadata.inputSize[1])
  ) {
    fail(
      `${file}: the model takes ${JSON.stringify(input)} but ${metadata.source} says inputSize ${JSON.stringify(metadata.inputSize)} (RGB)`,
    );
  }
  let frozen: FrozenInference | undefined;
  return {
    dir: file,
    meta: metadata,
    model,
    predict(x) {
      frozen ??= freezeForInference(model);
      return tf.tidy(() => model.predict(x) as tf.Tensor2D);
    },
    dispose() {
      frozen?.restore();
      model.dispose();
    },
  };
}

/** A model directory, or a Keras model file. */
export function loadClassifier(path: string): Promise<Classifier & { model: tf.LayersModel }> {
  return isKerasModelFile(path) ? loadKerasClassifier(path) : loadModelDir(path);
}
