// Journey 2: a person right-clicks an image in the explorer and chooses Predict; the prediction
// view shows the image with the top classes of the model journey 1 trained, each with its
// probability.
import assert from 'node:assert/strict';
import { basename } from 'node:path';
import type { Journey } from '../lib/journeyTypes.ts';
import { UI_TIMEOUT_MS, waitFor } from '../lib/workbench.ts';

const LABELS = ['circle', 'square', 'triangle'];

export const predictJourney: Journey = {
  name: 'journey 2: Predict on an image from the explorer shows the top-k labels',
  mode: 'trusted',
  async run(ctx, wb, _paths, state) {
    const modelDir = await ctx.step('journey 1 left a trained model', async () => {
      assert.ok(state.trainedModelDir, 'no model: journey 1 did not finish (run it first, e.g. --only=journey 1,journey 2)');
      return state.trainedModelDir;
    });
    const row = await ctx.step('reveal to-predict/triangle.png in the explorer', () => wb.revealInExplorer(['to-predict'], 'triangle.png'));
    await ctx.step('right-click it and choose "Predict"', () => wb.contextMenu(row, /^Predict$/));

    const frame = await ctx.step(
      'the prediction view opens',
      async () => {
        // With several trained models in the workspace Predict asks which one; here journey 1's
        // is the only one (or the last trained), so no question is expected, but answer it if asked.
        const deadline = Date.now() + 120_000;
        for (;;) {
          try {
            return await wb.webviewFrame('[data-testid="bars"]', 5_000);
          } catch (error) {
            if (Date.now() > deadline) throw error;
            if ((await wb.quickInput.isVisible()) && /model to predict with/.test((await wb.quickInput.textContent()) ?? '')) {
              await wb.pickQuickItem(new RegExp(basename(modelDir)));
            }
          }
        }
      },
      { timeoutMs: 150_000 },
    );

    await ctx.step('it names the image and the model that journey 1 trained', async () => {
      await waitFor('the image name "triangle.png"', async () => (((await frame.locator('[data-testid="single"] h2').textContent()) ?? '').includes('triangle.png') ? true : undefined));
      const header = ((await frame.locator('.header-line').textContent({ timeout: UI_TIMEOUT_MS })) ?? '').replace(/\s+/g, ' ');
      assert.match(header, new RegExp(`model ${basename(modelDir)} · \\w+`), `the header does not name the model: ${header}`);
      assert.ok((await frame.locator('[data-testid="single"] img').count()) === 1, 'the image is not shown');
      ctx.note(`header: ${header}`);
    });

    await ctx.step('the top-k bars show labels of the model with probabilities', async () => {
      const bars = frame.locator('[data-testid="bars"] .bar-row');
      const count = await bars.count();
      // top-5 asked for, but the model only knows three classes
      assert.equal(count, LABELS.length, `expected ${LABELS.length} bars, found ${count}`);
      const rows: { label: string; shown: string; value: number }[] = [];
      for (let i = 0; i < count; i++) {
        const bar = bars.nth(i);
        const label = ((await bar.locator('.bar-label').textContent()) ?? '').trim();
        const shown = ((await bar.locator('.num').textContent()) ?? '').trim();
        rows.push({ label, shown, value: Number(/^(\d{1,3}\.\d)%$/.exec(shown)?.[1] ?? NaN) });
      }
      assert.deepEqual([...rows.map((r) => r.label)].sort(), LABELS, `the labels are not the model's classes: ${JSON.stringify(rows)}`);
      for (const r of rows) assert.ok(Number.isFinite(r.value) && r.value >= 0 && r.value <= 100, `"${r.label}" has no probability: ${r.shown}`);
      for (let i = 1; i < rows.length; i++) assert.ok(rows[i].value <= rows[i - 1].value, `the bars are not sorted by probability: ${JSON.stringify(rows)}`);
      const total = rows.reduce((a, r) => a + r.value, 0);
      assert.ok(Math.abs(total - 100) <= 0.3, `the probabilities add up to ${total.toFixed(1)}%, not 100%`);
      ctx.note(`triangle.png: ${rows.map((r) => `${r.label} ${r.shown}`).join(', ')}`);
    });
  },
};
