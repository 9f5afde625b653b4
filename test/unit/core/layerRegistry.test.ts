// The layer registry: one record per kind, and the class-name aliases that lead to it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  canonicalLayerKind,
  defaultLayerBaseName,
  LAYER_DEFS,
  LAYER_KINDS,
  makeLayerSpec,
  type LayerKind,
} from '../../../src/core/layers/index.ts';

test('every layer kind has a record whose aliases resolve back to it', () => {
  assert.ok(LAYER_KINDS.length >= 40, `${LAYER_KINDS.length} kinds`);
  for (const kind of LAYER_KINDS) {
    const def = LAYER_DEFS[kind];
    assert.equal(typeof def.infer, 'function', kind);
    assert.ok(def.aliases.length > 0, `${kind} has aliases`);
    for (const alias of def.aliases) {
      assert.equal(alias, alias.toLowerCase().replace(/_/g, ''), `${kind}: alias ${alias} is written lowercase without underscores`);
      assert.equal(canonicalLayerKind(alias), kind, `${alias} → ${kind}`);
    }
    // The class name a spec shows must read back as the same kind (model.json and graphs re-read it).
    if (!def.showWrittenClassName) assert.equal(canonicalLayerKind(makeLayerSpec(kind, {}).className), kind, kind);
  }
});

test('no alias belongs to two kinds', () => {
  const owner = new Map<string, LayerKind>();
  for (const kind of LAYER_KINDS) {
    for (const alias of LAYER_DEFS[kind].aliases) {
      assert.equal(owner.get(alias) ?? kind, kind, `${alias} is claimed by ${owner.get(alias)} and ${kind}`);
      owner.set(alias, kind);
    }
  }
});

test('class names in the forms Keras and tfjs write them find their kind; unknown ones none', () => {
  for (const written of [
    'Conv2D',
    'conv2d',
    'Convolution2D',
    'MaxPool2D',
    'maxPooling2d',
    'max_pooling2d',
    'GlobalAvgPool1D',
    'RandomFlip',
  ]) {
    assert.notEqual(canonicalLayerKind(written), null, written);
  }
  assert.equal(canonicalLayerKind('RandomFlip'), 'RandomAugmentation');
  assert.equal(makeLayerSpec('RandomFlip', {}).className, 'RandomFlip', 'a shared kind shows the class as written');
  assert.equal(canonicalLayerKind('Lambda'), null);
  assert.equal(canonicalLayerKind('toString'), null, 'no prototype keys');
  assert.equal(defaultLayerBaseName('MaxPooling2D'), 'max_pooling2d');
});
