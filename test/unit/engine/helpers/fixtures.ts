// Generated test data: a two-class image dataset (stripes vs blobs) written with sharp, and a tiny
// conv "base" saved as a real tfjs layers model.json — stand-ins for a photo dataset and a
// pretrained network, small enough for the CPU backend in a unit test.
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { tf } from '../../../../src/engine/tf.ts';
import { serializeLayersModel } from '../../../../src/engine/save/modelFiles.ts';
import { mulberry32 as rng } from '../../../../src/engine/data/rng.ts';

export function tempDir(prefix = 'cnnlab-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** RGB pixels of stripes (period 4–6 px, random phase/colour/orientation) or a smooth blob. */
export function drawImage(kind: 'stripes' | 'blobs', size: number, seed: number): Buffer {
  const r = rng(seed);
  const px = Buffer.alloc(size * size * 3);
  const c1 = [r() * 255, r() * 255, r() * 255];
  // Complementary colours: every image has strong contrast, so only the pattern tells them apart.
  const c2 = c1.map((v) => 255 - v);
  const period = 6 + 2 * Math.floor(r() * 2);
  const phase = Math.floor(r() * period);
  const vertical = r() < 0.5;
  const cx = size * (0.3 + 0.4 * r());
  const cy = size * (0.3 + 0.4 * r());
  const radius = size * (0.2 + 0.2 * r());
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      let on: number;
      if (kind === 'stripes') on = Math.floor(((vertical ? x : y) + phase) / (period / 2)) % 2;
      else on = Math.max(0, 1 - Math.hypot(x - cx, y - cy) / radius);
      for (let c = 0; c < 3; c++) {
        const v = c1[c] * on + c2[c] * (1 - on) + (r() - 0.5) * 8;
        px[(y * size + x) * 3 + c] = Math.max(0, Math.min(255, Math.round(v)));
      }
    }
  }
  return px;
}

/** root/{blobs,stripes}/NN.png, `perClass` images each, `size`×`size`. */
export async function writeShapesDataset(root: string, perClass: number, size = 32, seed = 1): Promise<string> {
  for (const [k, kind] of (['blobs', 'stripes'] as const).entries()) {
    mkdirSync(join(root, kind), { recursive: true });
    for (let i = 0; i < perClass; i++) {
      const raw = drawImage(kind, size, seed * 100_003 + k * 10_007 + i);
      await sharp(raw, { raw: { width: size, height: size, channels: 3 } })
        .png()
        .toFile(join(root, kind, `${String(i).padStart(3, '0')}.png`));
    }
  }
  return root;
}

/** A tiny conv base (conv → BN → relu → conv → relu), random but seeded, saved as dir/model.json. */
export async function writeTinyBase(dir: string, size = 32): Promise<string> {
  const input = tf.input({ shape: [size, size, 3], name: 'image' });
  let x = tf.layers
    .conv2d({
      filters: 8,
      kernelSize: 3,
      strides: 2,
      padding: 'same',
      name: 'conv1',
      kernelInitializer: tf.initializers.glorotUniform({ seed: 3 }),
    })
    .apply(input) as tf.SymbolicTensor;
  x = tf.layers.batchNormalization({ name: 'bn1' }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.activation({ activation: 'relu', name: 'relu1' }).apply(x) as tf.SymbolicTensor;
  x = tf.layers
    .conv2d({
      filters: 16,
      kernelSize: 3,
      strides: 2,
      padding: 'same',
      activation: 'relu',
      name: 'conv2',
      kernelInitializer: tf.initializers.glorotUniform({ seed: 4 }),
    })
    .apply(x) as tf.SymbolicTensor;
  const model = tf.model({ inputs: input, outputs: x, name: 'tiny_base' });
  // Like a pretrained network's first layer, conv1 detects edges (±Sobel x/y, ±Laplacian on the
  // grey level), so pooled features separate stripes from blobs; two filters stay random.
  const sobelX = [-1, 0, 1, -2, 0, 2, -1, 0, 1];
  const sobelY = [-1, -2, -1, 0, 0, 0, 1, 2, 1];
  const laplace = [0, 1, 0, 1, -4, 1, 0, 1, 0];
  const edges = [sobelX, sobelX.map((v) => -v), sobelY, sobelY.map((v) => -v), laplace, laplace.map((v) => -v)];
  const conv1 = model.getLayer('conv1');
  const [kernel, bias] = conv1.getWeights();
  const k = kernel.arraySync() as number[][][][];
  for (let f = 0; f < edges.length; f++) {
    for (let i = 0; i < 9; i++) for (let c = 0; c < 3; c++) k[Math.floor(i / 3)][i % 3][c][f] = edges[f][i] / 3;
  }
  conv1.setWeights([tf.tensor4d(k), bias]);
  // Non-trivial BN statistics, so "moving stats unchanged" is a real check.
  const bn = model.getLayer('bn1');
  const [gamma, beta, mean, variance] = bn.getWeights();
  bn.setWeights([gamma, beta, tf.fill(mean.shape, 0.1), tf.fill(variance.shape, 0.25)]);
  const { modelJson, weights } = await serializeLayersModel(model);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'model.json'), modelJson);
  writeFileSync(join(dir, 'weights.bin'), weights);
  model.dispose();
  return join(dir, 'model.json');
}

/**
 * A copy of the model in `goodDir` (model.json + weights.bin) as `dir`, with its model.json passed
 * through `edit`: the broken-model cases of the loader tests. Returns the new model.json's path.
 */
export function modelJsonVariant(goodDir: string, dir: string, edit: (json: Record<string, any>) => void = () => {}): string {
  mkdirSync(dir, { recursive: true });
  copyFileSync(join(goodDir, 'weights.bin'), join(dir, 'weights.bin'));
  const json = JSON.parse(readFileSync(join(goodDir, 'model.json'), 'utf8'));
  edit(json);
  writeFileSync(join(dir, 'model.json'), JSON.stringify(json));
  return join(dir, 'model.json');
}
