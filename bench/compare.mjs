#!/usr/bin/env node
// A/B benchmark of CNN Lab (the `cnn-lab` CLI, dist/cli.js) against the Keras peer
// (bench/keras/peer.py): same images, same weights (nsfwjs bases), same input size, batch size
// and epochs, on this machine, alternating A B A B for several rounds. Prints medians and the
// ratio ours/Keras per pair, and writes every raw measurement to bench/results/.
//
//   node bench/compare.mjs --quick                      # a few minutes: MobileNetV2, small subset
//   node bench/compare.mjs --figures predict,train-frozen --bases inception_v3 --rounds 3
//   node bench/compare.mjs --help
//
// Needs: `bash bench/setup-keras.sh` (the Python venv), `node esbuild.mjs` (dist/cli.js).
// Never run from `npm test`.
import { existsSync, mkdirSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cpus, totalmem, loadavg } from 'node:os';
import { runMeasured, jsonLines, median } from './lib/proc.mjs';
import { subset, allImages } from './lib/datasets.mjs';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const cacheRoot = join(repoRoot, '.cache');

const ALL_FIGURES = ['predict', 'train-frozen', 'train-frozen-aug', 'train-finetune', 'tta', 'tta-aug', 'memory', 'eventloop'];
// targetAcc: the default validation accuracy for time-to-accuracy. The bundled bases are the nsfwjs
// ones (ImageNet-initialised, then fine-tuned for NSFW classes), so their features separate cats
// from dogs far less well than ImageNet weights do: with the seed's head both sides plateau around
// 0.7-0.8 (MobileNetV2) and 0.65-0.75 (InceptionV3) on a few hundred images; 0.9 is never reached.
const BASE_INFO = {
  inception_v3: { fineTuneFrom: '249', fineTuneFromName: 'mixed8', targetAcc: 0.65 },
  mobilenet_v2: { fineTuneFrom: 'block_13_expand', fineTuneFromName: 'block_13_expand', targetAcc: 0.7 },
  // ImageNet weights: frozen features separate cats from dogs at 0.97-0.98 on the full set
  efficientnet_lite0: { fineTuneFrom: 'block6a_expand_conv', fineTuneFromName: 'block6a', targetAcc: 0.95 },
};

const HELP = `Usage: node bench/compare.mjs [options]
  --data DIR            dataset root with train/ and validation/ (default ../shared/datasets/cats-vs-dogs)
  --figures LIST        comma list of ${ALL_FIGURES.join(', ')} (default: all)
  --bases LIST          inception_v3,mobilenet_v2,efficientnet_lite0 (default the first two)
  --sides LIST          keras,ours (default both)
  --backends LIST       our backends (default: every available one from \`cnn-lab backends --json\`)
  --rounds N            A/B rounds per figure (default 3)
  --train-per-class N   training images per class (default 100; 0 = all)
  --val-per-class N     validation images per class (default 50; 0 = all)
  --predict-images N    images for the inference figure (default 512; a multiple of the batch size)
  --epochs N            frozen epochs for throughput figures (default 3)
  --fine-tune-epochs N  (default 2)
  --tta-epochs N        most epochs for time-to-accuracy (default 10)
  --target-acc X        validation accuracy to reach (default per base: mobilenet_v2 0.7, inception_v3 0.65)
  --memory-epochs N     epochs for the numTensors/RSS figure (default 20)
  --batch-size N        (default 32)
  --timeout S           per process (default 1800)
  --warm-cache          keep our bottleneck-feature cache between runs (default: cold for each run)
  --quick               mobilenet_v2 only, 1 round, 32+16 per class, 128 predict images, 2 epochs:
                        a smoke test of the harness, NOT a figure (its output says so)
  --allow-loaded        run although the 1-minute load average exceeds the CPU count at the start, and
                        report ratios of runs during which other processes used more than a quarter
                        of a core (marked LOADED; without it such a ratio is withheld)
  --out FILE            raw results JSON (default bench/results/compare-<time>.json)`;

function parseArgs(argv) {
  const o = {
    data: resolve(repoRoot, '..', 'shared', 'datasets', 'cats-vs-dogs'),
    figures: ALL_FIGURES,
    bases: ['mobilenet_v2', 'inception_v3'],
    sides: ['keras', 'ours'],
    backends: null,
    rounds: 3,
    trainPerClass: 100,
    valPerClass: 50,
    predictImages: 512,
    epochs: 3,
    fineTuneEpochs: 2,
    ttaEpochs: 10,
    targetAcc: /** @type {number | null} */ (null),
    memoryEpochs: 20,
    batchSize: 32,
    timeout: 1800,
    out: /** @type {string | null} */ (null),
  };
  const list = (v) =>
    v
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
  const int = (name, v) => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 0) throw new Error(`--${name}: expected a non-negative integer, got "${v}"`);
    return n;
  };
  const explicit = new Set();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const next = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    const key = a.replace(/^--/, '');
    explicit.add(key);
    switch (a) {
      case '--help':
      case '-h':
        console.log(HELP);
        return process.exit(0);
      case '--data':
        o.data = resolve(next());
        break;
      case '--figures':
        o.figures = list(next());
        break;
      case '--bases':
        o.bases = list(next());
        break;
      case '--sides':
        o.sides = list(next());
        break;
      case '--backends':
        o.backends = list(next());
        break;
      case '--rounds':
        o.rounds = Math.max(1, int('rounds', next()));
        break;
      case '--train-per-class':
        o.trainPerClass = int('train-per-class', next());
        break;
      case '--val-per-class':
        o.valPerClass = int('val-per-class', next());
        break;
      case '--predict-images':
        o.predictImages = int('predict-images', next());
        break;
      case '--epochs':
        o.epochs = int('epochs', next());
        break;
      case '--fine-tune-epochs':
        o.fineTuneEpochs = int('fine-tune-epochs', next());
        break;
      case '--tta-epochs':
        o.ttaEpochs = int('tta-epochs', next());
        break;
      case '--target-acc':
        o.targetAcc = Number(next());
        break;
      case '--memory-epochs':
        o.memoryEpochs = int('memory-epochs', next());
        break;
      case '--batch-size':
        o.batchSize = Math.max(1, int('batch-size', next()));
        break;
      case '--timeout':
        o.timeout = int('timeout', next());
        break;
      case '--out':
        o.out = resolve(next());
        break;
      case '--quick':
        o.quick = true;
        break;
      case '--warm-cache':
        o.warmCache = true;
        break;
      case '--allow-loaded':
        o.allowLoaded = true;
        break;
      default:
        throw new Error(`unknown option ${a} (see --help)`);
    }
  }
  if (o.quick) {
    // Quick defaults only where the option was not given explicitly.
    const q = {
      bases: ['mobilenet_v2'],
      rounds: 1,
      'train-per-class': 32,
      'val-per-class': 16,
      'predict-images': 128,
      epochs: 2,
      'fine-tune-epochs': 1,
      'tta-epochs': 4,
      'memory-epochs': 20,
    };
    const field = {
      'train-per-class': 'trainPerClass',
      'val-per-class': 'valPerClass',
      'predict-images': 'predictImages',
      'fine-tune-epochs': 'fineTuneEpochs',
      'tta-epochs': 'ttaEpochs',
      'memory-epochs': 'memoryEpochs',
    };
    for (const [k, v] of Object.entries(q)) if (!explicit.has(k)) o[field[k] ?? k] = v;
  }
  for (const f of o.figures) if (!ALL_FIGURES.includes(f)) throw new Error(`--figures: unknown figure "${f}"`);
  for (const b of o.bases) if (!BASE_INFO[b]) throw new Error(`--bases: unknown base "${b}"`);
  for (const s of o.sides) if (s !== 'keras' && s !== 'ours') throw new Error(`--sides: unknown side "${s}"`);
  if (o.targetAcc !== null && !(o.targetAcc > 0 && o.targetAcc <= 1)) throw new Error('--target-acc: expected a number in (0, 1]');
  return o;
}

const log = (msg) => process.stderr.write(`[compare ${new Date().toISOString().slice(11, 19)}] ${msg}\n`);
const python = join(cacheRoot, 'bench-venv', 'bin', 'python');
const peerPy = join(repoRoot, 'bench', 'keras', 'peer.py');
const cliJs = join(repoRoot, 'dist', 'cli.js');

// ---------- the two sides ----------

/** Result of one Keras peer run: its last stdout JSON line, plus the driver's own measurements. */
async function runKeras(mode, args, o) {
  const run = await runMeasured(python, [peerPy, mode, ...args, '--batch-size', String(o.batchSize)], {
    cwd: repoRoot,
    timeoutS: o.timeout,
    log,
  });
  const values = jsonLines(run).map((j) => j.value);
  const result = values.filter((v) => v.side === 'keras').pop();
  if (run.code !== 0 || !result) throw new Error(`keras ${mode} failed (exit ${run.code ?? run.signal}): ${lastLine(run.stderr)}`);
  return { result, wallSeconds: run.wallSeconds, peakRssBytes: run.peakRssBytes };
}

function lastLine(text) {
  const lines = text
    .trim()
    .split('\n')
    .filter((l) => !/^(I0000|W0000|WARNING: All log)/.test(l));
  return lines.slice(-3).join(' | ');
}

/** Our CLI's JSON lines as {name, params, t, rss}: accepts {method, params} and {event|type, ...}. */
function oursEvents(run) {
  return jsonLines(run).map(({ t, rss, value }) => {
    const name = value.method ?? value.event ?? value.type ?? value.kind;
    const params = value.params && typeof value.params === 'object' ? value.params : value;
    return { name, params, t, rss };
  });
}

let coldCaches = 0;
/**
 * @param {string[]} args
 * @param {any} o
 * @param {{ onEvent?: (e: { name: string, params: any, t: number }) => unknown }} [hooks] `'stop'` from onEvent stops the run
 */
async function runOurs(args, o, { onEvent } = {}) {
  let stopAt = null;
  // A cold bottleneck-feature cache for every run (unless --warm-cache): a user's first run is
  // what time-to-accuracy promises, and a later round must not reuse an earlier round's features.
  let env;
  if (!o.warmCache) {
    const dir = join(cacheRoot, 'bench-runs', `cnn-lab-cache-${coldCaches++ % 2}`);
    rmSync(dir, { recursive: true, force: true });
    env = { CNN_LAB_CACHE: dir };
  }
  const run = await runMeasured(process.execPath, [cliJs, ...args, '--json'], {
    cwd: repoRoot,
    env,
    timeoutS: o.timeout,
    log,
    onLine: (line, t, child) => {
      if (!onEvent || !line.trim().startsWith('{')) return;
      let value;
      try {
        value = JSON.parse(line);
      } catch {
        return;
      }
      const name = value.method ?? value.event ?? value.type ?? value.kind;
      const params = value.params && typeof value.params === 'object' ? value.params : value;
      if (onEvent?.({ name, params, t }) === 'stop' && stopAt === null) {
        stopAt = t;
        child.kill('SIGTERM');
      }
    },
  });
  const events = oursEvents(run);
  if ((run.code !== 0 && stopAt === null) || events.some((e) => e.name === 'failed' || e.name === 'error')) {
    const failed = events.find((e) => e.name === 'failed' || e.name === 'error');
    throw new Error(
      `ours ${args[0]} failed (exit ${run.code ?? run.signal}): ${failed ? JSON.stringify(failed.params) : lastLine(run.stderr)}`,
    );
  }
  return { events, wallSeconds: run.wallSeconds, peakRssBytes: run.peakRssBytes, stoppedAt: stopAt };
}

/** Our epochEnd events in the Keras peer's record shape. */
function oursEpochs(events) {
  return events
    .filter((e) => e.name === 'epochEnd')
    .map((e) => ({
      phase: e.params.phase === 'fine-tune' ? 'fine-tune' : 'frozen',
      epoch: e.params.epoch,
      valAcc: e.params.valAcc ?? null,
      trainImagesPerSecond: e.params.imagesPerSecond ?? null,
      seconds: e.params.seconds ?? null,
      numTensors: e.params.numTensors ?? e.params.memory?.numTensors ?? null,
      rssBytes: e.params.rssBytes ?? e.params.memory?.rss ?? e.rss ?? null,
      wallSinceStart: e.t,
    }));
}

async function ourBackends() {
  const run = await runMeasured(process.execPath, [cliJs, 'backends', '--json'], { cwd: repoRoot, timeoutS: 120 });
  if (run.code !== 0) throw new Error(`cnn-lab backends failed: ${lastLine(run.stderr)}`);
  const values = jsonLines(run).map((j) => j.value);
  const list = values.flatMap((v) => (Array.isArray(v) ? v : Array.isArray(v.backends) ? v.backends : [v]));
  return list.filter((b) => b && b.available).map((b) => b.name);
}

// Our 'standard' preset is the seed's ImageDataGenerator (rotation 30, shifts 0.2, shear 0.2,
// zoom 0.2, horizontal flip); bench/keras/peer.py --augment uses the same values.
function augmentArgsOurs() {
  return ['--augment', 'standard'];
}

// ---------- figures ----------

/** Per-phase throughput summary of a run's epoch records: epoch 1 and the median of the rest. */
function throughput(epochs, phase) {
  const rs = epochs.filter((r) => r.phase === phase);
  const rates = rs.map((r) => r.trainImagesPerSecond).filter((x) => x > 0);
  return {
    // every epoch of the phase, the first included (same images each epoch: the harmonic mean)
    all: rates.length ? rates.length / rates.reduce((a, x) => a + 1 / x, 0) : null,
    first: rs[0]?.trainImagesPerSecond ?? null,
    steady: median((rs.length > 1 ? rs.slice(1) : rs).map((r) => r.trainImagesPerSecond)),
    lastValAcc: rs.length ? rs[rs.length - 1].valAcc : null,
  };
}

function trainArgsKeras(d, base, extra) {
  return ['--data', d.train, '--val', d.val, '--base', base, ...extra];
}
function trainArgsOurs(d, base, backend, out, extra) {
  // No early stopping: the Keras peer has none, and the memory figure needs every epoch.
  return [
    'train',
    '--data',
    d.train,
    '--val',
    d.val,
    '--base',
    base,
    '--batch-size',
    String(d.batchSize),
    '--backend',
    backend,
    '--no-early-stopping',
    '--out',
    out,
    ...extra,
  ];
}

/** The best validation accuracy of a run's epoch records. */
function maxValAcc(epochs) {
  const v = (epochs ?? []).map((e) => e.valAcc).filter((x) => typeof x === 'number');
  return v.length ? Math.max(...v) : null;
}

/** Images/s between two runs; null when noise made the larger run no slower (too few images). */
function marginal(images, seconds) {
  if (!(seconds > 0)) {
    log(`  marginal throughput unusable: ${images} more images took ${seconds.toFixed(2)} s more (noise; use more --predict-images)`);
    return null;
  }
  return images / seconds;
}

function figureRunners(o, d) {
  const runDir = (name) => {
    const p = join(cacheRoot, 'bench-runs', name);
    rmSync(p, { recursive: true, force: true });
    mkdirSync(dirname(p), { recursive: true });
    return p;
  };
  return {
    // Inference throughput with decoding: marginal images/s between a run over `small` images and
    // one over `large`, so process start, model load and tracing cancel out on both sides alike.
    predict: {
      async keras(base) {
        const s = await runKeras('predict', ['--data', d.predictSmall, '--base', base], o);
        const l = await runKeras('predict', ['--data', d.predictLarge, '--base', base], o);
        const value = marginal(l.result.images - s.result.images, l.wallSeconds - s.wallSeconds);
        return { value, inProcess: l.result.imagesPerSecond, peakRssBytes: l.peakRssBytes, wall: [s.wallSeconds, l.wallSeconds] };
      },
      async ours(base, backend) {
        const model = await ourPredictModel(o, d, base, backend);
        const small = allImages(d.predictSmall);
        const large = allImages(d.predictLarge);
        const s = await runOurs(['predict', '--model', model, '--backend', backend, '--image', ...small], o);
        const l = await runOurs(['predict', '--model', model, '--backend', backend, '--image', ...large], o);
        const value = marginal(large.length - small.length, l.wallSeconds - s.wallSeconds);
        return { value, peakRssBytes: l.peakRssBytes, wall: [s.wallSeconds, l.wallSeconds] };
      },
      unit: 'img/s',
      better: 'higher',
    },
    'train-frozen': trainingFigure(o, d, runDir, { augment: false }),
    'train-frozen-aug': trainingFigure(o, d, runDir, { augment: true }),
    'train-finetune': {
      async keras(base) {
        const r = await runKeras(
          'train-finetune',
          trainArgsKeras(d, base, [
            '--epochs',
            '1',
            '--fine-tune-epochs',
            String(o.fineTuneEpochs),
            '--fine-tune-from',
            BASE_INFO[base].fineTuneFrom,
          ]),
          o,
        );
        const ft = throughput(r.result.epochs, 'fine-tune');
        const fr = throughput(r.result.epochs, 'frozen');
        return {
          value: ft.steady,
          allEpochs: ft.all,
          frozenValAcc: fr.lastValAcc,
          fineTuneValAcc: ft.lastValAcc,
          peakRssBytes: r.peakRssBytes,
          epochs: r.result.epochs,
        };
      },
      async ours(base, backend) {
        const r = await runOurs(
          trainArgsOurs(d, base, backend, runDir(`ft-${base}-${backend}`), [
            '--epochs',
            '1',
            '--fine-tune-epochs',
            String(o.fineTuneEpochs),
            '--fine-tune-from',
            BASE_INFO[base].fineTuneFromName,
          ]),
          o,
        );
        const epochs = oursEpochs(r.events);
        const ft = throughput(epochs, 'fine-tune');
        const fr = throughput(epochs, 'frozen');
        return {
          value: ft.steady,
          allEpochs: ft.all,
          frozenValAcc: fr.lastValAcc,
          fineTuneValAcc: ft.lastValAcc,
          peakRssBytes: r.peakRssBytes,
          epochs,
        };
      },
      unit: 'img/s',
      better: 'higher',
      // allEpochs: the first fine-tune epoch included (ours computes the frozen prefix's cache there)
      extra: ['allEpochs', 'frozenValAcc', 'fineTuneValAcc'],
    },
    tta: ttaFigure(o, d, runDir, { augment: false }),
    'tta-aug': ttaFigure(o, d, runDir, { augment: true }),
    memory: {
      async ours(base, backend) {
        const r = await runOurs(
          trainArgsOurs(d, base, backend, runDir(`mem-${base}-${backend}`), [
            '--epochs',
            String(o.memoryEpochs),
            '--fine-tune-epochs',
            '0',
          ]),
          o,
        );
        const epochs = oursEpochs(r.events);
        const rss = epochs.map((e) => e.rssBytes).filter((x) => x != null);
        const tensors = epochs.map((e) => e.numTensors).filter((x) => x != null);
        // Growth from epoch 2 on: epoch 1 allocates the feature cache and optimizer slots.
        return {
          value: rss.length > 2 ? (rss[rss.length - 1] - rss[1]) / 2 ** 20 : null,
          rssMiB: rss.map((x) => Math.round(x / 2 ** 20)),
          numTensors: tensors,
          numTensorsGrowth: tensors.length > 2 ? tensors[tensors.length - 1] - tensors[1] : null,
          peakRssBytes: r.peakRssBytes,
        };
      },
      unit: 'MiB RSS growth, epoch 2 → last',
      better: 'lower',
      extra: ['numTensorsGrowth'],
    },
    eventloop: {
      async ours(base, backend) {
        // A cold feature cache, as for runOurs: otherwise the engine skips the feature phase (the
        // busiest part of a run for the host: progress notifications) and only trains the head.
        const env = o.warmCache ? undefined : { CNN_LAB_CACHE: runDir(`el-cache-${base}-${backend}`) };
        const run = await runMeasured(
          process.execPath,
          [
            join(repoRoot, 'bench', 'eventloop-host.mjs'),
            '--data',
            d.train,
            '--val',
            d.val,
            '--base',
            base,
            '--backend',
            backend,
            '--epochs',
            String(o.epochs),
            '--batch-size',
            String(o.batchSize),
            '--out',
            runDir(`el-${base}-${backend}`),
          ],
          { cwd: repoRoot, env, timeoutS: o.timeout, log },
        );
        const result = jsonLines(run)
          .map((j) => j.value)
          .pop();
        if (run.code !== 0 || !result) throw new Error(`eventloop-host failed (exit ${run.code}): ${lastLine(run.stderr)}`);
        return {
          value: result.p99Ms,
          maxMs: result.maxMs,
          meanMs: result.meanMs,
          seconds: result.seconds,
          notifications: result.notifications,
          peakRssBytes: run.peakRssBytes,
        };
      },
      unit: 'ms host event-loop delay p99',
      better: 'lower',
      extra: ['maxMs', 'seconds'],
    },
  };
}

function trainingFigure(o, d, runDir, { augment }) {
  const tag = augment ? 'aug' : 'noaug';
  // Headline: the whole job as a user sees it — train images × epochs / process wall time
  // (start-up, model load, decoding, validation included). Each side's own per-epoch figures
  // are kept as notes; they are not comparable without augmentation, because our epoch 1 runs
  // on cached bottleneck features computed in a phase of their own.
  const images = () => allImages(d.train).length * o.epochs;
  return {
    async keras(base) {
      const r = await runKeras(
        'train-frozen',
        trainArgsKeras(d, base, ['--epochs', String(o.epochs), ...(augment ? ['--augment'] : [])]),
        o,
      );
      const t = throughput(r.result.epochs, 'frozen');
      return {
        value: (r.result.trainImages * o.epochs) / r.wallSeconds,
        wallSeconds: r.wallSeconds,
        epochImgPerSec: t.steady,
        finalValAcc: t.lastValAcc,
        maxValAcc: maxValAcc(r.result.epochs),
        peakRssBytes: r.peakRssBytes,
        epochs: r.result.epochs,
      };
    },
    async ours(base, backend) {
      const r = await runOurs(
        trainArgsOurs(d, base, backend, runDir(`frozen-${tag}-${base}-${backend}`), [
          '--epochs',
          String(o.epochs),
          '--fine-tune-epochs',
          '0',
          ...(augment ? augmentArgsOurs() : []),
        ]),
        o,
      );
      const epochs = oursEpochs(r.events);
      const t = throughput(epochs, 'frozen');
      return {
        value: images() / r.wallSeconds,
        wallSeconds: r.wallSeconds,
        epochImgPerSec: t.steady,
        finalValAcc: t.lastValAcc,
        maxValAcc: maxValAcc(epochs),
        peakRssBytes: r.peakRssBytes,
        epochs,
      };
    },
    unit: `train img/s over ${o.epochs} epochs, process wall time`,
    better: 'higher',
    extra: ['wallSeconds', 'epochImgPerSec', 'finalValAcc', 'maxValAcc'],
  };
}

function ttaFigure(o, d, runDir, { augment }) {
  const tag = augment ? 'aug' : 'noaug';
  const target = (base) => o.targetAcc ?? BASE_INFO[base].targetAcc;
  return {
    async keras(base) {
      const r = await runKeras(
        'time-to-accuracy',
        trainArgsKeras(d, base, ['--epochs', String(o.ttaEpochs), '--target-acc', String(target(base)), ...(augment ? ['--augment'] : [])]),
        o,
      );
      return {
        value: r.result.secondsToTarget,
        targetAcc: target(base),
        epochsToTarget: r.result.epochsToTarget,
        finalValAcc: r.result.finalValAcc,
        maxValAcc: maxValAcc(r.result.epochs),
        peakRssBytes: r.peakRssBytes,
      };
    },
    async ours(base, backend) {
      /** @type {{ t: number, epoch: number } | null} */
      let reached = null;
      const r = await runOurs(
        trainArgsOurs(d, base, backend, runDir(`tta-${tag}-${base}-${backend}`), [
          '--epochs',
          String(o.ttaEpochs),
          '--fine-tune-epochs',
          '0',
          ...(augment ? augmentArgsOurs() : []),
        ]),
        o,
        {
          onEvent: (e) => {
            if (e.name === 'epochEnd' && reached === null && (e.params.valAcc ?? 0) >= target(base)) {
              reached = { t: e.t, epoch: e.params.epoch };
              return 'stop';
            }
            return undefined;
          },
        },
      );
      const epochs = oursEpochs(r.events);
      // set inside onEvent, which TypeScript's narrowing does not follow
      const hit = /** @type {{ t: number, epoch: number } | null} */ (reached);
      return {
        value: hit ? hit.t : null,
        targetAcc: target(base),
        epochsToTarget: hit?.epoch ?? null,
        finalValAcc: epochs.length ? epochs[epochs.length - 1].valAcc : null,
        maxValAcc: maxValAcc(epochs),
        peakRssBytes: r.peakRssBytes,
      };
    },
    unit: `s from process start to val acc ≥ target${o.targetAcc ? ` ${o.targetAcc}` : ' (mobilenet_v2 0.7, inception_v3 0.65)'}, at most ${o.ttaEpochs} epochs`,
    better: 'lower',
    extra: ['targetAcc', 'epochsToTarget', 'maxValAcc'],
  };
}

/** A model directory to predict with: trained once (1 epoch on the small predict subset) and reused. */
const predictModels = new Map();
async function ourPredictModel(o, d, base, backend) {
  const key = `${base}-${backend}`;
  if (predictModels.has(key)) return predictModels.get(key);
  const out = join(cacheRoot, 'bench-runs', `predict-model-${key}`);
  rmSync(out, { recursive: true, force: true });
  log(`ours: training a 1-epoch ${base} model for the predict figure`);
  await runOurs(
    [
      'train',
      '--data',
      d.predictSmall,
      '--validation-split',
      '0',
      '--base',
      base,
      '--epochs',
      '1',
      '--fine-tune-epochs',
      '0',
      '--batch-size',
      String(o.batchSize),
      '--backend',
      backend,
      '--out',
      out,
    ],
    o,
  );
  predictModels.set(key, out);
  return out;
}

// ---------- main ----------

function fmt(x, digits = 3) {
  if (x == null || Number.isNaN(x)) return '—';
  if (typeof x !== 'number') return String(x);
  return Math.abs(x) >= 100 ? x.toFixed(0) : Number(x.toPrecision(digits)).toString();
}
const mib = (b) => (b ? `${Math.round(b / 2 ** 20)}` : '—');

async function main() {
  const o = parseArgs(process.argv.slice(2));
  const t0 = Date.now();
  // Other work on the machine skews every figure, and not both sides alike (the two use the
  // cores differently): a ratio measured above one runnable process per core says little.
  const cores = cpus().length;
  if (loadavg()[0] > cores && !o.allowLoaded && !o.quick) {
    throw new Error(
      `the 1-minute load average is ${loadavg()[0].toFixed(2)} on ${cores} CPUs: figures taken now measure the other work. Wait for a quiet machine, or pass --allow-loaded (every ratio is then marked LOADED)`,
    );
  }
  if (o.quick) log('--quick: a smoke test of the harness on tiny subsets, 1 round — NOT a figure');
  if (o.sides.includes('keras') && !existsSync(python)) throw new Error(`${python} not found: run bash bench/setup-keras.sh`);
  if (o.sides.includes('keras')) {
    const exp = await runMeasured(process.execPath, [join(repoRoot, 'bench', 'keras', 'export-nsfwjs.mjs')], { cwd: repoRoot });
    if (exp.code !== 0) throw new Error(`export-nsfwjs failed: ${lastLine(exp.stderr)}`);
    const lite = o.bases.filter((b) => b.startsWith('efficientnet_lite'));
    if (lite.length) {
      const expLite = await runMeasured(
        process.execPath,
        ['--import', 'tsx', join(repoRoot, 'bench', 'keras', 'export-lite.mts'), ...lite],
        { cwd: repoRoot },
      );
      if (expLite.code !== 0) throw new Error(`export-lite failed: ${lastLine(expLite.stderr)}`);
    }
  }
  if (o.sides.includes('ours') && !existsSync(cliJs)) throw new Error(`${cliJs} not found: run node esbuild.mjs`);
  const backends = o.sides.includes('ours') ? (o.backends ?? (await ourBackends())) : [];
  if (o.sides.includes('ours') && backends.length === 0) throw new Error('no backend available for ours');

  const sub = join(cacheRoot, 'bench-data');
  const name = (split, n) => `${split}-${n || 'all'}-${o.data.replace(/[^A-Za-z0-9]+/g, '_').slice(-40)}`;
  const d = {
    batchSize: o.batchSize,
    train: subset(join(o.data, 'train'), o.trainPerClass, sub, name('train', o.trainPerClass)),
    val: subset(join(o.data, 'validation'), o.valPerClass, sub, name('val', o.valPerClass)),
    predictSmall: subset(join(o.data, 'train'), o.batchSize / 2, sub, name('train', o.batchSize / 2)),
    predictLarge: subset(join(o.data, 'train'), Math.ceil(o.predictImages / 2), sub, name('train', Math.ceil(o.predictImages / 2))),
  };
  const runners = figureRunners(o, d);
  const env = {
    date: new Date().toISOString(),
    cpus: `${cpus().length} × ${cpus()[0]?.model ?? 'unknown'}`,
    memGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    // Other work on the machine skews every figure: the 1-minute load average before the runs.
    loadAverageAtStart: loadavg()[0],
    options: o,
    backends,
  };
  log(
    `${env.cpus}, ${env.memGiB} GiB; backends: ${backends.join(', ') || '(keras only)'}; train ${o.trainPerClass || 'all'}/class, val ${o.valPerClass || 'all'}/class`,
  );

  const rows = [];
  for (const figure of o.figures) {
    const r = runners[figure];
    for (const base of o.bases) {
      // Keras has no notion of our backends, so it runs once per round and pairs with each.
      const ourSides = o.sides.includes('ours') ? backends : [];
      const kerasSide = o.sides.includes('keras') && r.keras;
      if (!kerasSide && !r.ours) continue;
      const samples = { keras: [], ...Object.fromEntries(ourSides.map((b) => [b, []])) };
      for (let round = 1; round <= o.rounds; round++) {
        if (kerasSide) {
          log(`${figure} ${base} round ${round}: keras`);
          samples.keras.push(await measured(() => r.keras(base)));
          log(`  -> ${JSON.stringify(pick(samples.keras.at(-1)))}`);
        }
        if (r.ours) {
          for (const backend of ourSides) {
            if (figure === 'train-finetune' && backend === 'wasm') continue; // refused by design
            log(`${figure} ${base} round ${round}: ours/${backend}`);
            samples[backend].push(await measured(() => r.ours(base, backend)));
            log(`  -> ${JSON.stringify(pick(samples[backend].at(-1)))}`);
          }
        }
      }
      const summary = (list) => ({
        value: median(list.map((s) => s.value)),
        peakRssBytes: median(list.map((s) => s.peakRssBytes)),
        extra: Object.fromEntries((r.extra ?? []).map((k) => [k, median(list.map((s) => s[k]))])),
        errors: list.filter((s) => s.error).map((s) => s.error),
        n: list.filter((s) => s.value != null).length,
        ...spread(list.map((s) => s.value)),
        load1: list.flatMap((s) => [s.load1, s.load1After]),
        otherCores: list.map((s) => s.otherCores).filter((x) => typeof x === 'number'),
      });
      const k = kerasSide ? summary(samples.keras) : null;
      for (const backend of ourSides.length ? ourSides : [null]) {
        const ours = backend && r.ours && samples[backend].length ? summary(samples[backend]) : null;
        if (!k && !ours) continue;
        const loads = [...(k?.load1 ?? []), ...(ours?.load1 ?? [])].filter((x) => typeof x === 'number');
        rows.push({
          figure,
          unit: r.unit,
          better: r.better,
          base,
          backend,
          keras: k,
          ours,
          maxLoad1: loads.length ? Math.max(...loads) : null,
          maxOtherCores: Math.max(0, ...(k?.otherCores ?? []), ...(ours?.otherCores ?? [])),
          ratio: k?.value && ours?.value != null ? ours.value / k.value : null,
          // Each round's ours/Keras, then their median: pairs run back to back under similar load.
          pairedRatio: backend ? pairedRatio(samples.keras, samples[backend]) : null,
          samples: { keras: samples.keras, ours: backend ? samples[backend] : [] },
        });
      }
    }
  }

  const table = [
    ...(o.quick ? ['**--quick: a smoke test of the harness (tiny subsets, 1 round). NOT a figure: do not quote these numbers.**', ''] : []),
    '| figure | base | ours backend | Keras median (min–max) | ours median (min–max) | ours/Keras | paired | better | rounds (K/ours) | load1 min–max (before/after each run) | CPU of other processes, worst run (cores) | Keras peak RSS MiB | ours peak RSS MiB | notes |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|---|---|',
    ...rows.map((row) => {
      const notes = [];
      for (const [side, s] of /** @type {const} */ ([
        ['Keras', row.keras],
        ['ours', row.ours],
      ])) {
        if (!s) continue;
        for (const [key, v] of Object.entries(s.extra)) if (v != null) notes.push(`${side} ${key} ${fmt(v)}`);
        if (s.errors.length) notes.push(`${side} errors: ${s.errors[0].slice(0, 120)}`);
      }
      const loads = [...(row.keras?.load1 ?? []), ...(row.ours?.load1 ?? [])];
      const load = loads.length ? `${Math.min(...loads).toFixed(1)}–${Math.max(...loads).toFixed(1)}` : '—';
      const ratio = (x) => ratioCell(x, row.maxOtherCores, o);
      return `| ${row.figure} (${row.unit}) | ${row.base} | ${row.backend ?? '—'} | ${withSpread(row.keras)} | ${withSpread(row.ours)} | ${ratio(row.ratio)} | ${ratio(row.pairedRatio)} | ${row.better} | ${row.keras?.n ?? '—'}/${row.ours?.n ?? '—'} | ${load} | ${row.maxOtherCores.toFixed(2)} | ${mib(row.keras?.peakRssBytes)} | ${mib(row.ours?.peakRssBytes)} | ${notes.join('; ')} |`;
    }),
  ].join('\n');
  console.log(table);
  const loadedRows = rows.filter((row) => row.maxOtherCores > OTHER_CORES_LIMIT).length;
  if (loadedRows)
    console.log(
      `\n${loadedRows} row(s) had other processes using more than ${OTHER_CORES_LIMIT} of a core during a run: their ratios are ${o.allowLoaded ? 'marked LOADED' : 'withheld'}.`,
    );
  if (o.quick) console.log('\n--quick: NOT a figure.');
  console.log(
    `\n${env.date} · ${env.cpus} · ${env.memGiB} GiB · node ${env.node} · 1-min load average at start ${env.loadAverageAtStart.toFixed(2)}, at end ${loadavg()[0].toFixed(2)} (the machine has ${cpus().length} CPUs)`,
  );
  const out = o.out ?? join(repoRoot, 'bench', 'results', `compare-${env.date.replace(/[:.]/g, '-')}.json`);
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, JSON.stringify({ env, rows, table, minutes: (Date.now() - t0) / 60000 }, null, 2));
  log(`raw results: ${out} (${((Date.now() - t0) / 60000).toFixed(1)} min)`);
}

/**
 * CPU ticks (1/100 s) busy on the whole machine, and those of this process and its reaped children
 * (the measured CLI or Python process and what it forked), from /proc; null off Linux.
 */
function cpuTicks() {
  try {
    const all = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
    // user nice system idle iowait irq softirq steal: busy is all but idle and iowait
    const busy = all[0] + all[1] + all[2] + all[5] + all[6] + (all[7] ?? 0);
    const self = readFileSync('/proc/self/stat', 'utf8');
    const f = self
      .slice(self.lastIndexOf(')') + 2)
      .split(' ')
      .map(Number);
    // fields 14–17 of stat (utime stime cutime cstime) are 11–14 after "pid (comm) "
    return { busy, ours: f[11] + f[12] + f[13] + f[14] };
  } catch {
    return null;
  }
}

// USER_HZ: what /proc reports CPU time in, 100 on every Linux architecture Node supports
const TICKS_PER_SECOND = 100;

/**
 * One measurement, with the 1-minute load average just before and after it, and `otherCores`: the
 * CPU other processes used meanwhile, in cores (the machine's busy time minus the measured process
 * tree's). The load average counts the benchmark's own threads too (a 2-core run lifts it to ~2 by
 * itself), so it cannot tell a quiet machine from a busy one; other processes' CPU time can.
 */
async function measured(run) {
  const load1 = loadavg()[0];
  const t0 = cpuTicks();
  const start = performance.now();
  const result = await run().catch((e) => ({ error: e.message }));
  const t1 = cpuTicks();
  const seconds = (performance.now() - start) / 1000;
  const otherCores = t0 && t1 && seconds > 0 ? Math.max(0, t1.busy - t0.busy - (t1.ours - t0.ours)) / TICKS_PER_SECOND / seconds : null;
  return { load1, load1After: loadavg()[0], otherCores: otherCores == null ? null : +otherCores.toFixed(2), ...result };
}

/** min and max of the values present (the spread over rounds, printed next to the median). */
function spread(values) {
  const v = values.filter((x) => typeof x === 'number' && !Number.isNaN(x));
  return v.length ? { min: Math.min(...v), max: Math.max(...v) } : { min: null, max: null };
}

function withSpread(side) {
  if (!side) return '—';
  if (side.n > 1 && side.min != null) return `${fmt(side.value)} (${fmt(side.min)}–${fmt(side.max)})`;
  return fmt(side.value);
}

/**
 * Other processes' CPU (cores, averaged over a run) above which a ratio is withheld: a quiet machine
 * shows a few hundredths; a second benchmark or a build shows about one core.
 */
const OTHER_CORES_LIMIT = 0.25;

/** A ratio, withheld when other processes competed for the CPU during a run (or marked LOADED with --allow-loaded). */
function ratioCell(x, maxOtherCores, o) {
  if (x == null) return '—';
  const quick = o.quick ? ' (quick: not a figure)' : '';
  if (maxOtherCores > OTHER_CORES_LIMIT) {
    return o.allowLoaded
      ? `LOADED ${fmt(x)} (other processes used ${maxOtherCores.toFixed(2)} cores)${quick}`
      : `withheld: other processes used ${maxOtherCores.toFixed(2)} cores`;
  }
  return `${fmt(x)}${quick}`;
}

/** Median over rounds of ours/Keras within a round (both values present). */
function pairedRatio(keras, ours) {
  const r = [];
  for (let i = 0; i < Math.min(keras.length, ours.length); i++) {
    if (keras[i].value > 0 && ours[i].value != null) r.push(ours[i].value / keras[i].value);
  }
  return median(r);
}

/** The scalar fields of a sample, for the progress log. */
function pick(s) {
  return Object.fromEntries(
    Object.entries(s)
      .filter(([, v]) => typeof v !== 'object' || v === null)
      .map(([k, v]) => [k, typeof v === 'number' ? Number(v.toPrecision(4)) : v]),
  );
}

main().catch((e) => {
  process.stderr.write(`compare: ${e.message}\n`);
  process.exitCode = 1;
});
