import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { AugmentConfig } from '../../../../src/core/experiment.ts';
import { batchesFromDecoded, decodeAll, decodeBatches, type DecodedBatch } from '../../../../src/engine/data/decode.ts';
import { scanDataset, type DatasetFile } from '../../../../src/engine/data/scan.ts';
import { FIXTURES, makeTempDir, writeRawPng, writeSolidPng } from './odd-files.ts';

const AUGMENT: AugmentConfig = {
  rotationRange: 20,
  widthShiftRange: 0.1,
  heightShiftRange: 0.1,
  shearRange: 5,
  zoomRange: 0.1,
  horizontalFlip: true,
  fillMode: 'nearest',
};

async function collect(gen: AsyncGenerator<DecodedBatch>): Promise<DecodedBatch[]> {
  const out: DecodedBatch[] = [];
  for await (const b of gen) out.push(b);
  return out;
}

describe('decodeBatches', () => {
  let tmp: ReturnType<typeof makeTempDir>;
  let files: DatasetFile[];
  before(async () => {
    tmp = makeTempDir('batches');
    // Class folders of solid colours: each image's value tells which file it came from.
    const root = join(tmp.dir, 'data');
    for (const [cls, channel] of [
      ['blue', 2],
      ['red', 0],
    ] as const) {
      mkdirSync(join(root, cls), { recursive: true });
      for (let i = 0; i < 5; i++) {
        const rgb: [number, number, number] = [0, 0, 0];
        rgb[channel] = 50 + i * 40;
        await writeSolidPng(join(root, cls, `${i}.png`), 12, 10, rgb);
      }
    }
    writeFileSync(join(root, 'red', '2b-empty.png'), '');
    copyFileSync(join(FIXTURES, 'odd/truncated.jpg'), join(root, 'blue', '9-truncated.jpg'));
    writeFileSync(join(root, 'blue', '3b-text.jpg'), 'not a jpeg');
    files = (await scanDataset(root)).files;
  });
  after(() => tmp.cleanup());

  test('full batches in file order, refilled past broken files, which are reported with reasons', async () => {
    assert.equal(files.length, 13);
    const batches = await collect(decodeBatches(files, { batchSize: 4, size: [6, 8], preprocessing: '0..255' }));
    assert.deepEqual(
      batches.map((b) => b.labels.length),
      [4, 4, 2],
    );
    const names = batches.flatMap((b) => b.paths.map((p) => p.split(/[\\/]/).slice(-2).join('/')));
    assert.deepEqual(names, [
      'blue/0.png',
      'blue/1.png',
      'blue/2.png',
      'blue/3.png',
      'blue/4.png',
      'red/0.png',
      'red/1.png',
      'red/2.png',
      'red/3.png',
      'red/4.png',
    ]);
    assert.deepEqual([...batches.flatMap((b) => [...b.labels])], [0, 0, 0, 0, 0, 1, 1, 1, 1, 1]);
    const skipped = batches.flatMap((b) => b.skipped.map((s) => [s.path.split(/[\\/]/).pop(), s.reason.split(' (')[0]]));
    assert.deepEqual(skipped, [
      ['3b-text.jpg', 'not an image sharp can read'],
      ['9-truncated.jpg', 'truncated or corrupt image data'],
      ['2b-empty.png', 'empty file'],
    ]);
    // x is N×H×W×3 in the requested scale: blue/1.png is (0, 0, 90) everywhere.
    const first = batches[0];
    assert.equal(first.x.length, 4 * 6 * 8 * 3);
    const image1 = first.x.subarray(6 * 8 * 3, 2 * 6 * 8 * 3);
    for (let i = 0; i < image1.length; i += 3) assert.deepEqual([image1[i], image1[i + 1], image1[i + 2]], [0, 0, 90]);
    assert.equal(batches[2].x.length, 2 * 6 * 8 * 3);
  });

  test('preprocessing 0..1 and -1..1', async () => {
    const one = [files[1]];
    const [a] = await collect(decodeBatches(one, { batchSize: 1, size: [2, 2], preprocessing: '0..1' }));
    const [b] = await collect(decodeBatches(one, { batchSize: 1, size: [2, 2], preprocessing: '-1..1' }));
    assert.ok(Math.abs(a.x[2] - 90 / 255) < 1e-6);
    assert.ok(Math.abs(b.x[2] - (90 / 127.5 - 1)) < 1e-6);
    assert.equal(b.x[0], -1);
  });

  test('trailing broken files still come back, in a batch with no image', async () => {
    const broken = files.filter((f) => /empty|truncated|text/.test(f.path));
    const batches = await collect(decodeBatches(broken, { batchSize: 2, size: [4, 4], preprocessing: '0..1' }));
    assert.equal(batches.length, 1);
    assert.equal(batches[0].labels.length, 0);
    assert.equal(batches[0].x.length, 0);
    assert.equal(batches[0].skipped.length, 3);
  });

  test('augmentation is seeded by (seed, epoch, index): reproducible, and differs by epoch', async () => {
    const good = files.filter((f) => f.path.endsWith('.png') && !f.path.includes('empty'));
    // A gradient image makes every transform visible; solid colours would not change.
    const grad = join(tmp.dir, 'grad.png');
    const px = new Uint8Array(16 * 16 * 3).map((_, i) => (Math.floor(i / 3) * 7) % 256);
    await writeRawPng(grad, px, 16, 16);
    const list = [...good.slice(0, 2), { path: grad, label: 0 }, { path: grad, label: 0 }];
    const run = (seed: number, epoch: number) =>
      collect(decodeBatches(list, { batchSize: 4, size: [16, 16], preprocessing: '0..255', augment: AUGMENT, seed, epoch }));
    const [a] = await run(3, 0);
    const [b] = await run(3, 0);
    const [c] = await run(3, 1);
    assert.deepEqual(a.x, b.x);
    assert.notDeepEqual(a.x, c.x);
    const image = (x: Float32Array, i: number) => x.subarray(i * 768, (i + 1) * 768);
    assert.notDeepEqual(image(a.x, 2), image(a.x, 3), 'the same file at two indices gets two transforms');
  });

  test('decodeAll + batchesFromDecoded give the same batches as decodeBatches', async () => {
    const good = files.filter((f) => f.path.endsWith('.png') && !f.path.includes('empty'));
    const options = { batchSize: 3, preprocessing: '-1..1' as const, augment: AUGMENT, seed: 11, epoch: 2 };
    const streamed = await collect(decodeBatches(good, { ...options, size: [9, 7], concurrency: 2 }));
    let progress = 0;
    const set = await decodeAll(files, { size: [9, 7], onProgress: (done) => (progress = done) });
    assert.equal(progress, files.length);
    assert.equal(set.labels.length, 10);
    assert.equal(set.skipped.length, 3);
    assert.equal(set.pixels.length, 10 * 9 * 7 * 3);
    const fromMemory = [...batchesFromDecoded(set, options)];
    assert.deepEqual(
      fromMemory.map((b) => [b.x, b.labels, b.paths]),
      streamed.map((b) => [b.x, b.labels, b.paths]),
    );
    const reordered = [...batchesFromDecoded(set, { batchSize: 10, preprocessing: '0..255', order: [9, 0] })];
    assert.deepEqual([...reordered[0].labels], [1, 0]);
  });

  test('an abort signal stops decoding at once, with the abort reason', async () => {
    const many = Array.from({ length: 200 }, (_, i) => files[i % 10]);
    const controller = new AbortController();
    let batches = 0;
    await assert.rejects(
      (async () => {
        for await (const _ of decodeBatches(many, { batchSize: 5, size: [8, 8], preprocessing: '0..1', signal: controller.signal })) {
          batches++;
          if (batches === 2) controller.abort(new Error('cancelled by test'));
        }
      })(),
      /cancelled by test/,
    );
    assert.equal(batches, 2);
    const already = AbortSignal.abort();
    await assert.rejects(collect(decodeBatches(many, { batchSize: 5, size: [8, 8], preprocessing: '0..1', signal: already })), {
      name: 'AbortError',
    });
  });

  test('an abort while a decode is in flight rejects without waiting for it', async () => {
    const controller = new AbortController();
    const gen = decodeBatches([{ path: join(FIXTURES, 'photos/horse.png'), label: 0 }], {
      batchSize: 1,
      size: [300, 300],
      preprocessing: '0..1',
      signal: controller.signal,
    });
    const next = gen.next();
    controller.abort(new Error('stop now'));
    await assert.rejects(next, /stop now/);
  });

  test('bad options are clear errors', async () => {
    await assert.rejects(
      collect(decodeBatches(files, { batchSize: 0, size: [4, 4], preprocessing: '0..1' })),
      /batchSize must be a positive integer/,
    );
    await assert.rejects(
      collect(decodeBatches(files, { batchSize: 2, size: [4, 4], preprocessing: '0..1', concurrency: 0 })),
      /concurrency must be a positive integer/,
    );
  });
});
