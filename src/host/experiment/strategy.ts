// The transfer-learning table of the Keras transfer-learning recipe: dataset size × similarity to ImageNet → what to retrain.
//                     similar to ImageNet           different from ImageNet
//   small dataset     retrain the classifier only   retrain the later layers
//   large dataset     fine-tune everything          use the weights as initialisation
// and what each choice means for the two training phases and the freeze ranges of the base.
import type { ExperimentConfig } from '../../core/experiment.ts';
import { defaultFreeze } from '../../core/experimentDefaults.ts';

export type DatasetSize = 'small' | 'large';
export type Similarity = 'similar' | 'different';
export type StrategyId = 'classifier-only' | 'later-layers' | 'fine-tune-all' | 'weights-as-init';

/** A class with at least this many images makes the dataset "large" (rule of thumb: ~1000 per class). */
export const LARGE_IMAGES_PER_CLASS = 1000;

export interface StrategyInfo {
  id: StrategyId;
  label: string;
  detail: string;
}

export const STRATEGIES: Record<StrategyId, StrategyInfo> = {
  'classifier-only': {
    id: 'classifier-only',
    label: 'Retrain the classifier only',
    detail: 'The whole base stays frozen; only the new head trains (phase 1). Small data, similar to ImageNet.',
  },
  'later-layers': {
    id: 'later-layers',
    label: 'Retrain the later layers',
    detail:
      'Head first, then the top blocks of the base fine-tune at a low learning rate (the Keras transfer-learning recipe). Small data, different from ImageNet.',
  },
  'fine-tune-all': {
    id: 'fine-tune-all',
    label: 'Fine-tune everything',
    detail: 'Head first, then every layer fine-tunes at a low learning rate. Large data, similar to ImageNet.',
  },
  'weights-as-init': {
    id: 'weights-as-init',
    label: 'Use the weights as an initialisation',
    detail: 'A short head phase, then every layer trains at a higher learning rate for longer. Large data, different from ImageNet.',
  },
};

const TABLE: Record<DatasetSize, Record<Similarity, StrategyId>> = {
  small: { similar: 'classifier-only', different: 'later-layers' },
  large: { similar: 'fine-tune-all', different: 'weights-as-init' },
};

export function suggestStrategy(size: DatasetSize, similarity: Similarity): StrategyId {
  return TABLE[size][similarity];
}

/** "large" when the average class has LARGE_IMAGES_PER_CLASS images or more. */
export function datasetSizeOf(imagesPerClass: number[]): DatasetSize {
  if (imagesPerClass.length === 0) return 'small';
  const mean = imagesPerClass.reduce((a, b) => a + b, 0) / imagesPerClass.length;
  return mean >= LARGE_IMAGES_PER_CLASS ? 'large' : 'small';
}

/**
 * The base layers that stay frozen while the later layers fine-tune: core's recipe for the bundled
 * bases (InceptionV3: everything up to mixed8, the Keras recipe's "first 249 layers"; MobileNetV2: before
 * block_13).
 */
export function laterLayersFreeze(base: string, baseLayerCount?: number): string[] {
  const builtin = defaultFreeze(base);
  if (builtin.length) return builtin;
  // a custom base: keep the bottom three quarters frozen when its size is known
  if (baseLayerCount && baseLayerCount >= 4) return [`0-${Math.floor(baseLayerCount * 0.75) - 1}`];
  return [];
}

/** The phases and freeze ranges a strategy implies, for `epochs` epochs per phase. */
export function strategyPhases(
  id: StrategyId,
  base: string,
  epochs: number,
  baseLayerCount?: number,
): Pick<ExperimentConfig, 'transfer' | 'fineTune' | 'freeze'> {
  const transfer = { epochs, learningRate: 0.001 };
  switch (id) {
    case 'classifier-only':
      return { transfer, fineTune: { epochs: 0, learningRate: 0.0001, momentum: 0.9 }, freeze: ['0-'] };
    case 'later-layers':
      return { transfer, fineTune: { epochs, learningRate: 0.0001, momentum: 0.9 }, freeze: laterLayersFreeze(base, baseLayerCount) };
    case 'fine-tune-all':
      return { transfer, fineTune: { epochs, learningRate: 0.0001, momentum: 0.9 }, freeze: [] };
    case 'weights-as-init':
      return {
        transfer: { epochs: Math.max(1, Math.ceil(epochs / 3)), learningRate: 0.001 },
        fineTune: { epochs: epochs * 2, learningRate: 0.001, momentum: 0.9 },
        freeze: [],
      };
  }
}
