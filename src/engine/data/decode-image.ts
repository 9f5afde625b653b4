// Decoding one image file with sharp into 8-bit sRGB RGB pixels (HWC), resized like Keras
// `target_size`, and turning pixels into the float range a base model expects. Every way a file
// can be unusable ends as an ImageDecodeError whose reason says why, never a crash.
import { constants } from 'node:fs';
import { open } from 'node:fs/promises';
import sharp from 'sharp';

/**
 * Pixel scaling a model expects: '0..1' (x/255, what the nsfwjs MobileNetV2/InceptionV3 were
 * trained with), '-1..1' (x/127.5 − 1, Keras' inception-style preprocess_input), '0..255' (raw),
 * '(x-127)/128' (EfficientNet-Lite's MEAN_RGB 127 and STDDEV_RGB 128, what its checkpoints saw),
 * 'caffe' (Keras preprocess_input mode 'caffe', for ResNet50/VGG16: channels RGB→BGR, minus the
 * ImageNet mean per channel, not scaled).
 */
export type Preprocessing = '0..1' | '-1..1' | '0..255' | '(x-127)/128' | 'caffe';
export const PREPROCESSINGS: readonly Preprocessing[] = ['0..1', '-1..1', '0..255', '(x-127)/128', 'caffe'];

/** ImageNet mean pixel in B, G, R order (keras imagenet_utils._preprocess_numpy_input, mode 'caffe'). */
export const CAFFE_MEAN_BGR = [103.939, 116.779, 123.68] as const;

/** 'stretch' is Keras target_size (aspect not kept); 'center-crop' crops to the aspect first. */
export type ResizeMode = 'stretch' | 'center-crop';

/** Pixels (width × height, from the header) above which a file is refused before decoding. */
export const DEFAULT_MAX_INPUT_PIXELS = 100_000_000;

/**
 * Transparent pixels are composited onto white, i.e. the image as it looks on a white page.
 * (PIL's convert('RGB') in Keras drops alpha and keeps whatever colour hides under it, which is
 * arbitrary and often black; a fixed background keeps training and prediction consistent.)
 */
export const ALPHA_BACKGROUND = { r: 255, g: 255, b: 255 } as const;

export interface DecodeOptions {
  /** [height, width] like Keras target_size; omit to keep the image's own size */
  size?: readonly [number, number];
  resize?: ResizeMode;
  /** without `size`: scale down (never up) so the longest side is at most this */
  maxSide?: number;
  maxInputPixels?: number;
  /** name used in errors when decoding a buffer (e.g. the URL it came from) */
  name?: string;
}

/** 8-bit sRGB, 3 channels, row-major HWC. */
export interface RgbImage {
  data: Uint8Array;
  height: number;
  width: number;
}

export class ImageDecodeError extends Error {
  constructor(
    readonly path: string,
    readonly reason: string,
  ) {
    super(`${path}: ${reason}`);
    this.name = 'ImageDecodeError';
  }
}

function firstLine(message: string): string {
  return message.split('\n')[0].trim();
}

/** Turns sharp/libvips messages into reasons a user can act on. */
async function explainDecodeFailure(input: string | Buffer, message: string, maxPixels: number): Promise<string> {
  if (/unsupported image format/i.test(message)) {
    return 'not an image sharp can read (contents are not JPEG, PNG, WebP, GIF or TIFF data)';
  }
  if (/pixel limit/i.test(message)) {
    const meta = await sharp(input, { limitInputPixels: false })
      .metadata()
      .catch(() => undefined);
    const dims = meta?.width && meta?.height ? `${meta.width}×${meta.height} = ${((meta.width * meta.height) / 1e6).toFixed(0)} MP, ` : '';
    return `image too large (${dims}over the ${maxPixels / 1e6} MP limit; a decompression-bomb guard)`;
  }
  if (/premature end|truncat|corrupt|end of (file|stream|data)|read error|not enough|incorrect|crc/i.test(message)) {
    return `truncated or corrupt image data (${firstLine(message)})`;
  }
  return `cannot decode: ${firstLine(message)}`;
}

function checkSize(size: readonly [number, number]): void {
  const [h, w] = size;
  if (!Number.isInteger(h) || !Number.isInteger(w) || h < 1 || w < 1) {
    throw new Error(`target size must be two positive integers [height, width], got ${JSON.stringify(size)}`);
  }
}

/** Bytes read from the start of a file to tell what it really is. */
const SNIFF_BYTES = 512;

/**
 * Opens the file once to learn, before sharp sees it, that it exists, may be read (EACCES is a
 * reason, not a crash), is a regular non-empty file; returns its first bytes for sniffing.
 */
async function checkReadableFile(path: string, name: string): Promise<Buffer> {
  let handle;
  try {
    // O_NONBLOCK: a FIFO named .jpg must not hang a decoder thread waiting for a writer
    handle = await open(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new ImageDecodeError(name, 'file not found');
    if (code === 'EACCES' || code === 'EPERM')
      throw new ImageDecodeError(name, `permission denied: the file cannot be read (${code}); check its permissions`);
    throw new ImageDecodeError(name, `cannot read file (${code ?? String(e)})`);
  }
  try {
    const info = await handle.stat();
    if (!info.isFile()) throw new ImageDecodeError(name, 'not a regular file');
    if (info.size === 0) throw new ImageDecodeError(name, 'empty file (0 bytes)');
    const head = Buffer.alloc(Math.min(SNIFF_BYTES, info.size));
    const { bytesRead } = await handle.read(head, 0, head.length, 0);
    return head.subarray(0, bytesRead);
  } catch (e) {
    if (e instanceof ImageDecodeError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    // EISDIR and friends arrive on read, not open
    throw new ImageDecodeError(name, code === 'EISDIR' ? 'not a regular file' : `cannot read file (${code ?? String(e)})`);
  } finally {
    await handle.close();
  }
}

/**
 * sharp would rasterize SVG with librsvg at whatever size the file declares, and an SVG can pull
 * in other files: a vector drawing is refused, whatever its extension, with what to do instead.
 */
function rejectSvg(name: string, head: Uint8Array): void {
  const text = Buffer.from(head)
    .toString('latin1')
    .replace(/^\uFEFF|^\xEF\xBB\xBF/, '')
    .trimStart();
  if (text.startsWith('<') && /<svg[\s>]/i.test(text)) {
    throw new ImageDecodeError(name, 'an SVG (vector) image: CNN Lab reads raster images only; convert it to PNG first');
  }
}

/**
 * Decodes `input` (a file path, or encoded bytes with `options.name`) to RGB: EXIF orientation
 * applied, first frame of an animation, alpha flattened onto ALPHA_BACKGROUND, grayscale/palette/
 * CMYK/16-bit converted to 8-bit sRGB, resized to `options.size`. Throws ImageDecodeError.
 */
export async function decodeImage(input: string | Buffer, options: DecodeOptions = {}): Promise<RgbImage> {
  const name = typeof input === 'string' ? input : (options.name ?? '<image bytes>');
  const maxPixels = options.maxInputPixels ?? DEFAULT_MAX_INPUT_PIXELS;
  if (options.size) checkSize(options.size);
  if (typeof input === 'string') {
    rejectSvg(name, await checkReadableFile(input, name));
  } else if (input.length === 0) {
    throw new ImageDecodeError(name, 'empty data (0 bytes)');
  } else {
    rejectSvg(name, input.subarray(0, SNIFF_BYTES));
  }
  try {
    // failOn 'truncated': a cut-off file is an error, while a merely odd one (a warning such as
    // extraneous bytes between JPEG markers, common in scraped photos) still decodes.
    let pipeline = sharp(input, { failOn: 'truncated', limitInputPixels: maxPixels, autoOrient: true, pages: 1 })
      .flatten({ background: ALPHA_BACKGROUND })
      .toColourspace('srgb');
    if (options.size) {
      const [height, width] = options.size;
      pipeline = pipeline.resize(width, height, {
        fit: options.resize === 'center-crop' ? 'cover' : 'fill',
        position: 'centre',
        kernel: 'linear',
      });
    } else if (options.maxSide) {
      pipeline = pipeline.resize(options.maxSide, options.maxSide, { fit: 'inside', withoutEnlargement: true });
    }
    const { data, info } = await pipeline.removeAlpha().raw({ depth: 'uchar' }).toBuffer({ resolveWithObject: true });
    if (info.channels !== 3 || data.length !== info.width * info.height * 3) {
      throw new Error(`unexpected decoder output: ${info.width}×${info.height}×${info.channels}`);
    }
    return { data: new Uint8Array(data.buffer, data.byteOffset, data.length), height: info.height, width: info.width };
  } catch (e) {
    if (e instanceof ImageDecodeError) throw e;
    const message = e instanceof Error ? e.message : String(e);
    throw new ImageDecodeError(name, await explainDecodeFailure(input, message, maxPixels));
  }
}

/** Writes `pixels` (uint8) scaled for `preprocessing` into `out` at `offset`. */
export function pixelsToFloat32(
  pixels: Uint8Array,
  preprocessing: Preprocessing,
  out: Float32Array = new Float32Array(pixels.length),
  offset = 0,
): Float32Array {
  if (offset + pixels.length > out.length) {
    throw new Error(`float buffer too small: ${out.length} < ${offset + pixels.length}`);
  }
  switch (preprocessing) {
    case '0..1':
      for (let i = 0; i < pixels.length; i++) out[offset + i] = pixels[i] / 255;
      break;
    case '-1..1':
      for (let i = 0; i < pixels.length; i++) out[offset + i] = pixels[i] / 127.5 - 1;
      break;
    case '0..255':
      for (let i = 0; i < pixels.length; i++) out[offset + i] = pixels[i];
      break;
    case '(x-127)/128':
      for (let i = 0; i < pixels.length; i++) out[offset + i] = (pixels[i] - 127) / 128;
      break;
    case 'caffe': {
      // interleaved RGB in, interleaved BGR out: output channel c is input channel 2 − c
      if (pixels.length % 3 !== 0) throw new Error(`'caffe' preprocessing needs RGB pixels (a multiple of 3 values), got ${pixels.length}`);
      const [mb, mg, mr] = CAFFE_MEAN_BGR;
      for (let i = 0; i < pixels.length; i += 3) {
        out[offset + i] = pixels[i + 2] - mb;
        out[offset + i + 1] = pixels[i + 1] - mg;
        out[offset + i + 2] = pixels[i] - mr;
      }
      break;
    }
    default: {
      const never: never = preprocessing;
      throw new Error(`unknown preprocessing ${JSON.stringify(never)}: expected one of ${PREPROCESSINGS.join(', ')}`);
    }
  }
  return out;
}
