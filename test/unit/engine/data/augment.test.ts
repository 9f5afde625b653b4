import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import sharp from 'sharp';
import type { AugmentConfig } from '../../../../src/core/experiment.ts';
import { NO_AUGMENTATION } from '../../../../src/core/experimentDefaults.ts';
import {
  applyAffine,
  augmentPixels,
  buildAffineMatrix,
  IDENTITY_PARAMS,
  invertAffine,
  renderAugmentedPreviews,
  sampleAffineParams,
  transformPoint,
  validateAugmentConfig,
  type AffineParams,
} from '../../../../src/engine/data/augment.ts';
import { mulberry32 } from '../../../../src/engine/data/rng.ts';
import { FIXTURES, makeTempDir } from './odd-files.ts';

const ALL: AugmentConfig = {
  rotationRange: 30,
  widthShiftRange: 0.2,
  heightShiftRange: 0.2,
  shearRange: 10,
  zoomRange: 0.2,
  horizontalFlip: true,
  fillMode: 'nearest',
};

/** A black single-channel-looking RGB image with one white pixel. */
function dot(height: number, width: number, row: number, col: number): Uint8Array {
  const px = new Uint8Array(height * width * 3);
  px.fill(255, (row * width + col) * 3, (row * width + col) * 3 + 3);
  return px;
}

function whitePixels(px: Uint8Array, width: number): [number, number][] {
  const out: [number, number][] = [];
  for (let i = 0; i < px.length; i += 3) if (px[i] === 255) out.push([Math.floor(i / 3 / width), (i / 3) % width]);
  return out;
}

function moveDot(params: Partial<AffineParams>, height: number, width: number, row: number, col: number) {
  const p = { ...IDENTITY_PARAMS, ...params };
  const m = buildAffineMatrix(p, height, width);
  const out = applyAffine(dot(height, width, row, col), height, width, 3, m);
  const predicted = transformPoint(invertAffine(m), row, col).map((v) => Math.round(v * 1e9) / 1e9);
  return { white: whitePixels(out, width), predicted, out };
}

describe('augmentation: a known pixel moves where the matrix says', () => {
  test('pure shift: output samples input at +shift (Keras tx/ty convention)', () => {
    const { white, predicted } = moveDot({ shiftRows: 2, shiftCols: -3 }, 9, 11, 4, 5);
    assert.deepEqual(white, [[2, 8]]);
    assert.deepEqual(predicted, [2, 8]);
  });

  test('90° rotation about the center (even size): (1,5) → (5,6) in an 8×8 image', () => {
    const { white, predicted } = moveDot({ rotation: 90 }, 8, 8, 1, 5);
    assert.deepEqual(white, [[5, 6]]);
    assert.deepEqual(predicted, [5, 6]);
  });

  test('-90° rotation goes the other way: (1,5) → (2,1)', () => {
    const { white, predicted } = moveDot({ rotation: -90 }, 8, 8, 1, 5);
    assert.deepEqual(white, [[2, 1]]);
    assert.deepEqual(predicted, [2, 1]);
  });

  test('horizontal flip mirrors columns: (2,1) → (2,4) in width 6', () => {
    const { white, predicted } = moveDot({ flipHorizontal: true }, 5, 6, 2, 1);
    assert.deepEqual(white, [[2, 4]]);
    assert.deepEqual(predicted, [2, 4]);
  });

  test('zoom 0.5 (Keras: zoom in ×2) doubles the distance from the center', () => {
    const { out, predicted } = moveDot({ zoomRows: 0.5, zoomCols: 0.5 }, 9, 9, 4, 6);
    assert.deepEqual(predicted, [4, 8]);
    assert.equal(out[(4 * 9 + 8) * 3], 255);
    assert.equal(out[(4 * 9 + 4) * 3], 0, 'the center stays where it was');
  });

  test('rotation, shift and flip compose into one matrix: shift then flip', () => {
    const { white, predicted } = moveDot({ shiftCols: 1, flipHorizontal: true }, 5, 6, 2, 1);
    // shift: col 1 → 0; flip in width 6: 0 → 5
    assert.deepEqual(white, [[2, 5]]);
    assert.deepEqual(predicted, [2, 5]);
  });

  test('fill mode nearest: pixels uncovered by a shift repeat the edge', () => {
    const width = 6;
    const px = new Uint8Array(4 * width * 3);
    for (let r = 0; r < 4; r++) for (let c = 0; c < width; c++) px.fill(c * 40, (r * width + c) * 3, (r * width + c) * 3 + 3);
    const out = applyAffine(px, 4, width, 3, buildAffineMatrix({ ...IDENTITY_PARAMS, shiftCols: -2 }, 4, width));
    const row = Array.from({ length: width }, (_, c) => out[c * 3]);
    assert.deepEqual(row, [0, 0, 0, 40, 80, 120]);
  });

  test('bilinear sampling of a general transform matches scipy.ndimage.affine_transform(order=1, mode=nearest)', () => {
    // Reference computed with SciPy 1.17 from the same matrix (Keras' apply_affine_transform calls
    // affine_transform with it): img[r, c] = (r * 7 + c * 13) % 256 on a 6×7 grid.
    const height = 6;
    const width = 7;
    const px = new Uint8Array(height * width * 3);
    for (let r = 0; r < height; r++)
      for (let c = 0; c < width; c++) px.fill((r * 7 + c * 13) % 256, (r * width + c) * 3, (r * width + c) * 3 + 3);
    const params: AffineParams = {
      rotation: 17,
      shiftRows: 0.6,
      shiftCols: -1.3,
      shear: 8,
      zoomRows: 0.9,
      zoomCols: 1.15,
      flipHorizontal: false,
    };
    const m = buildAffineMatrix(params, height, width);
    const out = applyAffine(px, height, width, 3, m);
    const got = Array.from({ length: height }, (_, r) => Array.from({ length: width }, (_, c) => out[(r * width + c) * 3]));
    assert.deepEqual(got, SCIPY_REFERENCE);
  });
});

// scipy.ndimage.affine_transform(img, M[:2, :2], M[:2, 2], order=1, mode='nearest'), rounded, with M
// rebuilt in NumPy as Keras composes it (rotation @ shift @ shear @ zoom about ((h-1)/2, (w-1)/2)).
const SCIPY_REFERENCE: number[][] = [
  [19, 16, 16, 26, 36, 46, 57],
  [25, 22, 25, 35, 45, 55, 66],
  [31, 28, 34, 45, 55, 65, 75],
  [35, 34, 44, 54, 64, 74, 84],
  [35, 38, 52, 63, 74, 84, 94],
  [35, 42, 55, 69, 82, 93, 103],
];

describe('augmentation: sampling and determinism', () => {
  test('parameters stay in the Keras ranges; zx and zy are independent; flip about half the time', () => {
    const rng = mulberry32(5);
    let flips = 0;
    let zoomDiffers = 0;
    for (let i = 0; i < 2000; i++) {
      const p = sampleAffineParams(ALL, 100, 50, rng);
      assert.ok(Math.abs(p.rotation) <= 30);
      assert.ok(Math.abs(p.shiftRows) <= 0.2 * 100 && Math.abs(p.shiftCols) <= 0.2 * 50);
      assert.ok(Math.abs(p.shear) <= 10);
      assert.ok(p.zoomRows >= 0.8 && p.zoomRows <= 1.2 && p.zoomCols >= 0.8 && p.zoomCols <= 1.2);
      if (p.flipHorizontal) flips++;
      if (p.zoomRows !== p.zoomCols) zoomDiffers++;
    }
    assert.ok(flips > 850 && flips < 1150, `flips ${flips}/2000`);
    assert.equal(zoomDiffers, 2000);
    assert.deepEqual(sampleAffineParams(NO_AUGMENTATION, 10, 10, rng), IDENTITY_PARAMS);
  });

  test('a shift range of 1 or more is pixels, like Keras', () => {
    const rng = mulberry32(9);
    const shifts = Array.from(
      { length: 500 },
      () => sampleAffineParams({ ...NO_AUGMENTATION, widthShiftRange: 3 }, 100, 100, rng).shiftCols,
    );
    assert.ok(shifts.every((s) => Math.abs(s) <= 3));
    assert.ok(shifts.some((s) => Math.abs(s) > 2));
  });

  test('same seed → same pixels; another seed → different pixels; identity returns the input', () => {
    const img = new Uint8Array(16 * 16 * 3).map((_, i) => (i * 37) % 256);
    const a = augmentPixels(img, 16, 16, ALL, 42).pixels;
    const b = augmentPixels(img, 16, 16, ALL, 42).pixels;
    const c = augmentPixels(img, 16, 16, ALL, 43).pixels;
    assert.deepEqual(a, b);
    assert.notDeepEqual(a, c);
    assert.notDeepEqual(a, img);
    assert.equal(augmentPixels(img, 16, 16, NO_AUGMENTATION, 42).pixels, img);
  });

  test('validateAugmentConfig names the bad field', () => {
    assert.throws(() => validateAugmentConfig({ ...ALL, zoomRange: 1 }), /augment\.zoomRange must be a number in \[0, 1\), got 1/);
    assert.throws(() => validateAugmentConfig({ ...ALL, rotationRange: -5 }), /augment\.rotationRange/);
    assert.throws(() => validateAugmentConfig({ ...ALL, widthShiftRange: Number.NaN }), /augment\.widthShiftRange/);
    assert.throws(() => validateAugmentConfig({ ...ALL, fillMode: 'reflect' as 'nearest' }), /augment\.fillMode/);
    assert.doesNotThrow(() => validateAugmentConfig(ALL));
  });
});

describe('renderAugmentedPreviews', () => {
  let tmp: ReturnType<typeof makeTempDir>;
  before(() => {
    tmp = makeTempDir('previews');
  });
  after(() => tmp.cleanup());

  test('writes N PNGs of the image size, reproducible from the seed', async () => {
    const image = join(FIXTURES, 'photos/chelsea-100.png');
    const first = await renderAugmentedPreviews(image, ALL, 3, join(tmp.dir, 'a'), 7);
    const again = await renderAugmentedPreviews(image, ALL, 3, join(tmp.dir, 'b'), 7);
    assert.deepEqual(
      first.map((f) => f.path.split(/[\\/]/).pop()),
      ['chelsea-100-aug-0.png', 'chelsea-100-aug-1.png', 'chelsea-100-aug-2.png'],
    );
    for (const [i, f] of first.entries()) {
      const meta = await sharp(f.path).metadata();
      assert.deepEqual([meta.format, meta.width, meta.height, meta.channels], ['png', 100, 67, 3]);
      assert.deepEqual(readFileSync(f.path), readFileSync(again[i].path), 'same seed, same file');
    }
    assert.notDeepEqual(readFileSync(first[0].path), readFileSync(first[1].path));
    assert.notDeepEqual(first[0].params, first[1].params);
  });

  test('refuses a bad count and reports a broken image by name', async () => {
    await assert.rejects(renderAugmentedPreviews(join(FIXTURES, 'photos/chelsea-100.png'), ALL, 0, tmp.dir, 1), /positive integer/);
    await assert.rejects(
      renderAugmentedPreviews(join(FIXTURES, 'odd/truncated.jpg'), ALL, 2, tmp.dir, 1),
      /truncated\.jpg: truncated or corrupt/,
    );
  });
});
