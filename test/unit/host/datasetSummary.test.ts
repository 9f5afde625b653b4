import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatClassCounts, summarizeDataset } from '../../../src/host/experiment/datasetSummary.ts';

function makeTree(files: string[]): string {
  const root = mkdtempSync(join(tmpdir(), 'cnnlab-ds-'));
  for (const f of files) {
    const p = join(root, f);
    mkdirSync(join(p, '..'), { recursive: true });
    if (!f.endsWith('/')) writeFileSync(p, 'x');
  }
  return root;
}

test('classes are sorted subfolders with recursive image counts; other files are reported', async (t) => {
  const root = makeTree([
    'dogs/a.jpg',
    'dogs/b.JPEG',
    'dogs/nested/c.png',
    'cats/a.png',
    'cats/b.webp',
    'cats/notes.txt',
    '.hidden/x.png',
    'stray.png',
  ]);
  t.after(() => rmSync(root, { recursive: true }));
  const s = await summarizeDataset(root, 0.2);
  assert.deepEqual(s.classes, [
    { name: 'cats', images: 2 },
    { name: 'dogs', images: 3 },
  ]);
  assert.equal(s.totalImages, 5);
  assert.deepEqual(s.errors, []);
  assert.ok(
    s.warnings.some((w) => /1 image\(s\) directly in the dataset folder/.test(w)),
    s.warnings.join('\n'),
  );
  assert.ok(s.warnings.some((w) => /1 file\(s\) that are not images/.test(w)));
  assert.ok(s.warnings.some((w) => /Too few images to hold out 20%.*cats, dogs/.test(w)));
  assert.equal(formatClassCounts(s), 'cats 2 · dogs 3');
});

test('problems that stop training are errors: no subfolders, one class, empty class, missing folder', async (t) => {
  const flat = makeTree(['a.png', 'b.png']);
  const single = makeTree(['only/a.png']);
  const empty = makeTree(['cats/a.png', 'dogs/readme.md']);
  t.after(() => [flat, single, empty].forEach((r) => rmSync(r, { recursive: true })));
  assert.match((await summarizeDataset(flat)).errors.join(), /no class subfolders.*2 image\(s\) lie directly/);
  assert.match((await summarizeDataset(single)).errors.join(), /Only one class folder \(only\)/);
  assert.match((await summarizeDataset(empty)).errors.join(), /No images in class folder\(s\): dogs/);
  assert.match((await summarizeDataset(join(flat, 'nope'))).errors.join(), /does not exist/);
  assert.match((await summarizeDataset(join(flat, 'a.png'))).errors.join(), /is not a folder/);
});

test('imbalance is a warning', async (t) => {
  const files = ['a/1.png', ...Array.from({ length: 9 }, (_, i) => `b/${i}.png`)];
  const root = makeTree(files);
  t.after(() => rmSync(root, { recursive: true }));
  const s = await summarizeDataset(root, 0);
  assert.deepEqual(s.errors, []);
  assert.ok(s.warnings.some((w) => /imbalanced: from 1 to 9/.test(w)));
});
