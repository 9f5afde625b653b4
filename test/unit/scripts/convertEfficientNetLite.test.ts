// The converter's own unit tests are Python (scripts/test_convert_efficientnet_lite.py, stdlib
// only: it is a Python script); this runs them as part of `npm test`.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';

test('convert-efficientnet-lite.py: hash pinning, restricted unpickling, layouts, block names', () => {
  const r = spawnSync('python3', ['scripts/test_convert_efficientnet_lite.py', '-v'], { encoding: 'utf8' });
  assert.equal(r.error, undefined, `python3 could not be run: ${r.error?.message}`);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stderr, /Ran [1-9]\d* tests/);
  assert.match(r.stderr, /\nOK\s*$/);
});
