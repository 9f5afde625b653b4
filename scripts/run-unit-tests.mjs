// Runs every test/unit/**/*.test.ts with Node's own test runner through the tsx loader.
// (Node 20's --test does not expand globs or pick up .ts files by itself.)
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

function findTests(dir) {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) return findTests(p);
    return name.endsWith('.test.ts') ? [p] : [];
  });
}

const roots = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const files = (roots.length ? roots : ['test/unit', 'test/webview'])
  .flatMap((r) => (statSync(r).isDirectory() ? findTests(r) : [r]))
  .sort();
const reporter = process.argv.includes('--dot') ? 'dot' : 'spec';
const result = spawnSync(process.execPath, ['--import', 'tsx', '--test', `--test-reporter=${reporter}`, ...files], { stdio: 'inherit' });
process.exit(result.status ?? 1);
