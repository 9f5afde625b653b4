// The training dashboard webview: live loss and accuracy (per batch, smoothed, per epoch, train and
// validation) with the transfer → fine-tune switch marked; throughput, ETA and backend; Stop and
// "Stop, keep best"; after the run per-class precision/recall, the confusion matrix and the
// misclassified images. It holds no history of its own: the host sends a snapshot on `ready`.
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-badge/index.js';
import '@vscode-elements/elements/dist/vscode-progress-bar/index.js';
import uPlot from 'uplot';
import uplotCss from 'uplot/dist/uPlot.min.css';
import {
  validateDashboardToWebview,
  type DashboardDelta,
  type DashboardFromWebview,
  type DashboardResult,
  type DashboardToWebview,
  type RunSnapshot,
} from '../src/protocol/webview/dashboard.ts';
import { adoptStyles, connectToHost, formatDuration, formatPercent, h } from './_host.ts';
import { MetricSeries, type Metric } from './_metricSeries.ts';

interface UiState {
  /** hidden series per chart, by label */
  hidden: string[];
}

adoptStyles(uplotCss);
const host = connectToHost<DashboardToWebview, DashboardFromWebview, UiState>(validateDashboardToWebview, { hidden: [] });
const root = document.getElementById('root')!;

let run: RunSnapshot | null = null;
let series = new MetricSeries();
const charts: Partial<Record<Metric, uPlot>> = {};
let redrawQueued = false;

function cssVar(name: string, fallback: string): string {
  return getComputedStyle(document.body).getPropertyValue(name).trim() || fallback;
}

function themeColors() {
  return {
    fg: cssVar('--vscode-foreground', '#cccccc'),
    grid: cssVar('--vscode-editorWidget-border', 'rgba(128,128,128,0.25)'),
    train: cssVar('--vscode-charts-blue', '#3794ff'),
    val: cssVar('--vscode-charts-orange', '#d18616'),
    faint: cssVar('--vscode-descriptionForeground', '#8b8b8b'),
    phase: cssVar('--vscode-charts-purple', '#b180d7'),
    font: cssVar('--vscode-font-family', 'sans-serif'),
  };
}

/** Draws a dashed vertical line and a label at each phase switch. */
function phasePlugin(): uPlot.Plugin {
  return {
    hooks: {
      draw: (u: uPlot) => {
        const colors = themeColors();
        const ctx = u.ctx;
        for (const mark of series.phaseSwitches()) {
          const x = u.valToPos(mark.x, 'x', true);
          if (!Number.isFinite(x) || x < u.bbox.left || x > u.bbox.left + u.bbox.width) continue;
          ctx.save();
          ctx.strokeStyle = colors.phase;
          ctx.fillStyle = colors.phase;
          ctx.lineWidth = 1.5 * uPlot.pxRatio;
          ctx.setLineDash([5 * uPlot.pxRatio, 4 * uPlot.pxRatio]);
          ctx.beginPath();
          ctx.moveTo(x, u.bbox.top);
          ctx.lineTo(x, u.bbox.top + u.bbox.height);
          ctx.stroke();
          ctx.setLineDash([]);
          ctx.font = `${11 * uPlot.pxRatio}px ${colors.font}`;
          ctx.fillText(mark.phase, x + 4 * uPlot.pxRatio, u.bbox.top + 12 * uPlot.pxRatio);
          ctx.restore();
        }
      },
    },
  };
}

/** Least room, in CSS pixels, each epoch marker needs on the x axis. */
const MARKER_SPACING_PX = 8;

/**
 * Epoch markers only while they are sparse. With hundreds of epochs on screen, drawing a round
 * marker per epoch on every redraw halved the frame rate (bench/dashboard-points.mjs: 1,000 epochs,
 * p95 83 ms); the epoch lines still show every value, and zooming in brings the markers back.
 */
function sparseMarkers(u: uPlot, seriesIdx: number, idx0: number, idx1: number): boolean {
  const ys = u.data[seriesIdx];
  const room = u.bbox.width / (window.devicePixelRatio || 1);
  let n = 0;
  for (let i = idx0; i <= idx1; i++) if (ys[i] != null && ++n * MARKER_SPACING_PX > room) return false;
  return true;
}

function makeChart(metric: Metric, container: HTMLElement): uPlot {
  const c = themeColors();
  const hidden = new Set(host.uiState().hidden);
  const label = metric === 'loss' ? 'loss' : 'accuracy';
  const opts: uPlot.Options = {
    width: Math.max(280, container.clientWidth || 600),
    height: 220,
    plugins: [phasePlugin()],
    cursor: { drag: { x: true, y: false } },
    scales: { x: { time: false }, y: metric === 'acc' ? { range: [0, 1] } : {} },
    axes: [
      {
        stroke: c.fg,
        grid: { stroke: c.grid, width: 1 },
        ticks: { stroke: c.grid },
        label: 'batch',
        labelSize: 18,
        font: `11px ${c.font}`,
        labelFont: `11px ${c.font}`,
      },
      {
        stroke: c.fg,
        grid: { stroke: c.grid, width: 1 },
        ticks: { stroke: c.grid },
        label,
        labelSize: 18,
        font: `11px ${c.font}`,
        labelFont: `11px ${c.font}`,
        size: 50,
      },
    ],
    series: [
      { label: 'batch' },
      { label: `batch ${label}`, stroke: c.faint, width: 1, alpha: 0.5, show: !hidden.has(`${metric}:batch`), points: { show: false } },
      { label: 'smoothed', stroke: c.train, width: 2, show: !hidden.has(`${metric}:smoothed`), points: { show: false } },
      {
        label: `epoch train`,
        stroke: c.train,
        width: 1.5,
        dash: [2, 3],
        spanGaps: true,
        show: !hidden.has(`${metric}:epoch train`),
        points: { show: sparseMarkers, size: 6, fill: c.train },
      },
      {
        label: `epoch validation`,
        stroke: c.val,
        width: 2,
        spanGaps: true,
        show: !hidden.has(`${metric}:epoch validation`),
        points: { show: sparseMarkers, size: 6, fill: c.val },
      },
    ],
    hooks: {
      setSeries: [
        (u: uPlot, i: number | null) => {
          if (i === null) return;
          const name = u.series[i].label; // every series above has a string label
          const key = `${metric}:${typeof name === 'string' ? name : ''}`;
          const set = new Set(host.uiState().hidden);
          if (u.series[i].show) set.delete(key);
          else set.add(key);
          host.saveUiState({ ...host.uiState(), hidden: [...set] });
        },
      ],
    },
  };
  return new uPlot(opts, series.aligned(metric), container);
}

function queueRedraw(): void {
  if (redrawQueued) return;
  redrawQueued = true;
  requestAnimationFrame(() => {
    redrawQueued = false;
    for (const metric of ['loss', 'acc'] as Metric[]) charts[metric]?.setData(series.aligned(metric));
  });
}

// ---------------------------------------------------------------- rendering

function statusBadge(r: RunSnapshot): HTMLElement {
  const text = { running: 'training', done: 'finished', failed: 'failed', cancelled: 'stopped' }[r.status];
  return h('span', { class: `status status-${r.status}`, 'data-testid': 'status' }, text);
}

function kpi(label: string, value: string, testid: string): HTMLElement {
  return h(
    'div',
    { class: 'kpi' },
    h('div', { class: 'kpi-label' }, label),
    h('div', { class: 'kpi-value', 'data-testid': testid }, value),
  );
}

function lastEpochValue(key: 'valAcc' | 'acc' | 'valLoss' | 'loss'): number | undefined {
  const epochs = run?.epochs ?? [];
  for (let i = epochs.length - 1; i >= 0; i--) if (epochs[i][key] !== undefined) return epochs[i][key];
  return undefined;
}

/** The best validation accuracy and its epoch: the run's result, or the best epoch so far. */
function bestValidation(r: RunSnapshot): string {
  let best = r.result?.bestEpoch ?? null;
  if (!best) for (const e of r.epochs) if (e.valAcc !== undefined && (best?.valAcc === undefined || e.valAcc > best.valAcc)) best = e;
  return best?.valAcc !== undefined ? `${formatPercent(best.valAcc)} (${best.phase} ${best.epoch})` : '–';
}

/** The phase, epoch and batch KPIs: where a run is, or once it ended, how far it got. */
function progressKpis(r: RunSnapshot): HTMLElement[] {
  const p = r.progress;
  if (r.status === 'running') {
    const epochText = p.epochs ? `${Math.min(p.epoch + (p.batch > 0 && p.batch < p.batches ? 1 : 0), p.epochs)}/${p.epochs}` : '–';
    return [
      kpi('phase', p.phase ?? '–', 'phase'),
      kpi('epoch', epochText, 'epoch'),
      kpi('batch', p.batches ? `${p.batch}/${p.batches}` : '–', 'batch'),
    ];
  }
  // the host leaves the last epoch trained in `progress` (see RunHistory.finish)
  const ended = { done: 'done', cancelled: 'stopped', failed: p.phase ? `failed in ${p.phase}` : 'failed' }[r.status];
  return [
    kpi('phase', ended, 'phase'),
    kpi('epoch', p.phase && p.epochs ? `${p.phase} ${p.epoch}/${p.epochs}` : '–', 'epoch'),
    kpi('best val accuracy', bestValidation(r), 'best-val-acc'),
  ];
}

function renderHeader(r: RunSnapshot): HTMLElement {
  const p = r.progress;
  const fraction = p.batches ? p.batch / p.batches : 0;
  const stop = h('vscode-button', { 'data-testid': 'stop', title: 'Stop now; the model is not saved', secondary: true }, 'Stop');
  const stopBest = h(
    'vscode-button',
    { 'data-testid': 'stop-keep-best', title: 'Stop and save the weights of the best epoch so far' },
    'Stop, keep best',
  );
  stop.addEventListener('click', () => host.post({ type: 'stop', runId: r.runId, keepBest: false }));
  stopBest.addEventListener('click', () => host.post({ type: 'stop', runId: r.runId, keepBest: true }));
  const running = r.status === 'running';
  return h(
    'header',
    { class: 'run-header' },
    h('div', { class: 'title-row' }, h('h1', {}, r.title), statusBadge(r), running ? h('div', { class: 'actions' }, stopBest, stop) : null),
    running
      ? h('vscode-progress-bar', { class: 'progress', value: Math.round(fraction * 100), max: 100, 'aria-label': 'epoch progress' })
      : null,
    h(
      'div',
      { class: 'kpis' },
      ...progressKpis(r),
      kpi('val accuracy', formatPercent(r.result?.accuracy ?? lastEpochValue('valAcc')), 'val-acc'),
      kpi('loss', lastEpochValue('loss')?.toFixed(4) ?? run?.batches.loss.at(-1)?.toFixed(4) ?? '–', 'loss'),
      kpi('throughput', p.imagesPerSecond ? `${p.imagesPerSecond.toFixed(1)} img/s` : '–', 'throughput'),
      kpi(running ? 'ETA' : 'elapsed', running ? formatDuration(p.etaSeconds) : formatDuration(p.elapsedSeconds), 'eta'),
      kpi('backend', r.backend ?? '–', 'backend'),
    ),
    r.error ? h('div', { class: 'error-banner', role: 'alert', 'data-testid': 'error' }, r.error) : null,
  );
}

function renderCharts(): HTMLElement {
  const section = h('section', { class: 'charts' });
  for (const metric of ['loss', 'acc'] as Metric[]) {
    const holder = h('div', { class: 'chart', 'data-testid': `chart-${metric}` });
    section.append(h('div', { class: 'chart-card' }, h('h2', {}, metric === 'loss' ? 'Loss' : 'Accuracy'), holder));
  }
  return section;
}

function heat(value: number, max: number): string {
  // a share of the theme's chart colour: readable in light, dark and high-contrast themes
  const pct = max > 0 ? Math.round((value / max) * 70) : 0;
  return `background: color-mix(in srgb, var(--vscode-charts-blue) ${pct}%, transparent)`;
}

function renderResult(result: DashboardResult): HTMLElement {
  const section = h('section', { class: 'results', 'data-testid': 'results' });
  const best = result.bestEpoch
    ? `best epoch: ${result.bestEpoch.phase} ${result.bestEpoch.epoch}${result.bestEpoch.valAcc !== undefined ? ` (val acc ${formatPercent(result.bestEpoch.valAcc)})` : ''}`
    : '';
  const open = h('vscode-button', { secondary: true, 'data-testid': 'open-model' }, 'Open architecture');
  open.addEventListener('click', () => host.post({ type: 'openModel', modelDir: result.modelDir }));
  // a stopped run is not evaluated, and unless it kept its best epoch it saved nothing
  const accuracy =
    result.accuracy !== undefined ? `accuracy ${formatPercent(result.accuracy)}` : result.cancelled ? 'not evaluated' : 'no validation set';
  section.append(
    h(
      'div',
      { class: 'result-summary' },
      h('h2', {}, result.cancelled ? 'Stopped' : 'Result'),
      h('span', { class: 'final-acc', 'data-testid': 'final-accuracy' }, accuracy),
      h('span', { class: 'muted' }, best),
      result.saved ? null : h('span', { 'data-testid': 'not-saved' }, 'nothing saved; left as it was:'),
      h('span', { class: 'muted', 'data-testid': 'model-dir' }, result.modelDir),
      result.saved ? open : null,
    ),
  );
  if (result.trainedLayers.length) {
    section.append(
      h(
        'p',
        { class: 'muted' },
        result.trainedLayers
          .map((t) => `${t.phase}: ${t.count} trainable layer(s)${t.first ? ` (${t.first} … ${t.last})` : ''}`)
          .join(' · '),
      ),
    );
  }
  if (result.perClass.length) {
    const table = h(
      'table',
      { class: 'data-table', 'data-testid': 'per-class' },
      h('thead', {}, h('tr', {}, h('th', {}, 'class'), h('th', {}, 'precision'), h('th', {}, 'recall'), h('th', {}, 'support'))),
    );
    const body = h('tbody');
    for (const c of result.perClass)
      body.append(
        h(
          'tr',
          {},
          h('td', {}, c.label),
          h('td', { class: 'num' }, formatPercent(c.precision)),
          h('td', { class: 'num' }, formatPercent(c.recall)),
          h('td', { class: 'num' }, String(c.support)),
        ),
      );
    table.append(body);
    section.append(h('div', { class: 'card' }, h('h3', {}, 'Per class'), table));
  }
  if (result.confusion.length) {
    const max = Math.max(...result.confusion.flat());
    const head = h('tr', {}, h('th', { class: 'corner' }, 'actual ↓ / predicted →'), ...result.labels.map((l) => h('th', {}, l)));
    const table = h('table', { class: 'confusion', 'data-testid': 'confusion' }, h('thead', {}, head));
    const body = h('tbody');
    result.confusion.forEach((row, i) => {
      body.append(
        h(
          'tr',
          {},
          h('th', {}, result.labels[i] ?? String(i)),
          ...row.map((v, j) => h('td', { class: i === j ? 'num diag' : 'num', style: heat(v, max) }, String(v))),
        ),
      );
    });
    table.append(body);
    section.append(h('div', { class: 'card' }, h('h3', {}, 'Confusion matrix'), table));
  }
  if (result.misclassified.length) {
    const grid = h('div', { class: 'thumbs', 'data-testid': 'misclassified' });
    for (const m of result.misclassified) {
      const name = m.path.split(/[\\/]/).pop() ?? m.path;
      const card = h(
        'button',
        { class: 'thumb', title: `${m.path}\nactual ${m.actual}, predicted ${m.predicted} (${formatPercent(m.probability)})` },
        m.src ? h('img', { src: m.src, alt: name, loading: 'lazy' }) : h('div', { class: 'noimg' }, name),
        h(
          'div',
          { class: 'thumb-caption' },
          h('span', { class: 'actual' }, m.actual),
          ' → ',
          h('span', { class: 'predicted' }, m.predicted),
          ` ${formatPercent(m.probability, 0)}`,
        ),
      );
      card.addEventListener('click', () => host.post({ type: 'openFile', path: m.path }));
      grid.append(card);
    }
    const more =
      result.misclassifiedTotal > result.misclassified.length
        ? ` (first ${result.misclassified.length} of ${result.misclassifiedTotal})`
        : '';
    section.append(h('div', { class: 'card' }, h('h3', {}, `Misclassified${more}`), grid));
  }
  if (result.skippedTotal) {
    // Every file the run could not use, with why, so a broken link or an unreadable folder is
    // found here rather than by searching the log. A click opens the file (or its folder).
    const list = h('ul', { class: 'skipped', 'data-testid': 'skipped' });
    for (const f of result.skipped) {
      const open = h('button', { class: 'link', title: f.path }, f.path);
      open.addEventListener('click', () => host.post({ type: 'openFile', path: f.path }));
      list.append(h('li', {}, open, h('span', { class: 'muted' }, `: ${f.reason}`)));
    }
    const more =
      result.skippedTotal > result.skipped.length
        ? ` (first ${result.skipped.length} of ${result.skippedTotal}; all in the CNN Lab log)`
        : '';
    section.append(h('div', { class: 'card' }, h('h3', {}, `Skipped files: ${result.skippedTotal}${more}`), list));
  }
  return section;
}

let headerEl: HTMLElement | undefined;
let resultEl: HTMLElement | undefined;

/** Full render: after a snapshot (also after a reload or theme change). */
function renderAll(): void {
  for (const m of Object.keys(charts) as Metric[]) {
    charts[m]?.destroy();
    delete charts[m];
  }
  root.replaceChildren();
  headerEl = resultEl = undefined;
  if (!run) {
    root.append(
      h(
        'div',
        { class: 'empty', 'data-testid': 'empty' },
        h('h1', {}, 'No training run yet'),
        h('p', {}, 'Run "CNN Lab: Train Transfer Model" or "CNN Lab: Run Experiment"; the curves appear here live.'),
      ),
    );
    return;
  }
  headerEl = renderHeader(run);
  const chartsEl = renderCharts();
  root.append(headerEl, chartsEl);
  if (run.result) root.append((resultEl = renderResult(run.result)));
  for (const metric of ['loss', 'acc'] as Metric[])
    charts[metric] = makeChart(metric, chartsEl.querySelector<HTMLElement>(`[data-testid="chart-${metric}"]`)!);
  updateChartAttributes();
}

function updateChartAttributes(): void {
  // the number of points drawn, for tests and screen readers
  for (const metric of ['loss', 'acc'] as Metric[]) {
    const el = root.querySelector<HTMLElement>(`[data-testid="chart-${metric}"]`);
    if (el) {
      el.dataset.batches = String(series.batchCount);
      el.dataset.epochs = String(series.epochCount);
      el.setAttribute('aria-label', `${metric} over ${series.batchCount} batches and ${series.epochCount} epochs`);
    }
  }
}

function applySnapshot(snapshot: RunSnapshot | null): void {
  run = snapshot;
  series = new MetricSeries();
  if (snapshot) series.append(snapshot.batches, snapshot.epochs, snapshot.phases);
  renderAll();
}

function applyDelta(d: DashboardDelta): void {
  if (!run || run.runId !== d.runId) return; // a delta for a run we have no snapshot of: wait for one
  run.batches.step.push(...d.batches.step);
  run.batches.loss.push(...d.batches.loss);
  run.batches.acc.push(...d.batches.acc);
  run.epochs.push(...d.epochs);
  run.phases.push(...d.phases);
  run.progress = d.progress;
  run.status = d.status;
  run.backend = d.backend;
  run.error = d.error;
  // before the header: it reads the result's accuracy and best epoch
  if (d.result) run.result ??= d.result;
  series.append(d.batches, d.epochs, d.phases);
  const newHeader = renderHeader(run);
  headerEl?.replaceWith(newHeader);
  headerEl = newHeader;
  if (run.result && !resultEl) root.append((resultEl = renderResult(run.result)));
  updateChartAttributes();
  queueRedraw();
}

host.onMessage((message) => {
  switch (message.type) {
    case 'snapshot':
      return applySnapshot(message.run);
    case 'delta':
      return applyDelta(message.delta);
  }
});

// theme change: VS Code swaps the body class; charts take their colours from CSS variables
new MutationObserver(() => run && renderAll()).observe(document.body, { attributes: true, attributeFilter: ['class'] });
// width follows the panel
let resizeTimer: ReturnType<typeof setTimeout> | undefined;
window.addEventListener('resize', () => {
  clearTimeout(resizeTimer);
  resizeTimer = setTimeout(() => {
    for (const metric of ['loss', 'acc'] as Metric[]) {
      const chart = charts[metric];
      const holder = root.querySelector<HTMLElement>(`[data-testid="chart-${metric}"]`);
      if (chart && holder) chart.setSize({ width: Math.max(280, holder.clientWidth), height: 220 });
    }
  }, 100);
});

host.post({ type: 'ready' });
