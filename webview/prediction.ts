// The prediction view: one image with its top-k classes as bars, or several images as a table.
import '@vscode-elements/elements/dist/vscode-badge/index.js';
import {
  validatePredictionToWebview,
  type PredictionFromWebview,
  type PredictionRow,
  type PredictionState,
  type PredictionToWebview,
} from '../src/protocol/webview/prediction.ts';
import { connectToHost, formatPercent, h } from './_host.ts';

const host = connectToHost<PredictionToWebview, PredictionFromWebview, Record<string, never>>(validatePredictionToWebview, {});
const root = document.getElementById('root')!;

function bars(row: PredictionRow): HTMLElement {
  const list = h('div', { class: 'bars', 'data-testid': 'bars' });
  row.top.forEach((t, i) => {
    const fill = h('div', { class: 'bar-fill' });
    fill.style.width = `${(Math.max(0, Math.min(1, t.probability)) * 100).toFixed(1)}%`;
    list.append(
      h(
        'div',
        {
          class: `bar-row${i === 0 ? ' top' : ''}`,
          'data-label': t.label,
          role: 'meter',
          'aria-valuemin': 0,
          'aria-valuemax': 1,
          'aria-valuenow': t.probability.toFixed(4),
          'aria-label': t.label,
        },
        h('span', { class: 'bar-label', title: t.label }, t.label),
        h('div', { class: 'bar-track' }, fill),
        h('span', { class: 'num' }, formatPercent(t.probability)),
      ),
    );
  });
  return list;
}

function openLink(row: PredictionRow, text: string): HTMLElement {
  const a = h('a', { class: 'name', href: '#', title: row.source }, text);
  a.addEventListener('click', (e) => {
    e.preventDefault();
    host.post({ type: 'openSource', source: row.source });
  });
  return a;
}

function single(row: PredictionRow): HTMLElement {
  return h(
    'section',
    { class: 'prediction', 'data-testid': 'single' },
    row.src ? h('img', { src: row.src, alt: row.name }) : h('div', { class: 'muted' }, row.name),
    h(
      'div',
      {},
      h('h2', {}, openLink(row, row.name)),
      row.error ? h('div', { class: 'error-banner', role: 'alert' }, row.error) : bars(row),
    ),
  );
}

function table(rows: PredictionRow[]): HTMLElement {
  const k = Math.max(1, ...rows.map((r) => r.top.length));
  const head = h(
    'tr',
    {},
    h('th', {}, ''),
    h('th', {}, 'image'),
    h('th', {}, 'top class'),
    h('th', {}, 'probability'),
    ...(k > 1 ? [h('th', {}, 'runners-up')] : []),
  );
  const body = h('tbody');
  for (const r of rows) {
    const best = r.top[0];
    body.append(
      h(
        'tr',
        { 'data-source': r.source },
        h('td', {}, r.src ? h('img', { src: r.src, alt: r.name, loading: 'lazy' }) : ''),
        h('td', {}, openLink(r, r.name)),
        r.error ? h('td', { colspan: 3, class: 'error' }, r.error) : h('td', { class: 'top-label' }, best?.label ?? '–'),
        r.error ? null : h('td', { class: 'num' }, formatPercent(best?.probability)),
        r.error || k <= 1
          ? null
          : h(
              'td',
              { class: 'muted' },
              r.top
                .slice(1)
                .map((t) => `${t.label} ${formatPercent(t.probability, 0)}`)
                .join(' · '),
            ),
      ),
    );
  }
  return h('table', { class: 'data-table pred-table', 'data-testid': 'table' }, h('thead', {}, head), body);
}

function render(state: PredictionState | null): void {
  if (!state) {
    root.replaceChildren(
      h(
        'div',
        { class: 'empty' },
        h('h1', {}, 'No prediction yet'),
        h('p', {}, 'Right-click an image in the explorer and choose "Predict", or run "CNN Lab: Predict from URL".'),
      ),
    );
    return;
  }
  const header = h(
    'div',
    { class: 'header-line' },
    h('h1', {}, state.rows.length === 1 ? 'Prediction' : `${state.rows.length} predictions`),
    h('span', { class: 'muted' }, `model ${state.modelName} · ${state.backend}`),
  );
  root.replaceChildren(header, state.rows.length === 1 ? single(state.rows[0]) : table(state.rows));
}

host.onMessage((m) => render(m.state));
host.post({ type: 'ready' });
