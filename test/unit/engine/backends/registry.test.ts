// The backend registry: what it lists, what `auto` picks, and the errors for choices that cannot run.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BACKEND_NAMES, type BackendName } from '../../../../src/core/backends.ts';
import {
  AUTO_ORDER,
  BackendUnavailableError,
  WASM_CONV_GRADIENTS_MESSAGE,
  canTrainConv,
  currentBackend,
  listBackends,
  useBackend,
} from '../../../../src/engine/backends/index.ts';
import { tf } from '../../../../src/engine/tf.ts';

test('before any choice there is no current backend to report', () => {
  // First in this file's own process: tfjs has not picked one either.
  assert.throws(() => currentBackend(), /no compute backend chosen yet/);
});

test('lists every backend once, in the documented order, each with a reason when unavailable', async () => {
  const list = await listBackends();
  assert.deepEqual(
    list.map((b) => b.name),
    ['tensorflow', 'tensorflow-gpu', 'webgpu', 'wasm', 'cpu'],
  );
  for (const b of list) {
    assert.equal(b.canTrainConv, b.name !== 'wasm', `${b.name}.canTrainConv`);
    if (!b.available) {
      assert.ok(b.reason && b.reason.length > 10, `${b.name} says why it is unavailable`);
      assert.ok(b.install && b.install.length > 10, `${b.name} says how to get it`);
    }
  }
  // Both ship with @tensorflow/tfjs / its wasm package, so they must work on any machine.
  assert.equal(list.find((b) => b.name === 'cpu')?.available, true);
  assert.equal(list.find((b) => b.name === 'wasm')?.available, true, list.find((b) => b.name === 'wasm')?.reason);
});

test('an unavailable explicit choice throws with the reason and how to install it', async (t) => {
  const list = await listBackends();
  const missing = list.find((b) => !b.available);
  if (!missing) {
    t.skip('every backend is available on this machine');
    return;
  }
  const before = await useBackend('cpu');
  await assert.rejects(useBackend(missing.name), (e: unknown) => {
    assert.ok(e instanceof BackendUnavailableError);
    assert.equal(e.backend, missing.name);
    assert.match(e.message, new RegExp(`^backend '${missing.name}' is not available: `));
    assert.ok(e.message.includes(missing.reason!), e.message);
    assert.ok(e.message.includes(`To get it: ${missing.install}`), e.message);
    return true;
  });
  assert.equal(currentBackend(), before, 'a failed choice leaves the backend as it was');
});

test('wasm refuses conv gradients with the message, but serves inference', async () => {
  await assert.rejects(useBackend('wasm', { needConvGradients: true }), (e: unknown) => {
    assert.ok(e instanceof Error);
    assert.equal(e.message, WASM_CONV_GRADIENTS_MESSAGE);
    assert.match(e.message, /^WASM cannot compute conv-filter gradients.*\(use tensorflow or cpu, or keep the base frozen\)$/);
    return true;
  });
  assert.equal(await useBackend('wasm'), 'wasm');
  assert.equal(tf.getBackend(), 'wasm');
  assert.equal(currentBackend(), 'wasm');
  assert.equal(canTrainConv('wasm'), false);
  // The reason is real: the kernel is missing from the wasm backend.
  const x = tf.ones([1, 4, 4, 1]);
  const filter = tf.ones([2, 2, 1, 1]);
  assert.throws(() => tf.grad((f) => tf.conv2d(x as tf.Tensor4D, f as tf.Tensor4D, 1, 'valid').sum())(filter), /Conv2DBackpropFilter/);
  tf.dispose([x, filter]);
});

test('an unknown name is rejected with the list of valid ones', async () => {
  await assert.rejects(
    useBackend('cuda' as BackendName),
    /unknown backend 'cuda': expected auto, tensorflow, tensorflow-gpu, webgpu, wasm, cpu/,
  );
});

test('auto picks the first working backend in speed order, and never wasm for conv gradients', async () => {
  const list = await listBackends();
  const works = (name: BackendName) => list.find((b) => b.name === name)!.available;
  const expectedInference = AUTO_ORDER.find(works);
  const expectedFineTune = AUTO_ORDER.filter((n) => n !== 'wasm').find(works);
  assert.equal(await useBackend('auto'), expectedInference);
  assert.equal(currentBackend(), expectedInference);
  const fineTune = await useBackend('auto', { needConvGradients: true });
  assert.equal(fineTune, expectedFineTune);
  assert.notEqual(fineTune, 'wasm');
  assert.ok(canTrainConv(fineTune));
});

test('switching back and forth keeps computing correctly', async () => {
  for (const name of ['cpu', 'wasm', 'cpu'] as const) {
    assert.equal(await useBackend(name), name);
    const y = tf.matMul(tf.tensor2d([[1, 2]]), tf.tensor2d([[3], [4]]));
    assert.deepEqual(Array.from(await y.data()), [11]);
    y.dispose();
  }
  assert.deepEqual([...BACKEND_NAMES].sort(), [...AUTO_ORDER].sort());
});
