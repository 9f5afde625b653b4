// The architecture view: every layer with its output shape, parameters and trainable flag; the
// blocks of InceptionV3 (mixedN) and MobileNetV2 (block_N) collapse; totals at the top; for a
// model defined in code, clicking a layer reveals its source line.
import {
  validateArchitectureToWebview,
  type ArchitectureFromWebview,
  type ArchitectureState,
  type ArchitectureToWebview,
} from '../src/protocol/webview/architecture.ts';
import { formatKerasShape } from '../src/core/shape.ts';
import { connectToHost, formatCount, h } from './_host.ts';

interface UiState {
  /** groups the user expanded */
  expanded: string[];
}

const host = connectToHost<ArchitectureToWebview, ArchitectureFromWebview, UiState>(validateArchitectureToWebview, { expanded: [] });
const root = document.getElementById('root')!;
let state: ArchitectureState | null = null;

function toggle(group: string): void {
  const set = new Set(host.uiState().expanded);
  if (set.has(group)) set.delete(group);
  else set.add(group);
  host.saveUiState({ expanded: [...set] });
  render();
}

function render(): void {
  if (!state) return;
  const s = state;
  const expanded = new Set(host.uiState().expanded);
  const body = h('tbody');
  let current: string | null = null;
  s.rows.forEach((row) => {
    if (row.group && row.group !== current) {
      const members = s.rows.filter((r) => r.group === row.group);
      const params = members.reduce((a, r) => a + r.params, 0);
      const trainable = members.filter((r) => r.trainable).length;
      const last = members[members.length - 1];
      const open = expanded.has(row.group);
      const tr = h(
        'tr',
        { class: 'group-row', 'data-group': row.group, tabindex: 0, 'aria-expanded': String(open) },
        h('td', { class: 'num muted' }, `${row.index}–${last.index}`),
        h(
          'td',
          { class: 'name' },
          h('span', { class: 'twisty' }, open ? '▾' : '▸'),
          row.group,
          h('span', { class: 'muted' }, ` ${members.length} layers`),
        ),
        h('td', {}, 'block'),
        h('td', { class: 'mono' }, formatKerasShape(last.outputShape, { batch: false })),
        h('td', { class: 'num' }, formatCount(params)),
        h('td', {}, trainable === members.length ? 'yes' : trainable === 0 ? 'no' : `${trainable}/${members.length}`),
      );
      const group = row.group;
      tr.addEventListener('click', () => toggle(group));
      tr.addEventListener('keydown', (e) => (e.key === 'Enter' || e.key === ' ') && toggle(group));
      body.append(tr);
    }
    current = row.group;
    if (row.group && !expanded.has(row.group)) return;
    const tr = h(
      'tr',
      {
        class: `layer${row.group ? ' in-group' : ''}${s.revealable && row.line !== undefined ? ' revealable' : ''}${row.trainable ? '' : ' frozen'}`,
        'data-index': row.index,
        title: s.revealable && row.line !== undefined ? `line ${row.line + 1}: click to reveal` : '',
      },
      h('td', { class: 'num muted' }, String(row.index)),
      h('td', { class: 'name' }, row.name),
      h('td', {}, row.className),
      h('td', { class: 'mono' }, formatKerasShape(row.outputShape, { batch: false })),
      h('td', { class: 'num' }, formatCount(row.params)),
      h('td', {}, row.trainable ? 'yes' : 'no'),
    );
    if (s.revealable && row.line !== undefined) tr.addEventListener('click', () => host.post({ type: 'revealLayer', index: row.index }));
    body.append(tr);
  });
  const t = s.totals;
  const hasGroups = s.rows.some((r) => r.group);
  const expandAll = h('a', { href: '#' }, 'expand all');
  expandAll.addEventListener('click', (e) => {
    e.preventDefault();
    host.saveUiState({ expanded: [...new Set(s.rows.flatMap((r) => (r.group ? [r.group] : [])))] });
    render();
  });
  const collapseAll = h('a', { href: '#' }, 'collapse all');
  collapseAll.addEventListener('click', (e) => {
    e.preventDefault();
    host.saveUiState({ expanded: [] });
    render();
  });
  root.replaceChildren(
    h('div', { class: 'header-line' }, h('h1', {}, s.title)),
    h('div', { class: 'muted' }, s.description),
    h(
      'div',
      { class: 'totals', 'data-testid': 'totals' },
      h('span', {}, 'layers ', h('b', {}, formatCount(t.layers))),
      h('span', {}, 'parameters ', h('b', {}, formatCount(t.params))),
      h('span', {}, 'trainable ', h('b', { 'data-testid': 'trainable' }, formatCount(t.trainable))),
      h('span', {}, 'non-trainable ', h('b', {}, formatCount(t.nonTrainable))),
      hasGroups ? h('span', {}, expandAll, ' · ', collapseAll) : null,
    ),
    h(
      'table',
      { class: 'arch-table', 'data-testid': 'layers' },
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          h('th', {}, '#'),
          h('th', {}, 'layer'),
          h('th', {}, 'type'),
          h('th', {}, 'output shape'),
          h('th', { class: 'num' }, 'params'),
          h('th', {}, 'trainable'),
        ),
      ),
      body,
    ),
  );
}

host.onMessage((m) => {
  if (m.type === 'error') {
    state = null;
    root.replaceChildren(h('div', { class: 'empty' }, m.message));
    return;
  }
  state = m.state;
  render();
});
host.post({ type: 'ready' });
