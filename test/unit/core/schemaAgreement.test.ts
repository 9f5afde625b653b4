// The editor flags an experiment through schemas/experiment.schema.json (VS Code's JSON service);
// the engine refuses it through validateExperiment. Both must agree: every invalid value here is
// rejected by both, the defaults pass both, and the schema's documented defaults are the real ones.
// The schema is checked with a small draft-07 subset validator (the keywords the schema uses).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { EXPERIMENT_DEFAULTS, withExperimentDefaults } from '../../../src/core/experimentDefaults.ts';
import { validateExperiment } from '../../../src/core/experimentValidate.ts';

type Schema = Record<string, any>;
const schema: Schema = JSON.parse(readFileSync(join(__dirname, '..', '..', '..', 'schemas', 'experiment.schema.json'), 'utf8'));

const KNOWN = new Set([
  '$schema',
  '$id',
  'title',
  'description',
  'default',
  'enumDescriptions',
  'markdownDescription',
  'type',
  'enum',
  'minimum',
  'maximum',
  'exclusiveMinimum',
  'exclusiveMaximum',
  'minLength',
  'pattern',
  'items',
  'properties',
  'required',
  'additionalProperties',
  'oneOf',
  'anyOf',
]);

function typeOf(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  return typeof v;
}

/** Errors of `v` against `s` (empty: valid), each with its path. */
function check(s: Schema, v: unknown, path = ''): string[] {
  for (const k of Object.keys(s)) if (!KNOWN.has(k)) throw new Error(`schema keyword ${k} at ${path} is not supported by this checker`);
  const errs: string[] = [];
  const here = path || '(root)';
  if (s.type) {
    const t = typeOf(v);
    const ok = s.type === t || (s.type === 'integer' && t === 'number' && Number.isInteger(v)) || (s.type === 'number' && t === 'number');
    if (!ok) return [`${here}: not ${s.type}`];
  }
  if (s.enum && !s.enum.includes(v)) errs.push(`${here}: not one of ${s.enum}`);
  if (typeof v === 'number') {
    if (s.minimum !== undefined && v < s.minimum) errs.push(`${here}: < ${s.minimum}`);
    if (s.maximum !== undefined && v > s.maximum) errs.push(`${here}: > ${s.maximum}`);
    if (s.exclusiveMinimum !== undefined && v <= s.exclusiveMinimum) errs.push(`${here}: ≤ ${s.exclusiveMinimum}`);
    if (s.exclusiveMaximum !== undefined && v >= s.exclusiveMaximum) errs.push(`${here}: ≥ ${s.exclusiveMaximum}`);
  }
  if (typeof v === 'string') {
    if (s.minLength !== undefined && v.length < s.minLength) errs.push(`${here}: too short`);
    if (s.pattern && !new RegExp(s.pattern).test(v)) errs.push(`${here}: does not match ${s.pattern}`);
  }
  if (Array.isArray(v) && s.items) v.forEach((x, i) => errs.push(...check(s.items, x, `${path}[${i}]`)));
  if (typeOf(v) === 'object') {
    const o = v as Record<string, unknown>;
    for (const r of s.required ?? []) if (!(r in o)) errs.push(`${here}: ${r} is required`);
    for (const [k, x] of Object.entries(o)) {
      if (s.properties?.[k]) errs.push(...check(s.properties[k], x, path ? `${path}.${k}` : k));
      else if (s.additionalProperties === false) errs.push(`${here}: ${k} is not allowed`);
    }
  }
  if (s.oneOf && s.oneOf.filter((o: Schema) => check(o, v, path).length === 0).length !== 1) errs.push(`${here}: not exactly one of oneOf`);
  if (s.anyOf && !s.anyOf.some((o: Schema) => check(o, v, path).length === 0)) errs.push(`${here}: none of anyOf`);
  return errs;
}

const good = JSON.parse(
  JSON.stringify(withExperimentDefaults({ data: 'data', out: 'models/x', base: 'mobilenet_v2', freeze: ['from block_13'] })),
);
const aug = {
  rotationRange: 10,
  widthShiftRange: 0.1,
  heightShiftRange: 0.1,
  shearRange: 0,
  zoomRange: 0.1,
  horizontalFlip: true,
  fillMode: 'nearest',
};

test('the defaults, a local and a URL base, and augmentation pass both', () => {
  for (const v of [
    good,
    { ...good, base: 'nets/model.json' },
    { ...good, base: 'https://h/m/model.json' },
    { ...good, base: 'keras:resnet50' },
    { ...good, augment: aug },
    { ...good, augment: { ...aug, widthShiftRange: 4 } },
  ]) {
    assert.deepEqual(check(schema, v), [], JSON.stringify(v));
    assert.deepEqual(validateExperiment(v), [], JSON.stringify(v));
  }
});

test('every invalid value is flagged by the schema (editor) and refused by the engine, on the same field', () => {
  const cases: [string, Record<string, unknown>][] = [
    ['validationSplit', { validationSplit: 1 }],
    ['validationSplit', { validationSplit: -0.1 }],
    ['fcUnits', { fcUnits: 0 }],
    ['fcUnits', { fcUnits: 1e6 }],
    ['fcUnits', { fcUnits: 2.5 }],
    ['batchSize', { batchSize: 0 }],
    ['batchSize', { batchSize: 5000 }],
    ['seed', { seed: -1 }],
    ['seed', { seed: 2 ** 32 }],
    ['transfer.epochs', { transfer: { epochs: -1, learningRate: 0.001 } }],
    ['transfer.learningRate', { transfer: { epochs: 1, learningRate: 0 } }],
    ['transfer.learningRate', { transfer: { epochs: 1, learningRate: 11 } }],
    ['fineTune.momentum', { fineTune: { epochs: 1, learningRate: 0.001, momentum: 1 } }],
    ['fineTune.learningRate', { fineTune: { epochs: 1, learningRate: -1, momentum: 0.9 } }],
    ['freeze', { freeze: 'from block_13' }],
    ['augment.rotationRange', { augment: { ...aug, rotationRange: 400 } }],
    ['augment.shearRange', { augment: { ...aug, shearRange: 100 } }],
    ['augment.zoomRange', { augment: { ...aug, zoomRange: 1.5 } }],
    ['augment.widthShiftRange', { augment: { ...aug, widthShiftRange: -1 } }],
    ['augment.horizontalFlip', { augment: { ...aug, horizontalFlip: 'yes' } }],
    ['augment.fillMode', { augment: { ...aug, fillMode: 'wrap' } }],
    ['resize', { resize: 'squash' }],
    ['earlyStopping.patience', { earlyStopping: { patience: 0, restoreBest: true } }],
    ['backend', { backend: 'cuda' }],
    ['data', { data: '' }],
    ['out', { out: '' }],
  ];
  for (const [field, change] of cases) {
    const v = { ...good, ...change };
    assert.notDeepEqual(check(schema, v), [], `the schema accepts ${JSON.stringify(change)}`);
    const issues = validateExperiment(v);
    assert.ok(
      issues.some((i) => i.field === field),
      `the engine does not flag ${field} for ${JSON.stringify(change)}: ${JSON.stringify(issues)}`,
    );
  }
});

test("the schema's documented defaults are the defaults actually used", () => {
  const p = schema.properties;
  const d = EXPERIMENT_DEFAULTS;
  assert.deepEqual(
    [
      p.validationSplit.default,
      p.base.default,
      p.fcUnits.default,
      p.batchSize.default,
      p.seed.default,
      p.resize.default,
      p.backend.default,
    ],
    [d.validationSplit, d.base, d.fcUnits, d.batchSize, d.seed, d.resize, d.backend],
  );
  assert.deepEqual(
    [p.transfer.properties.epochs.default, p.transfer.properties.learningRate.default],
    [d.transfer.epochs, d.transfer.learningRate],
  );
  assert.deepEqual(
    [p.fineTune.properties.epochs.default, p.fineTune.properties.learningRate.default, p.fineTune.properties.momentum.default],
    [d.fineTune.epochs, d.fineTune.learningRate, d.fineTune.momentum],
  );
  const es = p.earlyStopping.oneOf.find((o: Schema) => o.type === 'object').properties;
  assert.deepEqual([es.patience.default, es.restoreBest.default], [d.earlyStopping.patience, d.earlyStopping.restoreBest]);
});
