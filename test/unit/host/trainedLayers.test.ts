import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describeTrainedLayers } from '../../../src/host/training/trainedLayers.ts';

test('the log names the layers that trained in each phase', () => {
  const lines = describeTrainedLayers({
    trainedLayers: [
      { phase: 'transfer', layers: ['head_dense', 'head_output'] },
      { phase: 'fine-tune', layers: ['conv2', 'conv3', 'head_dense', 'head_output'] },
    ],
  });
  assert.deepEqual(lines, [
    'layers trained in transfer: head_dense, head_output (2)',
    'layers trained in fine-tune: conv2, conv3, head_dense, head_output (4)',
  ]);
});

test('a phase in which nothing trained says so', () => {
  assert.deepEqual(describeTrainedLayers({ trainedLayers: [{ phase: 'fine-tune', layers: [] }] }), ['layers trained in fine-tune: none']);
  assert.deepEqual(describeTrainedLayers({ trainedLayers: [] }), []);
});
