// "CNN Lab: Select Compute Backend" lists every backend the engine knows, each marked available or
// unavailable, and the plain JavaScript backend is always available.
import assert from 'node:assert/strict';
import type { Journey } from '../lib/journeyTypes.ts';
import { waitFor } from '../lib/workbench.ts';

const BACKENDS = ['tensorflow', 'tensorflow-gpu', 'webgpu', 'wasm', 'cpu'] as const;

export const backendPickerJourney: Journey = {
  name: 'backend picker lists the backends',
  mode: 'trusted',
  async run(ctx, wb) {
    await ctx.step('run "CNN Lab: Select Compute Backend" from the palette', () => wb.runCommand('CNN Lab: Select Compute Backend'));
    const rows = await ctx.step(
      'the quick pick lists every backend',
      () =>
        waitFor(
          'a backend quick pick with all five backends',
          async () => {
            if (!(await wb.quickInput.isVisible())) return undefined;
            const title = (await wb.quickInput.locator('.quick-input-title').textContent()) ?? '';
            if (!/Select Compute Backend/.test(title)) return undefined;
            const texts = await wb.quickPickRows();
            return BACKENDS.every((b) => texts.some((t) => new RegExp(`(^|\\s)${b}(\\s|$)`).test(t))) ? texts : undefined;
          },
          90_000, // the engine starts and probes each backend
        ),
      { timeoutMs: 120_000 },
    );
    await ctx.step('each backend says whether it is available, and cpu is', async () => {
      for (const backend of BACKENDS) {
        const row = rows.find((t) => new RegExp(`(^|\\s)${backend}(\\s|$)`).test(t));
        assert.ok(row, `no row for ${backend}`);
        assert.match(row, /unavailable|trains and predicts|predicts only/, `the ${backend} row does not say whether it is available: ${row}`);
      }
      const cpu = rows.find((t) => /(^|\s)cpu(\s|$)/.test(t));
      assert.ok(cpu && !/unavailable/.test(cpu), `cpu should always be available: ${cpu}`);
      ctx.note(`backends: ${rows.join(' | ').slice(0, 400)}`);
    });
    // left open: the journey's final screenshot shows the list
  },
};
