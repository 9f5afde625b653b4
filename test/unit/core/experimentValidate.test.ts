// Invalid experiment values are refused with the field named, wherever the experiment arrives:
// validateExperiment (core), the engine's IPC boundary (paramsProblem), and runTraining itself.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { NO_AUGMENTATION, withExperimentDefaults } from '../../../src/core/experimentDefaults.ts';
import { assertValidExperiment, validateExperiment } from '../../../src/core/experimentValidate.ts';
import { paramsProblem, validateHostMessage } from '../../../src/protocol/validate.ts';

const good = withExperimentDefaults({ data: '/d', out: '/o', base: 'mobilenet_v2' });

test('a complete default experiment is valid', () => {
  assert.deepEqual(validateExperiment(good), []);
});

test('each invalid value is flagged on its own field with the value shown', () => {
  const cases: [string, unknown, string, RegExp][] = [
    [
      'transfer.learningRate',
      { ...good, transfer: { epochs: 1, learningRate: NaN } },
      'transfer.learningRate',
      /must be a number > 0 and ≤ 10, got null/,
    ],
    ['transfer.learningRate ∞', { ...good, transfer: { epochs: 1, learningRate: Infinity } }, 'transfer.learningRate', /> 0/],
    ['fineTune.learningRate', { ...good, fineTune: { ...good.fineTune, learningRate: 50 } }, 'fineTune.learningRate', /≤ 10, got 50/],
    ['fineTune.momentum', { ...good, fineTune: { ...good.fineTune, momentum: 1 } }, 'fineTune.momentum', /from 0 to below 1, got 1/],
    ['fineTune.epochs', { ...good, fineTune: { ...good.fineTune, epochs: '3' } }, 'fineTune.epochs', /integer from 0 to 100000, got "3"/],
    ['batchSize', { ...good, batchSize: -8 }, 'batchSize', /from 1 to 4096, got -8/],
    ['fcUnits', { ...good, fcUnits: 1.5 }, 'fcUnits', /integer/],
    ['seed', { ...good, seed: -1 }, 'seed', /from 0 to 4294967295/],
    ['validationSplit', { ...good, validationSplit: 1 }, 'validationSplit', /from 0 to below 1, got 1/],
    ['data', { ...good, data: '  ' }, 'data', /non-empty string/],
    ['out', { ...good, out: undefined }, 'out', /got nothing/],
    ['backend', { ...good, backend: 'cuda' }, 'backend', /one of auto, tensorflow.*got "cuda"/],
    ['resize', { ...good, resize: 'squash' }, 'resize', /"stretch" or "center-crop"/],
    ['freeze', { ...good, freeze: [1, 2] }, 'freeze', /array of range strings/],
    [
      'augment.zoomRange',
      { ...good, augment: { ...NO_AUGMENTATION, zoomRange: 2, horizontalFlip: true } },
      'augment.zoomRange',
      /≤ 1, got 2/,
    ],
    [
      'augment.fillMode',
      { ...good, augment: { ...NO_AUGMENTATION, horizontalFlip: 'yes', fillMode: 'wrap' } },
      'augment.fillMode',
      /"nearest", got "wrap"/,
    ],
    ['earlyStopping.patience', { ...good, earlyStopping: { patience: 0, restoreBest: true } }, 'earlyStopping.patience', /from 1/],
    [
      'both epochs 0',
      { ...good, transfer: { epochs: 0, learningRate: 0.1 }, fineTune: { ...good.fineTune, epochs: 0 } },
      'transfer.epochs',
      /nothing to train/,
    ],
  ];
  for (const [what, value, field, re] of cases) {
    const issues = validateExperiment(value);
    const issue = issues.find((i) => i.field === field);
    assert.ok(issue, `${what}: expected an issue on ${field}, got ${JSON.stringify(issues)}`);
    assert.match(issue.message, re, what);
  }
  assert.deepEqual(validateExperiment(null), [{ field: '', message: 'an experiment must be an object, got null' }]);
});

test('every problem at once, in one error; the engine boundary names params.config.<field>', () => {
  const bad = { ...good, batchSize: 0, backend: 'tpu' };
  assert.throws(
    () => assertValidExperiment(bad),
    /^Error: invalid experiment: batchSize must be an integer from 1 to 4096, got 0; backend must be one of/,
  );
  assert.match(
    paramsProblem('train', { runId: 'r', config: bad }) ?? '',
    /params\.config\.batchSize must be an integer.*params\.config\.backend/,
  );
  assert.throws(
    () =>
      validateHostMessage({
        kind: 'request',
        id: 7,
        method: 'train',
        params: { runId: 'r', config: { ...good, transfer: { epochs: 1, learningRate: -1 } } },
      }),
    (e: Error & { id?: number }) => e.id === 7 && /train: params\.config\.transfer\.learningRate must be a number > 0/.test(e.message),
  );
});

test('exportModel requests need a model folder, an output path and a Keras format', () => {
  assert.equal(paramsProblem('exportModel', { modelDir: '/m', out: '/m.keras', format: 'keras' }), null);
  assert.equal(paramsProblem('exportModel', { modelDir: '/m', out: '/m.h5', format: 'h5' }), null);
  assert.equal(paramsProblem('exportModel', { modelDir: '/m', out: '/m.onnx', format: 'onnx' }), 'params.format must be "keras" or "h5"');
  assert.equal(
    paramsProblem('exportModel', { modelDir: '', out: '/m.keras', format: 'keras' }),
    'params.modelDir must be a non-empty string',
  );
});
