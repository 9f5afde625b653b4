// The Freeze Layers view: per-layer trainable toggles (shift-click for ranges), the ranges as text
// (`0-248`, `mixed9-`), presets, and a live count of trainable parameters. Every change is sent to
// the host, which writes the experiment file as one undoable edit and sends the new state back.
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-textfield/index.js';
import { validateFreezeToWebview, type FreezeFromWebview, type FreezeState, type FreezeToWebview } from '../src/protocol/webview/freeze.ts';
import { connectToHost, formatCount, h } from './_host.ts';
import {
  blockNames,
  countTrainable,
  fineTuneFromBlock,
  frozenFromRanges,
  presetsFor,
  rangesFromFrozen,
  rangesFromText,
  setRange,
  textFromRanges,
} from './_freezeModel.ts';

interface UiState {
  /** groups the user expanded */
  expanded: string[];
}

document.body.classList.add('sidebar');
const host = connectToHost<FreezeToWebview, FreezeFromWebview, UiState>(validateFreezeToWebview, { expanded: [] });
const root = document.getElementById('root')!;

let state: FreezeState | null = null;
let frozen: boolean[] = [];
let rangeError: string | undefined;
let lastClicked: number | undefined;

function send(ranges: string[]): void {
  if (!state) return;
  state = { ...state, freeze: ranges };
  const parsed = frozenFromRanges(
    ranges,
    state.layers.map((l) => l.name),
  );
  rangeError = parsed.error;
  if (parsed.frozen) {
    frozen = parsed.frozen;
    host.post({ type: 'setFreeze', freeze: ranges });
  }
  render();
}

function toggleLayer(index: number, shift: boolean): void {
  if (!state) return;
  const makeFrozen = !frozen[index];
  const next =
    shift && lastClicked !== undefined ? setRange(frozen, lastClicked, index, makeFrozen) : setRange(frozen, index, index, makeFrozen);
  lastClicked = index;
  send(
    rangesFromFrozen(
      next,
      state.layers.map((l) => l.name),
    ),
  );
}

function toggleGroup(group: string): void {
  if (!state) return;
  const idx = state.layers.flatMap((l, i) => (l.group === group ? [i] : []));
  const makeFrozen = !idx.every((i) => frozen[i]);
  send(
    rangesFromFrozen(
      setRange(frozen, idx[0], idx[idx.length - 1], makeFrozen),
      state.layers.map((l) => l.name),
    ),
  );
}

function render(): void {
  if (!state) return;
  const s = state;
  const count = countTrainable(s.layers, frozen);
  const pct = count.totalParams ? ((count.trainableParams / count.totalParams) * 100).toFixed(1) : '0';
  const expanded = new Set(host.uiState().expanded);

  const field = h('vscode-textfield', {
    value: textFromRanges(s.freeze),
    placeholder: 'frozen layers, e.g. 0-248 or up to mixed8',
    'data-testid': 'ranges',
    'aria-label': 'frozen layer ranges',
  }) as HTMLElement & { value: string };
  field.addEventListener('change', () => send(rangesFromText(field.value)));
  field.addEventListener('keydown', (e) => e.key === 'Enter' && send(rangesFromText(field.value)));

  const presets = h('div', { class: 'presets' });
  for (const p of presetsFor(s.layers)) {
    const b = h('vscode-button', { secondary: true, title: p.title, 'data-testid': `preset-${p.id}` }, p.label);
    b.addEventListener('click', () => send(p.ranges));
    presets.append(b);
  }
  const blocks = blockNames(s.layers);
  if (blocks.length) {
    const select = h(
      'select',
      { 'data-testid': 'from-block', 'aria-label': 'fine-tune from block', class: 'block-select' },
      h('option', { value: '' }, 'Fine-tune from block…'),
      ...blocks.map((b) => h('option', { value: b }, b)),
    );
    select.addEventListener('change', () => select.value && send(fineTuneFromBlock(s.layers, select.value)));
    presets.append(select);
  }

  const list = h('ul', { class: 'layer-list', 'data-testid': 'layers' });
  let currentGroup: string | null = null;
  s.layers.forEach((layer, i) => {
    if (layer.group && layer.group !== currentGroup) {
      const members = s.layers.filter((l) => l.group === layer.group).length;
      const idx = s.layers.flatMap((l, j) => (l.group === layer.group ? [j] : []));
      const allFrozen = idx.every((j) => frozen[j]);
      const someFrozen = idx.some((j) => frozen[j]);
      const box = h('input', { type: 'checkbox', 'aria-label': `${layer.group} trainable` });
      box.checked = !allFrozen;
      box.indeterminate = someFrozen && !allFrozen;
      box.addEventListener('click', (e) => {
        e.preventDefault();
        toggleGroup(layer.group!);
      });
      const open = expanded.has(layer.group);
      const name = h(
        'span',
        { class: 'lname', role: 'button', tabindex: 0 },
        `${open ? '▾' : '▸'} ${layer.group}`,
        h('span', { class: 'muted' }, ` ${members} layers`),
      );
      const flip = () => {
        const set = new Set(host.uiState().expanded);
        if (set.has(layer.group!)) set.delete(layer.group!);
        else set.add(layer.group!);
        host.saveUiState({ expanded: [...set] });
        render();
      };
      name.addEventListener('click', flip);
      name.addEventListener('keydown', (e) => (e.key === 'Enter' || e.key === ' ') && flip());
      const params = idx.reduce((a, j) => a + s.layers[j].params, 0);
      list.append(
        h(
          'li',
          { class: `group${allFrozen ? ' frozen' : ''}`, 'data-group': layer.group },
          box,
          name,
          h('span', { class: 'params' }, formatCount(params)),
        ),
      );
    }
    currentGroup = layer.group;
    if (layer.group && !expanded.has(layer.group)) return;
    const box = h('input', { type: 'checkbox', 'data-index': i, 'aria-label': `${layer.name} trainable` });
    box.checked = !frozen[i];
    box.addEventListener('click', (e) => {
      e.preventDefault();
      toggleLayer(i, (e as MouseEvent).shiftKey);
    });
    list.append(
      h(
        'li',
        { class: `${layer.group ? 'member' : ''}${frozen[i] ? ' frozen' : ''}`, title: `${i}: ${layer.name} (${layer.className})` },
        box,
        h('span', { class: 'lname' }, h('span', { class: 'muted' }, `${i} `), layer.name),
        h('span', { class: 'params' }, formatCount(layer.params)),
      ),
    );
  });

  const file = h('a', { class: 'file', href: '#', title: 'Choose another experiment' }, s.experimentName);
  file.addEventListener('click', (e) => {
    e.preventDefault();
    host.post({ type: 'chooseExperiment' });
  });
  root.replaceChildren(
    h(
      'div',
      { class: 'freeze-head' },
      file,
      h('div', { class: 'muted' }, `base ${s.base.split(/[\\/]/).pop()}`),
      h(
        'div',
        { class: 'count', 'data-testid': 'trainable-count' },
        `Trainable while fine-tuning: ${formatCount(count.trainableParams)} of ${formatCount(count.totalParams)} base parameters (${pct}%) · ${count.trainableLayers}/${count.totalLayers} layers`,
      ),
      s.fineTuneEpochs === 0
        ? h(
            'div',
            { class: 'note' },
            'fineTune.epochs is 0: the whole base stays frozen in this experiment; these ranges apply once fine-tuning is on.',
          )
        : null,
      field,
      rangeError ? h('div', { class: 'range-error', role: 'alert', 'data-testid': 'range-error' }, rangeError) : null,
      presets,
      h('div', { class: 'note' }, 'Checked = trainable in fine-tuning. Shift-click selects a range.'),
    ),
    list,
  );
}

host.onMessage((message) => {
  if (message.type === 'state') {
    state = message.state;
    const parsed = frozenFromRanges(
      state.freeze,
      state.layers.map((l) => l.name),
    );
    rangeError = parsed.error;
    frozen = parsed.frozen ?? state.layers.map(() => false);
    render();
  } else if (message.type === 'loading' && state) {
    // a refresh after our own edit: keep the panel as it is (no flicker, focus kept)
  } else {
    state = null;
    root.replaceChildren(h('div', { class: 'empty', 'data-testid': message.type }, message.message));
  }
});

host.post({ type: 'ready' });
