import { test } from 'node:test';
import assert from 'node:assert/strict';
import { layerGroups, totalsOf } from '../../../src/host/architecture/layerGroups.ts';

test('InceptionV3: a block runs from after the previous mixedN to its own mixedN; the stem stands alone', () => {
  const names = [
    'input_1',
    'conv2d',
    'max_pooling2d',
    'conv2d_1',
    'max_pooling2d_1',
    'conv2d_2',
    'average_pooling2d',
    'mixed0',
    'conv2d_3',
    'mixed9_0',
    'concatenate',
    'mixed9',
    'conv2d_4',
    'mixed10',
  ];
  assert.deepEqual(layerGroups(names), [
    null,
    null,
    null,
    null,
    null,
    'mixed0',
    'mixed0',
    'mixed0',
    'mixed9',
    'mixed9',
    'mixed9',
    'mixed9',
    'mixed10',
    'mixed10',
  ]);
});

test('MobileNetV2: block_N_* and expanded_conv_* group; other layers stand alone', () => {
  const names = [
    'input_1',
    'Conv1',
    'expanded_conv_depthwise',
    'expanded_conv_project',
    'block_1_expand',
    'block_1_project',
    'block_16_project',
    'Conv_1',
    'out_relu',
  ];
  assert.deepEqual(layerGroups(names), [null, null, 'block_0', 'block_0', 'block_1', 'block_1', 'block_16', null, null]);
});

test('totals count trainable and non-trainable parameters', () => {
  assert.deepEqual(
    totalsOf([
      { params: 10, trainable: true },
      { params: 5, trainable: false },
      { params: 0, trainable: true },
    ]),
    { layers: 3, params: 15, trainable: 10, nonTrainable: 5 },
  );
});
