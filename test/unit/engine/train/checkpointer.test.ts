// Checkpointer: writes only after an improvement, at most once per interval, and keeps a pending
// improvement until it can write it.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Checkpointer } from '../../../../src/engine/train/checkpointer.ts';

function setup(intervalMs: number) {
  const c = { t: 0, writes: [] as number[] };
  const checkpointer = new Checkpointer({
    intervalMs,
    now: () => c.t,
    write: async () => {
      c.writes.push(c.t);
    },
  });
  return { c, checkpointer };
}

test('the first improvement is written at once; epochs without one write nothing', async () => {
  const { c, checkpointer } = setup(20_000);
  assert.equal(await checkpointer.afterEpoch(false), false);
  c.t = 10;
  assert.equal(await checkpointer.afterEpoch(true), true);
  c.t = 30_000;
  assert.equal(await checkpointer.afterEpoch(false), false, 'nothing new to write');
  assert.deepEqual(c.writes, [10]);
});

test('an improvement within the interval waits, and is written by a later epoch without one', async () => {
  const { c, checkpointer } = setup(1000);
  await checkpointer.afterEpoch(true); // t = 0
  c.t = 400;
  assert.equal(await checkpointer.afterEpoch(true), false);
  c.t = 999;
  assert.equal(await checkpointer.afterEpoch(false), false);
  c.t = 1000;
  assert.equal(await checkpointer.afterEpoch(false), true, 'the pending improvement');
  assert.deepEqual(c.writes, [0, 1000]);
});

test('a loaded checkpoint (resume) counts as just written', async () => {
  const { c, checkpointer } = setup(1000);
  c.t = 5000;
  checkpointer.loaded();
  c.t = 5500;
  assert.equal(await checkpointer.afterEpoch(true), false);
  c.t = 6000;
  assert.equal(await checkpointer.afterEpoch(false), true);
});

test('a failed write propagates and leaves the improvement pending', async () => {
  let fail = true;
  const writes: string[] = [];
  const checkpointer = new Checkpointer({
    intervalMs: 0,
    now: () => 0,
    write: async () => {
      if (fail) throw new Error('disk full');
      writes.push('ok');
    },
  });
  await assert.rejects(checkpointer.afterEpoch(true), /disk full/);
  fail = false;
  assert.equal(await checkpointer.afterEpoch(false), true);
  assert.deepEqual(writes, ['ok']);
});
