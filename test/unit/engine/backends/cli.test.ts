// `cnn-lab backends [--json]`, through the same entry point the bin uses.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { main } from '../../../../src/cli.ts';
import { capture } from '../../cli/captureIO.ts';

test('--json prints every backend and what auto picks', async () => {
  const io = capture();
  assert.equal(await main(['backends', '--json'], io), 0, io.stderr.join('\n'));
  const report = JSON.parse(io.stdout.join('\n'));
  assert.deepEqual(
    report.backends.map((b: { name: string }) => b.name),
    ['tensorflow', 'tensorflow-gpu', 'webgpu', 'wasm', 'cpu'],
  );
  const available = new Set(report.backends.filter((b: { available: boolean }) => b.available).map((b: { name: string }) => b.name));
  assert.ok(available.has(report.auto.inference), `auto (inference) ${report.auto.inference} is an available backend`);
  assert.ok(available.has(report.auto.fineTune));
  assert.notEqual(report.auto.fineTune, 'wasm');
});

test('the table marks each backend and lists how to get the missing ones', async () => {
  const io = capture();
  assert.equal(await main(['backends'], io), 0, io.stderr.join('\n'));
  const text = io.stdout.join('\n');
  assert.match(text, /^ {2}cpu +yes /m);
  assert.match(text, /^ {2}wasm +yes .*cannot fine-tune conv layers/m);
  assert.match(text, /^auto: \S+ for prediction and frozen-base training, \S+ for fine-tuning$/m);
  const unavailable = text
    .split('\n')
    .filter((l) => /^ {2}\S+ +no /.test(l))
    .map((l) => l.trim().split(/\s+/)[0]);
  for (const name of unavailable) assert.match(text, new RegExp(`^  ${name}: \\S`, 'm'), `install hint for ${name}`);
});

test('a stray argument is a usage error (exit 2) with one line on stderr', async () => {
  const io = capture();
  assert.equal(await main(['backends', 'gpu'], io), 2);
  assert.match(io.stderr[0], /^cnn-lab backends: unexpected argument 'gpu'/);
});
