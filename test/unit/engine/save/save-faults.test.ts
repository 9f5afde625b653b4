// Saving under faults: a full disk (ENOSPC from an injected writer, part-way through a file) and a
// save killed between its two renames. The previous model must stay intact and loadable, and no
// temp folder may be left behind. (A real full tmpfs is in test/slow/disk-full.test.ts.)
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { checkpointDirOf } from '../../../../src/core/checkpointPath.ts';
import { withExperimentDefaults } from '../../../../src/core/experimentDefaults.ts';
import { loadModelDir } from '../../../../src/engine/save/load.ts';
import {
  readMetadata,
  recoverInterruptedSave,
  saveModelDir,
  versions,
  type ModelMetadata,
  type SaveIo,
} from '../../../../src/engine/save/modelDir.ts';
import { tf } from '../../../../src/engine/tf.ts';
import { runTraining } from '../../../../src/engine/train/run.ts';
import { tempDir, writeShapesDataset, writeTinyBase } from '../helpers/fixtures.ts';

let root: string;

function tinyModel(seed: number): tf.LayersModel {
  const model = tf.sequential({
    layers: [
      tf.layers.dense({ inputShape: [4], units: 2, activation: 'softmax', kernelInitializer: tf.initializers.glorotUniform({ seed }) }),
    ],
  });
  return model;
}

function meta(note: string): ModelMetadata {
  const config = withExperimentDefaults({ data: '/d', out: '/o', base: 'mobilenet_v2' });
  return {
    format: 'cnn-lab-model',
    formatVersion: 1,
    labels: ['a', note],
    inputSize: [4, 4],
    preprocessing: '0..1',
    resize: 'stretch',
    base: { id: 'x', label: 'x', kind: 'layers' },
    modelInput: 'classifier',
    status: 'complete',
    config,
    history: [],
    bestEpoch: null,
    backend: 'cpu',
    versions: versions(),
    savedAt: new Date().toISOString(),
  };
}

/** A writer that writes half of `failOn`'s bytes and then fails like a full disk. */
function diskFullAt(failOn: string): SaveIo {
  return {
    async writeFile(path, data) {
      if (!path.endsWith(failOn)) return writeFile(path, data);
      await writeFile(path, typeof data === 'string' ? data.slice(0, data.length >> 1) : data.subarray(0, data.length >> 1));
      throw Object.assign(new Error(`ENOSPC: no space left on device, write '${path}'`), { code: 'ENOSPC' });
    },
  };
}

function snapshot(dir: string): Record<string, string> {
  return Object.fromEntries(
    readdirSync(dir)
      .sort()
      .map((f) => [f, readFileSync(join(dir, f)).toString('base64')]),
  );
}

before(async () => {
  await tf.setBackend('cpu');
  root = tempDir('cnnlab-save-');
});

describe('disk full while saving', () => {
  for (const failOn of ['weights.bin', 'model.json', 'cnn-lab.json']) {
    test(`ENOSPC writing ${failOn}: a clear error; the previous model is byte-identical and loadable; no temp folder left`, async () => {
      const parent = join(root, `full-${failOn}`);
      const out = join(parent, 'model');
      const first = tinyModel(1);
      await saveModelDir(first, meta('first'), out);
      const before = snapshot(out);
      const second = tinyModel(2);
      await assert.rejects(saveModelDir(second, meta('second'), out, diskFullAt(failOn)), (e: Error) => {
        assert.equal(e.message, `cannot save the model to ${out}: the disk is full; the previous model there (if any) is unchanged`);
        return true;
      });
      assert.deepEqual(snapshot(out), before);
      assert.deepEqual(readdirSync(parent), ['model']);
      const clf = await loadModelDir(out);
      assert.deepEqual(clf.meta.labels, ['a', 'first']);
      clf.dispose();
      first.dispose();
      second.dispose();
    });
  }
});

describe('a save killed between its renames: a load reads it in place, the next save repairs it', () => {
  /** A pid that no process has any more. */
  function deadPid(): number {
    return spawnSync('true').pid;
  }

  test('the complete new folder (metadata written) takes the name; the set-aside old one is removed', async () => {
    const parent = join(root, 'killed-after-write');
    const out = join(parent, 'model');
    const model = tinyModel(3);
    await saveModelDir(model, meta('old'), out);
    await saveModelDir(model, meta('new'), join(parent, 'staging'));
    const pid = deadPid();
    // what a SIGKILL right after `rename(out, old)` leaves: no `model`, an old and a complete tmp
    renameSync(out, join(parent, `.model.old-${pid}-aaaa1111`));
    renameSync(join(parent, 'staging'), join(parent, `.model.tmp-${pid}-aaaa1111`));
    const before = readdirSync(parent).sort();
    // loading is read-only (predict, evaluate): it reads the complete new folder in place and
    // renames or deletes nothing
    const clf = await loadModelDir(out);
    assert.deepEqual(clf.meta.labels, ['a', 'new']);
    assert.equal(clf.dir, out);
    clf.dispose();
    assert.deepEqual(readdirSync(parent).sort(), before);
    // the next writing command (a save: train, resume) repairs it
    assert.deepEqual(
      recoverInterruptedSave(out).map((s) => s.split(' ')[0]),
      ['restored', 'removed'],
    );
    assert.deepEqual(readdirSync(parent), ['model']);
    assert.equal(readMetadata(out).labels[1], 'new');
    model.dispose();
  });

  test('an incomplete temp folder (killed while writing) is dropped and the old model comes back', async () => {
    const parent = join(root, 'killed-while-writing');
    const out = join(parent, 'model');
    const model = tinyModel(4);
    await saveModelDir(model, meta('old'), out);
    const pid = deadPid();
    mkdirSync(join(parent, `.model.tmp-${pid}-bbbb2222`));
    cpSync(join(out, 'weights.bin'), join(parent, `.model.tmp-${pid}-bbbb2222`, 'weights.bin'));
    renameSync(out, join(parent, `.model.old-${pid}-bbbb2222`));
    const before = readdirSync(parent).sort();
    const clf = await loadModelDir(out);
    assert.equal(clf.meta.labels[1], 'old');
    clf.dispose();
    assert.deepEqual(readdirSync(parent).sort(), before, 'a load renames nothing');
    assert.deepEqual(
      recoverInterruptedSave(out).map((s) => s.split(' ')[0]),
      ['restored', 'removed'],
    );
    assert.equal(readMetadata(out).labels[1], 'old');
    assert.deepEqual(readdirSync(parent), ['model']);
    // a live process's temp folder is left alone (it may be saving right now)
    mkdirSync(join(parent, `.model.tmp-${process.pid}-cccc3333`));
    assert.deepEqual(recoverInterruptedSave(out), []);
    assert.ok(existsSync(join(parent, `.model.tmp-${process.pid}-cccc3333`)));
    model.dispose();
  });
});

describe('disk full during a training checkpoint', () => {
  test('the run fails with the reason and the last good checkpoint stays loadable', async () => {
    const data = await writeShapesDataset(join(root, 'data'), 8, 16);
    const base = await writeTinyBase(join(root, 'base'), 16);
    const out = join(root, 'ckpt-model');
    let writes = 0;
    const io: SaveIo = {
      async writeFile(path, bytes) {
        // the first checkpoint succeeds; the second runs out of space in its weights
        if (path.endsWith('weights.bin') && ++writes === 2) return diskFullAt('weights.bin').writeFile(path, bytes);
        return writeFile(path, bytes);
      },
    };
    const config = withExperimentDefaults({
      data,
      out,
      base,
      backend: 'cpu',
      fcUnits: 8,
      batchSize: 4,
      validationSplit: 0.25,
      transfer: { epochs: 5, learningRate: 0.01 },
      earlyStopping: null,
    });
    let epochs = 0;
    await assert.rejects(
      runTraining(config, {
        runId: 'full',
        notify: (n) => n.method === 'epochEnd' && epochs++,
        signal: new AbortController().signal,
        keepBestOnCancel: () => true,
        checkpointIntervalMs: 0,
        featureCacheDir: null,
        saveIo: io,
      }),
      /cannot save the model to .*ckpt-model\.checkpoint: the disk is full; the previous model there \(if any\) is unchanged/,
    );
    assert.ok(epochs >= 2, `epochs run: ${epochs}`);
    const m = readMetadata(checkpointDirOf(out));
    assert.equal(m.status, 'checkpoint');
    assert.ok(m.history.length >= 1);
    const clf = await loadModelDir(checkpointDirOf(out));
    clf.dispose();
    assert.deepEqual(
      readdirSync(root).filter((n) => n.startsWith('.ckpt-model')),
      [],
      'no temp folder left',
    );
  });
});

after(() => rmSync(root, { recursive: true, force: true }));

describe('the swap is made durable', () => {
  // A power loss cannot be simulated here; this checks the parent-folder fsync the save now does
  // after its renames runs on this platform (opening a folder 'r' and fsyncing it) without error.
  test('syncDirectory fsyncs a folder, and a save that uses it completes', async () => {
    const { syncDirectory } = await import('../../../../src/engine/save/modelDir.ts');
    const parent = join(root, 'durable');
    mkdirSync(parent);
    await syncDirectory(parent);
    await saveModelDir(tinyModel(5), meta('durable'), join(parent, 'model'));
    assert.deepEqual(readdirSync(parent), ['model']);
  });
});
