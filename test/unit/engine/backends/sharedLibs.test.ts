// Finding native libraries (CUDA, the Vulkan loader) on disk, without loading them.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { findSharedLibrary, librarySearchDirs, missingSharedLibraries } from '../../../../src/engine/backends/sharedLibs.ts';

test('finds a library in the given folders, in order, and names the missing ones', () => {
  const first = mkdtempSync(join(tmpdir(), 'cnnlab-libs-a-'));
  const second = mkdtempSync(join(tmpdir(), 'cnnlab-libs-b-'));
  try {
    writeFileSync(join(first, 'libcudnn.so.8'), '');
    writeFileSync(join(second, 'libcudnn.so.8'), '');
    writeFileSync(join(second, 'libcudart.so.11.0'), '');
    assert.equal(findSharedLibrary('libcudnn.so.8', [first, second]), join(first, 'libcudnn.so.8'));
    assert.equal(findSharedLibrary('libcudart.so.11.0', [first, second]), join(second, 'libcudart.so.11.0'));
    const missing = missingSharedLibraries(['libcudnn.so.8', 'libcudart.so.11.0', 'libcnnlab-not-a-real-lib.so.42'], [first, second]);
    assert.deepEqual(missing, ['libcnnlab-not-a-real-lib.so.42']);
  } finally {
    rmSync(first, { recursive: true, force: true });
    rmSync(second, { recursive: true, force: true });
  }
});

test('finds a real system library through the standard folders or the ldconfig cache', () => {
  // libc is there on every Linux machine that runs Node.
  if (process.platform !== 'linux') return;
  assert.ok(findSharedLibrary('libc.so.6'), 'libc.so.6 found');
});

test('LD_LIBRARY_PATH comes first, then the standard folders, without duplicates', () => {
  const dirs = librarySearchDirs({ LD_LIBRARY_PATH: '/opt/cuda/lib64::/usr/lib' });
  assert.equal(dirs[0], '/opt/cuda/lib64');
  assert.equal(dirs[1], '/usr/lib');
  assert.equal(dirs.filter((d) => d === '/usr/lib').length, 1);
  assert.ok(dirs.includes('/usr/local/cuda/lib64'));
});
