// `cnn-lab describe` on inputs that used to hang, exit 0 or write raw escapes to the terminal, and
// integer flags written in a notation other than decimal (`--epochs=0x10` trained 16 epochs).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { main } from '../../../src/cli.ts';
import { CliError } from '../../../src/cli/io.ts';
import { printable } from '../../../src/cli/printable.ts';
import { experimentFromArgs } from '../../../src/cli/train.ts';
import { capture } from './captureIO.ts';

const dir = mkdtempSync(join(tmpdir(), 'cnnlab-describe-'));
after(() => rmSync(dir, { recursive: true, force: true }));

// A window larger than its input is an error-severity problem; the layer name carries a
// clear-screen and a set-window-title sequence.
const ESCAPE_NAME = 'conv\x1b[2J\x1b]0;pwned\x07';
const BAD_MODEL = `from tensorflow import keras
from tensorflow.keras import layers
model = keras.Sequential([
    keras.Input(shape=(4, 4, 3)),
    layers.Conv2D(8, 5, name="${ESCAPE_NAME}"),
    layers.Dense(2),
])
`;

test('describe refuses a FIFO named *.py with one line instead of blocking on it', async () => {
  const fifo = join(dir, 'pipe.py');
  execFileSync('mkfifo', [fifo]);
  const io = capture();
  // Before: readFileSync waited for a writer forever; the test would time out here.
  const code = await main(['describe', fifo], io);
  assert.equal(code, 1);
  assert.deepEqual(io.stderr, [`cnn-lab describe: ${fifo}: not a regular file (a FIFO); describe reads model files only`]);
});

test('describe exits 1 when the model has an error, text and --json; --json carries the problems', async () => {
  const file = join(dir, 'bad.py');
  writeFileSync(file, BAD_MODEL);
  const text = capture();
  assert.equal(await main(['describe', file], text), 1);
  assert.match(text.stdout.join('\n'), /Problems:\n {2}error: .*impossible geometry/);
  assert.deepEqual(text.stderr, [`${file}: 1 error(s) in the model (listed under Problems)`]);

  const json = capture();
  assert.equal(await main(['describe', '--json', file], json), 1);
  const rows = JSON.parse(json.stdout.join('\n'));
  const conv = rows.find((r: { className: string }) => r.className === 'Conv2D');
  assert.equal(conv.name, ESCAPE_NAME, 'the JSON still decodes to the real name');
  assert.equal(conv.problems.length, 1);
  assert.equal(conv.problems[0].severity, 'error');
  assert.match(conv.problems[0].message, /impossible geometry/);
  assert.equal(rows[0].problems, undefined, 'rows without problems keep their five fields');
});

test('names read from files reach the terminal without control characters', async () => {
  const file = join(dir, 'escape.py');
  writeFileSync(file, BAD_MODEL);
  for (const argv of [
    ['describe', file],
    ['describe', '--json', file],
  ]) {
    const io = capture();
    await main(argv, io);
    const all = [...io.stdout, ...io.stderr].join('\n');
    // eslint-disable-next-line no-control-regex -- matching control characters is the point
    assert.doesNotMatch(all, /[\x00-\x08\x0b-\x1f\x7f-\x9f]/, argv.join(' '));
    assert.ok(all.includes('conv\\u001b[2J\\u001b]0;pwned\\u0007'), all);
  }
  assert.equal(printable('a\tb\nc\u009b31m\u202e'), 'a\tb\nc\\u009b31m\\u202e');
});

test('integer and number flags accept decimal notation only', () => {
  const base = ['--data', 'd', '--out', 'o'];
  for (const [flag, value] of [
    ['--epochs', '0x10'],
    ['--epochs', '1e1'],
    ['--batch-size', '0b100'],
    ['--seed', ' 7'],
    ['--epochs', '16.0'],
    ['--lr', '0x1'],
  ]) {
    assert.throws(
      () => experimentFromArgs([...base, `${flag}=${value}`]),
      (e: unknown) =>
        e instanceof CliError &&
        e.exitCode === 2 &&
        e.message === `${flag} must be ${flag === '--lr' ? 'a decimal number' : 'a whole number in decimal digits'}, got '${value}'`,
      `${flag}=${value}`,
    );
  }
  const ok = experimentFromArgs([...base, '--epochs=16', '--lr', '1e-4', '--batch-size', '8']);
  assert.equal(ok.transfer.epochs, 16);
  assert.equal(ok.transfer.learningRate, 1e-4);
  assert.equal(ok.batchSize, 8);
});
