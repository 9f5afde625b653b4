// A small convolutional base (32×32×3 → 8×8×16, about 4 000 parameters) written as a tfjs layers
// model.json + weights.bin into the e2e workspace. Journey 4 fine-tunes it: with the bundled
// MobileNetV2 a fine-tune epoch on the plain-JavaScript backend (what a VSIX without libtensorflow
// trains convolutions on) takes many minutes on two cores; this base takes seconds, and its layer
// names make the freeze ranges easy to read. Seeded initialisers: the same files on every run.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';

export interface TinyBase {
  dir: string;
  /** layer names in order, as the freeze panel lists them */
  layerNames: string[];
}

export async function writeTinyBase(dir: string): Promise<TinyBase> {
  await tf.setBackend('cpu');
  const init = (seed: number) => tf.initializers.glorotUniform({ seed });
  const input = tf.input({ shape: [32, 32, 3], name: 'image' });
  let x = tf.layers
    .conv2d({ name: 'conv1', filters: 8, kernelSize: 3, padding: 'same', activation: 'relu', kernelInitializer: init(1) })
    .apply(input) as tf.SymbolicTensor;
  x = tf.layers.maxPooling2d({ name: 'pool1', poolSize: 2 }).apply(x) as tf.SymbolicTensor;
  x = tf.layers
    .conv2d({ name: 'conv2', filters: 16, kernelSize: 3, padding: 'same', activation: 'relu', kernelInitializer: init(2) })
    .apply(x) as tf.SymbolicTensor;
  x = tf.layers.maxPooling2d({ name: 'pool2', poolSize: 2 }).apply(x) as tf.SymbolicTensor;
  x = tf.layers
    .conv2d({ name: 'conv3', filters: 16, kernelSize: 3, padding: 'same', activation: 'relu', kernelInitializer: init(3) })
    .apply(x) as tf.SymbolicTensor;
  const model = tf.model({ inputs: input, outputs: x, name: 'tiny_base' });

  mkdirSync(dir, { recursive: true });
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      writeFileSync(join(dir, 'weights.bin'), Buffer.from(artifacts.weightData as ArrayBuffer));
      const modelJson = {
        format: 'layers-model',
        generatedBy: `TensorFlow.js tfjs-layers v${tf.version.tfjs} (CNN Lab e2e tiny base)`,
        convertedBy: null,
        modelTopology: artifacts.modelTopology,
        weightsManifest: [{ paths: ['weights.bin'], weights: artifacts.weightSpecs }],
      };
      writeFileSync(join(dir, 'model.json'), JSON.stringify(modelJson));
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  const layerNames = model.layers.map((l) => l.name);
  model.dispose();
  return { dir, layerNames };
}
