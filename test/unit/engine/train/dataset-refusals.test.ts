// Datasets a classifier cannot be trained on are refused before any work, naming the folder: a
// single class, a class folder with no image, and a dataset whose every image is unreadable.
import assert from 'node:assert/strict';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { withExperimentDefaults } from '../../../../src/core/experimentDefaults.ts';
import { tf } from '../../../../src/engine/tf.ts';
import { runTraining } from '../../../../src/engine/train/run.ts';
import { tempDir, writeShapesDataset, writeTinyBase } from '../helpers/fixtures.ts';

let root: string;
let base: string;
const train = (data: string) =>
  runTraining(
    withExperimentDefaults({
      data,
      out: join(root, 'out'),
      base,
      backend: 'cpu',
      fcUnits: 4,
      batchSize: 4,
      transfer: { epochs: 1, learningRate: 0.01 },
    }),
    {
      runId: 'r',
      notify: () => {},
      signal: new AbortController().signal,
      keepBestOnCancel: () => true,
      featureCacheDir: null,
    },
  );

before(async () => {
  await tf.setBackend('cpu');
  root = tempDir('cnnlab-refuse-');
  base = await writeTinyBase(join(root, 'base'), 16);
});
after(() => rmSync(root, { recursive: true, force: true }));

test('a single class folder', async () => {
  const data = await writeShapesDataset(join(root, 'single'), 3, 16);
  rmSync(join(data, 'stripes'), { recursive: true });
  await assert.rejects(train(data), new RegExp(`${data} has one class folder \\(blobs\\); a classifier needs at least two`));
});

test('an empty class folder', async () => {
  const data = await writeShapesDataset(join(root, 'empty'), 3, 16);
  mkdirSync(join(data, 'zebras'));
  await assert.rejects(train(data), (e: Error) =>
    e.message.startsWith(`class folder(s) with no image in ${data}: ${join(data, 'zebras')}`),
  );
});

test('every image unreadable: the folder, the count and an example reason', async () => {
  const data = join(root, 'corrupt');
  for (const c of ['a', 'b']) {
    mkdirSync(join(data, c), { recursive: true });
    for (let i = 0; i < 3; i++) writeFileSync(join(data, c, `${i}.jpg`), 'not a jpeg');
  }
  await assert.rejects(
    train(data),
    new RegExp(`^Error: no training image in ${data} could be decoded \\(6 skipped; e\\.g\\. .*\\.jpg: not an image`),
  );
});
