// tfjs layer kinds the shape inference does not know get a row that says so, and the layers after
// them are unknown — they used to be dropped, and the next layer was computed from the dropped
// one's input (issue 18, defect 10). Expected values come from tfjs building the same model.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { parseTfjs } from '../../../src/core/parsers/index.ts';

const source = (middle: string) => `const model = tf.sequential();
model.add(tf.layers.dense({inputShape: [100], units: 64}));
model.add(tf.layers.reshape({targetShape: [8, 8]}));
${middle}
model.add(tf.layers.flatten());
model.add(tf.layers.dense({units: 1}));`;

function real(middle: (m: tf.Sequential) => void): { shape: (number | null)[]; params: number }[] {
  const m = tf.sequential();
  m.add(tf.layers.dense({ inputShape: [100], units: 64 }));
  m.add(tf.layers.reshape({ targetShape: [8, 8] }));
  middle(m);
  m.add(tf.layers.flatten());
  m.add(tf.layers.dense({ units: 1 }));
  const rows = m.layers.map((l) => ({ shape: (l.outputShape as (number | null)[]).slice(1), params: l.countParams() }));
  m.dispose();
  return rows;
}

test("tfjs: conv1d has a row with tfjs' shape and count, and the layers after it are right", () => {
  const ours = parseTfjs(source('model.add(tf.layers.conv1d({filters: 4, kernelSize: 3}));')).models[0].layers;
  const theirs = real((m) => m.add(tf.layers.conv1d({ filters: 4, kernelSize: 3 })));
  assert.deepEqual(
    ours.map((l) => ({ shape: l.outputShape, params: l.params?.total })),
    theirs,
  );
});

test("tfjs: an unsupported layer (a generic rnn of a cell) has a row, and every shape after it is unknown, never the dropped layer's input", () => {
  const ours = parseTfjs(source('model.add(tf.layers.rnn({cell: tf.layers.lstmCell({units: 4}), returnSequences: true}));')).models[0]
    .layers;
  const theirs = real((m) => m.add(tf.layers.rnn({ cell: tf.layers.lstmCell({ units: 4 }), returnSequences: true })));
  assert.equal(ours.length, theirs.length);
  assert.match(ours[2].diagnostics.map((d) => d.message).join('\n'), /not supported/);
  ours.forEach((l, i) => {
    if (l.outputShape) assert.deepEqual(l.outputShape, theirs[i].shape, `row ${i}`);
    if (l.params) assert.equal(l.params.total, theirs[i].params, `row ${i}`);
  });
  assert.deepEqual(
    ours.slice(2).map((l) => l.outputShape),
    [null, null, null],
  );
});
