// Image augmentation with Keras ImageDataGenerator's meaning: one random affine transform per image
// (rotation, shift, shear, zoom, horizontal flip) composed into a single matrix like Keras
// `apply_affine_transform`, sampled bilinearly (Keras interpolation_order=1) with fill_mode
// 'nearest' (edge pixels repeat). Works on decoded HWC RGB uint8 arrays, so no tensors are made.
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { basename, extname, join } from 'node:path';
import sharp from 'sharp';
import type { AugmentConfig } from '../../core/experiment.ts';
import { decodeImage, DEFAULT_MAX_INPUT_PIXELS } from './decode-image.ts';
import { mixSeed, mulberry32, uniform, type Rng } from './rng.ts';

/**
 * One transform, in Keras' terms. Coordinates are (row, col) like Keras/scipy: `shiftRows` is
 * Keras' `tx` (drawn from height_shift_range), `zoomRows` its `zx`.
 */
export interface AffineParams {
  /** degrees; with Keras' matrix a positive angle turns the content clockwise on screen */
  rotation: number;
  /** pixels */
  shiftRows: number;
  shiftCols: number;
  /** degrees */
  shear: number;
  zoomRows: number;
  zoomCols: number;
  flipHorizontal: boolean;
}

export const IDENTITY_PARAMS: AffineParams = {
  rotation: 0,
  shiftRows: 0,
  shiftCols: 0,
  shear: 0,
  zoomRows: 1,
  zoomCols: 1,
  flipHorizontal: false,
};

/** Row-major 3×3 acting on column vectors (row, col, 1). */
export type Mat3 = [number, number, number, number, number, number, number, number, number];

export function multiply(a: Mat3, b: Mat3): Mat3 {
  const out = new Array<number>(9) as Mat3;
  for (let i = 0; i < 3; i++) {
    for (let j = 0; j < 3; j++) {
      out[i * 3 + j] = a[i * 3] * b[j] + a[i * 3 + 1] * b[3 + j] + a[i * 3 + 2] * b[6 + j];
    }
  }
  return out;
}

/** Inverse of an affine 3×3 (last row 0 0 1). */
export function invertAffine(m: Mat3): Mat3 {
  const [a, b, c, d, e, f] = m;
  const det = a * e - b * d;
  if (Math.abs(det) < 1e-12) throw new Error('augmentation matrix is singular (zoom or shear too large)');
  return [e / det, -b / det, (b * f - c * e) / det, -d / det, a / det, (c * d - a * f) / det, 0, 0, 1];
}

/** Applies an affine 3×3 to a point (row, col). */
export function transformPoint(m: Mat3, row: number, col: number): [number, number] {
  return [m[0] * row + m[1] * col + m[2], m[3] * row + m[4] * col + m[5]];
}

/**
 * The matrix mapping an OUTPUT pixel (row, col) to the INPUT position it samples — the convention
 * of scipy.ndimage.affine_transform used by Keras. Composition as Keras: rotation · shift · shear ·
 * zoom, about the image center, then the horizontal flip folded in so one pass does everything.
 * Unlike Keras (center h/2 + 0.5) the center is the middle of the pixel grid, (h−1)/2, so a 90°
 * rotation or a flip maps pixels exactly onto pixels.
 */
export function buildAffineMatrix(p: AffineParams, height: number, width: number): Mat3 {
  const theta = (p.rotation * Math.PI) / 180;
  const shear = (p.shear * Math.PI) / 180;
  const rotation: Mat3 = [Math.cos(theta), -Math.sin(theta), 0, Math.sin(theta), Math.cos(theta), 0, 0, 0, 1];
  const shift: Mat3 = [1, 0, p.shiftRows, 0, 1, p.shiftCols, 0, 0, 1];
  const shearM: Mat3 = [1, -Math.sin(shear), 0, 0, Math.cos(shear), 0, 0, 0, 1];
  const zoom: Mat3 = [p.zoomRows, 0, 0, 0, p.zoomCols, 0, 0, 0, 1];
  const centerRow = (height - 1) / 2;
  const centerCol = (width - 1) / 2;
  const toCenter: Mat3 = [1, 0, centerRow, 0, 1, centerCol, 0, 0, 1];
  const fromCenter: Mat3 = [1, 0, -centerRow, 0, 1, -centerCol, 0, 0, 1];
  let m = multiply(toCenter, multiply(multiply(multiply(rotation, shift), multiply(shearM, zoom)), fromCenter));
  if (p.flipHorizontal) m = multiply(m, [1, 0, 0, 0, -1, width - 1, 0, 0, 1]);
  return m;
}

export type Interpolation = 'bilinear' | 'nearest';

/**
 * Resamples an HWC uint8 image through `matrix` (output → input). Out-of-image samples take the
 * nearest edge pixel (Keras fill_mode 'nearest').
 */
export function applyAffine(
  src: Uint8Array,
  height: number,
  width: number,
  channels: number,
  matrix: Mat3,
  interpolation: Interpolation = 'bilinear',
): Uint8Array {
  if (src.length !== height * width * channels) {
    throw new Error(`pixel array has ${src.length} values, expected ${height}×${width}×${channels}`);
  }
  const out = new Uint8Array(src.length);
  const [m0, m1, m2, m3, m4, m5] = matrix;
  const maxR = height - 1;
  const maxC = width - 1;
  const clamp = (v: number, hi: number) => (v < 0 ? 0 : v > hi ? hi : v);
  for (let r = 0; r < height; r++) {
    for (let c = 0; c < width; c++) {
      const ri = m0 * r + m1 * c + m2;
      const ci = m3 * r + m4 * c + m5;
      const o = (r * width + c) * channels;
      if (interpolation === 'nearest') {
        const i = (clamp(Math.round(ri), maxR) * width + clamp(Math.round(ci), maxC)) * channels;
        for (let k = 0; k < channels; k++) out[o + k] = src[i + k];
        continue;
      }
      const r0 = Math.floor(ri);
      const c0 = Math.floor(ci);
      const fr = ri - r0;
      const fc = ci - c0;
      const ra = clamp(r0, maxR) * width;
      const rb = clamp(r0 + 1, maxR) * width;
      const ca = clamp(c0, maxC);
      const cb = clamp(c0 + 1, maxC);
      const i00 = (ra + ca) * channels;
      const i01 = (ra + cb) * channels;
      const i10 = (rb + ca) * channels;
      const i11 = (rb + cb) * channels;
      const w00 = (1 - fr) * (1 - fc);
      const w01 = (1 - fr) * fc;
      const w10 = fr * (1 - fc);
      const w11 = fr * fc;
      for (let k = 0; k < channels; k++) {
        const v = w00 * src[i00 + k] + w01 * src[i01 + k] + w10 * src[i10 + k] + w11 * src[i11 + k];
        out[o + k] = v + 0.5; // Uint8Array truncates: +0.5 rounds; v is within [0, 255]
      }
    }
  }
  return out;
}

function checkRange(name: keyof AugmentConfig, value: unknown, max = Infinity): void {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value >= max) {
    const bound = max === Infinity ? 'a number ≥ 0' : `a number in [0, ${max})`;
    throw new Error(`augment.${name} must be ${bound}, got ${JSON.stringify(value)}`);
  }
}

/** Throws an error naming the field when a config is out of range. */
export function validateAugmentConfig(config: AugmentConfig): void {
  checkRange('rotationRange', config.rotationRange, 360);
  checkRange('widthShiftRange', config.widthShiftRange);
  checkRange('heightShiftRange', config.heightShiftRange);
  checkRange('shearRange', config.shearRange, 90);
  checkRange('zoomRange', config.zoomRange, 1);
  if (typeof config.horizontalFlip !== 'boolean') {
    throw new Error(`augment.horizontalFlip must be true or false, got ${JSON.stringify(config.horizontalFlip)}`);
  }
  if (config.fillMode !== 'nearest') {
    throw new Error(`augment.fillMode must be 'nearest', got ${JSON.stringify(config.fillMode)}`);
  }
}

/** Keras: a shift range below 1 is a fraction of the side, 1 or more is pixels. */
function shiftPixels(range: number, side: number, rng: Rng): number {
  if (range === 0) return 0;
  const shift = uniform(rng, -range, range);
  return range < 1 ? shift * side : shift;
}

/** Draws one transform as Keras ImageDataGenerator.get_random_transform does. */
export function sampleAffineParams(config: AugmentConfig, height: number, width: number, rng: Rng): AffineParams {
  const rotation = config.rotationRange ? uniform(rng, -config.rotationRange, config.rotationRange) : 0;
  const shiftRows = shiftPixels(config.heightShiftRange, height, rng);
  const shiftCols = shiftPixels(config.widthShiftRange, width, rng);
  const shear = config.shearRange ? uniform(rng, -config.shearRange, config.shearRange) : 0;
  // Independent zx, zy in [1 - z, 1 + z], like Keras given a float zoom_range.
  const z = config.zoomRange;
  const zoomRows = z ? uniform(rng, 1 - z, 1 + z) : 1;
  const zoomCols = z ? uniform(rng, 1 - z, 1 + z) : 1;
  const flipHorizontal = config.horizontalFlip ? rng() < 0.5 : false;
  return { rotation, shiftRows, shiftCols, shear, zoomRows, zoomCols, flipHorizontal };
}

export function isIdentity(p: AffineParams): boolean {
  return (
    p.rotation === 0 && p.shiftRows === 0 && p.shiftCols === 0 && p.shear === 0 && p.zoomRows === 1 && p.zoomCols === 1 && !p.flipHorizontal
  );
}

/** The seed of image `index` in `epoch` of a run: every image gets its own reproducible transform. */
export function augmentSeed(runSeed: number, epoch: number, index: number): number {
  return mixSeed(runSeed, epoch, index);
}

/**
 * Augments one HWC RGB image with a transform drawn from `seed`. Returns the input array itself
 * when the drawn transform is the identity.
 */
export function augmentPixels(
  pixels: Uint8Array,
  height: number,
  width: number,
  config: AugmentConfig,
  seed: number,
): { pixels: Uint8Array; params: AffineParams } {
  const params = sampleAffineParams(config, height, width, mulberry32(seed));
  if (isIdentity(params)) return { pixels, params };
  return { pixels: applyAffine(pixels, height, width, 3, buildAffineMatrix(params, height, width)), params };
}

export interface PreviewFile {
  path: string;
  params: AffineParams;
}

/**
 * Writes `n` augmented versions of one image as PNG files `<name>-aug-<i>.png` in `outDir`, drawn
 * with the same seeding as training (epoch 0, index i). The image is shown at its own aspect,
 * scaled down to `maxSide` pixels on its longest side.
 *
 * A preview already there is never overwritten: running again (another seed, other transforms)
 * is how users compare, so the new set is numbered instead — `<name>-aug-<i>-2.png`, then -3, …,
 * the same number for the whole set so it stays together. Files are created exclusively ('wx'),
 * so two runs at once cannot overwrite each other either.
 */
export async function renderAugmentedPreviews(
  imagePath: string,
  config: AugmentConfig,
  n: number,
  outDir: string,
  seed: number,
  options: { maxSide?: number } = {},
): Promise<PreviewFile[]> {
  validateAugmentConfig(config);
  if (!Number.isInteger(n) || n < 1) throw new Error(`number of previews must be a positive integer, got ${n}`);
  const image = await decodeImage(imagePath, {
    maxSide: options.maxSide ?? 512,
    maxInputPixels: DEFAULT_MAX_INPUT_PIXELS,
  });
  await mkdir(outDir, { recursive: true });
  const stem = basename(imagePath, extname(imagePath));
  const digits = String(n - 1).length;
  const nameOf = (i: number, set: number) =>
    join(outDir, `${stem}-aug-${String(i).padStart(digits, '0')}${set === 1 ? '' : `-${set}`}.png`);
  let set = 1;
  while (Array.from({ length: n }, (_, i) => nameOf(i, set)).some((p) => existsSync(p))) set++;
  const written: PreviewFile[] = [];
  for (let i = 0; i < n; i++) {
    const { pixels, params } = augmentPixels(image.data, image.height, image.width, config, augmentSeed(seed, 0, i));
    const path = nameOf(i, set);
    const png = await sharp(pixels, { raw: { width: image.width, height: image.height, channels: 3 } })
      .png()
      .toBuffer();
    try {
      await writeFile(path, png, { flag: 'wx' });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EEXIST')
        throw new Error(`cannot write ${path}: it appeared while writing (another augment into ${outDir}?); nothing was overwritten`);
      throw e;
    }
    written.push({ path, params });
  }
  return written;
}
