// How many layers CNN Lab's Python shape hints get right against Keras itself, and whether any
// shows a wrong shape as known. Default corpus: test/fixtures/keras-shapes/*.py (our own files
// of real-world patterns); any other .py files may be given (e.g. public examples tried locally).
//   npx tsx bench/keras-shapes.ts [--update] [FILE.py ...]
// Keras' values come from bench/keras/shape-oracle.py run in the bench venv
// (bash bench/setup-keras.sh). --update writes them next to each fixture as FILE.keras.json, which
// the unit test reads; without --update a file's .keras.json is used where it exists.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { runShapeBench, type KerasRecord } from './lib/kerasShapes.ts';

const root = join(__dirname, '..');
const argv = process.argv.slice(2);
const update = argv.includes('--update');
const dir = join(root, 'test', 'fixtures', 'keras-shapes');
const files = argv.filter((a) => !a.startsWith('--'));
const corpus =
  files.length > 0
    ? files
    : readdirSync(dir)
        .filter((f) => f.endsWith('.py'))
        .sort()
        .map((f) => join(dir, f));
const python = join(root, '.cache', 'bench-venv', 'bin', 'python');

function oracle(file: string): KerasRecord[] {
  if (!existsSync(python)) throw new Error(`${python}: missing; run bash bench/setup-keras.sh`);
  const r = spawnSync(python, [join(root, 'bench', 'keras', 'shape-oracle.py'), file], { encoding: 'utf8', maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new Error(`${file}: Keras could not run it:\n${r.stderr.split('\n').slice(-8).join('\n')}`);
  return JSON.parse(r.stdout.trim().split('\n').pop()!) as KerasRecord[];
}

process.exitCode =
  runShapeBench(corpus, { root, update, against: 'Keras', saved: (file) => file.replace(/\.py$/, '.keras.json'), oracle }) > 0 ? 1 : 0;
