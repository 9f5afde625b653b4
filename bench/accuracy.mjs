#!/usr/bin/env node
// Accuracy runs of the engine (the `cnn-lab train` CLI, dist/cli.js) on real datasets — not part
// of `npm test`. Prints one row per run: validation accuracy after each phase, epochs, wall time.
//
//   node bench/accuracy.mjs --runs fmnist-scratch
//   node bench/accuracy.mjs --runs cvd-mobilenet_v2-frozen,cvd-mobilenet_v2-frozen-aug
//   node bench/accuracy.mjs --list
//
// Runs:
//   fmnist-scratch         a small CNN from random weights on ../shared/datasets/fashion-mnist
//                          (6,000 train / 1,000 test, 28×28): every layer trainable from epoch 1
//   cvd-BASE-frozen        cats vs dogs (../shared/datasets/cats-vs-dogs, 2,000 train / 800
//                          validation real photos), BASE frozen, head trained (bottleneck cache)
//   cvd-BASE-frozen-aug    the same with the seed's augmentation (features recomputed per epoch)
//   cvd-BASE-finetune      frozen head epochs, then fine-tuning the top blocks (SGD 1e-4, m 0.9)
//   cvd-BASE-finetune-aug  the same with augmentation
//   cifar10-efficientnet_lite0-frozen / -finetune
//                          CIFAR-10 (../shared/datasets/cifar10, 5,000 train / 1,000 test, 32×32
//                          upscaled to 224), EfficientNet-Lite0 frozen / then fine-tuned from block6a
// BASE is efficientnet_lite0 (ImageNet, the default), or mobilenet_v2 / inception_v3 (the
// nsfwjs-bundled bases, fine-tuned away from ImageNet; see the README on their weights).
// Needs `node esbuild.mjs` (dist/cli.js). Raw results: bench/results/accuracy-<time>.json.
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync, existsSync } from 'node:fs';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cpus, loadavg } from 'node:os';
import { runMeasured, jsonLines } from './lib/proc.mjs';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const shared = resolve(repo, '..', 'shared', 'datasets');
const cli = join(repo, 'dist', 'cli.js');
const cache = join(repo, '.cache', 'bench-accuracy');

// The seed's fine-tuning points: InceptionV3 trains from mixed9 on (the first 249 layers frozen),
// MobileNetV2 from block_13 on; EfficientNet-Lite0 from block6a on (its default freeze).
const FINE_TUNE_FROM = { inception_v3: '249', mobilenet_v2: 'block_13_expand', efficientnet_lite0: 'block6a' };
const AUGMENT = ['--rotation', '30', '--width-shift', '0.2', '--height-shift', '0.2', '--shear', '10', '--zoom', '0.2', '--flip'];

function catsVsDogs(base, fineTune, augment) {
  return {
    describe: `cats vs dogs, ${base}, ${fineTune ? 'frozen then fine-tuned' : 'frozen'}${augment ? ', augmented' : ''}`,
    args: [
      '--data',
      join(shared, 'cats-vs-dogs', 'train'),
      '--val',
      join(shared, 'cats-vs-dogs', 'validation'),
      '--base',
      base,
      '--epochs',
      augment ? '5' : '10',
      '--batch-size',
      '32',
      '--patience',
      '3',
      ...(fineTune ? ['--fine-tune-epochs', '2', '--fine-tune-from', FINE_TUNE_FROM[base]] : []),
      ...(augment ? AUGMENT : []),
    ],
  };
}

const RUNS = {
  'fmnist-scratch': {
    describe: 'Fashion-MNIST, a small CNN from scratch (conv32-pool-conv64-pool-conv128, GAP, Dense 128)',
    prepare: () => ['--base', writeScratchCnn()],
    args: [
      '--data',
      join(shared, 'fashion-mnist', 'train'),
      '--val',
      join(shared, 'fashion-mnist', 'test'),
      // No frozen phase: the whole network learns from random weights.
      '--epochs',
      '0',
      '--fine-tune-epochs',
      '20',
      '--fine-tune-from',
      '0',
      '--fine-tune-lr',
      '0.05',
      '--fc-units',
      '128',
      '--batch-size',
      '32',
      '--patience',
      '5',
    ],
  },
};
for (const fineTune of [false, true]) {
  RUNS[`cifar10-efficientnet_lite0-${fineTune ? 'finetune' : 'frozen'}`] = {
    describe: `CIFAR-10, efficientnet_lite0, ${fineTune ? 'frozen then fine-tuned from block6a' : 'frozen'}`,
    args: [
      '--data',
      join(shared, 'cifar10', 'train'),
      '--val',
      join(shared, 'cifar10', 'test'),
      '--base',
      'efficientnet_lite0',
      '--epochs',
      '10',
      '--batch-size',
      '32',
      '--patience',
      '3',
      ...(fineTune ? ['--fine-tune-epochs', '2', '--fine-tune-from', FINE_TUNE_FROM.efficientnet_lite0] : []),
    ],
  };
}
for (const base of ['efficientnet_lite0', 'mobilenet_v2', 'inception_v3']) {
  RUNS[`cvd-${base}-frozen`] = catsVsDogs(base, false, false);
  RUNS[`cvd-${base}-frozen-aug`] = catsVsDogs(base, false, true);
  RUNS[`cvd-${base}-finetune`] = catsVsDogs(base, true, false);
  RUNS[`cvd-${base}-finetune-aug`] = catsVsDogs(base, true, true);
}

/** A randomly initialised conv stack saved as a tfjs layers model.json: the "base" to train from scratch. */
function writeScratchCnn() {
  const dir = join(cache, 'scratch-cnn');
  if (existsSync(join(dir, 'model.json'))) return join(dir, 'model.json');
  mkdirSync(dir, { recursive: true });
  const script = `
    const tf = require('@tensorflow/tfjs');
    const fs = require('node:fs');
    const m = tf.sequential({ name: 'scratch_cnn', layers: [
      tf.layers.conv2d({ inputShape: [28, 28, 3], filters: 32, kernelSize: 3, padding: 'same', activation: 'relu', name: 'conv1' }),
      tf.layers.maxPooling2d({ poolSize: 2, name: 'pool1' }),
      tf.layers.conv2d({ filters: 64, kernelSize: 3, padding: 'same', activation: 'relu', name: 'conv2' }),
      tf.layers.maxPooling2d({ poolSize: 2, name: 'pool2' }),
      tf.layers.conv2d({ filters: 128, kernelSize: 3, padding: 'same', activation: 'relu', name: 'conv3' }),
    ] });
    m.save(tf.io.withSaveHandler(async (a) => {
      fs.writeFileSync(${JSON.stringify(join(dir, 'weights.bin'))}, Buffer.from(a.weightData));
      fs.writeFileSync(${JSON.stringify(join(dir, 'model.json'))}, JSON.stringify({ format: 'layers-model', modelTopology: a.modelTopology, weightsManifest: [{ paths: ['weights.bin'], weights: a.weightSpecs }] }));
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }));`;
  const r = spawnSyncNode(['-e', script]);
  if (r.status !== 0) throw new Error(`writing the scratch CNN failed: ${r.stderr}`);
  return join(dir, 'model.json');
}

function spawnSyncNode(args) {
  return spawnSync(process.execPath, args, { cwd: repo, encoding: 'utf8' });
}

function parseArgs(argv) {
  const o = { runs: ['fmnist-scratch', 'cvd-mobilenet_v2-frozen'], backend: 'auto', timeout: 7200 };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--list') o.list = true;
    else if (a === '--runs') o.runs = argv[++i].split(',');
    else if (a === '--backend') o.backend = argv[++i];
    else if (a === '--timeout') o.timeout = Number(argv[++i]);
    else throw new Error(`unknown argument ${a} (see the comment at the top of bench/accuracy.mjs)`);
  }
  for (const r of o.runs) if (!RUNS[r]) throw new Error(`unknown run '${r}'; runs: ${Object.keys(RUNS).join(', ')}`);
  return o;
}

const opts = parseArgs(process.argv.slice(2));
if (opts.list) {
  for (const [name, r] of Object.entries(RUNS)) console.log(`${name.padEnd(28)} ${r.describe}`);
  process.exit(0);
}
if (!existsSync(cli)) throw new Error('dist/cli.js is missing: run `node esbuild.mjs` first');

const pct = (x) => (x === undefined || x === null ? '—' : `${(100 * x).toFixed(1)}%`);
/** @type {Record<string, any>[]} one row per run: its figures, or `failed` with the exit code */
const results = [];
console.log(
  `machine: ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}; load ${loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')}; ${new Date().toISOString()}`,
);
for (const name of opts.runs) {
  const run = RUNS[name];
  const out = join(cache, 'models', name);
  const args = [cli, 'train', ...run.args, ...(run.prepare ? run.prepare() : []), '--backend', opts.backend, '--out', out, '--json'];
  console.log(`\n${name}: ${run.describe}\n$ node ${args.slice(1).join(' ')}`);
  const m = await runMeasured(process.execPath, args, { cwd: repo, timeoutS: opts.timeout });
  const result = jsonLines(m)
    .map((e) => e.value)
    .find((e) => e.event === 'result');
  if (!result) {
    console.log(`  FAILED (exit ${m.code}): ${String(m.stderr).trim().split('\n').slice(-3).join(' | ')}`);
    results.push({ name, failed: true, code: m.code, stderr: String(m.stderr).slice(-2000) });
    continue;
  }
  const best = (phase) => Math.max(...result.history.filter((h) => h.phase === phase).map((h) => h.valAcc ?? 0), -1);
  const row = {
    name,
    describe: run.describe,
    backend: result.backend,
    transferEpochs: result.history.filter((h) => h.phase === 'transfer').length,
    fineTuneEpochs: result.history.filter((h) => h.phase === 'fine-tune').length,
    bestTransferValAcc: best('transfer') >= 0 ? best('transfer') : null,
    bestFineTuneValAcc: best('fine-tune') >= 0 ? best('fine-tune') : null,
    finalValAcc: result.evaluation?.accuracy ?? null,
    bestEpoch: result.bestEpoch,
    wallSeconds: m.wallSeconds,
    peakRssMiB: m.peakRssBytes / 2 ** 20,
  };
  results.push(row);
  console.log(
    `  ${row.backend}: transfer ${row.transferEpochs} ep best ${pct(row.bestTransferValAcc)}; fine-tune ${row.fineTuneEpochs} ep best ${pct(row.bestFineTuneValAcc)}; saved model ${pct(row.finalValAcc)}; ${row.wallSeconds.toFixed(0)} s; peak RSS ${row.peakRssMiB.toFixed(0)} MiB`,
  );
}

console.log('\n| run | backend | frozen (best val acc) | fine-tuned (best val acc) | saved model val acc | wall |');
console.log('| --- | --- | --- | --- | --- | --- |');
for (const r of results) {
  if (r.failed) console.log(`| ${r.name} | failed (exit ${r.code}) | | | | |`);
  else
    console.log(
      `| ${r.describe} | ${r.backend} | ${pct(r.bestTransferValAcc)} (${r.transferEpochs} ep) | ${r.fineTuneEpochs ? `${pct(r.bestFineTuneValAcc)} (${r.fineTuneEpochs} ep)` : '—'} | ${pct(r.finalValAcc)} | ${(r.wallSeconds / 60).toFixed(1)} min |`,
    );
}
mkdirSync(join(repo, 'bench', 'results'), { recursive: true });
const file = join(repo, 'bench', 'results', `accuracy-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
writeFileSync(file, JSON.stringify({ date: new Date().toISOString(), cpus: cpus().length, loadavg: loadavg(), results }, null, 2));
console.log(`\nraw results: ${file}`);
