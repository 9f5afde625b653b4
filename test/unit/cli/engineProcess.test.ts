// The allocator settings of a process that runs libtensorflow (src/node/engineAllocator.ts) and the
// CLI's re-run that gives them to train/predict/evaluate (src/cli/engineProcess.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { ENGINE_ALLOCATOR_ENV, lacksEngineAllocator, withEngineAllocator } from '../../../src/node/engineAllocator.ts';

test('engine allocator: added on Linux, a value the user set is kept, other platforms untouched', () => {
  const env = { PATH: '/bin' };
  assert.deepEqual(withEngineAllocator(env, 'linux'), { PATH: '/bin', MALLOC_ARENA_MAX: '1' });
  assert.deepEqual(env, { PATH: '/bin' }, 'the given environment is not changed');
  const own = { MALLOC_ARENA_MAX: '4' };
  assert.equal(withEngineAllocator(own, 'linux'), own);
  assert.equal(lacksEngineAllocator(own, 'linux'), false);
  for (const platform of ['darwin', 'win32'] as const) {
    assert.equal(withEngineAllocator(env, platform), env);
    assert.equal(lacksEngineAllocator(env, platform), false);
  }
  assert.deepEqual(Object.keys(ENGINE_ALLOCATOR_ENV), ['MALLOC_ARENA_MAX']);
});

test('CLI re-run: the command runs once, with the allocator settings and its arguments, and its exit code is passed on', (t) => {
  if (process.platform !== 'linux') return t.skip('the settings are for glibc: no re-run elsewhere');
  const env = { ...process.env };
  delete env.MALLOC_ARENA_MAX;
  const probe = join(__dirname, 'fixtures', 'rerunProbe.mts');
  const r = spawnSync(process.execPath, ['--import', 'tsx', probe, 'predict', '--image', 'a b.jpg'], { env, encoding: 'utf8' });
  assert.equal(r.status, 7, r.stderr);
  assert.equal(r.stdout, 'MALLOC_ARENA_MAX=1 args=predict,--image,a b.jpg\n');
});
