// The native backward kernels (src/engine/train/nativeGradients.ts): on the tensorflow backend the
// gradients of conv → BatchNormalization → ReLU6 blocks, with BN in inference mode (as fine-tuning
// runs it) and in training mode (batch statistics: the mean/variance partials are used too), are
// tfjs' own gradients (computed on the cpu backend, where the overrides hand over to tfjs) within
// float tolerance, and the native kernels really ran. Skipped where tfjs-node is not built.
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { listBackends, useBackend } from '../../../../src/engine/backends/index.ts';
import { useNativeGradients } from '../../../../src/engine/train/nativeGradients.ts';
import { tf } from '../../../../src/engine/tf.ts';

let unavailable: string | null = null;
before(async () => {
  const info = (await listBackends()).find((b) => b.name === 'tensorflow')!;
  if (!info.available) unavailable = `tensorflow not available here: ${info.reason}`;
  useNativeGradients();
});

type S = tf.SymbolicTensor;
function model(): tf.LayersModel {
  const seed = (s: number) => tf.initializers.glorotUniform({ seed: s });
  const input = tf.input({ shape: [9, 9, 3] });
  let x: S = input;
  for (let i = 1; i <= 2; i++) {
    x = tf.layers.conv2d({ filters: 5, kernelSize: 3, padding: 'same', name: `conv${i}`, kernelInitializer: seed(i) }).apply(x) as S;
    x = tf.layers.batchNormalization({ name: `bn${i}` }).apply(x) as S;
    x = tf.layers.reLU({ maxValue: 6 }).apply(x) as S;
  }
  x = tf.layers.globalAveragePooling2d({}).apply(x) as S;
  const m = tf.model({
    inputs: input,
    outputs: tf.layers.dense({ units: 3, activation: 'softmax', kernelInitializer: seed(7) }).apply(x) as S,
  });
  for (const name of ['bn1', 'bn2']) {
    const bn = m.getLayer(name);
    const ws = bn.getWeights();
    bn.setWeights(
      ws.map((w, k) => tf.randomUniform(w.shape, k === ws.length - 1 ? 0.3 : -1, k === ws.length - 1 ? 2 : 1, 'float32', 11 + k)),
    );
  }
  return m;
}

/** Gradients of the loss w.r.t. every trainable weight (gamma, beta, kernels, biases). */
function gradients(training: boolean): Float32Array[] {
  const m = model();
  const x = tf.randomUniform([4, 9, 9, 3], 0, 6, 'float32', 5);
  const y = tf.oneHot(tf.tensor1d([0, 1, 2, 1], 'int32'), 3).toFloat();
  const vars = m.trainableWeights.map((w) => w.read() as tf.Variable);
  const { grads } = tf.variableGrads(
    () => tf.metrics.categoricalCrossentropy(y, m.apply(x, { training }) as tf.Tensor).mean<tf.Scalar>(),
    vars,
  );
  const out = vars.map((v) => grads[v.name].dataSync() as Float32Array);
  tf.dispose([x, y, ...Object.values(grads)]);
  m.dispose();
  return out;
}

for (const training of [false, true]) {
  test(`BN ${training ? 'training' : 'inference'} mode: the native kernels give tfjs' gradients`, async (t) => {
    if (unavailable) return t.skip(unavailable);
    await useBackend('cpu');
    const want = gradients(training);
    await useBackend('tensorflow');
    const backend = tf.backend() as unknown as {
      executeSingleOutput: (n: string, ...a: unknown[]) => unknown;
      executeMultipleOutputs: (n: string, ...a: unknown[]) => unknown;
    };
    const ran: string[] = [];
    const [single, multiple] = [backend.executeSingleOutput, backend.executeMultipleOutputs];
    backend.executeSingleOutput = function (this: unknown, n: string, ...a: unknown[]) {
      ran.push(n);
      return single.call(this, n, ...a);
    };
    backend.executeMultipleOutputs = function (this: unknown, n: string, ...a: unknown[]) {
      ran.push(n);
      return multiple.call(this, n, ...a);
    };
    let got: Float32Array[];
    try {
      got = gradients(training);
    } finally {
      backend.executeSingleOutput = single;
      backend.executeMultipleOutputs = multiple;
    }
    assert.equal(ran.filter((n) => n === 'FusedBatchNormGradV3').length, 2, 'one native BN gradient per BN layer');
    assert.equal(ran.filter((n) => n === 'Relu6Grad').length, 2, 'one native ReLU6 gradient per activation');
    assert.equal(got.length, want.length);
    for (let k = 0; k < want.length; k++) {
      const scale = Math.max(...want[k].map(Math.abs));
      let worst = 0;
      for (let i = 0; i < want[k].length; i++) worst = Math.max(worst, Math.abs(got[k][i] - want[k][i]));
      assert.ok(scale > 0, `weight ${k} has a gradient`);
      // (in training mode a conv bias before BN has a gradient of ~0, float noise on both sides)
      assert.ok(worst <= 1e-4 * scale + 1e-6, `weight ${k}: largest difference ${worst} (largest gradient ${scale})`);
    }
  });
}
