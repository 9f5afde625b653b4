// The tensorflow-gpu flavour of the native installer, without `vscode`, the internet or a GPU: the
// NVIDIA driver detection (fed ldconfig, /proc and nvidia-smi outputs), the and-cuda requirements as
// the real tensorflow 2.21.0 METADATA has them, the newest-in-range nvidia wheel on a PEP 691 page,
// and a whole install from a loopback index serving a small CUDA-build wheel and nvidia wheels.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, test } from 'node:test';
import {
  CUDA_REQUIREMENTS_2_21,
  formatRequirement,
  parseCudaRequirements,
  pickCudaWheel,
  satisfies,
} from '../../../../src/host/native/cudaWheels.ts';
import { NativeInstallError } from '../../../../src/host/native/errors.ts';
import {
  installFromFile,
  installFromIndex,
  nativeEngineEnv,
  readInstalled,
  removeInstalled,
  versionDir,
} from '../../../../src/host/native/installer.ts';
import type { Machine } from '../../../../src/host/native/nativeTarget.ts';
import { checkNvidiaDriver, type DriverProbe } from '../../../../src/host/native/nvidiaDriver.ts';
import { NATIVE_GPU_LIB_ENV, NATIVE_LIB_ENV } from '../../../../src/protocol/messages.ts';
import { buildNvidiaWheel, buildWheel, startIndex, type LoopbackIndex } from './loopbackIndex.ts';

const LINUX: Machine = { platform: 'linux', arch: 'x64', glibc: '2.36' };
const METADATA = readFileSync(join(__dirname, '../../../fixtures/native/tensorflow-2.21.0.METADATA'), 'utf8');
const GPU_WHEEL = 'tensorflow-2.21.0-cp311-cp311-manylinux_2_27_x86_64.whl';

function probe(p: Partial<DriverProbe>): DriverProbe {
  return { ldconfig: () => null, exists: () => false, procVersion: () => null, nvidiaSmi: () => null, env: {}, ...p };
}
const NO_DRIVER = probe({
  ldconfig: () => "1234 libs found in cache `/etc/ld.so.cache'\n\tlibc.so.6 (libc6,x86-64) => /lib/x86_64-linux-gnu/libc.so.6\n",
});
const DRIVER = probe({
  ldconfig: () =>
    '\tlibcuda.so.1 (libc6) => /usr/lib/i386-linux-gnu/libcuda.so.1\n\tlibcuda.so.1 (libc6,x86-64) => /usr/lib/x86_64-linux-gnu/libcuda.so.1\n',
  procVersion: () =>
    'NVRM version: NVIDIA UNIX x86_64 Kernel Module  550.54.15  Tue Mar  5 22:23:56 UTC 2024\nGCC version:  gcc version 12.2.0\n',
});

describe('NVIDIA driver detection', () => {
  test('no libcuda.so.1 anywhere: one line naming what is missing and what to use instead', () => {
    const r = checkNvidiaDriver(NO_DRIVER);
    assert.equal(r.ok, false);
    assert.match(
      (r as { reason: string }).reason,
      /^no NVIDIA driver found \(libcuda\.so\.1 is not in the ldconfig cache.*use the tensorflow \(CPU\) or webgpu backend$/,
    );
  });
  test('the x86-64 libcuda from ldconfig and the version from /proc', () => {
    assert.deepEqual(checkNvidiaDriver(DRIVER), {
      ok: true,
      libcuda: '/usr/lib/x86_64-linux-gnu/libcuda.so.1',
      driver: '550.54.15',
      gpus: [],
    });
  });
  test('libcuda on LD_LIBRARY_PATH (no ldconfig entry), version and GPU names from nvidia-smi', () => {
    const r = checkNvidiaDriver(
      probe({
        env: { LD_LIBRARY_PATH: '/opt/drv' },
        exists: (p) => p === '/opt/drv/libcuda.so.1',
        nvidiaSmi: () => '570.86.10, NVIDIA H200\n570.86.10, NVIDIA H200\n',
      }),
    );
    assert.deepEqual(r, { ok: true, libcuda: '/opt/drv/libcuda.so.1', driver: '570.86.10', gpus: ['NVIDIA H200', 'NVIDIA H200'] });
  });
  test('a driver older than CUDA 12 needs, and a libcuda without a loaded kernel driver, are refused', () => {
    const old = checkNvidiaDriver({
      ...DRIVER,
      procVersion: () => 'NVRM version: NVIDIA UNIX x86_64 Kernel Module  470.223.02  Sat Oct  7 15:39:11 UTC 2023',
    });
    assert.match(
      (old as { reason: string }).reason,
      /^the NVIDIA driver is 470\.223\.02; the CUDA 12 libraries of tensorflow-gpu need 525\.60\.13 or newer/,
    );
    const unloaded = checkNvidiaDriver({ ...DRIVER, procVersion: () => null });
    assert.match(
      (unloaded as { reason: string }).reason,
      /^\/usr\/lib\/x86_64-linux-gnu\/libcuda\.so\.1 is present but no NVIDIA kernel driver answers/,
    );
  });
});

describe('the and-cuda requirements', () => {
  test('read from the real tensorflow 2.21.0 METADATA: the twelve nvidia-*-cu12 wheels, nothing else', () => {
    assert.deepEqual(parseCudaRequirements(METADATA).map(formatRequirement), [...CUDA_REQUIREMENTS_2_21]);
  });
  test('PEP 440 ranges on final releases; pre-releases are not taken', () => {
    const specs = parseCudaRequirements('Requires-Dist: nvidia-cudnn-cu12<10.0,>=9.3.0.75; extra == "and-cuda"')[0].specifiers;
    assert.equal(satisfies('9.3.0.75', specs), true);
    assert.equal(satisfies('9.10.2.21', specs), true);
    assert.equal(satisfies('9.3.0.74', specs), false);
    assert.equal(satisfies('10.0', specs), false);
    assert.equal(satisfies('9.4.0rc1', specs), false);
  });
  test('the newest wheel in range for Linux x86_64 is picked from a PEP 691 page', () => {
    const req = parseCudaRequirements('Requires-Dist: nvidia-cublas-cu12<13.0,>=12.5.3.2; extra == "and-cuda"')[0];
    const f = (filename: string) => ({ filename, url: `https://files.example/${filename}`, hashes: { sha256: 'a'.repeat(64) }, size: 10 });
    const page = {
      files: [
        f('nvidia_cublas_cu12-12.4.5.8-py3-none-manylinux2014_x86_64.whl'),
        f('nvidia_cublas_cu12-12.9.1.4-py3-none-manylinux_2_27_x86_64.whl'),
        f('nvidia_cublas_cu12-12.9.1.4-py3-none-win_amd64.whl'),
        f('nvidia_cublas_cu12-12.9.2.0-py3-none-manylinux_2_27_aarch64.whl'),
        f('nvidia_cublas_cu12-13.0.0.19-py3-none-manylinux_2_27_x86_64.whl'),
        { ...f('nvidia_cublas_cu12-12.9.3.0-py3-none-manylinux_2_27_x86_64.whl'), yanked: 'broken' },
        f('nvidia_cublas_cu12-12.8.4.1-py3-none-manylinux1_x86_64.whl'),
      ],
    };
    const ref = pickCudaWheel(page, new URL('https://index.example/simple/nvidia-cublas-cu12/'), req, LINUX);
    assert.equal(ref.filename, 'nvidia_cublas_cu12-12.9.1.4-py3-none-manylinux_2_27_x86_64.whl');
    assert.equal(ref.version, '12.9.1.4');
    const none = (() => {
      try {
        pickCudaWheel({ files: [page.files[0]] }, new URL('https://index.example/simple/nvidia-cublas-cu12/'), req, LINUX);
      } catch (e) {
        return e;
      }
    })();
    assert.ok(none instanceof NativeInstallError);
    assert.match(none.message, /lists no nvidia-cublas-cu12<13\.0,>=12\.5\.3\.2 wheel for Linux x86_64/);
  });
});

describe('installing the tensorflow-gpu flavour from a loopback index', () => {
  let storage: string;
  let index: LoopbackIndex;
  const CUDA_META = [
    'Metadata-Version: 2.1',
    'Name: tensorflow',
    'Version: 2.21.0',
    'Requires-Dist: numpy>=1.26.0',
    'Requires-Dist: nvidia-cublas-cu12<13.0,>=12.5.3.2; extra == "and-cuda"',
    'Requires-Dist: nvidia-cudnn-cu12<10.0,>=9.3.0.75; extra == "and-cuda"',
    '',
  ].join('\n');
  beforeEach(async () => {
    storage = await mkdtemp(join(tmpdir(), 'cnnlab-gpu-'));
    const wheel = await buildWheel({ distInfo: 'tensorflow-2.21.0.dist-info', metadata: CUDA_META });
    index = await startIndex(wheel, GPU_WHEEL, {
      'nvidia-cublas-cu12': [
        await buildNvidiaWheel('nvidia-cublas-cu12', '12.9.1.4', 'cublas', ['libcublas.so.12', 'libcublasLt.so.12']),
        await buildNvidiaWheel('nvidia-cublas-cu12', '13.0.0.19', 'cublas', ['libcublas.so.13']),
      ],
      'nvidia-cudnn-cu12': [await buildNvidiaWheel('nvidia-cudnn-cu12', '9.10.2.21', 'cudnn', ['libcudnn.so.9', 'libcudnn_ops.so.9'])],
    });
  });
  afterEach(async () => {
    await index.close();
    await rm(storage, { recursive: true, force: true });
  });
  const opts = (extra = {}) => ({
    storage,
    indexUrl: index.indexUrl,
    machine: LINUX,
    known: {},
    flavour: 'gpu' as const,
    driverProbe: DRIVER,
    retryDelayMs: 10,
    idleTimeoutMs: 2000,
    ...extra,
  });

  test('the CUDA build and the newest in-range nvidia wheels: libraries in <version>-gpu/ and its cuda/, the engine env points at both', async () => {
    const seen: string[][] = [];
    const record = await installFromIndex({
      ...opts(),
      verify: async (dir) => (seen.push(readdirSync(join(dir, 'cuda')).sort()), 'checked'),
    });
    const dir = versionDir(storage, '2.21.0', 'gpu');
    assert.equal(dir, join(storage, 'native', '2.21.0-gpu'));
    assert.deepEqual(
      seen,
      [['libcublas.so.12', 'libcublasLt.so.12', 'libcudnn.so.9', 'libcudnn_ops.so.9']],
      'the check ran with the CUDA libraries in place',
    );
    assert.equal(record.flavour, 'gpu');
    assert.deepEqual(
      record.cuda?.wheels.map((w) => w.filename),
      [
        'nvidia_cublas_cu12-12.9.1.4-py3-none-manylinux2014_x86_64.manylinux_2_17_x86_64.whl',
        'nvidia_cudnn_cu12-9.10.2.21-py3-none-manylinux2014_x86_64.manylinux_2_17_x86_64.whl',
      ],
    );
    assert.deepEqual(readdirSync(dir).sort(), ['cuda', 'install.json', 'libtensorflow_cc.so.2', 'libtensorflow_framework.so.2']);
    assert.deepEqual(
      readdirSync(join(storage, 'native')).filter((n) => !n.endsWith('.lock')),
      ['2.21.0-gpu'],
      'the downloaded wheels are gone',
    );
    assert.ok(
      index.requests.some((r) => r.path === '/simple/tensorflow/'),
      'the tensorflow project, not tensorflow-cpu',
    );
    assert.ok(await readInstalled(storage, '2.21.0', 'gpu'));
    assert.equal(await readInstalled(storage, '2.21.0', 'cpu'), null);
    const env = nativeEngineEnv(dir, { LD_LIBRARY_PATH: '/x' }, 'gpu');
    assert.equal(env.LD_LIBRARY_PATH, `${dir}:${join(dir, 'cuda')}:/x`);
    assert.equal(env[NATIVE_LIB_ENV], dir);
    assert.equal(env[NATIVE_GPU_LIB_ENV], dir);
    assert.equal(nativeEngineEnv(dir, env)[NATIVE_GPU_LIB_ENV], undefined, 'the cpu env drops a stale GPU marker');
    // a CUDA library gone from disk makes the install incomplete
    await rm(join(dir, 'cuda', 'libcudnn.so.9'));
    assert.equal(await readInstalled(storage, '2.21.0', 'gpu'), null);
    await removeInstalled(storage);
    assert.equal(existsSync(dir), false);
  });

  test('no NVIDIA driver: refused in one line before the index is asked anything', async () => {
    const e = await installFromIndex({ ...opts({ driverProbe: NO_DRIVER }), verify: async () => 'unused' }).catch((x: unknown) => x);
    assert.ok(e instanceof NativeInstallError);
    assert.equal(e.kind, 'unsupported-platform');
    assert.match(e.message, /^no NVIDIA driver found/);
    assert.doesNotMatch(e.message, /\n/);
    assert.equal(index.requests.length, 0);
  });

  test('the CUDA build without its CUDA wheels (withCuda: false) needs no driver: it runs on the CPU', async () => {
    const record = await installFromIndex({ ...opts({ driverProbe: NO_DRIVER, withCuda: false }), verify: async () => 'checked' });
    assert.equal(record.cuda, undefined);
    assert.equal(index.requests.filter((r) => r.path.includes('nvidia')).length, 0);
    assert.deepEqual(readdirSync(versionDir(storage, '2.21.0', 'gpu')).sort(), [
      'install.json',
      'libtensorflow_cc.so.2',
      'libtensorflow_framework.so.2',
    ]);
  });

  test('a tensorflow-cpu wheel from a file is not the CUDA build', async () => {
    const file = join(storage, 'tensorflow_cpu-2.21.0-cp311-cp311-manylinux_2_27_x86_64.whl');
    await writeFile(file, await buildWheel());
    const e = await installFromFile({ storage, wheel: file, flavour: 'gpu', machine: LINUX, verify: async () => 'unused' }).catch(
      (x: unknown) => x,
    );
    assert.ok(e instanceof NativeInstallError);
    assert.match(e.message, /: expected a tensorflow-2\.21\.0-…-manylinux…_x86_64\.whl wheel/);
  });
});
