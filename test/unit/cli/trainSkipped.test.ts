// `cnn-lab train` on a dataset with scan-time skips (a symlink loop, a broken link, a name that is
// not UTF-8) and a file that does not decode: the summary used to say "N file(s) skipped (see the
// log above)" while the scan's skips were in no log at all. Each is now listed once with its reason.
import assert from 'node:assert/strict';
import { mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { main } from '../../../src/cli.ts';
import type { CliIO } from '../../../src/cli/io.ts';
import { tf } from '../../../src/engine/tf.ts';
import { tempDir, writeShapesDataset, writeTinyBase } from '../engine/helpers/fixtures.ts';

let root: string;
before(async () => {
  await tf.setBackend('cpu');
  root = tempDir('cnnlab-train-skips-');
  process.env.CNN_LAB_CACHE = join(root, 'cache');
});
after(() => {
  delete process.env.CNN_LAB_CACHE;
  rmSync(root, { recursive: true, force: true });
});

test('train lists every skipped file with its reason exactly once, scan-time skips included', async () => {
  const data = await writeShapesDataset(join(root, 'data'), 6, 16);
  const base = await writeTinyBase(join(root, 'base'), 16);
  const loop = join(data, 'blobs', 'loop');
  symlinkSync(join(data, 'blobs'), loop);
  const broken = join(data, 'stripes', 'gone.png');
  symlinkSync(join(root, 'nowhere.png'), broken);
  mkdirSync(join(data, 'stripes'), { recursive: true });
  const latin1 = Buffer.concat([Buffer.from(join(data, 'stripes') + '/caf'), Buffer.from([0xe9]), Buffer.from('.png')]);
  writeFileSync(latin1, 'x');
  const notPng = join(data, 'blobs', 'notes.png');
  writeFileSync(notPng, 'text, not a PNG');

  const stdout: string[] = [];
  const stderr: string[] = [];
  const io: CliIO = { out: (s) => stdout.push(s), err: (s) => stderr.push(s), isTTY: false };
  const code = await main(
    [
      'train',
      '--data',
      data,
      '--base',
      base,
      '--out',
      join(root, 'model'),
      '--epochs',
      '1',
      '--batch-size',
      '4',
      '--validation-split',
      '0.3',
    ],
    io,
  );
  assert.equal(code, 0, stderr.join('\n'));
  const skipLines = stderr.filter((l) => l.startsWith('warn: skipped '));
  const expect: [string, RegExp][] = [
    [loop, /symlink loop: links back to class folder 'blobs'/],
    [broken, /broken symlink: its target does not exist/],
    [join(data, 'stripes', 'caf\ufffd.png'), /name is not valid UTF-8 \(bytes 63 61 66 e9 2e 70 6e 67\)/],
    [notPng, /./],
  ];
  for (const [path, reason] of expect) {
    const lines = skipLines.filter((l) => l.startsWith(`warn: skipped ${path}: `));
    assert.equal(lines.length, 1, `${path} listed once, got:\n${skipLines.join('\n')}`);
    assert.match(lines[0], reason);
  }
  assert.equal(skipLines.length, 4, skipLines.join('\n'));
  assert.ok(stdout.includes('4 file(s) skipped, each listed above with its reason'), stdout.join('\n'));
});
