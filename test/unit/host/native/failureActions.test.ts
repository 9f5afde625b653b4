import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatMB } from '../../../../src/host/native/errors.ts';
import { progressLine } from '../../../../src/host/native/download.ts';
import { failureActions } from '../../../../src/host/native/failureActions.ts';

test('each failure offers what can fix it', () => {
  assert.deepEqual(failureActions('unreachable'), ['Retry', 'Install from File…', 'Proxy Settings']);
  assert.deepEqual(failureActions('proxy').slice(0, 2), ['Proxy Settings', 'Install from File…']);
  assert.deepEqual(failureActions('check'), ['Reinstall', 'Remove', 'Show Log']);
  assert.deepEqual(failureActions('unsupported-platform'), [], 'nothing to retry on another platform');
});

test('progress reads as MB of MB and MB/s', () => {
  assert.equal(progressLine({ received: 123_400_000, total: 273_829_956, rate: 41_520_000 }), '123 MB of 274 MB · 41.5 MB/s');
  assert.equal(formatMB(1_500_000), '1.5 MB');
});
