// How many layers CNN Lab's tfjs shape hints get right against tfjs itself, and whether any shows a
// wrong shape as known — the tfjs twin of bench/keras-shapes.ts. Default corpus:
// test/fixtures/tfjs-shapes/*.{ts,js,cjs} (our own files of real-world patterns); any other files
// may be given (e.g. public examples tried locally).
//   npx tsx bench/tfjs-shapes.ts [--update] [FILE ...]
// tfjs' values come from bench/tfjs/shape-oracle.ts running the file with real tfjs; --update
// writes them next to each fixture as FILE.tfjs.json, which the unit test reads; without --update a
// file's .tfjs.json is used where it exists.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseTfjs } from '../src/core/parsers/index.ts';
import { compareWithKeras, type KerasRecord } from './lib/kerasShapes.ts';

const root = join(__dirname, '..');
const argv = process.argv.slice(2);
const update = argv.includes('--update');
const dir = join(root, 'test', 'fixtures', 'tfjs-shapes');
const files = argv.filter((a) => !a.startsWith('--'));
const SOURCE = /\.(ts|js|cjs|mjs)$/;
const corpus = files.length > 0 ? files : readdirSync(dir).filter((f) => SOURCE.test(f)).sort().map((f) => join(dir, f));

function oracle(file: string): KerasRecord[] {
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(root, 'bench', 'tfjs', 'shape-oracle.ts'), file], { encoding: 'utf8', maxBuffer: 64 << 20, cwd: root });
  if (r.status !== 0) throw new Error(`${file}: tfjs could not run it:\n${r.stderr.split('\n').slice(-8).join('\n')}`);
  return JSON.parse(r.stdout.trim().split('\n').pop()!) as KerasRecord[];
}

let total = 0;
let matched = 0;
let wrong = 0;
let unknown = 0;
let missing = 0;
let unbuilt = 0;
for (const file of corpus) {
  const saved = file.replace(SOURCE, '.tfjs.json');
  let records: KerasRecord[];
  if (!update && existsSync(saved)) records = JSON.parse(readFileSync(saved, 'utf8')) as KerasRecord[];
  else {
    records = oracle(file);
    if (update) writeFileSync(saved, JSON.stringify(records, null, 1) + '\n');
  }
  const a = compareWithKeras(readFileSync(file, 'utf8'), records, parseTfjs);
  total += a.total;
  matched += a.matched;
  wrong += a.wrong.length;
  unknown += a.unknown;
  missing += a.missing;
  unbuilt += a.unbuilt.length;
  console.log(`${file.replace(root + '/', '')}: ${a.matched}/${a.total} match tfjs, ${a.unknown} unknown, ${a.missing} without a row, ${a.wrong.length} wrong${a.unbuilt.length ? `, ${a.unbuilt.length} rows tfjs did not build` : ''}`);
  const clip = (t: string) => (t.length > 200 ? `${t.slice(0, 200)}…` : t);
  for (const w of a.wrong.slice(0, 8)) console.log(`    WRONG line ${w.line} ${w.cls}: shows ${w.shown}, tfjs ${clip(w.keras)}`);
  for (const u of a.unbuilt.slice(0, 8)) console.log(`    not built by tfjs in this run: line ${u.line} ${u.cls} ${u.shown}`);
}
console.log(`total: ${matched}/${total} layers match tfjs (${unknown} unknown, ${missing} without a row); ${wrong} rows show a wrong shape or count as known; ${unbuilt} rows for layers tfjs did not build in this run`);
process.exitCode = wrong > 0 ? 1 : 0;
