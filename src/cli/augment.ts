// `cnn-lab augment`: renders N augmented versions of one image to PNG files, to see what a given
// ImageDataGenerator-style configuration does before training with it.
import { resolve } from 'node:path';
import type { AugmentConfig } from '../core/experiment.ts';
import { NO_AUGMENTATION } from '../core/experimentDefaults.ts';
import { renderAugmentedPreviews, validateAugmentConfig, type AffineParams } from '../engine/data/augment.ts';
import { CliError, parseArgs, type CliIO } from './io.ts';

const USAGE = `Usage: cnn-lab augment --image FILE --out DIR [--n 8] [--seed S]
                      [--rotation DEG] [--width-shift F] [--height-shift F] [--shear DEG]
                      [--zoom Z] [--flip] [--max-side PX] [--json]

Keras ImageDataGenerator meanings: --rotation 30 turns by up to ±30°; --width-shift/--height-shift
0.2 shift by up to ±20 % of the side (1 or more: pixels); --shear 10 shears by up to ±10°;
--zoom 0.2 scales each axis independently by [0.8, 1.2]; --flip mirrors half of the images.
Edges are filled with the nearest pixel. Without any transform option a typical set is used:
--rotation 30 --width-shift 0.2 --height-shift 0.2 --shear 10 --zoom 0.2 --flip.`;

const DEFAULT_CONFIG: AugmentConfig = {
  rotationRange: 30,
  widthShiftRange: 0.2,
  heightShiftRange: 0.2,
  shearRange: 10,
  zoomRange: 0.2,
  horizontalFlip: true,
  fillMode: 'nearest',
};

type RangeField = Exclude<keyof AugmentConfig, 'horizontalFlip' | 'fillMode'>;

const FLAG_OF_FIELD: Record<RangeField, string> = {
  rotationRange: '--rotation',
  widthShiftRange: '--width-shift',
  heightShiftRange: '--height-shift',
  shearRange: '--shear',
  zoomRange: '--zoom',
};

function numberOption(options: Map<string, string[]>, name: string): number | undefined {
  const values = options.get(name);
  if (!values) return undefined;
  const text = values[values.length - 1];
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value)) throw new CliError(`--${name} needs a number, got '${text}'`, 2);
  return value;
}

function integerOption(options: Map<string, string[]>, name: string, fallback: number, min: number): number {
  const value = numberOption(options, name) ?? fallback;
  if (!Number.isInteger(value) || value < min) throw new CliError(`--${name} must be an integer ≥ ${min}, got ${value}`, 2);
  return value;
}

/** The augmentation asked for on the command line, or DEFAULT_CONFIG when none is. */
export function augmentConfigFromArgs(options: Map<string, string[]>, flags: Set<string>): AugmentConfig {
  const fields = Object.entries(FLAG_OF_FIELD).map(([field, flag]) => [field as RangeField, flag.slice(2)] as const);
  const given = fields.some(([, name]) => options.has(name)) || flags.has('flip');
  if (!given) return DEFAULT_CONFIG;
  // What is not asked for stays off.
  const config: AugmentConfig = { ...NO_AUGMENTATION, horizontalFlip: flags.has('flip') };
  for (const [field, name] of fields) config[field] = numberOption(options, name) ?? config[field];
  try {
    validateAugmentConfig(config);
  } catch (e) {
    const message = (e as Error).message.replace(/augment\.(\w+)/, (_, field: string) => FLAG_OF_FIELD[field as RangeField] ?? field);
    throw new CliError(message, 2);
  }
  return config;
}

function describeParams(p: AffineParams): string {
  const f = (v: number) => v.toFixed(1);
  return [
    `rotation ${f(p.rotation)}°`,
    `shift ${f(p.shiftRows)},${f(p.shiftCols)} px (rows,cols)`,
    `shear ${f(p.shear)}°`,
    `zoom ${p.zoomRows.toFixed(2)}×${p.zoomCols.toFixed(2)}`,
    p.flipHorizontal ? 'flipped' : '',
  ]
    .filter(Boolean)
    .join(', ');
}

export async function run(argv: string[], io: CliIO): Promise<number> {
  const { positional, flags, options } = parseArgs(argv, {
    flags: ['flip', 'json', 'help'],
    options: ['image', 'n', 'out', 'seed', 'rotation', 'width-shift', 'height-shift', 'shear', 'zoom', 'max-side'],
  });
  if (flags.has('help')) {
    io.out(USAGE);
    return 0;
  }
  if (positional.length > 0) throw new CliError(`unexpected argument '${positional[0]}' (see cnn-lab augment --help)`, 2);
  const image = options.get('image')?.at(-1);
  const out = options.get('out')?.at(-1);
  if (!image) throw new CliError('--image FILE is required (the image to augment)', 2);
  if (!out) throw new CliError('--out DIR is required (where the PNG previews go)', 2);
  const n = integerOption(options, 'n', 8, 1);
  const seed = integerOption(options, 'seed', 1, 0);
  const maxSide = integerOption(options, 'max-side', 512, 8);
  const config = augmentConfigFromArgs(options, flags);

  const written = await renderAugmentedPreviews(resolve(image), config, n, resolve(out), seed, { maxSide });
  for (const file of written) {
    io.out(flags.has('json') ? JSON.stringify({ path: file.path, params: file.params }) : `${file.path}  ${describeParams(file.params)}`);
  }
  if (!flags.has('json')) io.err(`wrote ${written.length} preview(s) to ${resolve(out)} (seed ${seed})`);
  return 0;
}
