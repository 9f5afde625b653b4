import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { FreezeSpecError, formatFreezeSpec, parseFreezeSpec } from '../../../src/core/freeze.ts';
import { describeModelJson } from '../../../src/core/modelJson.ts';

const requireFile = createRequire(join(process.cwd(), 'package.json'));
const layerNames = (model: string) =>
  describeModelJson(requireFile(join(process.cwd(), 'node_modules', 'nsfwjs', 'dist', 'models', model, 'model.min.js'))).map((r) => r.name);

const names = ['input_1', 'conv_a', 'block_13_expand', 'block_13_depthwise', 'block_14_expand', 'top-conv', 'out'];
const frozenIndices = (f: boolean[]) => f.flatMap((v, i) => (v ? [i] : []));

test('ranges by index, by name, open-ended, and unions', () => {
  assert.deepEqual(frozenIndices(parseFreezeSpec('0-2', names)), [0, 1, 2]);
  assert.deepEqual(frozenIndices(parseFreezeSpec('block_14_expand-', names)), [4, 5, 6]);
  assert.deepEqual(frozenIndices(parseFreezeSpec('-block_13_expand', names)), [0, 1, 2]);
  assert.deepEqual(frozenIndices(parseFreezeSpec('conv_a-block_13_depthwise', names)), [1, 2, 3]);
  assert.deepEqual(frozenIndices(parseFreezeSpec(['1', 'out'], names)), [1, 6]);
  assert.deepEqual(frozenIndices(parseFreezeSpec('0, 4-5', names)), [0, 4, 5]);
  assert.deepEqual(frozenIndices(parseFreezeSpec('top-conv', names)), [5], 'a name containing a hyphen is a name');
  assert.deepEqual(frozenIndices(parseFreezeSpec('2-top-conv', names)), [2, 3, 4, 5], 'a range ending at a hyphenated name');
  assert.deepEqual(
    parseFreezeSpec([], names),
    names.map(() => false),
  );
});

test("phrases: 'first N', 'up to NAME' (inclusive), 'from PREFIX' (frozen before it)", () => {
  assert.deepEqual(frozenIndices(parseFreezeSpec('first 3', names)), [0, 1, 2]);
  assert.deepEqual(frozenIndices(parseFreezeSpec('up to block_13_expand', names)), [0, 1, 2]);
  assert.deepEqual(frozenIndices(parseFreezeSpec('from block_13', names)), [0, 1]);
  assert.deepEqual(frozenIndices(parseFreezeSpec('from input_1', names)), []);
});

test('errors name the unknown layer and suggest close names', () => {
  assert.throws(
    () => parseFreezeSpec('up to mixed99', names),
    (e: Error) => e instanceof FreezeSpecError && /no layer named 'mixed99'/.test(e.message),
  );
  assert.throws(
    () => parseFreezeSpec('block_13', names),
    /no layer named 'block_13' \(did you mean 'block_13_expand', 'block_13_depthwise'\?\)/,
  );
  assert.throws(() => parseFreezeSpec('0-99', names), /layer index 99 is out of range \(the model has 7 layers, 0-6\)/);
  assert.throws(() => parseFreezeSpec('5-2', names), /ends \(2\) before it starts \(5\)/);
  assert.throws(() => parseFreezeSpec('first 8', names), /only 7 layers/);
  assert.throws(() => parseFreezeSpec('freeze everything', names), /expected an index, a name/);
});

test('flags → compact ranges → the same flags', () => {
  const flags = [true, true, true, false, true, false, true];
  assert.deepEqual(formatFreezeSpec(flags), ['0-2', '4', '6']);
  assert.deepEqual(formatFreezeSpec(flags, names), ['input_1-block_13_expand', 'block_14_expand', 'out']);
  assert.deepEqual(parseFreezeSpec(formatFreezeSpec(flags), names), flags);
  assert.deepEqual(parseFreezeSpec(formatFreezeSpec(flags, names), names), flags);
  assert.deepEqual(formatFreezeSpec(names.map(() => false)), []);
});

test("the seed's InceptionV3 fine-tuning: 'first 249' = 'up to mixed8' = '0-248'; MobileNetV2 'from block_13'", () => {
  const inception = layerNames('inception_v3');
  assert.equal(inception.length, 318);
  const first = parseFreezeSpec('first 249', inception);
  assert.deepEqual(parseFreezeSpec('up to mixed8', inception), first);
  assert.deepEqual(parseFreezeSpec('0-248', inception), first);
  assert.equal(inception[248], 'mixed8');
  assert.deepEqual(formatFreezeSpec(first), ['0-248']);
  const mobile = layerNames('mobilenet_v2');
  const frozen = parseFreezeSpec('from block_13', mobile);
  const firstTrainable = frozen.indexOf(false);
  assert.equal(mobile[firstTrainable], 'block_13_expand');
  assert.ok(frozen.slice(firstTrainable).every((f) => !f));
});
