// The tensorflow-gpu flavour's libtensorflow — the CUDA 12 build in the `tensorflow` wheel — on a
// machine without a GPU: the real tensorflow-2.21.0 cp311 manylinux x86_64 wheel (572 MB, cached in
// .cache/libtensorflow-gpu/; fetch it once with the command in the skip reason) served by a loopback
// PEP 691 index, its two libraries installed through the installer into <storage>/native/2.21.0-gpu
// (withCuda: false: the multi-GB nvidia-*-cu12 wheels are never downloaded here or in CI), then a
// real engine (dist/engine.js) loads them through tfjs-node's binding and computes the conv2d and
// its filter gradient. The same binding drives the GPU build: it runs on the CPU when no GPU is
// found, and says so (device: CPU). The GPU itself is checked by bench/gpu-check/native-gpu.sh.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, test } from 'node:test';
import { checkInEngine } from '../../src/host/native/engineCheck.ts';
import { EngineClient } from '../../src/host/engineClient.ts';
import { installFromIndex, nativeEngineEnv, readInstalled, removeInstalled, versionDir } from '../../src/host/native/installer.ts';
import { KNOWN_WHEELS, TF_VERSION } from '../../src/host/native/nativeTarget.ts';
import { startIndex } from '../unit/host/native/loopbackIndex.ts';

const repo = resolve(__dirname, '../..');
const cache = join(repo, '.cache/libtensorflow-gpu');
const WHEEL = `tensorflow-${TF_VERSION}-cp311-cp311-manylinux_2_27_x86_64.whl`;
const cached = existsSync(join(cache, WHEEL)) && statSync(join(cache, WHEEL)).size === KNOWN_WHEELS[WHEEL].size;
const skip =
  process.platform !== 'linux' || process.arch !== 'x64'
    ? 'Linux x64 only'
    : !cached
      ? `no ${cache}/${WHEEL} (572 MB; fetch it once: pip download tensorflow==${TF_VERSION} --no-deps --only-binary=:all: --python-version 3.11 --platform manylinux_2_27_x86_64 -d ${cache})`
      : false;
const storage = mkdtempSync(join(tmpdir(), 'cnnlab-native-gpu-build-'));
after(() => rmSync(storage, { recursive: true, force: true }));

test('the CUDA build of libtensorflow (tensorflow wheel) installs, loads and computes on the CPU', { skip, timeout: 600_000 }, async () => {
  const index = await startIndex(join(cache, WHEEL), WHEEL);
  const times: Record<string, number> = {};
  try {
    const record = await installFromIndex({
      storage,
      indexUrl: index.indexUrl, // KNOWN_WHEELS applies: the index must serve the published bytes
      flavour: 'gpu',
      withCuda: false,
      onStage: (stage) => (times[stage] = Date.now()),
      verify: (dir) => checkInEngine(dir, { enginePath: join(repo, 'dist/engine.js'), cwd: repo, flavour: 'gpu' }),
    });
    const done = Date.now();
    const s = (a: number, b: number) => ((b - a) / 1000).toFixed(1);
    const dir = versionDir(storage, TF_VERSION, 'gpu');
    const libMB = record.libraries.reduce((n, l) => n + l.size, 0) / 1e6;
    console.log(
      `CUDA build ${WHEEL} (${(index.size / 1e6).toFixed(0)} MB, libraries ${libMB.toFixed(0)} MB): download+sha256 ${s(times.downloading, times.extracting)} s, extract ${s(times.extracting, times.checking)} s, engine check ${s(times.checking, done)} s: ${record.check}`,
    );
    assert.match(
      record.check,
      new RegExp(
        `^libtensorflow 2\\.21\\.0 from ${dir.replace(/\./g, '\\.')}/libtensorflow_cc\\.so\\.2: conv2d 6,8,12,14, filter gradient 12,16,24,28 \\(device: CPU\\)$`,
      ),
    );
    assert.equal(record.flavour, 'gpu');
    assert.equal(record.wheel.sha256, KNOWN_WHEELS[WHEEL].sha256);
    assert.deepEqual(readdirSync(dir).sort(), ['install.json', 'libtensorflow_cc.so.2', 'libtensorflow_framework.so.2']);
    assert.ok(await readInstalled(storage, TF_VERSION, 'gpu'));
    assert.equal(index.requests.filter((r) => r.path.startsWith('/files/')).length, 1);
  } finally {
    await index.close();
  }
  // the engine as the editor starts it with this install: tensorflow computes on it; tensorflow-gpu
  // is the same library through the same binding and says in one line why it is not offered here
  const client = new EngineClient({
    enginePath: join(repo, 'dist/engine.js'),
    cwd: repo,
    env: nativeEngineEnv(versionDir(storage, TF_VERSION, 'gpu'), process.env, 'gpu'),
  });
  try {
    const list = await client.request('listBackends', {});
    const row = (n: string) => list.find((b) => b.name === n)!;
    console.log(
      `tensorflow: ${row('tensorflow').available ? 'available' : 'unavailable'} (${row('tensorflow').reason}); tensorflow-gpu: ${row('tensorflow-gpu').reason}`,
    );
    assert.equal(row('tensorflow').available, true);
    assert.equal(row('tensorflow').reason, 'libtensorflow 2.21.0');
    assert.equal(row('tensorflow-gpu').available, false);
    const noGpu = existsSync('/proc/driver/nvidia/version')
      ? /the CUDA 12 build of libtensorflow in .* loaded but found no usable GPU/
      : /^the NVIDIA driver's libcuda\.so\.1 is not found, so the CUDA build in .*2\.21\.0-gpu can only run on the CPU$/;
    assert.match(row('tensorflow-gpu').reason!, noGpu);
  } finally {
    client.dispose();
  }
  await removeInstalled(storage);
  assert.deepEqual(readdirSync(storage), []);
});
