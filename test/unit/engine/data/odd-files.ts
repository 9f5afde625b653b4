// Generates awkward image files for the data-pipeline tests into a folder, with sharp, so the repo
// ships only a few small fixtures. Each writer returns the path it wrote.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { deflateSync } from 'node:zlib';
import sharp from 'sharp';

export const FIXTURES = resolve(__dirname, '../../../fixtures/images');

export function makeTempDir(prefix: string): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), `cnn-lab-${prefix}-`));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** A solid-colour PNG of the given size. */
export async function writeSolidPng(path: string, width: number, height: number, rgb: [number, number, number]): Promise<string> {
  await sharp({ create: { width, height, channels: 3, background: { r: rgb[0], g: rgb[1], b: rgb[2] } } })
    .png()
    .toFile(path);
  return path;
}

/** Raw HWC RGB pixels → PNG. */
export async function writeRawPng(path: string, pixels: Uint8Array, width: number, height: number, channels: 3 | 4 = 3): Promise<string> {
  await sharp(Buffer.from(pixels), { raw: { width, height, channels } }).png().toFile(path);
  return path;
}

/**
 * A 20×10 (w×h) JPEG, left half red and right half blue, tagged EXIF orientation 6 ("rotate 90°
 * clockwise to display"): shown upright it is 10×20 with red on top and blue below.
 */
export async function writeExifRotatedJpeg(path: string): Promise<string> {
  const width = 20;
  const height = 10;
  const pixels = new Uint8Array(width * height * 3);
  for (let r = 0; r < height; r++) {
    for (let c = 0; c < width; c++) pixels.set(c < width / 2 ? [255, 0, 0] : [0, 0, 255], (r * width + c) * 3);
  }
  await sharp(Buffer.from(pixels), { raw: { width, height, channels: 3 } })
    .jpeg({ quality: 95 })
    .withMetadata({ orientation: 6 })
    .toFile(path);
  return path;
}

/** A 12×12 pure red image stored as a CMYK JPEG. */
export async function writeCmykJpeg(path: string): Promise<string> {
  await sharp({ create: { width: 12, height: 12, channels: 3, background: '#ff0000' } })
    .toColourspace('cmyk')
    .jpeg({ quality: 95 })
    .toFile(path);
  return path;
}

/**
 * A 6×4 16-bit RGB PNG, every pixel (65535, 32768, 1000): in 8 bits about (255, 128, 4). sharp
 * takes the sample depth of raw input from the typed array's type.
 */
export async function write16BitPng(path: string): Promise<string> {
  const samples = new Uint16Array(6 * 4 * 3);
  for (let i = 0; i < samples.length; i += 3) samples.set([65535, 32768, 1000], i);
  await sharp(samples, { raw: { width: 6, height: 4, channels: 3 } })
    .toColourspace('rgb16')
    .png()
    .toFile(path);
  return path;
}

/** A two-frame 4×4 animated GIF: frame 1 white, frame 2 black. */
export async function writeAnimatedGif(path: string): Promise<string> {
  const frame = 4 * 4 * 4;
  const pixels = Buffer.alloc(frame * 2);
  pixels.fill(255, 0, frame); // white, opaque
  for (let i = frame; i < 2 * frame; i += 4) pixels[i + 3] = 255; // black, opaque
  await sharp(pixels, { raw: { width: 4, height: 8, channels: 4, pageHeight: 4 } })
    .gif()
    .toFile(path);
  return path;
}

function crc32(bytes: Uint8Array): number {
  let crc = ~0;
  for (const byte of bytes) {
    crc ^= byte;
    for (let k = 0; k < 8; k++) crc = (crc >>> 1) ^ (0xedb88320 & -(crc & 1));
  }
  return ~crc >>> 0;
}

function pngChunk(type: string, data: Uint8Array): Buffer {
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const out = Buffer.alloc(body.length + 8);
  out.writeUInt32BE(data.length, 0);
  body.copy(out, 4);
  out.writeUInt32BE(crc32(body), body.length + 4);
  return out;
}

/**
 * A decompression bomb: a PNG whose header declares 50000×50000 RGB pixels (7.5 GB decoded)
 * in a few hundred bytes. Only the first rows are present: a decoder that honours the
 * declared size must refuse it before allocating.
 */
export function writePngBomb(path: string, side = 50_000): string {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(side, 0);
  ihdr.writeUInt32BE(side, 4);
  ihdr.set([8, 2, 0, 0, 0], 8); // 8-bit, truecolour, deflate, no filter, no interlace
  const rows = deflateSync(Buffer.alloc(4 * (1 + side * 3)));
  const png = Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk('IHDR', ihdr),
    pngChunk('IDAT', rows),
    pngChunk('IEND', new Uint8Array()),
  ]);
  writeFileSync(path, png);
  return path;
}
