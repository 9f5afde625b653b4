import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { resumableCheckpoint } from '../../../src/host/training/checkpoint.ts';

test('resumableCheckpoint: a checkpoint or cancelled model with a best epoch; nothing otherwise', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'cnnlab-ckpt-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  assert.equal(resumableCheckpoint(join(dir, 'missing')), undefined);
  const write = (meta: unknown) => writeFileSync(join(dir, 'cnn-lab.json'), typeof meta === 'string' ? meta : JSON.stringify(meta));
  write({ status: 'checkpoint', bestEpoch: { phase: 'transfer', epoch: 3 } });
  assert.deepEqual(resumableCheckpoint(dir), { phase: 'transfer', epoch: 3 });
  write({ status: 'cancelled', bestEpoch: { phase: 'fine-tune', epoch: 1 } });
  assert.deepEqual(resumableCheckpoint(dir), { phase: 'fine-tune', epoch: 1 });
  write({ status: 'complete', bestEpoch: { phase: 'transfer', epoch: 3 } });
  assert.equal(resumableCheckpoint(dir), undefined, 'a completed model is not resumed');
  write({ status: 'checkpoint', bestEpoch: null });
  assert.equal(resumableCheckpoint(dir), undefined);
  write('{"status": "check');
  assert.equal(resumableCheckpoint(dir), undefined, 'a broken file is not a checkpoint (and not a crash)');
  // the run's checkpoint folder beside the output folder comes first
  const out = join(dir, 'model');
  mkdirSync(out);
  writeFileSync(join(out, 'cnn-lab.json'), JSON.stringify({ status: 'complete', bestEpoch: { phase: 'transfer', epoch: 9 } }));
  assert.equal(resumableCheckpoint(out), undefined);
  mkdirSync(`${out}.checkpoint`);
  writeFileSync(
    join(`${out}.checkpoint`, 'cnn-lab.json'),
    JSON.stringify({ status: 'checkpoint', bestEpoch: { phase: 'fine-tune', epoch: 2 } }),
  );
  assert.deepEqual(resumableCheckpoint(out), { phase: 'fine-tune', epoch: 2 });
  assert.deepEqual(resumableCheckpoint(`${out}/`), { phase: 'fine-tune', epoch: 2 }, 'a trailing slash names the same folder');
});
