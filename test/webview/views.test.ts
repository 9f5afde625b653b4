// The prediction and architecture bundles in jsdom, plus every view's message validators (both
// directions) on good and bad messages.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { toArchitectureRows, totalsOf } from '../../src/host/architecture/layerGroups.ts';
import { validateArchitectureFromWebview, validateArchitectureToWebview } from '../../src/protocol/webview/architecture.ts';
import { validateDashboardFromWebview, validateDashboardToWebview } from '../../src/protocol/webview/dashboard.ts';
import { validateFreezeFromWebview, validateFreezeToWebview } from '../../src/protocol/webview/freeze.ts';
import { validatePredictionFromWebview, validatePredictionToWebview } from '../../src/protocol/webview/prediction.ts';
import { loadWebview } from './_harness.ts';

const one = {
  modelDir: '/ws/models/pets',
  modelName: 'pets',
  backend: 'tensorflow',
  rows: [
    {
      source: '/ws/img/cat.png',
      name: 'cat.png',
      src: 'https://file+.vscode-resource/ws/img/cat.png',
      top: [
        { label: 'cats', probability: 0.93 },
        { label: 'dogs', probability: 0.07 },
      ],
    },
  ],
};

test('prediction view: one image shows top-k bars; several show a table; a click asks to open the source', async (t) => {
  const w = await loadWebview('prediction');
  t.after(() => w.close());
  await w.send({ type: 'predictions', state: one });
  const bars = [...w.document.querySelectorAll('[data-testid="bars"] .bar-row')].map((r) => [
    r.getAttribute('data-label'),
    r.querySelector('.num')?.textContent,
    (r.querySelector('.bar-fill') as HTMLElement).style.width,
  ]);
  assert.deepEqual(bars, [
    ['cats', '93.0%', '93%'],
    ['dogs', '7.0%', '7%'],
  ]);
  assert.equal(w.document.querySelector('[data-testid="single"] img')?.getAttribute('src'), one.rows[0].src);
  (w.document.querySelector('a.name') as HTMLElement).click();
  assert.deepEqual(w.posted.at(-1), { type: 'openSource', source: '/ws/img/cat.png' });

  const many = {
    ...one,
    rows: [
      one.rows[0],
      {
        source: '/ws/img/dog.png',
        name: 'dog.png',
        top: [
          { label: 'dogs', probability: 0.6 },
          { label: 'cats', probability: 0.4 },
        ],
      },
      { source: '/ws/img/bad.png', name: 'bad.png', top: [], error: 'cannot decode' },
    ],
  };
  await w.send({ type: 'predictions', state: many });
  const rows = [...w.document.querySelectorAll('[data-testid="table"] tbody tr')].map(
    (r) => r.querySelector('.top-label')?.textContent ?? r.querySelector('.error')?.textContent,
  );
  assert.deepEqual(rows, ['cats', 'dogs', 'cannot decode']);
});

test('architecture view: groups collapse, totals add up, code layers reveal their line', async (t) => {
  const layers = [
    { name: 'input_1', className: 'InputLayer', outputShape: [224, 224, 3], params: 0, trainable: false },
    { name: 'Conv1', className: 'Conv2D', outputShape: [112, 112, 32], params: 864, trainable: false },
    { name: 'block_1_expand', className: 'Conv2D', outputShape: [112, 112, 96], params: 1536, trainable: true },
    { name: 'block_1_project', className: 'Conv2D', outputShape: [56, 56, 24], params: 2304, trainable: true },
    { name: 'out_relu', className: 'ReLU', outputShape: [7, 7, 1280], params: 0, trainable: true },
  ];
  const rows = toArchitectureRows(layers, [3, 4, 5, 6, 7]);
  const w = await loadWebview('architecture');
  t.after(() => w.close());
  await w.send({
    type: 'architecture',
    state: { title: 'm', description: 'model in code', rows, totals: totalsOf(rows), revealable: true },
  });
  const visible = () =>
    [...w.document.querySelectorAll('[data-testid="layers"] tbody tr')].map(
      (r) => r.getAttribute('data-group') ?? r.getAttribute('data-index'),
    );
  assert.deepEqual(visible(), ['0', '1', 'block_1', '4']);
  assert.equal(w.document.querySelector('[data-testid="trainable"]')?.textContent, '3,840');
  assert.match(w.document.querySelector('[data-testid="totals"]')?.textContent ?? '', /parameters 4,704/);
  (w.document.querySelector('tr.group-row') as HTMLElement).click();
  assert.deepEqual(visible(), ['0', '1', 'block_1', '2', '3', '4']);
  assert.match(w.document.querySelector('tr[data-index="3"]')?.textContent ?? '', /\(56, 56, 24\)/);
  (w.document.querySelector('tr[data-index="3"]') as HTMLElement).click();
  assert.deepEqual(w.posted.at(-1), { type: 'revealLayer', index: 3 });
});

test('validators accept the protocol and name what is wrong otherwise', () => {
  assert.deepEqual(validateDashboardFromWebview({ type: 'stop', runId: 'r', keepBest: true }), {
    type: 'stop',
    runId: 'r',
    keepBest: true,
  });
  assert.throws(() => validateDashboardFromWebview({ type: 'stop', runId: 'r' }), /stop\.keepBest is not a boolean/);
  assert.throws(() => validateDashboardFromWebview({ type: 'openFile', path: '' }), /openFile\.path/);
  assert.throws(
    () => validateDashboardFromWebview({ type: 'eval', code: 'x' }),
    /training dashboard: rejected message: unknown type "eval"/,
  );
  assert.throws(() => validateDashboardFromWebview(null), /not an object/);
  assert.throws(
    () =>
      validateDashboardToWebview({
        type: 'delta',
        delta: { runId: 'r', status: 'running', batches: { step: [1, 2], loss: [1], acc: [1, 2] }, epochs: [], phases: [], progress: {} },
      }),
    /delta\.batches columns differ in length/,
  );
  assert.throws(
    () => validateDashboardToWebview({ type: 'snapshot', run: { runId: 'r', status: 'exploded' } }),
    /run\.status is not a run status/,
  );

  assert.deepEqual(validateFreezeFromWebview({ type: 'setFreeze', freeze: ['0-248'] }), { type: 'setFreeze', freeze: ['0-248'] });
  assert.throws(
    () => validateFreezeFromWebview({ type: 'setFreeze', freeze: '0-248' }),
    /freeze panel: rejected message: setFreeze\.freeze is not an array of strings/,
  );
  assert.throws(
    () =>
      validateFreezeToWebview({
        type: 'state',
        state: {
          experimentPath: 'a',
          experimentName: 'a',
          base: 'b',
          freeze: [],
          fineTuneEpochs: 1,
          layers: [{ name: 'x', className: 'y', params: 'many', group: null }],
        },
      }),
    /layers\[0\]\.params is not a number/,
  );

  assert.deepEqual(validatePredictionFromWebview({ type: 'openSource', source: '/a.png' }), { type: 'openSource', source: '/a.png' });
  assert.throws(
    () =>
      validatePredictionToWebview({
        type: 'predictions',
        state: { ...one, rows: [{ ...one.rows[0], top: [{ label: 'x', probability: 1.5 }] }] },
      }),
    /probability 1\.5 is not in \[0, 1\]/,
  );

  assert.deepEqual(validateArchitectureFromWebview({ type: 'revealLayer', index: 2 }), { type: 'revealLayer', index: 2 });
  assert.throws(() => validateArchitectureFromWebview({ type: 'revealLayer', index: -1 }), /revealLayer\.index is not a layer index/);
  assert.throws(
    () =>
      validateArchitectureToWebview({
        type: 'architecture',
        state: {
          title: 't',
          description: 'd',
          rows: [{ name: 'a', className: 'b', params: 1, trainable: true, outputShape: ['x'], group: null }],
          totals: { params: 1 },
        },
      }),
    /rows\[0\]\.outputShape is not a shape/,
  );
});
