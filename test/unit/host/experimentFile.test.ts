import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { withExperimentDefaults } from '../../../src/core/experimentDefaults.ts';
import {
  experimentFileName,
  parseExperimentText,
  resolveExperimentPaths,
  serializeExperiment,
  withFreeze,
} from '../../../src/host/experiment/experimentFile.ts';

test('a minimal file gets the defaults; a full round trip is lossless', () => {
  const cfg = parseExperimentText('{"data": "data/flowers", "base": "inception_v3"}', 'x.cnnlab.json', 'models/flowers');
  assert.deepEqual(cfg, withExperimentDefaults({ data: 'data/flowers', base: 'inception_v3', out: 'models/flowers' }));
  assert.deepEqual(cfg.freeze, ['up to mixed8'], "core's default freeze for InceptionV3");
  const custom = { ...cfg, freeze: ['0-248'], fineTune: { epochs: 2, learningRate: 0.01, momentum: 0.5 }, augment: null, out: 'models/f' };
  assert.deepEqual(parseExperimentText(serializeExperiment(custom), 'x'), custom);
});

test('bad fields are named with the reason', () => {
  const bad: [string, RegExp][] = [
    ['{', /x\.cnnlab\.json: not valid JSON/],
    ['[]', /must be a JSON object/],
    ['{"base": "inception_v3"}', /"data" must name the dataset folder/],
    [
      '{"data": "d", "base": "resnet"}',
      /"base" must be one of efficientnet_lite0, efficientnet_lite1, efficientnet_lite2, inception_v3, mobilenet_v2, keras:NAME \(keras:inception_v3, keras:mobilenet_v2, keras:resnet50, keras:efficientnet_b0, keras:vgg16\), a model.json path or an http\(s\) URL, got "resnet"/,
    ],
    [
      '{"data": "d", "base": "keras:resnet18"}',
      /x\.cnnlab\.json: "base" "keras:resnet18" is not a known Keras application; known: keras:inception_v3, keras:mobilenet_v2, keras:resnet50, keras:efficientnet_b0, keras:vgg16$/,
    ],
    ['{"data": "d", "base": "inception_v3", "batchSize": 0}', /"batchSize" must be an integer from 1 to 4096, got 0/],
    ['{"data": "d", "base": "inception_v3", "batchSize": 2.5}', /"batchSize" must be an integer/],
    ['{"data": "d", "base": "inception_v3", "freeze": "0-248"}', /"freeze" must be an array/],
    ['{"data": "d", "base": "inception_v3", "epochs": 3}', /"epochs" is not an experiment field/],
    ['{"data": "d", "base": "inception_v3", "backend": "cuda"}', /"backend" must be one of auto/],
    ['{"data": "d", "base": "inception_v3", "transfer": {"epochs": 0}, "fineTune": {"epochs": 0}}', /nothing to train/],
    ['{"data": "d", "base": "inception_v3", "augment": {"rotationRange": -1}}', /"augment.rotationRange" must be a number ≥ 0/],
  ];
  for (const [text, re] of bad) assert.throws(() => parseExperimentText(text, 'x.cnnlab.json'), re, text);
});

test('paths resolve relative to the experiment file; built-in bases and URLs stay as they are', () => {
  const cfg = parseExperimentText('{"data": "data", "base": "nets/model.json", "out": "/abs/out", "validationData": "../val"}', 'f');
  const r = resolveExperimentPaths(cfg, '/ws/exp/a.cnnlab.json');
  assert.deepEqual([r.data, r.base, r.out, r.validationData], ['/ws/exp/data', '/ws/exp/nets/model.json', '/abs/out', '/ws/val']);
  assert.equal(resolveExperimentPaths({ ...cfg, base: 'mobilenet_v2' }, '/ws/a.json').base, 'mobilenet_v2');
  assert.equal(resolveExperimentPaths({ ...cfg, base: 'https://x/model.json' }, '/ws/a.json').base, 'https://x/model.json');
  assert.equal(resolveExperimentPaths({ ...cfg, base: 'keras:resnet50' }, '/ws/a.json').base, 'keras:resnet50');
});

test('a keras: base is accepted by name and gets its own fine-tuning cut', () => {
  const cfg = parseExperimentText('{"data": "d", "base": "keras:vgg16", "fineTune": {"epochs": 2}}', 'x.cnnlab.json');
  assert.equal(cfg.base, 'keras:vgg16');
  assert.deepEqual(cfg.freeze, ['from block5']);
  assert.equal(experimentFileName('pets', 'keras:efficientnet_b0'), 'pets-keras-efficientnet_b0.cnnlab.json');
});

test('withFreeze changes only freeze, keeps the rest of the file, and places a new key after fineTune', () => {
  const text = '{"base": "inception_v3", "data": "d", "fineTune": {"epochs": 1}, "out": "o"}';
  const next = JSON.parse(withFreeze(text, 'f', ['mixed9-']));
  assert.deepEqual(Object.keys(next), ['base', 'data', 'fineTune', 'freeze', 'out']);
  assert.deepEqual(next.freeze, ['mixed9-']);
  const again = JSON.parse(withFreeze(JSON.stringify(next), 'f', []));
  assert.deepEqual(again, { ...next, freeze: [] });
  assert.throws(() => withFreeze('{oops', 'f.cnnlab.json', []), /f\.cnnlab\.json: not valid JSON/);
});

test('file names and the contributed schema agree with the parser', () => {
  assert.equal(experimentFileName('my flowers!', 'inception_v3'), 'my-flowers-inception_v3.cnnlab.json');
  assert.equal(experimentFileName('x', 'https://h/model.json'), 'x-custom.cnnlab.json');
  const schema = JSON.parse(readFileSync(join(__dirname, '..', '..', '..', 'schemas', 'experiment.schema.json'), 'utf8'));
  const fields = Object.keys(withExperimentDefaults({ data: 'd', out: 'o' }))
    .concat('$schema')
    .sort();
  assert.deepEqual(Object.keys(schema.properties).sort(), fields);
  assert.deepEqual(schema.required, ['data', 'base']);
});
