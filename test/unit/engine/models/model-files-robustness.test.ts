// Broken models, each with one clear error naming the file: malformed model.json, missing and short
// weight files, weights of the wrong shape, an unknown layer class, a graph model asked to
// fine-tune — as a base for training and as a trained model directory for prediction.
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { withExperimentDefaults } from '../../../../src/core/experimentDefaults.ts';
import { loadBase } from '../../../../src/engine/models/zoo.ts';
import { loadModelDir } from '../../../../src/engine/save/load.ts';
import { METADATA_FILE } from '../../../../src/engine/save/modelDir.ts';
import { tf } from '../../../../src/engine/tf.ts';
import { runTraining } from '../../../../src/engine/train/run.ts';
import { modelJsonVariant, tempDir, writeShapesDataset, writeTinyBase } from '../helpers/fixtures.ts';

let root: string;
let goodJson: string;

/** A copy of the good tiny base in `name`/, with model.json passed through `edit`. */
const variant = (name: string, edit?: (json: Record<string, any>) => void): string =>
  modelJsonVariant(join(root, 'good'), join(root, name), edit);

async function loadError(ref: string): Promise<string> {
  try {
    const base = await loadBase(ref);
    base.layers?.dispose();
  } catch (e) {
    return (e as Error).message;
  }
  return assert.fail(`${ref} loaded, expected an error`);
}

before(async () => {
  await tf.setBackend('cpu');
  root = tempDir('cnnlab-models-');
  goodJson = await writeTinyBase(join(root, 'good'), 16);
});
after(() => rmSync(root, { recursive: true, force: true }));

describe('broken base models fail with the file and the reason', () => {
  test('malformed model.json (cut-off JSON), and JSON that is not a model', async () => {
    const path = variant('malformed');
    writeFileSync(path, readFileSync(path, 'utf8').slice(0, 200));
    const message = await loadError(path);
    assert.ok(message.startsWith(`${path}: not valid JSON`), message);
    const notModel = variant('not-model');
    writeFileSync(notModel, '{"hello": 1}');
    assert.match(await loadError(notModel), new RegExp(`^${notModel.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}: no "modelTopology"`));
  });

  test('missing weight file', async () => {
    const path = variant('missing-weights');
    rmSync(join(root, 'missing-weights', 'weights.bin'));
    const message = await loadError(path);
    assert.ok(message.includes(path) && message.includes(join(root, 'missing-weights', 'weights.bin')), message);
    assert.match(message, /cannot be read \(ENOENT\)/);
  });

  test('short weight file', async () => {
    const path = variant('short-weights');
    truncateSync(join(root, 'short-weights', 'weights.bin'), 100);
    assert.match(
      await loadError(path),
      /model\.json: weight files hold 100 bytes but the manifest describes \d+ — missing, short or mismatched shards/,
    );
  });

  test('weights of the wrong shape (same byte count, transposed kernel)', async () => {
    const path = variant('wrong-shape', (json) => {
      const kernel = json.weightsManifest[0].weights.find((w: { name: string }) => w.name === 'conv2/kernel');
      kernel.shape = [3, 3, 16, 8]; // the layer wants [3, 3, 8, 16]
    });
    const message = await loadError(path);
    assert.ok(message.startsWith(`${path}: cannot build the layers model`), message);
    assert.match(message, /shape|Shape/);
  });

  test('an unknown layer class', async () => {
    const path = variant('unknown-layer', (json) => {
      const layer = json.modelTopology.config.layers.find((l: { name: string }) => l.name === 'conv2');
      layer.class_name = 'FancyConv2D';
    });
    const message = await loadError(path);
    assert.ok(message.startsWith(`${path}: cannot build the layers model`), message);
    assert.match(message, /FancyConv2D/);
  });

  test('a graph model asked to fine-tune: refused before any training, naming the file and the fix', async () => {
    const dir = join(root, 'graph');
    mkdirSync(dir, { recursive: true });
    const graphJson = join(dir, 'model.json');
    const dims = [-1, 16, 16, 3].map((size) => ({ size: String(size) }));
    writeFileSync(
      graphJson,
      JSON.stringify({
        format: 'graph-model',
        modelTopology: {
          node: [
            { name: 'image', op: 'Placeholder', attr: { dtype: { type: 'DT_FLOAT' }, shape: { shape: { dim: dims } } } },
            { name: 'features', op: 'Relu', input: ['image'], attr: { T: { type: 'DT_FLOAT' } } },
          ],
          versions: { producer: 1 },
        },
        weightsManifest: [],
      }),
    );
    const data = await writeShapesDataset(join(root, 'data'), 4, 16);
    const config = withExperimentDefaults({
      data,
      out: join(root, 'graph-out'),
      base: graphJson,
      backend: 'cpu',
      fcUnits: 4,
      transfer: { epochs: 1, learningRate: 0.01 },
      fineTune: { epochs: 1, learningRate: 0.01, momentum: 0.9 },
    });
    const phases: string[] = [];
    await assert.rejects(
      runTraining(config, {
        runId: 'g',
        notify: (n) => n.method === 'phase' && phases.push(n.params.phase),
        signal: new AbortController().signal,
        keepBestOnCancel: () => true,
        featureCacheDir: null,
      }),
      (e: Error) => e.message.startsWith(`${graphJson} is a graph model`) && /set fine-tune epochs to 0/.test(e.message),
    );
    assert.deepEqual(phases, ['scan'], 'no features, no epochs before the refusal');
  });
});

describe('a broken trained model directory fails prediction with the file and the reason', () => {
  test('short weights.bin, then a metadata file that is not JSON', async () => {
    const dir = join(root, 'trained');
    mkdirSync(dir, { recursive: true });
    copyFileSync(goodJson, join(dir, 'model.json'));
    copyFileSync(join(root, 'good', 'weights.bin'), join(dir, 'weights.bin'));
    writeFileSync(join(dir, METADATA_FILE), JSON.stringify({ format: 'cnn-lab-model', labels: ['a', 'b'], inputSize: [16, 16] }));
    truncateSync(join(dir, 'weights.bin'), 10);
    await assert.rejects(loadModelDir(dir), (e: Error) => e.message.startsWith(`${join(dir, 'model.json')}: weight files hold 10 bytes`));
    writeFileSync(join(dir, METADATA_FILE), '{"format": "cnn-lab-mo');
    await assert.rejects(loadModelDir(dir), (e: Error) => e.message.startsWith(`${join(dir, METADATA_FILE)}: not valid JSON`));
  });
});
