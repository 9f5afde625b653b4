// Nothing lost: a save only ever replaces a folder CNN Lab wrote itself and that holds nothing
// else. Each case is a folder a user could name as `--out` (or its `<out>.checkpoint` sibling)
// whose own files the old rule (dotfiles ignored, any cnn-lab.json means "a model") deleted.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, test } from 'node:test';
import { checkpointDirOf } from '../../../../src/core/checkpointPath.ts';
import { withExperimentDefaults } from '../../../../src/core/experimentDefaults.ts';
import { checkReplaceable, saveModelDir, versions, type ModelMetadata } from '../../../../src/engine/save/modelDir.ts';
import { tf } from '../../../../src/engine/tf.ts';
import { tempDir } from '../helpers/fixtures.ts';

let root: string;
const tinyModel = () => tf.sequential({ layers: [tf.layers.dense({ inputShape: [4], units: 2, activation: 'softmax' })] });
function meta(): ModelMetadata {
  const config = withExperimentDefaults({ data: '/d', out: '/o', base: 'mobilenet_v2' });
  return {
    format: 'cnn-lab-model',
    formatVersion: 1,
    labels: ['a', 'b'],
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

async function refused(out: string, foreign: string): Promise<void> {
  await assert.rejects(saveModelDir(tinyModel(), meta(), out), (e: Error) => {
    assert.equal(e.message, `cannot save to ${out}: it holds ${foreign}, which CNN Lab did not write; choose a new or empty folder`);
    return true;
  });
}

before(async () => {
  await tf.setBackend('cpu');
  root = tempDir('cnnlab-refuse-');
});

describe('a save refuses folders holding files it did not write', () => {
  test('a git repo (.git/ and .env only) is refused and kept', async () => {
    const out = join(root, 'repo');
    mkdirSync(join(out, '.git'), { recursive: true });
    writeFileSync(join(out, '.git', 'HEAD'), 'ref: refs/heads/main\n');
    writeFileSync(join(out, '.env'), 'TOKEN=1\n');
    await refused(out, '.env');
    assert.deepEqual(readdirSync(out).sort(), ['.env', '.git']);
    assert.equal(readFileSync(join(out, '.env'), 'utf8'), 'TOKEN=1\n');
  });

  test('a trained model folder to which the user added NOTES.md is refused and kept', async () => {
    const out = join(root, 'trained');
    await saveModelDir(tinyModel(), meta(), out);
    writeFileSync(join(out, 'NOTES.md'), 'my notes\n');
    await refused(out, 'NOTES.md');
    assert.equal(readFileSync(join(out, 'NOTES.md'), 'utf8'), 'my notes\n');
  });

  test('a stray cnn-lab.json next to thesis.tex does not make the folder a model', async () => {
    const out = join(root, 'thesis');
    mkdirSync(out);
    writeFileSync(join(out, 'cnn-lab.json'), JSON.stringify({ format: 'cnn-lab-model' }));
    writeFileSync(join(out, 'thesis.tex'), '\\documentclass{article}\n');
    await refused(out, 'thesis.tex');
    assert.ok(existsSync(join(out, 'thesis.tex')));
  });

  test('a cnn-lab.json that is not CNN Lab metadata is named as the reason', async () => {
    const out = join(root, 'other-json');
    mkdirSync(out);
    writeFileSync(join(out, 'cnn-lab.json'), '{"name":"my project"}');
    await assert.rejects(saveModelDir(tinyModel(), meta(), out), /it holds cnn-lab\.json, which is not model metadata CNN Lab wrote/);
    assert.equal(readFileSync(join(out, 'cnn-lab.json'), 'utf8'), '{"name":"my project"}');
  });

  test('--out . in a home folder holding only .bashrc is refused and .bashrc kept', async () => {
    const home = join(root, 'home');
    mkdirSync(home);
    writeFileSync(join(home, '.bashrc'), 'alias ll=ls\n');
    const cwd = process.cwd();
    process.chdir(home);
    try {
      await refused(process.cwd(), '.bashrc');
      await assert.rejects(saveModelDir(tinyModel(), meta(), '.'), /it holds \.bashrc, which CNN Lab did not write/);
    } finally {
      process.chdir(cwd);
    }
    assert.equal(readFileSync(join(home, '.bashrc'), 'utf8'), 'alias ll=ls\n');
  });

  test('the <out>.checkpoint sibling follows the same rule', () => {
    const out = join(root, 'ck');
    const checkpoint = checkpointDirOf(out);
    mkdirSync(checkpoint);
    writeFileSync(join(checkpoint, '.keep'), '');
    assert.throws(() => checkReplaceable(checkpoint), {
      message: `cannot save to ${checkpoint}: it holds .keep, which CNN Lab did not write; choose a new or empty folder`,
    });
  });
});

describe('a save still replaces what it may', () => {
  test('a missing folder and a truly empty one are used', async () => {
    await saveModelDir(tinyModel(), meta(), join(root, 'new'));
    mkdirSync(join(root, 'empty'));
    await saveModelDir(tinyModel(), meta(), join(root, 'empty'));
    assert.deepEqual(readdirSync(join(root, 'empty')).sort(), ['cnn-lab.json', 'model.json', 'weights.bin']);
  });

  test('a model folder CNN Lab wrote is replaced, and records the files it wrote', async () => {
    const out = join(root, 'again');
    await saveModelDir(tinyModel(), meta(), out);
    await saveModelDir(tinyModel(), meta(), out);
    assert.deepEqual(JSON.parse(readFileSync(join(out, 'cnn-lab.json'), 'utf8')).files, ['cnn-lab.json', 'model.json', 'weights.bin']);
  });

  test('a model folder of an earlier version (exactly the three files, no files field) is replaced', async () => {
    const out = join(root, 'earlier');
    await saveModelDir(tinyModel(), meta(), out);
    const p = join(out, 'cnn-lab.json');
    const m = JSON.parse(readFileSync(p, 'utf8'));
    delete m.files;
    writeFileSync(p, JSON.stringify(m));
    await saveModelDir(tinyModel(), meta(), out);
    assert.ok(JSON.parse(readFileSync(p, 'utf8')).files);
  });
});
