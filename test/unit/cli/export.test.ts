// `cnn-lab export`: what it says when asked wrongly (one line, exit 2, naming the flag or file), and
// an experiment file's relative paths read against the file's folder, as the editor reads them.
import assert from 'node:assert/strict';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { main } from '../../../src/cli.ts';
import { tf } from '../../../src/engine/tf.ts';
import { tempDir, writeShapesDataset, writeTinyBase } from '../engine/helpers/fixtures.ts';
import { capture } from './captureIO.ts';

let root: string;
before(async () => {
  await tf.setBackend('cpu');
  root = tempDir('cnnlab-cli-export-');
});
after(() => rmSync(root, { recursive: true, force: true }));

test('wrong or missing flags: exit 2 with one line naming what is wrong', async () => {
  const cases: [string[], RegExp][] = [
    [
      ['export', '--model', 'm', '--format', 'onnx', '--out', 'x.onnx'],
      /^cnn-lab export: --format must be keras, h5 or keras-script, got 'onnx'/,
    ],
    [['export', '--format', 'keras', '--out', 'x.keras'], /^cnn-lab export: --format keras needs --model DIR/],
    [
      ['export', '--format', 'keras-script', '--out', 'dir'],
      /^cnn-lab export: --format keras-script needs --experiment FILE\.cnnlab\.json/,
    ],
    [['export', '--model', 'm', '--format', 'keras'], /^cnn-lab export: give --out/],
    [
      ['export', '--experiment', join(root, 'missing.cnnlab.json'), '--format', 'keras-script', '--out', 'd'],
      /missing\.cnnlab\.json: ENOENT/,
    ],
  ];
  for (const [argv, expected] of cases) {
    const io = capture();
    assert.equal(await main(argv, io), 2, argv.join(' '));
    assert.match(io.stderr[0], expected);
  }
  const io = capture();
  assert.equal(await main(['export', '--model', join(root, 'nomodel'), '--format', 'keras', '--out', join(root, 'x.keras')], io), 1);
  assert.match(io.stderr.join('\n'), /nomodel is not a cnn-lab model directory \(no cnn-lab\.json\)/);
});

test('--experiment: data and base paths are relative to the experiment file', async () => {
  await writeShapesDataset(join(root, 'data'), 3, 16);
  await writeTinyBase(join(root, 'base'), 16);
  const experiment = join(root, 'shapes.cnnlab.json');
  writeFileSync(experiment, JSON.stringify({ $schema: 'x', data: 'data', base: 'base/model.json', validationSplit: 0.34 }));
  const io = capture();
  const out = join(root, 'script');
  assert.equal(await main(['export', '--experiment', experiment, '--format', 'keras-script', '--out', out], io), 0, io.stderr.join('\n'));
  assert.match(io.stdout[0], /\(4 training, 2 validation images; 0 base layers frozen while fine-tuning\)$/);
  const exp = JSON.parse(readFileSync(join(out, 'experiment.json'), 'utf8'));
  assert.equal(exp.data, join(root, 'data'));
  assert.equal(exp.base, join(root, 'base', 'model.json'));
  assert.ok(existsSync(join(out, 'base.keras')));
});
