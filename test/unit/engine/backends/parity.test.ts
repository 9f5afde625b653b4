// Backend parity: the same tiny conv net with fixed seeded weights, on the same decoded PNGs, gives
// the same top-1 and probabilities within 1e-3 on every backend present, and the same fine-tuning
// gradients on every backend that can compute them. Backends absent here are skipped with the
// registry's reason (tfjs-node needs scripts/provision-libtensorflow; webgpu needs a GPU).
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import type { BackendInfo, BackendName } from '../../../../src/protocol/messages.ts';
import { canTrainConv, currentBackend, listBackends, useBackend } from '../../../../src/engine/backends/index.ts';
import { CLASSES, FIXTURE_IMAGES, fixtureBatch, predictTinyNet, tinyNetGradients } from './tinyNet.ts';

const PROBABILITY_TOLERANCE = 1e-3;

type Batch = Awaited<ReturnType<typeof fixtureBatch>>;
let batch: Batch;
let backends: BackendInfo[];
let reference: { backend: BackendName; probabilities: number[][] };
let referenceGradients: Float32Array[];

const argmax = (row: number[]) => row.indexOf(Math.max(...row));

/** Runs the net on `name` and says which backend actually produced the numbers. */
async function predictOn(name: BackendName): Promise<{ backend: BackendName; probabilities: number[][] }> {
  await useBackend(name);
  const probabilities = await predictTinyNet(batch);
  return { backend: currentBackend(), probabilities };
}

before(async () => {
  batch = await fixtureBatch();
  backends = await listBackends();
  reference = await predictOn('cpu');
  await useBackend('cpu');
  referenceGradients = await tinyNetGradients(batch);
});

test('the reference (cpu) output is a real, non-uniform prediction for each image', () => {
  assert.equal(reference.backend, 'cpu');
  assert.equal(reference.probabilities.length, FIXTURE_IMAGES.length);
  for (const row of reference.probabilities) {
    assert.equal(row.length, CLASSES);
    assert.ok(Math.abs(row.reduce((a, b) => a + b, 0) - 1) < 1e-5, `probabilities sum to 1: ${row}`);
    assert.ok(Math.max(...row) - Math.min(...row) > 0.05, `the seeded net separates the classes: ${row}`);
  }
  // The three shapes must not all land on one class, or top-1 parity would prove little.
  assert.ok(new Set(reference.probabilities.map(argmax)).size > 1, `top-1 per image: ${reference.probabilities.map(argmax)}`);
});

for (const name of ['wasm', 'tensorflow', 'tensorflow-gpu', 'webgpu'] as const) {
  test(`${name} gives cpu's top-1 and probabilities within ${PROBABILITY_TOLERANCE}`, async (t) => {
    const info = backends.find((b) => b.name === name)!;
    if (!info.available) {
      t.skip(`${name} not available here: ${info.reason}`);
      return;
    }
    const result = await predictOn(name);
    assert.equal(result.backend, name, 'the result names the backend that produced it');
    for (let i = 0; i < FIXTURE_IMAGES.length; i++) {
      const [got, want] = [result.probabilities[i], reference.probabilities[i]];
      assert.equal(argmax(got), argmax(want), `top-1 of ${FIXTURE_IMAGES[i]}`);
      for (let c = 0; c < CLASSES; c++) {
        assert.ok(
          Math.abs(got[c] - want[c]) <= PROBABILITY_TOLERANCE,
          `${FIXTURE_IMAGES[i]} class ${c}: ${name} ${got[c]} vs cpu ${want[c]}`,
        );
      }
    }
  });
}

for (const name of ['tensorflow', 'tensorflow-gpu', 'webgpu'] as const) {
  test(`${name} computes cpu's fine-tuning gradients (conv and depthwise filters included)`, async (t) => {
    const info = backends.find((b) => b.name === name)!;
    if (!info.available) {
      t.skip(`${name} not available here: ${info.reason}`);
      return;
    }
    assert.ok(canTrainConv(name));
    await useBackend(name, { needConvGradients: true });
    const grads = await tinyNetGradients(batch);
    assert.equal(grads.length, referenceGradients.length);
    grads.forEach((g, i) => {
      const want = referenceGradients[i];
      const scale = Math.max(1e-3, ...want.map(Math.abs));
      let worst = 0;
      for (let j = 0; j < g.length; j++) worst = Math.max(worst, Math.abs(g[j] - want[j]));
      assert.ok(worst / scale < 1e-3, `weight ${i}: max |${name} - cpu| = ${worst} (largest gradient ${scale})`);
    });
  });
}

test('the cpu gradients are not all zero (the comparison above can fail)', () => {
  for (const g of referenceGradients)
    assert.ok(
      g.some((v) => Math.abs(v) > 1e-7),
      'every trainable weight gets a gradient',
    );
});
