// SkippedFiles: each skipped file is logged once, the latest reason kept.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SkippedFiles } from '../../../../src/engine/train/skippedFiles.ts';

test('logs each path once and lists every skipped file', () => {
  const lines: string[] = [];
  const skipped = new SkippedFiles((l) => lines.push(l));
  skipped.add([{ path: 'a/x.jpg', reason: 'not an image' }]);
  skipped.add([
    { path: 'a/x.jpg', reason: 'not an image' },
    { path: 'b/y.png', reason: 'truncated' },
  ]);
  assert.deepEqual(lines, ['skipped a/x.jpg: not an image', 'skipped b/y.png: truncated']);
  assert.equal(skipped.size, 2);
  assert.deepEqual(
    skipped.list().map((s) => s.path),
    ['a/x.jpg', 'b/y.png'],
  );
});
