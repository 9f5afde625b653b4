// `cnn-lab describe`: the seed's example from the command line, the --json form, and the installed
// bin (bin/cnn-lab.js → the bundled dist/cli.js) printing the same thing as a user would see it.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import * as esbuild from 'esbuild';
import { main } from '../../../src/cli.ts';
import { capture } from './captureIO.ts';

const repo = resolve(__dirname, '../../..');

test('describe prints the table and the seed arithmetic', async () => {
  const io = capture();
  assert.equal(await main(['describe', join(repo, 'samples/models/seed_example.py')], io), 0, io.stderr.join('\n'));
  const text = io.stdout.join('\n');
  assert.match(text, /^conv2d \(Conv2D\) +\(None, 32, 32, 10\) +760$/m);
  assert.match(text, /^Total params: 2,790$/m);
  assert.match(text, /conv2d \(Conv2D\): 36×36×3 → 32×32×10\n +W2 = \(32 − 5 \+ 2·2\)\/1 \+ 1 = 32/);
});

test('describe --json gives model, name, className, outputShape, params, trainable per layer', async () => {
  const io = capture();
  assert.equal(await main(['describe', '--json', join(repo, 'samples/models/seed_example.py')], io), 0);
  const rows = JSON.parse(io.stdout.join('\n'));
  assert.deepEqual(rows[2], {
    model: 'seed_example',
    name: 'conv2d',
    className: 'Conv2D',
    outputShape: [32, 32, 10],
    params: 760,
    trainable: true,
  });
  assert.deepEqual(Object.keys(rows[0]).sort(), ['className', 'model', 'name', 'outputShape', 'params', 'trainable']);
});

test('describe --json: an unknown parameter count is null, not 0, and each row names its model', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'cnn-lab-describe-'));
  const file = join(dir, 'two.py');
  writeFileSync(
    file,
    [
      'from tensorflow import keras',
      'from tensorflow.keras import layers',
      'a = keras.Sequential([layers.Conv2D(8, 3)], name="a")',
      'b = keras.Sequential([layers.Input(shape=(4,)), layers.Dense(2)], name="b")',
    ].join('\n'),
  );
  const io = capture();
  assert.equal(await main(['describe', '--json', file], io), 0);
  const rows = JSON.parse(io.stdout.join('\n')) as { model: string; params: number | null }[];
  assert.deepEqual(
    rows.map((r) => [r.model, r.params]),
    [
      ['a', null],
      ['b', 0],
      ['b', 10],
    ],
  );
  rmSync(dir, { recursive: true, force: true });
});

test('describe: a missing file or an unknown kind is a one-line error', async () => {
  const io = capture();
  assert.notEqual(await main(['describe', join(repo, 'no-such-model.py')], io), 0);
  assert.equal(io.stderr.length, 1);
  assert.match(io.stderr[0], /^cnn-lab describe: .*no-such-model\.py/);
});

test('the installed bin runs the bundled CLI', async () => {
  const out = mkdtempSync(join(tmpdir(), 'cnn-lab-bin-'));
  try {
    // Bundle the CLI the way esbuild.mjs does, next to a copy of the bin, as in an installed package.
    await esbuild.build({
      entryPoints: { cli: join(repo, 'src/cli.ts') },
      outdir: join(out, 'dist'),
      bundle: true,
      platform: 'node',
      format: 'cjs',
      packages: 'external',
      logLevel: 'error',
      nodePaths: [join(repo, 'node_modules')],
    });
    const bin = join(out, 'bin', 'cnn-lab.js');
    mkdirSync(join(out, 'bin'));
    copyFileSync(join(repo, 'bin/cnn-lab.js'), bin);
    const r = spawnSync(process.execPath, [bin, 'describe', join(repo, 'samples/models/seed_example.py')], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^conv2d \(Conv2D\) +\(None, 32, 32, 10\) +760$/m);
    const usage = spawnSync(process.execPath, [bin], { encoding: 'utf8' });
    assert.equal(usage.status, 2);
    assert.match(usage.stdout, /^Usage: cnn-lab <command>/);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});
