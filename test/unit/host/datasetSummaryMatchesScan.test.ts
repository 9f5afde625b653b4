// The Train wizard previews a dataset folder before the run; the engine scans it when training
// starts. Both must count the same images per class, on a folder full of things training skips —
// otherwise the wizard promises classes and counts that the run then does not have.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { scanDataset } from '../../../src/engine/data/scan.ts';
import { summarizeDataset } from '../../../src/host/experiment/datasetSummary.ts';

function touch(path: string): void {
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, '');
}

test("the wizard's class counts are the images training scans, skipped entries included", async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'cnnlab-ds-match-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const root = join(dir, 'data');
  touch(join(root, 'cats', 'a.jpg'));
  touch(join(root, 'cats', 'B.PNG'));
  touch(join(root, 'cats', '.hidden.jpg')); // hidden file
  touch(join(root, 'cats', '.thumbs', 'c.jpg')); // hidden folder
  touch(join(root, 'cats', 'notes.txt')); // not an image
  touch(join(root, 'cats', 'indoor', 'deep', 'd.webp')); // nested
  touch(join(root, 'dogs', 'e.jpeg'));
  touch(join(root, 'dogs', 'f.gif'));
  touch(join(root, 'elsewhere', 'g.png'));
  mkdirSync(join(root, 'empty')); // a class folder with no image
  touch(join(root, 'stray.png')); // outside any class folder
  touch(join(dir, 'outside', 'h.tiff'));
  symlinkSync(join(dir, 'outside'), join(root, 'dogs', 'linked')); // followed
  symlinkSync(join(root, 'cats'), join(root, 'dogs', 'cross')); // into another class: skipped
  symlinkSync(join(root, 'dogs'), join(root, 'dogs', 'self')); // loop to its own class: skipped
  symlinkSync(root, join(root, 'cats', 'up')); // loop to the dataset root: skipped
  symlinkSync(join(dir, 'missing.jpg'), join(root, 'dogs', 'gone.jpg')); // broken: skipped

  const scan = await scanDataset(root);
  const summary = await summarizeDataset(root, 0);
  assert.deepEqual(
    summary.classes,
    scan.classes.map((name) => ({ name, images: scan.counts[name] })),
  );
  assert.equal(summary.totalImages, scan.files.length);
  // Pinned, so that both agreeing on a wrong walk does not pass either.
  assert.deepEqual(scan.counts, { cats: 3, dogs: 3, elsewhere: 1, empty: 0 });
  assert.match(summary.errors.join(), /No images in class folder\(s\): empty/);
});
