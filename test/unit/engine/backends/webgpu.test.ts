// WebGPU detection: the adapter description shown to users, software adapters kept out of `auto`,
// and a clear reason when this machine has no GPU adapter.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { listBackends } from '../../../../src/engine/backends/index.ts';
import { describeAdapter, isSoftwareAdapter } from '../../../../src/engine/backends/webgpu.ts';

test('describes an adapter from whichever fields Dawn fills in', () => {
  assert.equal(
    describeAdapter({ vendor: 'nvidia', architecture: 'hopper', device: '', description: 'NVIDIA H200' }),
    'NVIDIA H200 (nvidia, hopper)',
  );
  assert.equal(describeAdapter({ vendor: 'intel', device: 'Intel(R) Arc(tm) A770 Graphics' }), 'Intel(R) Arc(tm) A770 Graphics (intel)');
  assert.equal(describeAdapter(undefined), 'unknown adapter');
});

test('CPU-emulated Vulkan adapters are recognised as software', () => {
  assert.equal(isSoftwareAdapter({ info: { description: 'llvmpipe (LLVM 15.0.6, 256 bits)' } }), true);
  assert.equal(isSoftwareAdapter({ info: { description: 'SwiftShader Device (Subzero)' } }), true);
  assert.equal(isSoftwareAdapter({ isFallbackAdapter: true, info: { description: 'Something' } }), true);
  assert.equal(isSoftwareAdapter({ info: { description: 'NVIDIA H200', vendor: 'nvidia' } }), false);
});

test('without an adapter, webgpu is unavailable and says why and what to install', async (t) => {
  const webgpu = (await listBackends()).find((b) => b.name === 'webgpu')!;
  if (webgpu.available) {
    t.skip(`this machine has a GPU adapter: ${webgpu.reason}`);
    return;
  }
  assert.match(webgpu.reason!, /GPU adapter|webgpu/);
  assert.match(webgpu.install!, /Vulkan|webgpu/);
});
