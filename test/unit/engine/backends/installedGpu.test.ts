// The engine's tensorflow-gpu backend when the editor installed the CUDA 12 build
// (CNN_LAB_NATIVE_GPU_LIB set): it is tfjs-node's binding over that library, not tfjs-node-gpu with
// its CUDA 11.2 pin, and without the driver's libcuda.so.1 it says so in one line before loading
// anything. (That it loads and computes is test/slow/native-install-gpu-build.test.ts.)
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { missingSharedLibraries } from '../../../../src/engine/backends/sharedLibs.ts';
import { tensorflowGpuDriver } from '../../../../src/engine/backends/tensorflow.ts';
import { NATIVE_GPU_LIB_ENV } from '../../../../src/protocol/messages.ts';

const hasDriver = missingSharedLibraries(['libcuda.so.1']).length === 0;

test(
  'an installed CUDA build without the NVIDIA driver: tensorflow-gpu is refused in one line, naming libcuda and the folder',
  { skip: hasDriver ? 'this machine has libcuda.so.1' : false },
  async () => {
    const before = process.env[NATIVE_GPU_LIB_ENV];
    process.env[NATIVE_GPU_LIB_ENV] = '/storage/native/2.21.0-gpu';
    try {
      const outcome = await tensorflowGpuDriver.load();
      assert.equal(outcome.ok, false);
      const { reason, install } = outcome as { reason: string; install?: string };
      assert.equal(
        reason,
        "the NVIDIA driver's libcuda.so.1 is not found, so the CUDA build in /storage/native/2.21.0-gpu can only run on the CPU",
      );
      assert.doesNotMatch(reason, /CUDA 11\.2|tfjs-node-gpu/, 'not the tfjs-node-gpu pin');
      assert.match(install ?? '', /NVIDIA driver/);
    } finally {
      if (before === undefined) delete process.env[NATIVE_GPU_LIB_ENV];
      else process.env[NATIVE_GPU_LIB_ENV] = before;
    }
  },
);
