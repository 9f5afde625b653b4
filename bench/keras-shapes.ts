// How many layers CNN Lab's Python shape hints get right against Keras itself, and whether any
// shows a wrong shape as known. Default corpus: test/fixtures/keras-shapes/*.py (our own files
// of real-world patterns); any other .py files may be given (e.g. public examples tried locally).
//   npx tsx bench/keras-shapes.ts [--update] [FILE.py ...]
// Keras' values come from bench/keras/shape-oracle.py run in the bench venv
// (bash bench/setup-keras.sh). --update writes them next to each fixture as FILE.keras.json, which
// the unit test reads; without --update a file's .keras.json is used where it exists.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { compareWithKeras, type KerasRecord } from './lib/kerasShapes.ts';

const root = join(__dirname, '..');
const argv = process.argv.slice(2);
const update = argv.includes('--update');
const dir = join(root, 'test', 'fixtures', 'keras-shapes');
const files = argv.filter((a) => !a.startsWith('--'));
const corpus = files.length > 0 ? files : readdirSync(dir).filter((f) => f.endsWith('.py')).sort().map((f) => join(dir, f));
const python = join(root, '.cache', 'bench-venv', 'bin', 'python');

function oracle(file: string): KerasRecord[] {
  if (!existsSync(python)) throw new Error(`${python}: missing; run bash bench/setup-keras.sh`);
  const r = spawnSync(python, [join(root, 'bench', 'keras', 'shape-oracle.py'), file], { encoding: 'utf8', maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new Error(`${file}: Keras could not run it:\n${r.stderr.split('\n').slice(-8).join('\n')}`);
  return JSON.parse(r.stdout.trim().split('\n').pop()!) as KerasRecord[];
}

let total = 0;
let matched = 0;
let wrong = 0;
let unknown = 0;
let missing = 0;
let unbuilt = 0;
for (const file of corpus) {
  const saved = file.replace(/\.py$/, '.keras.json');
  let records: KerasRecord[];
  if (!update && existsSync(saved)) records = JSON.parse(readFileSync(saved, 'utf8')) as KerasRecord[];
  else {
    records = oracle(file);
    if (update) writeFileSync(saved, JSON.stringify(records, null, 1) + '\n');
  }
  const a = compareWithKeras(readFileSync(file, 'utf8'), records);
  total += a.total;
  matched += a.matched;
  wrong += a.wrong.length;
  unknown += a.unknown;
  missing += a.missing;
  unbuilt += a.unbuilt.length;
  console.log(`${file.replace(root + '/', '')}: ${a.matched}/${a.total} match Keras, ${a.unknown} unknown, ${a.missing} without a row, ${a.wrong.length} wrong${a.unbuilt.length ? `, ${a.unbuilt.length} rows Keras did not build` : ''}`);
  const clip = (t: string) => (t.length > 200 ? `${t.slice(0, 200)}…` : t);
  for (const w of a.wrong.slice(0, 8)) console.log(`    WRONG line ${w.line} ${w.cls}: shows ${w.shown}, Keras ${clip(w.keras)}`);
  for (const u of a.unbuilt.slice(0, 8)) console.log(`    not built by Keras in this run: line ${u.line} ${u.cls} ${u.shown}`);
}
console.log(`total: ${matched}/${total} layers match Keras (${unknown} unknown, ${missing} without a row); ${wrong} rows show a wrong shape or count as known; ${unbuilt} rows for layers Keras did not build in this run`);
process.exitCode = wrong > 0 ? 1 : 0;
