// Journey 4: a person opens an experiment, opens the Freeze Layers view, applies the preset that
// freezes the whole base, then types a range; the experiment file changes each time and the
// trainable-parameter count follows. The next run honours it: the log says which layers trained,
// and "Open Model Architecture" on the model it saved lists every layer with its output shape,
// parameters and trainable flag. The experiment (workspace-template/freeze-demo.cnnlab.json)
// fine-tunes the small base written by lib/tinyBase.ts: image → conv1 (224 parameters) → pool1 →
// conv2 (1 168) → pool2 → conv3 (2 320).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Frame } from 'playwright-core';
import type { Journey } from '../lib/journeyTypes.ts';
import { UI_TIMEOUT_MS, waitFor } from '../lib/workbench.ts';

const EXPERIMENT = 'freeze-demo.cnnlab.json';
const TOTAL = '3,712'; // 224 + 1,168 + 2,320

function freezeOnDisk(file: string): unknown {
  return (JSON.parse(readFileSync(file, 'utf8')) as { freeze?: unknown }).freeze;
}

async function countText(frame: Frame): Promise<string> {
  return ((await frame.locator('[data-testid="trainable-count"]').textContent()) ?? '').replace(/\s+/g, ' ').trim();
}

export const freezeJourney: Journey = {
  name: 'journey 4: Freeze panel preset and range edit the experiment; the next run honours them',
  mode: 'trusted',
  async run(ctx, wb, paths) {
    const file = join(paths.workspace, EXPERIMENT);
    await ctx.step(`open ${EXPERIMENT} with Go to File`, () => wb.openFile(EXPERIMENT));
    await ctx.step('open the Freeze Layers view from the palette', () => wb.runCommand('CNN Lab: Focus on Freeze Layers View'));

    const frame = await ctx.step(
      'the view shows the experiment, its base layers and the trainable count',
      async () => {
        const f = await wb.webviewFrame('[data-testid="trainable-count"]', 90_000);
        await waitFor(`the view to show ${EXPERIMENT}`, async () =>
          ((await f.locator('.freeze-head .file').textContent()) ?? '').includes(EXPERIMENT) ? true : undefined,
        );
        const layers = (await f.locator('[data-testid="layers"] li').allTextContents()).map((t) => t.replace(/\s+/g, ' ').trim());
        for (const name of ['image', 'conv1', 'pool1', 'conv2', 'pool2', 'conv3']) {
          assert.ok(
            layers.some((l) => l.includes(name)),
            `layer ${name} is not listed (shown: ${JSON.stringify(layers)})`,
          );
        }
        const count = await countText(f);
        assert.match(
          count,
          new RegExp(`${TOTAL} of ${TOTAL} base parameters \\(100\\.0%\\) · 6/6 layers`),
          `with no freeze ranges everything should be trainable: ${count}`,
        );
        ctx.note(`before: ${count}`);
        return f;
      },
      { timeoutMs: 120_000 },
    );

    await ctx.step('apply the preset "Freeze whole base"', () =>
      frame.locator('[data-testid="preset-transfer"]').click({ timeout: UI_TIMEOUT_MS }),
    );
    await ctx.step('the count drops to 0 trainable parameters', () =>
      waitFor('"0 of 3,712"', async () =>
        new RegExp(`Trainable while fine-tuning: 0 of ${TOTAL} base parameters \\(0\\.0%\\) · 0/6 layers`).test(await countText(frame))
          ? true
          : undefined,
      ),
    );
    await ctx.step('the experiment file now freezes the whole base, in the editor and on disk', async () => {
      await waitFor('"freeze": ["0-"] on disk', async () => (JSON.stringify(freezeOnDisk(file)) === '["0-"]' ? true : undefined));
      await waitFor('the editor to show "0-"', async () => ((await wb.editorLines()).some((l) => l.includes('"0-"')) ? true : undefined));
    });

    await ctx.step('type the range "0-2" (image, conv1, pool1 frozen) and press Enter', async () => {
      const input = frame.locator('[data-testid="ranges"] input');
      await input.fill('0-2', { timeout: UI_TIMEOUT_MS });
      await input.press('Enter');
    });
    const count = await ctx.step('the count follows: conv2 and conv3 trainable', async () => {
      // trainable: conv2 1,168 + conv3 2,320 = 3,488 of 3,712 (94.0%); 3 of 6 layers
      await waitFor('"3,488 of 3,712"', async () =>
        new RegExp(`3,488 of ${TOTAL} base parameters \\(94\\.0%\\) · 3/6 layers`).test(await countText(frame)) ? true : undefined,
      );
      return countText(frame);
    });
    ctx.note(`after: ${count}`);
    await ctx.step('the experiment file now says "freeze": ["0-2"], in the editor and on disk', async () => {
      await waitFor('"freeze": ["0-2"] on disk', async () => (JSON.stringify(freezeOnDisk(file)) === '["0-2"]' ? true : undefined));
      await waitFor('the editor to show "0-2"', async () => ((await wb.editorLines()).some((l) => l.includes('"0-2"')) ? true : undefined));
      const tab = wb.page.locator('.tabs-container .tab', { hasText: EXPERIMENT }).first();
      assert.ok(!/\bdirty\b/.test((await tab.getAttribute('class')) ?? ''), 'the edit was not saved: the tab is dirty');
    });
    await ctx.screenshot('freeze panel after the range edit');

    await ctx.step('run "CNN Lab: Run Experiment" on the open experiment', async () => {
      await wb.activeEditor.click({ position: { x: 300, y: 10 } });
      await wb.runCommand('CNN Lab: Run Experiment');
    });
    const dashboard = await ctx.step('the dashboard shows the run', () => wb.webviewFrame('[data-testid="chart-loss"]', 90_000), {
      timeoutMs: 100_000,
    });
    const trained = await ctx.step(
      'the run finishes; the dashboard says conv2 … trained while fine-tuning',
      async () => {
        await waitFor(
          'the status "finished"',
          async () => ((await dashboard.locator('[data-testid="status"]').textContent()) === 'finished' ? true : undefined),
          240_000,
        );
        const text = ((await dashboard.locator('[data-testid="results"]').textContent()) ?? '').replace(/\s+/g, ' ');
        const m = /fine-tune: (\d+) trainable layer\(s\) \((\S+) … (\S+)\)/.exec(text);
        assert.ok(m, `the result does not say which layers fine-tuned: ${text.slice(0, 400)}`);
        assert.equal(m[2], 'conv2', 'the first layer that trained while fine-tuning should be conv2 (0-2 frozen)');
        return m[0];
      },
      { timeoutMs: 260_000 },
    );
    ctx.note(`dashboard: ${trained}`);

    await ctx.step('the CNN Lab log says which layers trained: conv2 and conv3, not conv1', async () => {
      await wb.runCommand('CNN Lab: Show Engine Log');
      const line = await waitFor(
        'a log line "layers trained in fine-tune: …"',
        async () => (await wb.outputLogEntries()).find((l) => /layers trained in fine-tune:/.test(l)),
        30_000,
      );
      const names = /layers trained in fine-tune: (.*) \(\d+\)/.exec(line)?.[1].split(', ') ?? [];
      assert.ok(names.includes('conv2') && names.includes('conv3'), `conv2 and conv3 should have trained: ${line}`);
      assert.ok(!names.includes('conv1'), `conv1 is frozen by "0-2" but trained: ${line}`);
      const frozenLine = (await wb.outputLogEntries()).find((l) => /fine-tune: \d+ layers with weights trainable/.test(l));
      assert.ok(frozenLine, 'the engine did not log the fine-tune phase');
      assert.match(frozenLine, /\(3 of 6 base layers frozen\)/);
      ctx.note(`log: ${line.replace(/^.*?\[run-/, '[run-')}`);
      ctx.note(`log: ${frozenLine.replace(/^.*?\[run-/, '[run-')}`);
    });

    await ctx.step('right-click models/freeze-demo in the explorer and choose "Open Model Architecture"', async () => {
      await wb.hidePanel(); // the maximised log would cover the editor the view opens in
      const row = await wb.revealInExplorer(['models'], 'freeze-demo');
      await wb.contextMenu(row, /^Open Model Architecture$/);
    });
    await ctx.step(
      'the architecture view lists every layer with its output shape, parameters and trainable flag',
      async () => {
        const arch = await wb.webviewFrame('[data-testid="totals"]', 60_000);
        // Output shapes without the batch dimension, as the view shows them. The base as above,
        // then the head on its 8×8×16 output: global average pooling to 16,
        // Dense(32) 16·32 + 32 = 544, Dense(3) 32·3 + 3 = 99. conv1 stays frozen by "0-2".
        const expected: [string, string, string, string, string | null][] = [
          ['image', 'InputLayer', '(32, 32, 3)', '0', null],
          ['conv1', 'Conv2D', '(32, 32, 8)', '224', 'no'],
          ['pool1', 'MaxPooling2D', '(16, 16, 8)', '0', null],
          ['conv2', 'Conv2D', '(16, 16, 16)', '1,168', 'yes'],
          ['pool2', 'MaxPooling2D', '(8, 8, 16)', '0', null],
          ['conv3', 'Conv2D', '(8, 8, 16)', '2,320', 'yes'],
          ['cnnlab_gap', 'GlobalAveragePooling2D', '(16)', '0', null],
          ['cnnlab_fc', 'Dense', '(32)', '544', 'yes'],
          ['cnnlab_predictions', 'Dense', '(3)', '99', 'yes'],
        ];
        let rows: string[][] = [];
        await waitFor('the nine layers of models/freeze-demo', async () => {
          rows = await arch
            .locator('[data-testid="layers"] tbody tr.layer')
            .evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => (td.textContent ?? '').trim())));
          return rows.length === expected.length ? true : undefined;
        }).catch((error: Error) => {
          throw new Error(`${error.message}; shown: ${JSON.stringify(rows)}`);
        });
        expected.forEach(([name, className, shape, params, trainable], i) => {
          const [index, ...cells] = rows[i];
          assert.equal(index, String(i), `row ${i}: ${JSON.stringify(rows[i])}`);
          assert.deepEqual(cells.slice(0, 4), [name, className, shape, params], `row ${i}: ${JSON.stringify(rows[i])}`);
          if (trainable) assert.equal(cells[4], trainable, `${name}'s trainable flag: ${JSON.stringify(rows[i])}`);
        });
        // 224 + 1,168 + 2,320 + 544 + 99 = 4,355 parameters, of which conv1's 224 are frozen
        const totals = (await arch.locator('[data-testid="totals"] > span').allTextContents())
          .map((t) => t.replace(/\s+/g, ' ').trim())
          .join(' · ');
        assert.equal(totals, 'layers 9 · parameters 4,355 · trainable 4,131 · non-trainable 224', 'the totals');
        ctx.note(`architecture: ${totals}`);
      },
      { timeoutMs: 90_000 },
    );
  },
};
