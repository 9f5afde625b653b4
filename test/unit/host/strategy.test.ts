import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseFreezeSpec } from '../../../src/core/freeze.ts';
import {
  datasetSizeOf,
  laterLayersFreeze,
  strategyPhases,
  suggestStrategy,
  LARGE_IMAGES_PER_CLASS,
} from '../../../src/host/experiment/strategy.ts';

test("the seed's table: size × similarity → strategy", () => {
  assert.equal(suggestStrategy('small', 'similar'), 'classifier-only');
  assert.equal(suggestStrategy('small', 'different'), 'later-layers');
  assert.equal(suggestStrategy('large', 'similar'), 'fine-tune-all');
  assert.equal(suggestStrategy('large', 'different'), 'weights-as-init');
});

test('dataset size from images per class', () => {
  assert.equal(datasetSizeOf([]), 'small');
  assert.equal(datasetSizeOf([120, 80]), 'small');
  assert.equal(datasetSizeOf([LARGE_IMAGES_PER_CLASS, LARGE_IMAGES_PER_CLASS]), 'large');
  assert.equal(datasetSizeOf([2 * LARGE_IMAGES_PER_CLASS - 2, 1]), 'small');
});

test('strategies set phases and freeze ranges the core freeze parser understands', () => {
  // stand-in InceptionV3 names: mixed8 is layer 248, as in Keras' InceptionV3
  const names = Array.from({ length: 311 }, (_, i) => (i === 248 ? 'mixed8' : i === 279 ? 'mixed9' : `layer_${i}`));
  const only = strategyPhases('classifier-only', 'inception_v3', 5);
  assert.equal(only.fineTune.epochs, 0);
  assert.ok(parseFreezeSpec(only.freeze, names).every(Boolean), 'classifier-only freezes the whole base');

  const later = strategyPhases('later-layers', 'inception_v3', 4);
  assert.deepEqual(
    [later.transfer.epochs, later.fineTune.epochs, later.fineTune.learningRate, later.fineTune.momentum],
    [4, 4, 0.0001, 0.9],
  );
  const frozen = parseFreezeSpec(later.freeze, names);
  assert.equal(frozen.filter(Boolean).length, 249, 'the seed freezes the first 249 InceptionV3 layers');
  assert.equal(frozen[248], true);
  assert.equal(frozen[249], false);

  const all = strategyPhases('fine-tune-all', 'mobilenet_v2', 3);
  assert.deepEqual(all.freeze, []);
  const init = strategyPhases('weights-as-init', 'mobilenet_v2', 6);
  assert.deepEqual([init.transfer.epochs, init.fineTune.epochs, init.fineTune.learningRate], [2, 12, 0.001]);
});

test('later layers of MobileNetV2 and of a custom base', () => {
  const mobileNames = ['input_1', 'Conv1', 'block_12_project', 'block_12_add', 'block_13_expand', 'out_relu'];
  // from block_13: everything before block_13_expand stays frozen
  const frozen = parseFreezeSpec(laterLayersFreeze('mobilenet_v2'), mobileNames);
  assert.deepEqual(frozen, [true, true, true, true, false, false]);
  assert.deepEqual(laterLayersFreeze('model.json', 100), ['0-74']);
  assert.deepEqual(laterLayersFreeze('model.json'), []);
});
