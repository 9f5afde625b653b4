#!/usr/bin/env node
// Host responsiveness while the engine trains: a plain Node parent (standing in for the VS Code
// extension host) forks the bundled engine (dist/engine.js), asks it to train over the IPC
// protocol of src/protocol/messages.ts, consumes its notification stream as the host would, and
// measures its own event-loop delay with perf_hooks.monitorEventLoopDelay. Prints one JSON line.
//
// The histogram's samples include its 1 ms timer period, so an idle loop reads about 1 ms.
//
//   node bench/eventloop-host.mjs --data DIR --val DIR --base mobilenet_v2 --epochs 2 --out DIR
import { fork } from 'node:child_process';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { existsSync, rmSync } from 'node:fs';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');

function parseArgs(argv) {
  const o = {
    base: 'mobilenet_v2',
    backend: 'auto',
    epochs: 2,
    batchSize: 32,
    resolutionMs: 1,
    engine: join(repoRoot, 'dist', 'engine.js'),
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const v = argv[++i];
    if (v === undefined) throw new Error(`${a} needs a value`);
    switch (a) {
      case '--data':
        o.data = resolve(v);
        break;
      case '--val':
        o.val = resolve(v);
        break;
      case '--base':
        o.base = v;
        break;
      case '--backend':
        o.backend = v;
        break;
      case '--epochs':
        o.epochs = Number(v);
        break;
      case '--batch-size':
        o.batchSize = Number(v);
        break;
      case '--out':
        o.out = resolve(v);
        break;
      case '--engine':
        o.engine = resolve(v);
        break;
      default:
        throw new Error(`unknown option ${a}`);
    }
  }
  if (!o.data || !o.out) throw new Error('--data DIR and --out DIR are required');
  if (!existsSync(o.engine)) throw new Error(`${o.engine} not found: run node esbuild.mjs`);
  return o;
}

/** A complete ExperimentConfig (src/core/experiment.ts), spelled out so this script needs no build step. */
function experiment(o) {
  return {
    data: o.data,
    validationData: o.val,
    validationSplit: o.val ? 0 : 0.2,
    base: o.base,
    fcUnits: 1024,
    batchSize: o.batchSize,
    seed: 42,
    transfer: { epochs: o.epochs, learningRate: 0.001 },
    fineTune: { epochs: 0, learningRate: 1e-4, momentum: 0.9 },
    freeze: [],
    augment: null,
    resize: 'stretch',
    earlyStopping: null,
    backend: o.backend,
    out: o.out,
  };
}

async function main() {
  const o = parseArgs(process.argv.slice(2));
  rmSync(o.out, { recursive: true, force: true });
  const engine = fork(o.engine, [], { stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
  let stderr = '';
  engine.stderr?.on('data', (c) => (stderr = (stderr + c).slice(-4000)));
  const histogram = monitorEventLoopDelay({ resolution: o.resolutionMs });
  const counts = {};
  let received = 0;
  const t0 = performance.now();
  const result = await new Promise((resolvePromise, reject) => {
    engine.on('message', (/** @type {any} */ msg) => {
      received++;
      // What a host does per message: parse the envelope and keep the latest metrics.
      if (msg?.kind === 'notification') {
        counts[msg.method] = (counts[msg.method] ?? 0) + 1;
        if (msg.method === 'phase' && msg.params.phase !== 'scan') histogram.enable();
        if (msg.method === 'failed') reject(new Error(`engine failed: ${msg.params.error}`));
      } else if (msg?.kind === 'response' && msg.id === 1) {
        if (msg.ok) resolvePromise(msg.result);
        else reject(new Error(`engine train failed: ${msg.error}`));
      }
    });
    engine.on('exit', (code) =>
      reject(new Error(`engine exited (${code}) before answering: ${stderr.trim().split('\n').slice(-2).join(' | ')}`)),
    );
    engine.send({ kind: 'request', id: 1, method: 'train', params: { runId: 'bench-eventloop', config: experiment(o) } });
    // In case the engine sends no phase notification, measure from the start anyway.
    setTimeout(() => histogram.enable(), 0);
  });
  histogram.disable();
  engine.kill();
  const ms = (ns) => ns / 1e6;
  console.log(
    JSON.stringify({
      p50Ms: ms(histogram.percentile(50)),
      p99Ms: ms(histogram.percentile(99)),
      maxMs: ms(histogram.max),
      meanMs: ms(histogram.mean),
      samples: histogram.count,
      notifications: counts,
      messages: received,
      seconds: (performance.now() - t0) / 1000,
      backend: result?.backend,
      epochs: result?.history?.length,
    }),
  );
}

main().catch((e) => {
  process.stderr.write(`eventloop-host: ${e.message}\n`);
  process.exitCode = 1;
});
