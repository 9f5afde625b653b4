import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkMachine, preferWheel, wheelFits } from '../../../../src/host/native/nativeTarget.ts';

const linux = { platform: 'linux' as const, arch: 'x64', glibc: '2.31' };

test('wheel names: the x86_64 manylinux ones whose glibc floor this machine meets', () => {
  assert.ok(wheelFits('tensorflow_cpu-2.21.0-cp311-cp311-manylinux_2_27_x86_64.whl', '2.21.0', linux));
  assert.ok(
    wheelFits('tensorflow_cpu-2.20.0-cp39-cp39-manylinux_2_17_x86_64.manylinux2014_x86_64.whl', '2.20.0', { ...linux, glibc: '2.17' }),
  );
  assert.ok(!wheelFits('tensorflow_cpu-2.21.0-cp311-cp311-manylinux_2_27_x86_64.whl', '2.21.0', { ...linux, glibc: '2.26' }));
  assert.ok(!wheelFits('tensorflow_cpu-2.21.0-cp311-cp311-win_amd64.whl', '2.21.0', linux));
  assert.ok(!wheelFits('tensorflow_cpu-2.21.0rc1-cp311-cp311-manylinux_2_27_x86_64.whl', '2.21.0', linux));
  assert.ok(!wheelFits('tensorflow_cpu-2.21.0-cp311-cp311-manylinux_2_27_aarch64.whl', '2.21.0', linux));
  assert.ok(!wheelFits('tensorflow-2.21.0-cp311-cp311-manylinux_2_27_x86_64.whl', '2.21.0', linux));
});

test('cp311 is preferred (the wheel CI provisions from), then the newest CPython', () => {
  const names = ['cp310', 'cp313', 'cp311', 'cp312'].map((t) => `tensorflow_cpu-2.21.0-${t}-${t}-manylinux_2_27_x86_64.whl`);
  assert.match(preferWheel(names)!, /cp311/);
  assert.match(preferWheel(names.filter((n) => !n.includes('cp311')))!, /cp313/);
  assert.equal(preferWheel([]), undefined);
});

test('only Linux x64 with glibc can install; the reason names this machine', () => {
  assert.deepEqual(checkMachine(linux), { ok: true, target: 'linux-x64' });
  for (const [platform, arch] of [
    ['darwin', 'arm64'],
    ['darwin', 'x64'],
    ['win32', 'x64'],
    ['linux', 'arm64'],
  ] as const) {
    const r = checkMachine({ platform, arch, glibc: platform === 'linux' ? '2.36' : undefined });
    assert.ok(!r.ok && r.reason.includes(`${platform}-${arch}`));
  }
  const musl = checkMachine({ platform: 'linux', arch: 'x64' });
  assert.ok(!musl.ok && /glibc/.test(musl.reason));
});
