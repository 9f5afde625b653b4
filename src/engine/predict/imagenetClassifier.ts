// `cnn-lab predict --base efficientnet_lite0` (no trained model): the base with its own 1000-class
// ImageNet top, so a user sees in one command that the base and its weights work — and a test of
// the converted weights, since a wrong layout or preprocessing does not name a cat a cat.
import { efficientNetLiteLabel, isEfficientNetLite, loadEfficientNetLite } from '../models/efficientnetLite.ts';
import { IMAGENET_CLASSES } from '../models/imagenetClasses.ts';
import type { Classifier } from '../save/load.ts';
import { tf } from '../tf.ts';
import { freezeForInference } from '../graph/frozenInference.ts';

export function loadImageNetClassifier(base: string): Classifier & { label: string } {
  if (!isEfficientNetLite(base)) {
    throw new Error(
      `--base ${base}: only efficientnet_lite0/1/2 keep their ImageNet classifier (the nsfwjs bases' tops are NSFW classes, other bases are cut at their features); give --model DIR for a trained model`,
    );
  }
  const { model } = loadEfficientNetLite(base);
  const size = model.inputs[0].shape.slice(1, 3) as [number, number];
  const frozen = freezeForInference(model);
  return {
    dir: base,
    label: efficientNetLiteLabel(base),
    meta: { labels: [...IMAGENET_CLASSES], inputSize: size, preprocessing: '(x-127)/128', resize: 'stretch' },
    predict: (x) => tf.tidy(() => model.predict(x) as tf.Tensor2D),
    dispose() {
      frozen.restore();
      model.dispose();
    },
  };
}
