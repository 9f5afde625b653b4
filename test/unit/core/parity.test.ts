// Parity: our shape inference and parameter counts equal what tfjs itself computes, layer by
// layer, for the two layers models shipped in the nsfwjs package (InceptionV3, MobileNetV2).
// tfjs builds the model from the topology alone (weights are not needed for shapes or counts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { describeModelJson } from '../../../src/core/modelJson.ts';

// The package's `exports` map hides dist/models, so load the browserify files by path.
const modelsDir = join(process.cwd(), 'node_modules', 'nsfwjs', 'dist', 'models');
const requireFile = createRequire(join(process.cwd(), 'package.json'));

for (const [model, expectedLayers] of [
  ['inception_v3', 318],
  ['mobilenet_v2', 162],
] as const) {
  test(`${model}: every layer's output shape and parameter count match tfjs`, async () => {
    const { modelTopology } = requireFile(join(modelsDir, model, 'model.min.js')) as {
      modelTopology: Parameters<typeof tf.models.modelFromJSON>[0];
    };
    const rows = describeModelJson({ modelTopology });
    const loaded = await tf.models.modelFromJSON(modelTopology);
    try {
      assert.equal(rows.length, expectedLayers);
      assert.equal(loaded.layers.length, rows.length);
      loaded.layers.forEach((layer, i) => {
        const row = rows[i];
        assert.equal(row.name, layer.name);
        assert.equal(row.className, layer.getClassName(), `${layer.name}: class`);
        const tfShape = (layer.outputShape as (number | null)[]).slice(1);
        assert.deepEqual(row.outputShape, tfShape, `${layer.name}: output shape`);
        assert.equal(row.params, layer.countParams(), `${layer.name}: parameters`);
        assert.equal(row.trainable, layer.trainable, `${layer.name}: trainable`);
      });
      const total = rows.reduce((s, r) => s + r.params, 0);
      assert.equal(total, loaded.countParams());
    } finally {
      loaded.dispose();
    }
  });
}
