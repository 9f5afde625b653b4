#!/usr/bin/env node
// Training dashboard smoothness with tens of thousands of points (issue 5), in a real browser.
//
// Loads the dashboard webview (webview/dashboard.ts, bundled here in memory by esbuild with the
// options esbuild.mjs uses for dist/webview/dashboard.js) into a headless Debian Chromium page
// driven by playwright-core: the page shell the host renders (media/webview.css, <main id="root">)
// and a stand-in acquireVsCodeApi, as test/webview/_harness.ts builds it for jsdom. The host side
// is the real MetricHistoryStore (src/host/training/metricHistory.ts, bundled for Node): it makes
// the JSON-cloned `snapshot` and `delta` messages the dashboard panel posts.
//
// For each size N (default 500 and 50,000 batch points: two phases, transfer then fine-tune,
// 50 batches an epoch, so 10 and 1,000 epochs) it measures, in a fresh page:
//   - first render: window.postMessage(snapshot) → the second requestAnimationFrame after the
//     dashboard handled it (the frame with both charts painted); "handled" is the synchronous
//     part (structured clone, series build, DOM, uPlot construction);
//   - then it streams --deltas live deltas (one batch each, an epochEnd every 50) at --rate per
//     second through window.postMessage, as fast or faster than the panel's 200 ms flush would,
//     while the page records requestAnimationFrame intervals and PerformanceObserver 'longtask'
//     entries (main-thread tasks over 50 ms);
//   - an idle baseline first: the same recording for --idle-ms with nothing posted, so what the
//     loaded machine does to frames on its own is visible next to it.
// Correctness (the exit status): both charts' data-batches equal the points sent (N after the
// snapshot, N + deltas after the stream), data-epochs the epochs sent, the chart canvases are not
// blank, no message was dropped by validation and the page threw nothing. No timing is asserted:
// the figures are printed side by side with the ratio 50k/500.
//
//   node bench/dashboard-points.mjs                     # ~1 min on 2 cores: 2 rounds × {500, 50000}
//   node bench/dashboard-points.mjs --sizes 500,20000,50000 --rounds 3 --deltas 1000 --rate 80
//   node bench/dashboard-points.mjs --json              # one JSON line with every raw figure too
//   node bench/dashboard-points.mjs --rounds 1 --cpuprofile bench/results/profiles   # + the stream's CPU profile
//   node bench/dashboard-points.mjs --hide 'loss:epoch train,acc:epoch train'         # series hidden in the legend
//
// Needs /usr/bin/chromium (or --chromium PATH) and npm playwright-core; no build step.
import { build } from 'esbuild';
import { chromium } from 'playwright-core';
import { readFileSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { loadavg, cpus } from 'node:os';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { WEBVIEW_BUILD_OPTIONS } from '../scripts/webviewBuildOptions.mjs';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');

function parseArgs(argv) {
  const o = {
    sizes: [500, 50000],
    rounds: 2,
    deltas: 1000,
    rate: 80,
    batchesPerEpoch: 50,
    idleMs: 1500,
    chromium: '/usr/bin/chromium',
    hide: [],
    json: false,
    width: 1200,
    height: 900,
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--json') {
      o.json = true;
      continue;
    }
    if (a === '--help' || a === '-h') {
      o.help = true;
      continue;
    }
    const v = argv[++i];
    if (v === undefined) throw new Error(`${a} needs a value`);
    switch (a) {
      case '--sizes':
        o.sizes = v.split(',').map(Number);
        break;
      case '--rounds':
        o.rounds = Number(v);
        break;
      case '--deltas':
        o.deltas = Number(v);
        break;
      case '--rate':
        o.rate = Number(v);
        break;
      case '--batches-per-epoch':
        o.batchesPerEpoch = Number(v);
        break;
      case '--idle-ms':
        o.idleMs = Number(v);
        break;
      case '--chromium':
        o.chromium = v;
        break;
      case '--width':
        o.width = Number(v);
        break;
      case '--cpuprofile':
        o.cpuprofile = resolve(v);
        break;
      case '--hide':
        o.hide = v.split(',').filter(Boolean);
        break;
      default:
        throw new Error(`unknown option ${a}`);
    }
  }
  for (const n of o.sizes) if (!Number.isInteger(n) || n < 2 || n % 2) throw new Error(`--sizes: ${n} is not an even count of points`);
  return o;
}

// ---------------------------------------------------------------- the two bundles

async function bundleDashboard() {
  // as esbuild.mjs's webview context (development build, like `node esbuild.mjs`)
  const r = await build({
    ...WEBVIEW_BUILD_OPTIONS,
    entryPoints: [join(repoRoot, 'webview', 'dashboard.ts')],
    write: false,
    logLevel: 'silent',
  });
  // named, so profiles and stack traces point into it
  return `${r.outputFiles[0].text}\n//# sourceURL=dashboard.js\n`;
}

async function loadHistoryModule() {
  const r = await build({
    entryPoints: [join(repoRoot, 'src', 'host', 'training', 'metricHistory.ts')],
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    logLevel: 'silent',
  });
  return import(`data:text/javascript;base64,${Buffer.from(r.outputFiles[0].text).toString('base64')}`);
}

// ---------------------------------------------------------------- the host's messages

const runId = 'bench-run';

/** The snapshot of a running job with n batches done (n/2 transfer, then n/2 fine-tune) and the
 * live deltas of `deltas` more fine-tune batches, one batch each, as the host's store makes them. */
function hostMessages(MetricHistoryStore, n, deltas, batchesPerEpoch) {
  const store = new MetricHistoryStore();
  const perPhase = n / 2;
  const epochsOf = (batches) => Math.ceil(batches / batchesPerEpoch);
  const plannedEpochs = { transfer: epochsOf(perPhase), 'fine-tune': epochsOf(perPhase + deltas) };
  const run = store.begin({ runId, title: `bench · ${n} points`, backend: 'tensorflow', plannedEpochs }, 0);
  let t = 0;
  let epochsSent = 0;
  const note = (x) => store.apply(x, (t += 20));
  const batch = (phase, i, k) => {
    // i: batch index within the phase (0-based); a noisy decaying loss and rising accuracy
    const epoch = Math.floor(i / batchesPerEpoch) + 1;
    const b = (i % batchesPerEpoch) + 1;
    const g = (k + 1) / 1000;
    const noise = Math.sin(k * 12.9898) * 0.05;
    note({
      method: 'batchEnd',
      params: {
        runId,
        phase,
        epoch,
        batch: b,
        batches: batchesPerEpoch,
        loss: 2 / (1 + g) + noise,
        acc: Math.min(1, 0.5 + 0.4 * (1 - 1 / (1 + g)) + noise),
      },
    });
    if (b === batchesPerEpoch) {
      note({
        method: 'epochEnd',
        params: {
          runId,
          phase,
          epoch,
          epochs: plannedEpochs[phase],
          loss: 2 / (1 + g),
          acc: 0.5 + 0.4 * (1 - 1 / (1 + g)),
          valLoss: 2.1 / (1 + g),
          valAcc: 0.48 + 0.4 * (1 - 1 / (1 + g)),
          lr: 0.001,
          seconds: 1,
          imagesPerSecond: 320,
        },
      });
      epochsSent++;
    }
  };
  let k = 0;
  note({ method: 'phase', params: { runId, phase: 'transfer', epochs: plannedEpochs.transfer } });
  for (let i = 0; i < perPhase; i++) batch('transfer', i, k++);
  note({ method: 'phase', params: { runId, phase: 'fine-tune', epochs: plannedEpochs['fine-tune'] } });
  for (let i = 0; i < perPhase; i++) batch('fine-tune', i, k++);
  const snapshot = JSON.stringify({ type: 'snapshot', run: run.snapshot() });
  const snapshotEpochs = epochsSent;
  let cursor = run.cursor();
  const live = [];
  for (let j = 0; j < deltas; j++) {
    batch('fine-tune', perPhase + j, k++);
    const next = run.deltaSince(cursor);
    cursor = next.cursor;
    live.push({ type: 'delta', delta: next.delta });
  }
  return {
    snapshot,
    snapshotBytes: snapshot.length,
    snapshotEpochs,
    deltas: JSON.stringify(live),
    totalBatches: run.batchCount,
    totalEpochs: epochsSent,
  };
}

// ---------------------------------------------------------------- the page

const preamble = (hidden) => `
/** @type {any} */ (window).__bench = { posted: [], warnings: [], frames: [], longtasks: [], recording: false };
window.acquireVsCodeApi = () => {
  // the dashboard's persisted UI state: the legend's hidden series (--hide)
  let state = ${JSON.stringify(hidden.length ? { hidden } : undefined) ?? 'undefined'};
  return {
    postMessage: (m) => /** @type {any} */ (window).__bench.posted.push(JSON.parse(JSON.stringify(m))),
    getState: () => state,
    setState: (s) => (state = s),
  };
};
const warn = console.warn.bind(console);
console.warn = (...a) => { /** @type {any} */ (window).__bench.warnings.push(a.map(String).join(' ')); warn(...a); };
new PerformanceObserver((list) => {
  if (!/** @type {any} */ (window).__bench.recording) return;
  for (const e of list.getEntries()) /** @type {any} */ (window).__bench.longtasks.push({ start: e.startTime, duration: e.duration });
}).observe({ type: 'longtask' });
`;

// registered after the dashboard's own 'message' listener, so it runs once the dashboard handled
// each message
const afterListener = `
window.addEventListener('message', (ev) => {
  const b = /** @type {any} */ (window).__bench;
  if (ev.data && ev.data.type === 'snapshot' && b.onSnapshot) b.onSnapshot();
  if (ev.data && ev.data.type === 'delta') b.deltasHandled = (b.deltasHandled || 0) + 1;
});
/** @type {any} */ (window).__bench.record = (ms) => new Promise((resolve) => {
  const b = /** @type {any} */ (window).__bench;
  b.frames = []; b.longtasks = []; b.recording = true;
  const t0 = performance.now();
  const tick = (ts) => {
    b.frames.push(ts);
    if (performance.now() - t0 < ms) requestAnimationFrame(tick);
    else { b.recording = false; resolve(); }
  };
  requestAnimationFrame(tick);
});
`;

function pageShell(css) {
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="UTF-8"><meta name="viewport" content="width=device-width, initial-scale=1.0">
<meta name="cnnlab-style-nonce" content="bench"><style>${css}</style><title>CNN Lab: Training</title></head>
<body class="vscode-dark"><main id="root" aria-live="polite"></main></body></html>`;
}

/** In the page: both charts' data-batches / data-epochs and whether their canvases have ink. */
function chartState() {
  return ['loss', 'acc'].map((m) => {
    const el = /** @type {HTMLElement | null} */ (document.querySelector(`[data-testid="chart-${m}"]`));
    /** @type {HTMLCanvasElement | null | undefined} */
    const canvas = el?.querySelector('canvas');
    let ink = 0;
    if (canvas && canvas.width && canvas.height) {
      const px = /** @type {CanvasRenderingContext2D} */ (canvas.getContext('2d')).getImageData(0, 0, canvas.width, canvas.height).data;
      for (let i = 3; i < px.length; i += 4) if (px[i] !== 0) ink++;
    }
    return { metric: m, batches: Number(el?.dataset.batches ?? NaN), epochs: Number(el?.dataset.epochs ?? NaN), canvas: !!canvas, ink };
  });
}

function summarizeFrames(frames) {
  const iv = [];
  for (let i = 1; i < frames.length; i++) iv.push(frames[i] - frames[i - 1]);
  iv.sort((a, b) => a - b);
  const q = (p) => (iv.length ? iv[Math.min(iv.length - 1, Math.floor(p * iv.length))] : NaN);
  return { frames: frames.length, p50: q(0.5), p95: q(0.95), max: iv.length ? iv[iv.length - 1] : NaN };
}

async function measure(browser, o, bundle, css, messages, n, round) {
  const page = await browser.newPage({ viewport: { width: o.width, height: o.height } });
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  try {
    await page.setContent(pageShell(css));
    await page.addScriptTag({ content: preamble(o.hide) });
    await page.addScriptTag({ content: bundle });
    await page.addScriptTag({ content: afterListener });
    const ready = await page.evaluate(() => /** @type {any} */ (window).__bench.posted);
    if (!ready.some((m) => m.type === 'ready')) throw new Error(`the dashboard did not post ready: ${JSON.stringify(ready)}`);

    const load1 = loadavg()[0];
    // idle baseline: the empty dashboard, nothing posted
    await page.evaluate((ms) => /** @type {any} */ (window).__bench.record(ms), o.idleMs);
    const idle = await page.evaluate(() => ({
      frames: /** @type {any} */ (window).__bench.frames,
      longtasks: /** @type {any} */ (window).__bench.longtasks,
    }));

    // first render
    const render = await page.evaluate((text) => {
      const message = JSON.parse(text); // outside the timing: the host's JSON is parsed before it is posted
      return new Promise((resolve) => {
        const b = /** @type {any} */ (window).__bench;
        let t0 = 0;
        b.onSnapshot = () => {
          b.onSnapshot = undefined;
          const handled = performance.now() - t0;
          requestAnimationFrame(() => requestAnimationFrame(() => resolve({ handled, painted: performance.now() - t0 })));
        };
        t0 = performance.now();
        window.postMessage(message, '*');
      });
    }, messages.snapshot);
    const afterSnapshot = await page.evaluate(chartState);

    // the live stream, with frames and long tasks recorded over it (plus ~2 frames after the last)
    await page.evaluate((text) => {
      /** @type {any} */ (window).__bench.pending = JSON.parse(text);
    }, messages.deltas);
    const cdp = o.cpuprofile ? await page.context().newCDPSession(page) : undefined;
    if (cdp) {
      await cdp.send('Profiler.enable');
      await cdp.send('Profiler.start');
    }
    const stream = await page.evaluate(
      ({ rate }) =>
        new Promise((resolve) => {
          const b = /** @type {any} */ (window).__bench;
          const deltas = b.pending;
          b.pending = undefined;
          b.frames = [];
          b.longtasks = [];
          b.recording = true;
          let sent = 0;
          const t0 = performance.now();
          const tick = (ts) => {
            if (b.recording) {
              b.frames.push(ts);
              requestAnimationFrame(tick);
            }
          };
          requestAnimationFrame(tick);
          const pump = () => {
            const due = Math.min(deltas.length, Math.floor(((performance.now() - t0) * rate) / 1000) + 1);
            while (sent < due) window.postMessage(deltas[sent++], '*');
            if (sent < deltas.length) setTimeout(pump, Math.max(0, t0 + (sent * 1000) / rate - performance.now()));
            else {
              const seconds = (performance.now() - t0) / 1000;
              // let the last deltas arrive and the coalesced redraw paint
              const settle = () => {
                if ((b.deltasHandled || 0) < deltas.length) return setTimeout(settle, 5);
                requestAnimationFrame(() =>
                  requestAnimationFrame(() => {
                    b.recording = false;
                    resolve({ seconds, rate: deltas.length / seconds, frames: b.frames, longtasks: b.longtasks, handled: b.deltasHandled });
                  }),
                );
              };
              settle();
            }
          };
          pump();
        }),
      { rate: o.rate },
    );
    if (cdp) await writeProfile((await cdp.send('Profiler.stop')).profile, o.cpuprofile, `dashboard-${n}-r${round}`);
    const afterStream = await page.evaluate(chartState);
    const warnings = await page.evaluate(() => /** @type {any} */ (window).__bench.warnings);

    const problems = [];
    const check = (cond, what) => cond || problems.push(what);
    for (const c of afterSnapshot) {
      check(c.batches === n, `after the snapshot chart-${c.metric} data-batches=${c.batches}, sent ${n}`);
      check(
        c.epochs === messages.snapshotEpochs,
        `after the snapshot chart-${c.metric} data-epochs=${c.epochs}, sent ${messages.snapshotEpochs}`,
      );
      check(c.canvas && c.ink > 0, `after the snapshot chart-${c.metric} has ${c.canvas ? 'a blank canvas' : 'no canvas'}`);
    }
    for (const c of afterStream) {
      check(
        c.batches === messages.totalBatches,
        `after the stream chart-${c.metric} data-batches=${c.batches}, sent ${messages.totalBatches}`,
      );
      check(c.epochs === messages.totalEpochs, `after the stream chart-${c.metric} data-epochs=${c.epochs}, sent ${messages.totalEpochs}`);
      check(c.canvas && c.ink > 0, `after the stream chart-${c.metric} has ${c.canvas ? 'a blank canvas' : 'no canvas'}`);
    }
    check(warnings.length === 0, `the page warned (a dropped message?): ${warnings.slice(0, 3).join(' | ')}`);
    check(errors.length === 0, `page errors: ${errors.slice(0, 3).join(' | ')}`);

    const longMs = (l) => l.reduce((s, e) => s + e.duration, 0);
    return {
      n,
      load1,
      load1After: loadavg()[0],
      snapshotBytes: messages.snapshotBytes,
      renderHandledMs: render.handled,
      renderMs: render.painted,
      idle: { ...summarizeFrames(idle.frames), longTasks: idle.longtasks.length, longTaskMs: longMs(idle.longtasks) },
      stream: {
        deltas: stream.handled,
        seconds: stream.seconds,
        rate: stream.rate,
        ...summarizeFrames(stream.frames),
        longTasks: stream.longtasks.length,
        longTaskMs: longMs(stream.longtasks),
        longestTaskMs: Math.max(0, ...stream.longtasks.map((e) => e.duration)),
      },
      dataBatches: afterStream.map((c) => c.batches),
      problems,
    };
  } finally {
    await page.close();
  }
}

/** --cpuprofile DIR: the stream's CPU profile (open in Chrome DevTools) and its top self times. */
async function writeProfile(profile, dir, name) {
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${name}.cpuprofile`);
  writeFileSync(file, JSON.stringify(profile));
  const self = new Map();
  const dt = new Map();
  profile.samples.forEach((id, i) => dt.set(id, (dt.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
  let total = 0;
  for (const node of profile.nodes) {
    const us = dt.get(node.id) ?? 0;
    total += us;
    const f = node.callFrame;
    const key = `${f.functionName || '(anonymous)'}${f.url ? ` ${f.url.split('/').pop()}:${f.lineNumber + 1}` : ''}`;
    self.set(key, (self.get(key) ?? 0) + us);
  }
  const top = [...self].sort((a, b) => b[1] - a[1]).slice(0, 10);
  process.stderr.write(
    `${file}: ${(total / 1000).toFixed(0)} ms sampled; top self time:\n${top.map(([k, us]) => `  ${(us / 1000).toFixed(0).padStart(6)} ms ${((100 * us) / total).toFixed(1).padStart(5)} %  ${k}`).join('\n')}\n`,
  );
}

// ---------------------------------------------------------------- the table

const median = (xs) => {
  const s = xs.filter(Number.isFinite).sort((a, b) => a - b);
  if (!s.length) return NaN;
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const fmt = (x, d = 1) => (Number.isFinite(x) ? x.toFixed(d) : '—');
const ratio = (a, b) =>
  Number.isFinite(a) && Number.isFinite(b) && b > 0 ? (a / b).toFixed(2) : b === 0 && a === 0 ? '0/0' : b === 0 ? `${fmt(a, 0)}/0` : '—';

/** @type {[string, (r: any) => number, number?][]} label, value of a row, decimals (1 unless given) */
const COLS = [
  ['first render ms', (r) => r.renderMs],
  ['(handled ms)', (r) => r.renderHandledMs],
  ['frame p50 ms', (r) => r.stream.p50],
  ['frame p95 ms', (r) => r.stream.p95],
  ['frame max ms', (r) => r.stream.max],
  ['long tasks', (r) => r.stream.longTasks, 0],
  ['long-task ms', (r) => r.stream.longTaskMs, 0],
  ['deltas/s', (r) => r.stream.rate],
  ['idle p95 ms', (r) => r.idle.p95],
  ['idle long tasks', (r) => r.idle.longTasks, 0],
];

function table(rows, sizes) {
  const head = ['N points', 'round', 'load1', ...COLS.map((c) => c[0]), 'data-batches'];
  const lines = [head];
  for (const r of rows)
    lines.push([
      String(r.n),
      String(r.round),
      fmt(r.load1, 2),
      ...COLS.map(([, f, d]) => fmt(f(r), d ?? 1)),
      r.dataBatches.join('/') + (r.problems.length ? ' FAIL' : ' ok'),
    ]);
  const med = {};
  for (const n of sizes) {
    const rs = rows.filter((r) => r.n === n);
    med[n] = COLS.map(([, f]) => median(rs.map(f)));
    lines.push([String(n), 'median', fmt(median(rs.map((r) => r.load1)), 2), ...med[n].map((x, i) => fmt(x, COLS[i][2] ?? 1)), '']);
  }
  const lo = sizes[0];
  const hi = sizes[sizes.length - 1];
  if (sizes.length > 1) lines.push([`${hi}/${lo}`, 'ratio', '', ...COLS.map((_, i) => ratio(med[hi][i], med[lo][i])), '']);
  const widths = head.map((_, i) => Math.max(...lines.map((l) => l[i].length)));
  return lines
    .map((l, j) => {
      const s = '| ' + l.map((c, i) => (i < 3 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join(' | ') + ' |';
      return j === 0 ? `${s}\n|${widths.map((w, i) => '-' + '-'.repeat(w) + (i < 3 ? '-' : ':')).join('|')}|` : s;
    })
    .join('\n');
}

// ---------------------------------------------------------------- main

async function main() {
  const o = parseArgs(process.argv.slice(2));
  if (o.help) {
    const lines = readFileSync(fileURLToPath(import.meta.url), 'utf8').split('\n');
    console.log(
      lines
        .slice(
          1,
          lines.findIndex((l) => l.startsWith('import ')),
        )
        .map((l) => l.replace(/^\/\/ ?/, ''))
        .join('\n'),
    );
    return;
  }
  if (!existsSync(o.chromium)) throw new Error(`no Chromium at ${o.chromium} (--chromium PATH)`);
  const started = Date.now();
  const [bundle, { MetricHistoryStore }] = await Promise.all([bundleDashboard(), loadHistoryModule()]);
  const css = readFileSync(join(repoRoot, 'media', 'webview.css'), 'utf8');
  const messages = new Map(o.sizes.map((n) => [n, hostMessages(MetricHistoryStore, n, o.deltas, o.batchesPerEpoch)]));
  const browser = await chromium.launch({
    executablePath: o.chromium,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
  const version = browser.version();
  const rows = [];
  try {
    for (let round = 1; round <= o.rounds; round++) {
      // alternate sizes (and their order) so both see about the same load
      const order = round % 2 ? o.sizes : [...o.sizes].reverse();
      for (const n of order) {
        const r = await measure(browser, o, bundle, css, messages.get(n), n, round);
        r.round = round;
        rows.push(r);
        if (!o.json)
          process.stderr.write(
            `round ${round} N=${n}: render ${fmt(r.renderMs)} ms, frame p95 ${fmt(r.stream.p95)} ms, ${r.stream.longTasks} long tasks, load1 ${fmt(r.load1, 2)}${r.problems.length ? `, PROBLEMS: ${r.problems.join('; ')}` : ''}\n`,
          );
      }
    }
  } finally {
    await browser.close();
  }
  rows.sort((a, b) => o.sizes.indexOf(a.n) - o.sizes.indexOf(b.n) || a.round - b.round);
  const problems = rows.flatMap((r) => r.problems.map((p) => `N=${r.n} round ${r.round}: ${p}`));
  const load = loadavg();
  if (o.json) {
    console.log(JSON.stringify({ date: new Date().toISOString(), chromium: version, cpus: cpus().length, options: o, rows, problems }));
  } else {
    console.log(
      `dashboard-points: Chromium ${version} headless (--disable-gpu), ${cpus().length} CPUs, viewport ${o.width}×${o.height}, ${new Date().toISOString()}`,
    );
    console.log(
      `per size: snapshot of N batch points (2 phases, ${o.batchesPerEpoch} batches/epoch), then ${o.deltas} one-batch deltas at ${o.rate}/s; ${o.rounds} round(s), sizes alternated${o.hide.length ? `; hidden series: ${o.hide.join(', ')}` : ''}`,
    );
    console.log(
      `snapshot JSON: ${o.sizes.map((n) => `N=${n} ${((messages.get(n)?.snapshotBytes ?? 0) / 1024).toFixed(0)} KiB`).join(', ')}`,
    );
    console.log(table(rows, o.sizes));
    console.log(
      `load average now ${load.map((x) => x.toFixed(2)).join(' ')} (1/5/15 min); run took ${((Date.now() - started) / 1000).toFixed(0)} s`,
    );
    console.log(
      'frame = requestAnimationFrame interval during the stream (16.7 ms at 60 Hz); long task = main-thread task > 50 ms; idle = the empty page before the snapshot',
    );
    console.log(
      problems.length
        ? `CORRECTNESS FAILED:\n  ${problems.join('\n  ')}`
        : `correctness: ok (every chart's data-batches/data-epochs equal the points sent, canvases drawn, no dropped message, no page error)`,
    );
  }
  process.exitCode = problems.length ? 1 : 0;
}

main().catch((e) => {
  console.error(e instanceof Error ? e.stack : e);
  process.exitCode = 2;
});
