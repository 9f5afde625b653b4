// Compares CNN Lab's Python shape analysis with Keras' own shapes for the same file: the records
// of bench/keras/shape-oracle.py (every layer Keras built, with the file line it was made on)
// against the rows parsePythonKeras shows. Rows and layers meet by line and class (a helper's line
// has one layer per call): a Keras layer is matched by a row of its own, one to one, that shows its
// exact shape and count; a row is wrong when no layer of that line and class has what it shows.
// (Rows of different calls are not told apart: a row showing another call's shape passes.)
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { canonicalLayerKind } from '../../src/core/layers/index.ts';
import { parsePythonKeras, type ParsedLayer, type ParseResult } from '../../src/core/parsers/index.ts';
import type { Shape } from '../../src/core/shape.ts';

export interface KerasRecord {
  line: number;
  callLines: number[];
  cls: string;
  shapes: Shape[];
  params: number | null;
}

export interface Agreement {
  /** Keras layers (InputLayer left out: every model has one, often made inside Keras) */
  total: number;
  /** a row shows exactly Keras' shape and parameter count */
  matched: number;
  /** rows that show a known shape (or any known dimension, or a parameter count) Keras does not have */
  wrong: { line: number; cls: string; shown: string; keras: string }[];
  /** Keras layers with a row that says unknown (or partly known, rightly) */
  unknown: number;
  /** Keras layers with no row at all */
  missing: number;
  /**
   * Rows Keras made no layer for in this run: a branch it did not take (the row's shape is the one
   * that branch would give), or a row the analyser made up — listed, for a test to pin.
   */
  unbuilt: { line: number; cls: string; shown: string }[];
}

const classKey = (c: string) => canonicalLayerKind(c) ?? c.toLowerCase();
const fmt = (s: Shape | null) => (s ? `(${s.map((d) => d ?? '?').join(', ')})` : '?');
/** Every known dimension agrees (a partly known shape can be right). */
const compatible = (ours: Shape | null, theirs: Shape) =>
  ours === null || (ours.length === theirs.length && ours.every((d, i) => d === null || d === theirs[i]));
const exact = (ours: Shape | null, theirs: Shape) =>
  ours !== null && ours.length === theirs.length && ours.every((d, i) => d === theirs[i]);

/**
 * `parse` is the front end the records are for: Python against Keras (the default), or tfjs
 * TypeScript against tfjs (bench/tfjs/shape-oracle.ts makes the same records).
 */
export function compareWithKeras(
  source: string,
  records: KerasRecord[],
  parse: (text: string) => ParseResult = parsePythonKeras,
): Agreement {
  const rows = new Set<ParsedLayer>();
  // Models of functions the file never calls: Keras did not build them either. Raw tf ops are
  // not layers (the oracle records layers only).
  for (const m of parse(source).models) if (!m.uncalled && m.kind !== 'ops') for (const l of m.layers) rows.add(l);
  const keras = records.filter((r) => r.cls !== 'InputLayer');
  const ours = [...rows].filter((r) => r.spec.kind !== 'InputLayer');
  const group = <T>(items: T[], key: (t: T) => string) => {
    const m = new Map<string, T[]>();
    for (const i of items) m.set(key(i), [...(m.get(key(i)) ?? []), i]);
    return m;
  };
  // A layer applied somewhere other than where it was made: its row is at the application.
  const lineOf = new Map<KerasRecord, number>();
  const made = new Set(ours.map((r) => `${r.range.start.line + 1}|${classKey(r.spec.className)}`));
  for (const k of keras)
    lineOf.set(
      k,
      made.has(`${k.line}|${classKey(k.cls)}`) ? k.line : (k.callLines.find((l) => made.has(`${l}|${classKey(k.cls)}`)) ?? k.line),
    );
  const kerasBy = group(keras, (k) => `${lineOf.get(k)}|${classKey(k.cls)}`);
  const oursBy = group(ours, (r) => `${r.range.start.line + 1}|${classKey(r.spec.className)}`);
  const result: Agreement = { total: keras.length, matched: 0, wrong: [], unknown: 0, missing: 0, unbuilt: [] };
  for (const [key, ks] of kerasBy) {
    const rs = oursBy.get(key) ?? [];
    if (rs.length === 0) {
      result.missing += ks.length;
      continue;
    }
    const free = new Set(rs);
    for (const k of ks) {
      const row = [...free].find(
        (r) => k.shapes.length === 1 && exact(r.outputShape, k.shapes[0]) && (k.params === null || r.params?.total === k.params),
      );
      if (row) {
        free.delete(row);
        result.matched++;
      } else result.unknown++;
    }
  }
  for (const [key, rs] of oursBy) {
    const ks = kerasBy.get(key) ?? [];
    rs.forEach((r) => {
      const against = ks;
      // shape and count must both be one layer's
      const ok = against.some(
        (k) =>
          (r.outputShape === null || k.shapes.some((s) => compatible(r.outputShape, s))) &&
          (r.params === null || k.params === null || k.params === r.params.total),
      );
      if (ks.length === 0) {
        result.unbuilt.push({
          line: r.range.start.line + 1,
          cls: r.spec.className,
          shown: `${fmt(r.outputShape)} ${r.params?.total ?? '?'}`,
        });
        return;
      }
      if (!ok) {
        result.wrong.push({
          line: r.range.start.line + 1,
          cls: r.spec.className,
          shown: `${fmt(r.outputShape)} ${r.params?.total ?? '?'}`,
          keras: against.map((k) => `${k.shapes.map(fmt).join('|')} ${k.params ?? '?'}`).join(' / ') || 'no such layer',
        });
      }
    });
  }
  // Unknown counts layers with a row that did not match; wrong rows are counted separately.
  return result;
}

/**
 * The corpus run of bench/keras-shapes.ts and bench/tfjs-shapes.ts: each file's records (saved
 * next to it, or from the oracle; --update saves them), compared with our rows, one line per file
 * and a total. Returns the number of rows that show a wrong shape as known (the exit status).
 */
export function runShapeBench(
  corpus: string[],
  o: {
    root: string;
    update: boolean;
    against: string;
    saved(file: string): string;
    oracle(file: string): KerasRecord[];
    parse?: (text: string) => ParseResult;
  },
): number {
  const sum = { total: 0, matched: 0, wrong: 0, unknown: 0, missing: 0, unbuilt: 0 };
  const clip = (t: string) => (t.length > 200 ? `${t.slice(0, 200)}…` : t);
  for (const file of corpus) {
    const saved = o.saved(file);
    let records: KerasRecord[];
    if (!o.update && existsSync(saved)) records = JSON.parse(readFileSync(saved, 'utf8')) as KerasRecord[];
    else {
      records = o.oracle(file);
      if (o.update) writeFileSync(saved, JSON.stringify(records, null, 1) + '\n');
    }
    const a = compareWithKeras(readFileSync(file, 'utf8'), records, o.parse);
    sum.total += a.total;
    sum.matched += a.matched;
    sum.wrong += a.wrong.length;
    sum.unknown += a.unknown;
    sum.missing += a.missing;
    sum.unbuilt += a.unbuilt.length;
    console.log(
      `${file.replace(o.root + '/', '')}: ${a.matched}/${a.total} match ${o.against}, ${a.unknown} unknown, ${a.missing} without a row, ${a.wrong.length} wrong${a.unbuilt.length ? `, ${a.unbuilt.length} rows ${o.against} did not build` : ''}`,
    );
    for (const w of a.wrong.slice(0, 8)) console.log(`    WRONG line ${w.line} ${w.cls}: shows ${w.shown}, ${o.against} ${clip(w.keras)}`);
    for (const u of a.unbuilt.slice(0, 8)) console.log(`    not built by ${o.against} in this run: line ${u.line} ${u.cls} ${u.shown}`);
  }
  console.log(
    `total: ${sum.matched}/${sum.total} layers match ${o.against} (${sum.unknown} unknown, ${sum.missing} without a row); ${sum.wrong} rows show a wrong shape or count as known; ${sum.unbuilt} rows for layers ${o.against} did not build in this run`,
  );
  return sum.wrong;
}
