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
    let lastShown: unknown = 'no quick pick';
    const items = await ctx.step(
      'the quick pick lists every backend',
      () =>
        waitFor(
          'a backend quick pick with all five backends',
          async () => {
            if (!(await wb.quickInput.isVisible())) return undefined;
            const title = (await wb.quickInput.locator('.quick-input-title').textContent()) ?? '';
            if (!/Select Compute Backend/.test(title)) return undefined;
            const shown = await wb.quickPickItems();
            lastShown = shown;
            return BACKENDS.every((b) => shown.some((i) => i.label === b)) ? shown : undefined;
          },
          90_000, // the engine starts and probes each backend
        ).catch((error: Error) => {
          throw new Error(`${error.message}; shown: ${JSON.stringify(lastShown)}`);
        }),
      { timeoutMs: 120_000 },
    );
    await ctx.step('each backend says whether it is available, and cpu is', async () => {
      for (const backend of BACKENDS) {
        const item = items.find((i) => i.label === backend);
        assert.ok(item, `no row for ${backend}`);
        assert.match(
          item.description,
          /unavailable|trains and predicts|predicts only/,
          `the ${backend} row does not say whether it is available: ${JSON.stringify(item)}`,
        );
        if (/unavailable/.test(item.description))
          assert.ok(item.detail.length > 0, `${backend} is unavailable without a reason: ${JSON.stringify(item)}`);
      }
      // the installed VSIX ships no libtensorflow: the advice is what can be done in the editor,
      // not an npm command for a folder the user never sees
      const tensorflow = items.find((i) => i.label === 'tensorflow');
      if (tensorflow && /unavailable/.test(tensorflow.description)) {
        assert.doesNotMatch(
          tensorflow.detail,
          /npm install/,
          `the tensorflow row tells an extension user to run npm: ${tensorflow.detail}`,
        );
        assert.match(
          tensorflow.detail,
          /To enable: run "CNN Lab: Install Native Backend" .*choose wasm .* or cpu .* with "CNN Lab: Select Compute Backend"/,
          tensorflow.detail,
        );
      }
      const cpu = items.find((i) => i.label === 'cpu');
      assert.ok(cpu && !/unavailable/.test(cpu.description), `cpu should always be available: ${JSON.stringify(cpu)}`);
      ctx.note(
        `backends: ${items
          .map((i) => `${i.label}: ${i.description}`)
          .join(' | ')
          .slice(0, 400)}`,
      );
    });
    // left open: the journey's final screenshot shows the list
  },
};
