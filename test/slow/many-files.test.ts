// Tens of thousands of tiny files: scanning and streaming them through the decoder in batches must
// not keep decoded images around — memory after 20,000 images is what it was after 2,000.
import assert from 'node:assert/strict';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import sharp from 'sharp';
import { decodeBatches } from '../../src/engine/data/decode.ts';
import { scanDataset } from '../../src/engine/data/scan.ts';
import { tempDir } from '../unit/engine/helpers/fixtures.ts';

const PER_CLASS = 10_000;
let root: string;

before(async () => {
  root = tempDir('cnnlab-many-');
  for (const [k, name] of ['dark', 'light'].entries()) {
    mkdirSync(join(root, name));
    const png = await sharp({ create: { width: 6, height: 6, channels: 3, background: k ? '#eeeeee' : '#111111' } })
      .png()
      .toBuffer();
    for (let i = 0; i < PER_CLASS; i++) writeFileSync(join(root, name, `${String(i).padStart(5, '0')}.png`), png);
  }
});
after(() => rmSync(root, { recursive: true, force: true }));

function memory(): number {
  (globalThis as { gc?: () => void }).gc!();
  const m = process.memoryUsage();
  return m.heapUsed + m.external + m.arrayBuffers;
}

test('20,000 tiny files: scanned, decoded in batches, memory flat', { timeout: 300_000 }, async (t) => {
  assert.equal(typeof (globalThis as { gc?: unknown }).gc, 'function', 'run with --expose-gc (scripts/run-slow-tests.mjs does)');
  const scan = await scanDataset(root);
  assert.equal(scan.files.length, 2 * PER_CLASS);
  // interleave the classes so that every batch is mixed, as a shuffled epoch would be
  const files = scan.files.map((_, i) => scan.files[(i % 2) * PER_CLASS + (i >> 1)]);
  let seen = 0;
  let light = 0;
  let at2k = 0;
  let peakAfter2k = 0;
  for await (const batch of decodeBatches(files, { size: [32, 32], batchSize: 64, preprocessing: '0..1' })) {
    assert.deepEqual(batch.skipped, []);
    seen += batch.labels.length;
    light += batch.labels.reduce((a, b) => a + b, 0);
    if (seen === 2048) at2k = memory();
    else if (seen > 2048 && seen % 2048 === 0) peakAfter2k = Math.max(peakAfter2k, memory());
  }
  assert.equal(seen, 2 * PER_CLASS);
  assert.equal(light, PER_CLASS);
  const growthMb = (peakAfter2k - at2k) / 1e6;
  t.diagnostic(`memory at 2,048 images ${(at2k / 1e6).toFixed(1)} MB; largest growth after that ${growthMb.toFixed(1)} MB`);
  // 20,000 decoded 32×32 images kept would be 61 MB as uint8 and 246 MB as floats
  assert.ok(growthMb < 16, `memory grew by ${growthMb.toFixed(1)} MB between 2,000 and 20,000 images`);
});
