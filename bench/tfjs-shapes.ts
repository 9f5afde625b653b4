// How many layers CNN Lab's tfjs shape hints get right against tfjs itself, and whether any shows a
// wrong shape as known — the tfjs twin of bench/keras-shapes.ts. Default corpus:
// test/fixtures/tfjs-shapes/*.{ts,js,cjs} (our own files of real-world patterns); any other files
// may be given (e.g. public examples tried locally).
//   npx tsx bench/tfjs-shapes.ts [--update] [FILE ...]
// tfjs' values come from bench/tfjs/shape-oracle.ts running the file with real tfjs; --update
// writes them next to each fixture as FILE.tfjs.json, which the unit test reads; without --update a
// file's .tfjs.json is used where it exists.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseTfjs } from '../src/core/parsers/index.ts';
import { runShapeBench, type KerasRecord } from './lib/kerasShapes.ts';

const root = join(__dirname, '..');
const argv = process.argv.slice(2);
const update = argv.includes('--update');
const dir = join(root, 'test', 'fixtures', 'tfjs-shapes');
const files = argv.filter((a) => !a.startsWith('--'));
const SOURCE = /\.(ts|js|cjs|mjs)$/;
const corpus =
  files.length > 0
    ? files
    : readdirSync(dir)
        .filter((f) => SOURCE.test(f))
        .sort()
        .map((f) => join(dir, f));

function oracle(file: string): KerasRecord[] {
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(root, 'bench', 'tfjs', 'shape-oracle.ts'), file], {
    encoding: 'utf8',
    maxBuffer: 64 << 20,
    cwd: root,
  });
  if (r.status !== 0) throw new Error(`${file}: tfjs could not run it:\n${r.stderr.split('\n').slice(-8).join('\n')}`);
  return JSON.parse(r.stdout.trim().split('\n').pop()!) as KerasRecord[];
}

process.exitCode =
  runShapeBench(corpus, { root, update, against: 'tfjs', saved: (file) => file.replace(SOURCE, '.tfjs.json'), oracle, parse: parseTfjs }) >
  0
    ? 1
    : 0;
