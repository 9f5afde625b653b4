import assert from 'node:assert/strict';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import {
  epochOrder,
  loadDatasetSplit,
  scanDataset,
  splitStratified,
  validationCount,
  type DatasetFile,
} from '../../../../src/engine/data/scan.ts';
import { makeTempDir } from './odd-files.ts';

// Scanning only looks at names, so empty files stand in for images here.
function touch(path: string): void {
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, '');
}

function names(files: DatasetFile[], classes: string[]): string[] {
  return files.map((f) => `${classes[f.label]}:${f.path.split(/[\\/]/).slice(-1)[0]}`);
}

describe('scanDataset', () => {
  let tmp: ReturnType<typeof makeTempDir>;
  before(() => {
    tmp = makeTempDir('scan');
  });
  after(() => tmp.cleanup());

  test('classes are sorted subfolders, extensions case-insensitive, hidden entries ignored', async () => {
    const root = join(tmp.dir, 'basic');
    touch(join(root, 'zebra', 'b.PNG'));
    touch(join(root, 'zebra', 'a.jpeg'));
    touch(join(root, 'Apple', 'x.JPG'));
    touch(join(root, 'apple', 'y.webp'));
    touch(join(root, 'apple', 'z.gif'));
    touch(join(root, 'apple', 't.TIFF'));
    touch(join(root, 'apple', 'notes.txt'));
    touch(join(root, 'apple', '.hidden.jpg'));
    touch(join(root, '.cache', 'q.jpg'));
    touch(join(root, 'zebra', '.thumbs', 'c.jpg'));
    touch(join(root, 'stray.png'));
    const scan = await scanDataset(root);
    // Code-point order like Python's sorted(): uppercase before lowercase.
    assert.deepEqual(scan.classes, ['Apple', 'apple', 'zebra']);
    assert.deepEqual(names(scan.files, scan.classes), [
      'Apple:x.JPG',
      'apple:t.TIFF',
      'apple:y.webp',
      'apple:z.gif',
      'zebra:a.jpeg',
      'zebra:b.PNG',
    ]);
    assert.deepEqual(scan.counts, { Apple: 1, apple: 3, zebra: 2 });
    assert.deepEqual(scan.emptyClasses, []);
    assert.ok(
      scan.notes.some((n) => n.includes('stray.png') && n.includes('class subfolder')),
      scan.notes.join('\n'),
    );
    assert.ok(
      scan.notes.some((n) => n.includes('notes.txt')),
      scan.notes.join('\n'),
    );
  });

  test('images in nested folders belong to their class; symlinked folders are followed without looping', async () => {
    const root = join(tmp.dir, 'nested');
    touch(join(root, 'cats', 'a.jpg'));
    touch(join(root, 'cats', 'indoor', 'deep', 'b.png'));
    touch(join(root, 'dogs', 'c.jpg'));
    touch(join(tmp.dir, 'elsewhere', 'd.jpg'));
    symlinkSync(join(tmp.dir, 'elsewhere'), join(root, 'dogs', 'linked'));
    symlinkSync(join(root, 'cats'), join(root, 'cats', 'indoor', 'loop')); // loop to its own class
    symlinkSync(root, join(root, 'dogs', 'up')); // loop to the dataset root
    symlinkSync(join(root, 'cats'), join(root, 'dogs', 'cross')); // into another class
    symlinkSync(join(tmp.dir, 'missing.jpg'), join(root, 'dogs', 'gone.jpg')); // broken
    const scan = await scanDataset(root);
    assert.deepEqual(names(scan.files, scan.classes), ['cats:a.jpg', 'cats:b.png', 'dogs:c.jpg', 'dogs:d.jpg']);
    const reasons = new Map(scan.skipped.map((s) => [s.path.slice(root.length + 1), s.reason]));
    assert.match(reasons.get(join('cats', 'indoor', 'loop')) ?? '', /symlink loop.*class folder 'cats'/);
    assert.match(reasons.get(join('dogs', 'up')) ?? '', /symlink loop.*dataset root/);
    assert.match(reasons.get(join('dogs', 'cross')) ?? '', /class folder 'cats'/);
    assert.match(reasons.get(join('dogs', 'gone.jpg')) ?? '', /broken symlink/);
  });

  test('a symlink class folder is a class; a self-referencing link is reported', async () => {
    const root = join(tmp.dir, 'linkclass');
    touch(join(tmp.dir, 'birds-src', 'e.jpg'));
    mkdirSync(root, { recursive: true });
    symlinkSync(join(tmp.dir, 'birds-src'), join(root, 'birds'));
    touch(join(root, 'fish', 'f.jpg'));
    symlinkSync(join(root, 'fish', 'self.jpg'), join(root, 'fish', 'self.jpg'));
    const scan = await scanDataset(root);
    assert.deepEqual(names(scan.files, scan.classes), ['birds:e.jpg', 'fish:f.jpg']);
    assert.match(scan.skipped.find((s) => s.path.endsWith('self.jpg'))?.reason ?? '', /symlink loop/);
  });

  test('an empty class is reported, not dropped, so label indices stay stable', async () => {
    const root = join(tmp.dir, 'empty-class');
    touch(join(root, 'a', '1.png'));
    mkdirSync(join(root, 'b'), { recursive: true });
    touch(join(root, 'b', 'readme.md'));
    touch(join(root, 'c', '2.png'));
    const scan = await scanDataset(root);
    assert.deepEqual(scan.classes, ['a', 'b', 'c']);
    assert.deepEqual(scan.emptyClasses, ['b']);
    assert.deepEqual(scan.counts, { a: 1, b: 0, c: 1 });
    assert.deepEqual(
      scan.files.map((f) => f.label),
      [0, 2],
    );
  });

  test('clear errors naming the folder: missing, a file, no class folders, no images', async () => {
    const missing = join(tmp.dir, 'nope');
    await assert.rejects(scanDataset(missing), (e: Error) => e.message.includes('not found') && e.message.includes(missing));
    const file = join(tmp.dir, 'file.txt');
    writeFileSync(file, 'x');
    await assert.rejects(scanDataset(file), /is not a folder/);
    const flat = join(tmp.dir, 'flat');
    touch(join(flat, 'a.jpg'));
    await assert.rejects(
      scanDataset(flat),
      (e: Error) => /no class folders/.test(e.message) && e.message.includes(flat) && /1 image/.test(e.message),
    );
    const noImages = join(tmp.dir, 'no-images');
    touch(join(noImages, 'x', 'a.txt'));
    mkdirSync(join(noImages, 'y'));
    await assert.rejects(scanDataset(noImages), (e: Error) => /no images/.test(e.message) && e.message.includes('x, y'));
  });
});

describe('validation split', () => {
  const files = (counts: number[]): DatasetFile[] =>
    counts.flatMap((n, label) => Array.from({ length: n }, (_, i) => ({ path: `/d/c${label}/${String(i).padStart(3, '0')}.png`, label })));

  test('validationCount rounds and keeps at least one image on each side', () => {
    assert.equal(validationCount(20, 0.2), 4);
    assert.equal(validationCount(10, 0.25), 3);
    assert.equal(validationCount(2, 0.1), 1);
    assert.equal(validationCount(3, 0.9), 2);
    assert.equal(validationCount(1, 0.5), 0);
    assert.equal(validationCount(50, 0), 0);
  });

  test('stratified: every class keeps its proportion; nothing lost or duplicated', () => {
    const all = files([20, 10, 30]);
    const { train, validation } = splitStratified(all, 0.2, 7);
    const perClass = (list: DatasetFile[]) => [0, 1, 2].map((l) => list.filter((f) => f.label === l).length);
    assert.deepEqual(perClass(validation), [4, 2, 6]);
    assert.deepEqual(perClass(train), [16, 8, 24]);
    assert.deepEqual([...train, ...validation].map((f) => f.path).sort(), all.map((f) => f.path).sort());
  });

  test('deterministic given the seed, different for another seed, and random rather than the first files', () => {
    const all = files([40, 40]);
    const a = splitStratified(all, 0.25, 123).validation.map((f) => f.path);
    const b = splitStratified(all, 0.25, 123).validation.map((f) => f.path);
    const c = splitStratified(all, 0.25, 124).validation.map((f) => f.path);
    assert.deepEqual(a, b);
    assert.notDeepEqual(a, c);
    const firstTen = all.slice(0, 10).map((f) => f.path);
    assert.notDeepEqual(a.slice(0, 10), firstTen);
  });

  test('rejects a fraction outside [0, 1)', () => {
    assert.throws(() => splitStratified(files([4]), 1, 0), /validationSplit must be in \[0, 1\), got 1/);
    assert.throws(() => splitStratified(files([4]), -0.1, 0), /validationSplit/);
  });

  test('epochOrder is a seeded permutation', () => {
    const items = Array.from({ length: 50 }, (_, i) => i);
    const e0 = epochOrder(items, 1, 0);
    assert.deepEqual(epochOrder(items, 1, 0), e0);
    assert.notDeepEqual(epochOrder(items, 1, 1), e0);
    assert.deepEqual(
      [...e0].sort((x, y) => x - y),
      items,
    );
  });
});

describe('loadDatasetSplit', () => {
  let tmp: ReturnType<typeof makeTempDir>;
  before(() => {
    tmp = makeTempDir('split');
    for (const cls of ['cat', 'dog']) for (let i = 0; i < 10; i++) touch(join(tmp.dir, 'train', cls, `${i}.jpg`));
    for (const cls of ['cat', 'dog']) touch(join(tmp.dir, 'val', cls, 'v.jpg'));
    for (const cls of ['cat', 'bird']) touch(join(tmp.dir, 'val-bad', cls, 'v.jpg'));
  });
  after(() => tmp.cleanup());

  test('split from the training folder with counts per class', async () => {
    const split = await loadDatasetSplit({ data: join(tmp.dir, 'train'), validationSplit: 0.3, seed: 1 });
    assert.deepEqual(split.classes, ['cat', 'dog']);
    assert.deepEqual(split.counts, { train: { cat: 7, dog: 7 }, validation: { cat: 3, dog: 3 } });
  });

  test('a separate validation folder with the same classes', async () => {
    const split = await loadDatasetSplit({
      data: join(tmp.dir, 'train'),
      validationData: join(tmp.dir, 'val'),
      validationSplit: 0,
      seed: 1,
    });
    assert.equal(split.train.length, 20);
    assert.deepEqual(
      split.validation.map((f) => [f.label, f.path.endsWith(join('val', ['cat', 'dog'][f.label], 'v.jpg'))]),
      [
        [0, true],
        [1, true],
      ],
    );
  });

  test('a validation folder whose classes differ is an error naming missing and extra classes', async () => {
    await assert.rejects(
      loadDatasetSplit({ data: join(tmp.dir, 'train'), validationData: join(tmp.dir, 'val-bad'), validationSplit: 0, seed: 1 }),
      (e: Error) => /missing dog/.test(e.message) && /extra bird/.test(e.message) && e.message.includes('val-bad'),
    );
  });
});
