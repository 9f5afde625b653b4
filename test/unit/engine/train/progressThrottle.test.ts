// ProgressThrottle: at most one event per interval, the final one always.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ProgressThrottle } from '../../../../src/engine/train/progressThrottle.ts';

function clock(start: number) {
  const c = { t: start, now: () => c.t };
  return c;
}

test('admits one event per interval and drops the ones in between', () => {
  const c = clock(1000);
  const throttle = new ProgressThrottle(100, c.now);
  assert.equal(throttle.admit(false), true, 'the first event goes out');
  c.t = 1050;
  assert.equal(throttle.admit(false), false);
  c.t = 1099;
  assert.equal(throttle.admit(false), false);
  c.t = 1100;
  assert.equal(throttle.admit(false), true);
  c.t = 1150;
  assert.equal(throttle.admit(false), false, 'the interval counts from the last admitted event');
});

test('the final event of a pass always goes out, and restarts the interval', () => {
  const c = clock(500);
  const throttle = new ProgressThrottle(250, c.now);
  assert.equal(throttle.admit(false), true);
  c.t = 501;
  assert.equal(throttle.admit(true), true);
  c.t = 600;
  assert.equal(throttle.admit(false), false, '99 ms after the final one');
});

test('on a clock that starts at 0 the first event waits for the interval, as the old counters did', () => {
  const c = clock(0);
  const throttle = new ProgressThrottle(100, c.now);
  assert.equal(throttle.admit(false), false);
  assert.equal(throttle.admit(true), true);
});
