// The freeze panel bundle in jsdom: range text ↔ per-layer toggles, shift-click ranges, presets
// and the live trainable-parameter count, and the `setFreeze` intents it posts to the host.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { layerGroups } from '../../src/host/architecture/layerGroups.ts';
import type { FreezeState } from '../../src/protocol/webview/freeze.ts';
import { loadWebview, type LoadedWebview } from './_harness.ts';

// A small InceptionV3-shaped base: a stem, then blocks ending in mixedN concatenations.
const names = ['input_1', 'conv2d', 'max_pooling2d', 'conv2d_1', 'average_pooling2d', 'mixed0', 'conv2d_2', 'mixed1', 'conv2d_3', 'mixed2'];
const params = [0, 864, 0, 1000, 0, 0, 2000, 0, 4000, 0];
const groups = layerGroups(names);
const state: FreezeState = {
  experimentPath: '/ws/flowers-inception_v3.cnnlab.json',
  experimentName: 'flowers-inception_v3.cnnlab.json',
  base: 'inception_v3',
  freeze: ['0-2'],
  layers: names.map((name, i) => ({ name, className: 'Conv2D', params: params[i], group: groups[i] })),
  fineTuneEpochs: 3,
};

function visibleToggles(w: LoadedWebview): Map<number, boolean> {
  const out = new Map<number, boolean>();
  for (const box of w.document.querySelectorAll<HTMLInputElement>('[data-testid="layers"] input[data-index]'))
    out.set(Number(box.dataset.index), box.checked);
  return out;
}

const count = (w: LoadedWebview) => w.document.querySelector('[data-testid="trainable-count"]')?.textContent ?? '';
const lastPost = (w: LoadedWebview) => w.posted.at(-1);

test('freeze panel: ranges from the file set the toggles and the trainable count', async (t) => {
  // all groups expanded, as a user would have left them (persisted UI state)
  const w = await loadWebview('freeze', { expanded: ['mixed0', 'mixed1', 'mixed2'] });
  t.after(() => w.close());
  assert.deepEqual(w.posted, [{ type: 'ready' }]);
  await w.send({ type: 'state', state });
  const toggles = visibleToggles(w);
  assert.deepEqual(
    [...toggles.entries()].filter(([, on]) => !on).map(([i]) => i),
    [0, 1, 2],
    'layers 0-2 frozen (unchecked)',
  );
  assert.match(count(w), /7,000 of 7,864 base parameters \(89\.0%\) · 7\/10 layers/);
  const field = w.document.querySelector('[data-testid="ranges"]') as HTMLElement & { value: string };
  assert.equal(field.value, '0-2');
});

test('freeze panel: typing ranges updates toggles and count and writes the file; bad ranges are explained, not sent', async (t) => {
  const w = await loadWebview('freeze', { expanded: ['mixed0', 'mixed1', 'mixed2'] });
  t.after(() => w.close());
  await w.send({ type: 'state', state });
  const field = w.document.querySelector('[data-testid="ranges"]') as HTMLElement & { value: string };
  field.value = 'mixed1-';
  field.dispatchEvent(new w.window.Event('change'));
  assert.deepEqual(lastPost(w), { type: 'setFreeze', freeze: ['mixed1-'] });
  const frozen = [...visibleToggles(w).entries()].filter(([, on]) => !on).map(([i]) => i);
  assert.deepEqual(frozen, [7, 8, 9]);
  assert.match(count(w), /3,864 of 7,864/);

  const before = w.posted.length;
  const again = w.document.querySelector('[data-testid="ranges"]') as HTMLElement & { value: string };
  again.value = 'nosuchlayer-';
  again.dispatchEvent(new w.window.Event('change'));
  assert.equal(w.posted.length, before, 'nothing written for a bad range');
  assert.match(w.document.querySelector('[data-testid="range-error"]')?.textContent ?? '', /no layer named 'nosuchlayer'/);
});

test('freeze panel: click and shift-click toggle ranges; the text follows', async (t) => {
  const w = await loadWebview('freeze', { expanded: ['mixed0', 'mixed1', 'mixed2'] });
  t.after(() => w.close());
  await w.send({ type: 'state', state: { ...state, freeze: [] } });
  const box = (i: number) => w.document.querySelector<HTMLInputElement>(`input[data-index="${i}"]`)!;
  box(1).dispatchEvent(new w.window.MouseEvent('click', { bubbles: true }));
  assert.deepEqual(lastPost(w), { type: 'setFreeze', freeze: ['conv2d'] });
  box(6).dispatchEvent(new w.window.MouseEvent('click', { bubbles: true, shiftKey: true }));
  assert.deepEqual(lastPost(w), { type: 'setFreeze', freeze: ['conv2d-conv2d_2'] });
  assert.equal((w.document.querySelector('[data-testid="ranges"]') as HTMLElement & { value: string }).value, 'conv2d-conv2d_2');
  assert.match(count(w), /4,000 of 7,864/);
});

test('freeze panel: presets and "fine-tune from block"; groups collapse and their state persists', async (t) => {
  const w = await loadWebview('freeze');
  t.after(() => w.close());
  await w.send({ type: 'state', state });
  assert.equal(visibleToggles(w).size, 3, 'collapsed groups hide their layers (stem only)');
  (w.document.querySelector('[data-testid="preset-top2"]') as HTMLElement).click();
  assert.deepEqual(lastPost(w), { type: 'setFreeze', freeze: ['up to mixed0'] });
  assert.match(count(w), /6,000 of 7,864/);
  (w.document.querySelector('[data-testid="preset-transfer"]') as HTMLElement).click();
  assert.deepEqual(lastPost(w), { type: 'setFreeze', freeze: ['0-'] });
  assert.match(count(w), /^Trainable while fine-tuning: 0 of 7,864/);
  const select = w.document.querySelector<HTMLSelectElement>('[data-testid="from-block"]')!;
  select.value = 'mixed2';
  select.dispatchEvent(new w.window.Event('change'));
  assert.deepEqual(lastPost(w), { type: 'setFreeze', freeze: ['up to mixed1'] });

  const groupName = w.document.querySelector('li.group[data-group="mixed1"] .lname') as HTMLElement;
  groupName.click();
  assert.deepEqual(w.savedState(), { expanded: ['mixed1'] });
  assert.deepEqual([...visibleToggles(w).keys()], [0, 1, 2, 6, 7]);
});

test('freeze panel: an empty workspace message and invalid states are handled', async (t) => {
  const w = await loadWebview('freeze');
  t.after(() => w.close());
  await w.send({ type: 'empty', message: 'No experiment file (*.cnnlab.json) in this workspace yet.' });
  assert.match(w.document.body.textContent ?? '', /No experiment file/);
  await w.send({ type: 'state', state: { ...state, layers: [{ name: 3 }] } });
  assert.match(w.document.body.textContent ?? '', /No experiment file/, 'the malformed state was dropped');
});

test('freeze panel: an EfficientNet base offers "From block6a" (its fine-tuning default) as a preset', async (t) => {
  // Keras EfficientNet names: stem, blocks blockNx_*, top
  const effNames = [
    'input_1',
    'stem_conv',
    'block1a_dwconv',
    'block1a_project_conv',
    'block5c_project_conv',
    'block6a_expand_conv',
    'block6a_project_conv',
    'block7a_project_conv',
    'top_conv',
    'top_activation',
  ];
  const effParams = [0, 864, 288, 512, 1000, 2000, 3000, 4000, 5000, 0];
  const effGroups = layerGroups(effNames);
  const w = await loadWebview('freeze');
  t.after(() => w.close());
  await w.send({
    type: 'state',
    state: {
      ...state,
      base: 'efficientnet_lite0',
      experimentName: 'x-efficientnet_lite0.cnnlab.json',
      freeze: [],
      layers: effNames.map((name, i) => ({ name, className: 'Conv2D', params: effParams[i], group: effGroups[i] })),
    },
  });
  const preset = w.document.querySelector<HTMLElement>('[data-testid="preset-top2stages"]');
  assert.ok(preset, 'no "From block6a" preset');
  preset.click();
  assert.deepEqual(lastPost(w), { type: 'setFreeze', freeze: ['from block6a'] });
  assert.match(count(w), /14,000 of 16,664 base parameters/);
});
