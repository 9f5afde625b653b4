// The slow robustness tests (test/slow): a real forked engine killed with SIGKILL mid-epoch and
// resumed, a real full disk (a small tmpfs; needs root), tens of thousands of tiny files. They are
// not part of `npm test`; `.ci/run` calls `npm run test:slow`. The engine bundle is built first,
// since the crash test forks dist/engine.js as the extension does.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

const build = spawnSync(process.execPath, ['esbuild.mjs'], { stdio: 'inherit' });
if (build.status !== 0) process.exit(build.status ?? 1);

const only = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const files = (
  only.length
    ? only
    : readdirSync('test/slow')
        .filter((f) => f.endsWith('.test.ts'))
        .map((f) => join('test/slow', f))
).sort();
const result = spawnSync(
  process.execPath,
  // --expose-gc: the many-files test measures memory after collecting garbage
  ['--expose-gc', '--import', 'tsx', '--test', '--test-reporter=spec', ...files],
  { stdio: 'inherit' },
);
process.exit(result.status ?? 1);
