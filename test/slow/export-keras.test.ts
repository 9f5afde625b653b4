// Export → Keras, proven by Keras itself: a model trained here (on a tiny base, with the CLI) is
// exported as .keras and as legacy .h5, loaded by Keras 3 (both files) and by Keras 2 / tf_keras
// (the .h5), and each predicts the same preprocessed pixels CNN Lab predicts: equal within 1e-4.
// Skipped, with the reason, where the bench venv's TensorFlow is not importable.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { after, before, test } from 'node:test';
import { main } from '../../src/cli.ts';
import { decodeImage, pixelsToFloat32 } from '../../src/engine/data/decode-image.ts';
import { loadModelDir } from '../../src/engine/save/load.ts';
import { tf } from '../../src/engine/tf.ts';
import { tempDir, writeShapesDataset, writeTinyBase } from '../unit/engine/helpers/fixtures.ts';
import { kerasPython, REPO, runPython } from './helpers/kerasVenv.ts';

const venv = kerasPython();
let root: string;

async function cli(args: string[]): Promise<string> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(args, { out: (s) => out.push(s), err: (s) => err.push(s), isTTY: false });
  assert.equal(code, 0, `cnn-lab ${args.join(' ')} exited ${code}: ${err.join('\n')}`);
  return out.join('\n');
}

before(async () => {
  await tf.setBackend('cpu');
  root = tempDir('cnnlab-export-keras-');
});
after(() => rmSync(root, { recursive: true, force: true }));

test(
  'a trained model exported as .keras and .h5 predicts in Keras as in CNN Lab (within 1e-4)',
  { skip: 'skip' in venv ? venv.skip : false, timeout: 600_000 },
  async (t) => {
    const data = await writeShapesDataset(join(root, 'data'), 12, 32);
    const base = await writeTinyBase(join(root, 'base'), 32);
    const modelDir = join(root, 'model');
    // a fine-tune phase too, so the exported BatchNormalization statistics are trained ones
    await cli([
      'train',
      '--data',
      data,
      '--base',
      base,
      '--out',
      modelDir,
      '--epochs',
      '2',
      '--fine-tune-epochs',
      '1',
      '--fc-units',
      '16',
      '--batch-size',
      '8',
      '--backend',
      'cpu',
    ]);
    const kerasFile = join(root, 'shapes.keras');
    const h5File = join(root, 'shapes.h5');
    await cli(['export', '--model', modelDir, '--format', 'keras', '--out', kerasFile]);
    await cli(['export', '--model', modelDir, '--format', 'h5', '--out', h5File]);
    const labels = JSON.parse(readFileSync(join(root, 'shapes.labels.json'), 'utf8'));
    assert.deepEqual(labels.labels, ['blobs', 'stripes']);

    await compareInKeras(t, modelDir, kerasFile, h5File, data);
  },
);

/** Decodes the dataset and fixture photos once; each Keras load of the exports must predict those pixels as CNN Lab does. */
async function compareInKeras(
  t: { diagnostic(s: string): void },
  modelDir: string,
  kerasFile: string,
  h5File: string,
  data: string,
): Promise<void> {
  const python = (venv as { python: string }).python;
  const inputs = join(root, `${basename(modelDir)}.inputs.f32`);
  const ours = join(root, `${basename(modelDir)}.ours.f32`);
  // every image of the dataset and the fixture photos (RGBA, palette, grey), decoded once: the same
  // float pixels go to both engines
  const fixtures = join(REPO, 'test', 'fixtures', 'images');
  const files = [
    ...['blobs', 'stripes'].flatMap((c) => readdirSync(join(data, c)).map((f) => join(data, c, f))),
    ...readdirSync(join(fixtures, 'photos')).map((f) => join(fixtures, 'photos', f)),
    join(fixtures, 'odd', 'palette_color.png'),
    join(fixtures, 'odd', 'chessboard_GRAY.png'),
  ];
  const clf = await loadModelDir(modelDir);
  const [h, w] = clf.meta.inputSize;
  const x = new Float32Array(files.length * h * w * 3);
  for (const [i, f] of files.entries()) {
    const img = await decodeImage(f, { size: [h, w], resize: clf.meta.resize });
    pixelsToFloat32(img.data, clf.meta.preprocessing, x, i * h * w * 3);
  }
  const probs = tf.tidy(() => clf.predict(tf.tensor4d(x, [files.length, h, w, 3])).dataSync() as Float32Array);
  clf.dispose();
  writeFileSync(inputs, Buffer.from(x.buffer));
  writeFileSync(ours, Buffer.from(probs.buffer));

  const script = join(REPO, 'test', 'slow', 'python', 'keras_predict_compare.py');
  for (const [file, extra] of [
    [kerasFile, []],
    [h5File, []],
    [h5File, ['--tf-keras']],
  ] as const) {
    const { stdout } = runPython(python, [script, file, inputs, ours, String(files.length), String(h), String(w), '2', ...extra]);
    const r = JSON.parse(stdout.trim().split('\n').at(-1)!);
    t.diagnostic(
      `${file.endsWith('.keras') ? '.keras' : '.h5'} in Keras ${r.keras}: max |Δp| ${r.max_abs_diff.toExponential(2)} over ${r.n} images, argmax agrees on ${r.argmax_agree}`,
    );
    assert.ok(r.max_abs_diff <= 1e-4, `${file} in Keras ${r.keras}: max difference ${r.max_abs_diff} > 1e-4`);
    assert.equal(r.argmax_agree, files.length);
  }
}

test(
  'the default base, EfficientNet-Lite0 (144 layers, residual Adds), exports and predicts the same in Keras',
  { skip: 'skip' in venv ? venv.skip : false, timeout: 600_000 },
  async (t) => {
    const data = await writeShapesDataset(join(root, 'data-lite'), 4, 32);
    const modelDir = join(root, 'lite0');
    await cli([
      'train',
      '--data',
      data,
      '--base',
      'efficientnet_lite0',
      '--out',
      modelDir,
      '--epochs',
      '1',
      '--fc-units',
      '16',
      '--batch-size',
      '8',
      '--backend',
      'cpu',
    ]);
    const kerasFile = join(root, 'lite0.keras');
    const h5File = join(root, 'lite0.h5');
    await cli(['export', '--model', modelDir, '--format', 'keras', '--out', kerasFile]);
    await cli(['export', '--model', modelDir, '--format', 'h5', '--out', h5File]);
    await compareInKeras(t, modelDir, kerasFile, h5File, data);
  },
);
