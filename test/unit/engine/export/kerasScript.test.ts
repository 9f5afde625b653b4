// The keras-script export without Python: what it writes beside the fixed scripts is this
// experiment's — CNN Lab's own split file lists, the freeze ranges as layer names, the base as
// Keras files, pinned requirements — and it never writes into a folder holding other files.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { withExperimentDefaults } from '../../../../src/core/experimentDefaults.ts';
import { loadDatasetSplit } from '../../../../src/engine/data/scan.ts';
import { exportKerasScript, TESTED_TENSORFLOW } from '../../../../src/engine/export/kerasScript.ts';
import { tf } from '../../../../src/engine/tf.ts';
import { tempDir, writeShapesDataset, writeTinyBase } from '../helpers/fixtures.ts';

let root: string;
let config: ReturnType<typeof withExperimentDefaults>;

before(async () => {
  await tf.setBackend('cpu');
  root = tempDir('cnnlab-keras-script-');
  const data = await writeShapesDataset(join(root, 'data'), 6, 16);
  const base = await writeTinyBase(join(root, 'base'), 16);
  config = withExperimentDefaults({
    data,
    base,
    out: join(root, 'model'),
    validationSplit: 0.34,
    seed: 7,
    freeze: ['up to bn1'],
    fcUnits: 8,
  });
});
after(() => rmSync(root, { recursive: true, force: true }));

test("writes the scripts, the experiment, CNN Lab's exact split and the base", async () => {
  const out = join(root, 'script');
  const r = await exportKerasScript(config, join(root, 'x.cnnlab.json'), out);
  for (const f of [
    'train.py',
    'predict.py',
    'cnnlab_common.py',
    'experiment.json',
    'split.json',
    'base.keras',
    'base.h5',
    'requirements.txt',
    'README.md',
  ])
    assert.ok(existsSync(join(out, f)), f);
  const split = JSON.parse(readFileSync(join(out, 'split.json'), 'utf8'));
  const ours = await loadDatasetSplit(config);
  assert.deepEqual(split.classes, ['blobs', 'stripes']);
  assert.deepEqual(
    split.validation.files.map(([rel]: [string]) => join(split.validation.root, rel)),
    ours.validation.map((f) => f.path),
  );
  assert.deepEqual(
    split.train.files.map(([, label]: [string, number]) => label),
    ours.train.map((f) => f.label),
  );
  assert.equal(r.validation, 4); // round(6 × 0.34) = 2 per class
  const exp = JSON.parse(readFileSync(join(out, 'experiment.json'), 'utf8'));
  assert.deepEqual(exp.frozenLayers, ['image', 'conv1', 'bn1']);
  assert.equal(exp.preprocessingPython, 'x / 127.5 - 1.0');
  assert.equal(exp.seed, 7);
  assert.match(
    readFileSync(join(out, 'requirements.txt'), 'utf8'),
    new RegExp(`^tensorflow==${TESTED_TENSORFLOW.replaceAll('.', '\\.')}$`, 'm'),
  );
  assert.match(readFileSync(join(out, 'README.md'), 'utf8'), /TF_CONFIG=.*"index": 1/);
  // exporting again into its own folder is fine
  await exportKerasScript(config, join(root, 'x.cnnlab.json'), out);
});

test('refuses a folder with files it did not write, and bad freeze ranges, in one line', async () => {
  const busy = join(root, 'busy');
  mkdirSync(busy);
  writeFileSync(join(busy, 'notes.txt'), 'mine');
  await assert.rejects(exportKerasScript(config, 'x.cnnlab.json', busy), /busy holds files CNN Lab did not write \(notes\.txt\)/);
  await assert.rejects(
    exportKerasScript({ ...config, freeze: ['up to nosuchlayer'] }, 'x.cnnlab.json', join(root, 'fresh')),
    /nosuchlayer/,
  );
});
