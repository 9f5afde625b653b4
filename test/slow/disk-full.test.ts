// A real full disk: a 1.5 MB tmpfs holds one ~1 MB model but not a second copy beside it, so the
// second save runs out of space part-way. The error must say the disk is full, the previous model
// must be byte-identical and loadable, and the temp folder must be gone (its space given back).
// Needs root (mount); elsewhere the test is skipped with the reason.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { withExperimentDefaults } from '../../src/core/experimentDefaults.ts';
import { loadModelDir } from '../../src/engine/save/load.ts';
import { saveModelDir, versions, type ModelMetadata } from '../../src/engine/save/modelDir.ts';
import { tf } from '../../src/engine/tf.ts';
import { tempDir } from '../unit/engine/helpers/fixtures.ts';

let root: string;
let mountPoint: string;
let mounted = false;
let cannotMount = '';

before(async () => {
  await tf.setBackend('cpu');
  root = tempDir('cnnlab-diskfull-');
  mountPoint = join(root, 'small-disk');
  mkdirSync(mountPoint);
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1536k', 'tmpfs', mountPoint], { stdio: 'pipe' });
    mounted = true;
  } catch (e) {
    cannotMount = `cannot mount a tmpfs here (${(e as { stderr?: Buffer }).stderr?.toString().trim() || (e as Error).message}); run as root`;
  }
});
after(() => {
  if (mounted) execFileSync('umount', [mountPoint]);
  rmSync(root, { recursive: true, force: true });
});

function metadata(note: string): ModelMetadata {
  return {
    format: 'cnn-lab-model',
    formatVersion: 1,
    labels: Array.from({ length: 256 }, (_, i) => `${note}${i}`),
    inputSize: [16, 16],
    preprocessing: '0..1',
    resize: 'stretch',
    base: { id: 'x', label: 'x', kind: 'layers' },
    modelInput: 'classifier',
    status: 'complete',
    config: withExperimentDefaults({ data: '/d', out: '/o' }),
    history: [],
    bestEpoch: null,
    backend: 'cpu',
    versions: versions(),
    savedAt: new Date().toISOString(),
  };
}

/** ~1 MB of weights: Dense(1024 → 256). */
function model(seed: number): tf.LayersModel {
  return tf.sequential({
    layers: [
      tf.layers.dense({
        inputShape: [1024],
        units: 256,
        activation: 'softmax',
        kernelInitializer: tf.initializers.randomUniform({ minval: -1, maxval: 1, seed }),
      }),
    ],
  });
}

test('disk full while saving over a previous model (a real tmpfs)', async (t) => {
  if (!mounted) return t.skip(cannotMount);
  const out = join(mountPoint, 'model');
  const first = model(1);
  await saveModelDir(first, metadata('first'), out);
  const before = Object.fromEntries(readdirSync(out).map((f) => [f, readFileSync(join(out, f))]));
  const second = model(2);
  await assert.rejects(saveModelDir(second, metadata('second'), out), (e: Error) => {
    assert.equal(e.message, `cannot save the model to ${out}: the disk is full; the previous model there (if any) is unchanged`);
    return true;
  });
  for (const [f, bytes] of Object.entries(before)) assert.ok(readFileSync(join(out, f)).equals(bytes), `${f} unchanged`);
  assert.deepEqual(readdirSync(mountPoint), ['model'], 'the partial temp folder was removed');
  const clf = await loadModelDir(out);
  assert.equal(clf.meta.labels[0], 'first0');
  clf.dispose();
  // with the space given back, a save of the same size succeeds again (the temp folder is gone)
  rmSync(out, { recursive: true });
  await saveModelDir(second, metadata('second'), out);
  assert.equal((await loadModelDir(out)).meta.labels[0], 'second0');
  first.dispose();
  second.dispose();
});
