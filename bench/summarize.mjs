#!/usr/bin/env node
// Merges raw results of several bench/compare.mjs runs (bench/results/*.json) into one markdown
// table, recomputing medians, the ratio of medians and the paired (per-round) ratio from the raw
// samples, with the subset sizes, rounds and load averages each row was measured under.
//
//   node bench/summarize.mjs bench/results/A.json bench/results/B.json > table.md
import { readFileSync } from 'node:fs';
import { median } from './lib/proc.mjs';

// --merge: rows of the same figure, base, backend and subset from several files become one row
// (their rounds pooled, in file order), e.g. extra rounds run later.
const merge = process.argv.includes('--merge');
const files = process.argv.slice(2).filter((a) => a !== '--merge');
if (files.length === 0) {
  console.error('usage: node bench/summarize.mjs RESULTS.json...');
  process.exit(2);
}

const fmt = (x) => {
  if (x == null || Number.isNaN(x)) return '—';
  if (typeof x !== 'number') return String(x);
  return Math.abs(x) >= 100 ? x.toFixed(0) : Number(x.toPrecision(3)).toString();
};
const mib = (b) => (b ? `${Math.round(b / 2 ** 20)}` : '—');
const NOTE_KEYS = [
  'finalValAcc',
  'maxValAcc',
  'epochImgPerSec',
  'wallSeconds',
  'epochsToTarget',
  'targetAcc',
  'frozenValAcc',
  'fineTuneValAcc',
  'inProcess',
  'numTensorsGrowth',
  'maxMs',
  'seconds',
];

const out = [
  '| figure | base | backend | subset (train/val per class; predict images) | Keras | ours | ours/Keras (medians) | paired ratio | better | rounds K/ours | load1 min–max | peak RSS MiB K/ours | notes (medians) |',
  '|---|---|---|---|---|---|---|---|---|---|---|---|---|',
];
const envs = [];
const allRows = [];
for (const f of files) {
  const r = JSON.parse(readFileSync(f, 'utf8'));
  const o = r.env.options;
  envs.push(`${f.split('/').pop()}: ${r.env.date}, load at start ${r.env.loadAverageAtStart.toFixed(2)}, ${r.minutes.toFixed(1)} min`);
  for (const row of r.rows) {
    const key = JSON.stringify([row.figure, row.base, row.backend, o.trainPerClass, o.valPerClass, o.predictImages, o.epochs, o.ttaEpochs]);
    const prev = merge ? allRows.find((x) => x.key === key) : null;
    if (prev) {
      prev.row = {
        ...prev.row,
        samples: { keras: [...prev.row.samples.keras, ...row.samples.keras], ours: [...prev.row.samples.ours, ...row.samples.ours] },
      };
    } else allRows.push({ key, row, o });
  }
}
for (const { row, o } of allRows) {
  {
    const k = row.samples.keras ?? [];
    const ours = row.samples.ours ?? [];
    const kv = median(k.map((s) => s.value));
    const ov = median(ours.map((s) => s.value));
    const paired = [];
    for (let i = 0; i < Math.min(k.length, ours.length); i++)
      if (k[i].value > 0 && ours[i].value != null) paired.push(ours[i].value / k[i].value);
    const loads = [...k, ...ours].map((s) => s.load1).filter((x) => typeof x === 'number');
    const notes = [];
    for (const [side, list] of [
      ['K', k],
      ['ours', ours],
    ]) {
      for (const key of NOTE_KEYS) {
        const v = median(list.map((s) => s[key]));
        if (v != null) notes.push(`${side} ${key} ${fmt(v)}`);
      }
      const errs = list.filter((s) => s.error);
      if (errs.length) notes.push(`${side} ${errs.length} error(s): ${errs[0].error.slice(0, 100)}`);
      const nulls = list.filter((s) => !s.error && s.value == null).length;
      if (nulls) notes.push(`${side}: ${nulls} round(s) without a value`);
    }
    const subsetText =
      row.figure === 'predict'
        ? `${o.predictImages} vs ${o.batchSize} images`
        : `${o.trainPerClass || 'all'}/${o.valPerClass || 'all'}, ${row.figure.startsWith('tta') ? `≤ ${o.ttaEpochs}` : row.figure === 'memory' ? o.memoryEpochs : row.figure === 'train-finetune' ? `1 frozen + ${o.fineTuneEpochs} fine-tune` : o.epochs} ep`;
    out.push(
      `| ${row.figure} (${row.unit}) | ${row.base} | ${row.backend ?? '—'} | ${subsetText} | ${fmt(kv)} | ${fmt(ov)} | ${kv && ov != null ? fmt(ov / kv) : '—'} | ${fmt(median(paired))} | ${row.better} | ${k.filter((s) => s.value != null).length}/${ours.filter((s) => s.value != null).length} | ${loads.length ? `${Math.min(...loads).toFixed(1)}–${Math.max(...loads).toFixed(1)}` : '—'} | ${mib(median(k.map((s) => s.peakRssBytes)))}/${mib(median(ours.map((s) => s.peakRssBytes)))} | ${notes.join('; ')} |`,
    );
  }
}
console.log(out.join('\n'));
console.log(`\n${envs.join('\n')}`);
