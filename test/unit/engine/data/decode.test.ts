import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import sharp from 'sharp';
import { decodeImage, ImageDecodeError, pixelsToFloat32, type RgbImage } from '../../../../src/engine/data/decode-image.ts';
import {
  FIXTURES,
  makeTempDir,
  write16BitPng,
  writeAnimatedGif,
  writeCmykJpeg,
  writeExifRotatedJpeg,
  writePngBomb,
  writeRawPng,
  writeSolidPng,
} from './odd-files.ts';

function pixel(img: RgbImage, row: number, col: number): number[] {
  const i = (row * img.width + col) * 3;
  return [...img.data.subarray(i, i + 3)];
}

function assertNear(actual: number[], expected: number[], tolerance: number, what: string): void {
  const ok = actual.every((v, k) => Math.abs(v - expected[k]) <= tolerance);
  assert.ok(ok, `${what}: got [${actual}], expected [${expected}] ± ${tolerance}`);
}

async function decodeFailure(path: string): Promise<string> {
  try {
    await decodeImage(path, { size: [16, 16] });
  } catch (e) {
    assert.ok(e instanceof ImageDecodeError, `expected ImageDecodeError, got ${e}`);
    assert.equal(e.path, path);
    return e.reason;
  }
  assert.fail(`${path} decoded, expected a failure`);
}

describe('decodeImage: odd but legal files become 8-bit RGB of the requested size', () => {
  let tmp: ReturnType<typeof makeTempDir>;
  before(() => {
    tmp = makeTempDir('decode');
  });
  after(() => tmp.cleanup());

  test('a photo stretched to [h, w] like Keras target_size', async () => {
    const img = await decodeImage(join(FIXTURES, 'photos/chelsea-100.png'), { size: [24, 40] });
    assert.equal(img.height, 24);
    assert.equal(img.width, 40);
    assert.equal(img.data.length, 24 * 40 * 3);
  });

  test('center-crop keeps the middle: a left-red/middle-green/right-blue strip crops to green', async () => {
    const path = join(tmp.dir, 'bands.png');
    const width = 60;
    const height = 20;
    const px = new Uint8Array(width * height * 3);
    for (let r = 0; r < height; r++) {
      for (let c = 0; c < width; c++) px.set(c < 15 ? [255, 0, 0] : c < 45 ? [0, 255, 0] : [0, 0, 255], (r * width + c) * 3);
    }
    await writeRawPng(path, px, width, height);
    const cropped = await decodeImage(path, { size: [5, 5], resize: 'center-crop' });
    for (const col of [0, 4]) assertNear(pixel(cropped, 2, col), [0, 255, 0], 10, `crop col ${col}`);
    const stretched = await decodeImage(path, { size: [5, 6] });
    assertNear(pixel(stretched, 2, 0), [255, 0, 0], 10, 'stretch keeps the left band');
    assertNear(pixel(stretched, 2, 5), [0, 0, 255], 10, 'stretch keeps the right band');
  });

  test('grayscale → 3 equal channels', async () => {
    const img = await decodeImage(join(FIXTURES, 'odd/chessboard_GRAY.png'), { size: [20, 20] });
    assert.equal(img.data.length, 20 * 20 * 3);
    for (let i = 0; i < img.data.length; i += 3) {
      assert.ok(img.data[i] === img.data[i + 1] && img.data[i] === img.data[i + 2], `pixel ${i / 3} not gray`);
    }
    const values = new Set(img.data);
    assert.ok(values.has(0) || values.has(255), 'a chessboard has dark and light squares');
  });

  test('palette PNG → RGB; transparent palette entries are flattened onto white', async () => {
    const color = await decodeImage(join(FIXTURES, 'odd/palette_color.png'));
    assert.equal(color.width, 10);
    assert.equal(color.data.length, 10 * 10 * 3);
    // foo3x5x4indexed.png: row 0 is opaque (127, 0, 255); row 1 starts with (192, 192, 255) at
    // alpha 0, which dropping alpha would keep and flattening onto black would make black.
    const indexed = await decodeImage(join(FIXTURES, 'odd/foo3x5x4indexed.png'));
    assert.equal(indexed.width, 5);
    assert.equal(indexed.height, 3);
    assert.deepEqual(pixel(indexed, 0, 0), [127, 0, 255]);
    assert.deepEqual(pixel(indexed, 1, 0), [255, 255, 255]);
  });

  test('RGBA: alpha composited onto white; the horse photo decodes to RGB', async () => {
    const path = join(tmp.dir, 'half.png');
    await writeRawPng(path, new Uint8Array([0, 0, 0, 128, 200, 10, 10, 255]), 2, 1, 4);
    const img = await decodeImage(path);
    assertNear(pixel(img, 0, 0), [127, 127, 127], 2, 'black at 50 % over white');
    assert.deepEqual(pixel(img, 0, 1), [200, 10, 10]);
    const horse = await decodeImage(join(FIXTURES, 'photos/horse.png'), { size: [32, 32] });
    assert.equal(horse.data.length, 32 * 32 * 3);
  });

  test('EXIF orientation 6 is applied: 20×10 stored becomes 10×20 with red on top', async () => {
    const path = await writeExifRotatedJpeg(join(tmp.dir, 'exif6.jpg'));
    const meta = await sharp(path).metadata();
    assert.equal(meta.orientation, 6);
    assert.equal(meta.width, 20);
    const img = await decodeImage(path);
    assert.equal(img.width, 10);
    assert.equal(img.height, 20);
    assertNear(pixel(img, 3, 5), [255, 0, 0], 40, 'top is red');
    assertNear(pixel(img, 16, 5), [0, 0, 255], 40, 'bottom is blue');
  });

  test('CMYK JPEG → sRGB', async () => {
    const path = await writeCmykJpeg(join(tmp.dir, 'cmyk.jpg'));
    assert.equal((await sharp(path).metadata()).space, 'cmyk');
    const img = await decodeImage(path, { size: [4, 4] });
    assertNear(pixel(img, 2, 2), [255, 0, 0], 40, 'red survives the CMYK round trip');
  });

  test('16-bit PNG → 8-bit', async () => {
    const path = await write16BitPng(join(tmp.dir, 'sixteen.png'));
    assert.equal((await sharp(path).metadata()).depth, 'ushort');
    const img = await decodeImage(path);
    assert.deepEqual([img.width, img.height], [6, 4]);
    assertNear(pixel(img, 1, 1), [255, 128, 4], 1, '16-bit samples scaled to 8 bits');
  });

  test('animated GIF → its first frame only', async () => {
    const path = await writeAnimatedGif(join(tmp.dir, 'anim.gif'));
    assert.equal((await sharp(path).metadata()).pages, 2);
    const img = await decodeImage(path);
    assert.deepEqual([img.width, img.height], [4, 4]);
    assert.ok(
      img.data.every((v) => v === 255),
      'first frame is white',
    );
  });

  test('a 1×1 image upsamples to the target size', async () => {
    const path = await writeSolidPng(join(tmp.dir, 'one.png'), 1, 1, [10, 200, 30]);
    const img = await decodeImage(path, { size: [7, 9] });
    assert.deepEqual([img.height, img.width], [7, 9]);
    assert.deepEqual(pixel(img, 6, 8), [10, 200, 30]);
  });

  test('encoded bytes decode like the file, errors carry the given name', async () => {
    const bytes = readFileSync(join(FIXTURES, 'odd/palette_color.png'));
    const fromBytes = await decodeImage(bytes, { size: [5, 5], name: 'https://example.org/p.png' });
    const fromFile = await decodeImage(join(FIXTURES, 'odd/palette_color.png'), { size: [5, 5] });
    assert.deepEqual(fromBytes.data, fromFile.data);
    await assert.rejects(decodeImage(Buffer.from('<html>'), { name: 'https://example.org/x' }), (e: Error) =>
      e.message.startsWith('https://example.org/x: not an image'),
    );
  });

  test('rejects a bad target size', async () => {
    await assert.rejects(decodeImage(join(FIXTURES, 'odd/palette_color.png'), { size: [0, 5] }), /target size/);
  });
});

describe('decodeImage: broken files fail with a reason, never a crash', () => {
  let tmp: ReturnType<typeof makeTempDir>;
  before(() => {
    tmp = makeTempDir('broken');
  });
  after(() => tmp.cleanup());

  test('truncated JPEG (header cut off)', async () => {
    assert.match(await decodeFailure(join(FIXTURES, 'odd/truncated.jpg')), /truncated or corrupt/);
  });

  test('JPEG cut off in the middle of its scan data is reported, not silently half-decoded', async () => {
    const full = await sharp(join(FIXTURES, 'photos/chelsea-100.png')).jpeg({ quality: 90 }).toBuffer();
    const path = join(tmp.dir, 'cut.jpg');
    writeFileSync(path, full.subarray(0, Math.floor(full.length * 0.6)));
    assert.match(await decodeFailure(path), /truncated or corrupt/);
  });

  test('truncated PNG', async () => {
    const full = readFileSync(join(FIXTURES, 'photos/chelsea-100.png'));
    const path = join(tmp.dir, 'cut.png');
    writeFileSync(path, full.subarray(0, Math.floor(full.length * 0.6)));
    assert.match(await decodeFailure(path), /truncated or corrupt/);
  });

  test('zero-byte file', async () => {
    const path = join(tmp.dir, 'zero.jpg');
    writeFileSync(path, '');
    assert.equal(await decodeFailure(path), 'empty file (0 bytes)');
  });

  test('text named .jpg', async () => {
    const path = join(tmp.dir, 'text.jpg');
    writeFileSync(path, 'this is not a JPEG\n');
    assert.match(await decodeFailure(path), /not an image/);
  });

  test('missing file', async () => {
    assert.equal(await decodeFailure(join(tmp.dir, 'nope.png')), 'file not found');
  });

  test('decompression bomb refused from its header, with its size', async () => {
    const path = writePngBomb(join(tmp.dir, 'bomb.png'));
    const reason = await decodeFailure(path);
    assert.match(reason, /too large \(50000×50000 = 2500 MP, over the 100 MP limit/);
  });
});

describe('pixelsToFloat32', () => {
  const px = new Uint8Array([0, 51, 255]);
  test('0..1, -1..1 and 0..255', () => {
    assert.deepEqual([...pixelsToFloat32(px, '0..1')], [0, 0.20000000298023224, 1]);
    assert.deepEqual([...pixelsToFloat32(px, '-1..1')], [-1, -0.6000000238418579, 1]);
    assert.deepEqual([...pixelsToFloat32(px, '0..255')], [0, 51, 255]);
  });
  test('writes at an offset into a shared buffer and refuses to overflow it', () => {
    const out = new Float32Array(5);
    pixelsToFloat32(px, '0..255', out, 2);
    assert.deepEqual([...out], [0, 0, 0, 51, 255]);
    assert.throws(() => pixelsToFloat32(px, '0..255', out, 3), /too small/);
  });
});
