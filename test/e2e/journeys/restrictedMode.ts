// Restricted Mode: a person who does not trust the folder can still read layer shapes, but
// training is refused with an explanation of why and what to do.
import type { Journey } from '../lib/journeyTypes.ts';
import { UI_TIMEOUT_MS, waitFor } from '../lib/workbench.ts';

export const restrictedModeJourney: Journey = {
  name: 'Restricted Mode disables training with the explanation',
  mode: 'restricted',
  async run(ctx, wb) {
    const page = wb.page;
    await ctx.step('answer the trust prompt: "No, I don\'t trust the authors"', async () => {
      const dialog = page.locator('.monaco-dialog-box');
      await dialog.waitFor({ state: 'visible', timeout: 60_000 });
      await dialog
        .locator('.monaco-button', { hasText: /No, I don.t trust/i })
        .first()
        .click();
      await dialog.waitFor({ state: 'hidden', timeout: UI_TIMEOUT_MS });
    });
    await ctx.step('the window says it is in Restricted Mode', () =>
      waitFor('"Restricted Mode" on screen', async () =>
        /Restricted Mode/i.test(await wb.statusBarText()) ||
        (await page.locator('.monaco-workbench', { hasText: 'Restricted Mode' }).count()) > 0
          ? true
          : undefined,
      ),
    );
    await ctx.step(
      'layer shapes still work: hover a Conv2D in cnn_keras.py',
      async () => {
        await wb.openFile('cnn_keras.py');
        await wb.hoverText('Conv2D(20', 'Conv2D', [/16×16×10\s*→\s*12×12×20/], 90_000);
        await page.keyboard.press('Escape');
      },
      { timeoutMs: 120_000 },
    );
    await ctx.step('run "CNN Lab: Train Transfer Model" from the palette', () => wb.runCommand('CNN Lab: Train Transfer Model'));
    const message = await ctx.step('a warning explains that training is disabled in Restricted Mode', () =>
      wb.notification(/Training is disabled in Restricted Mode/i, 30_000),
    );
    await ctx.step('the explanation says why and how to enable it', async () => {
      if (!/engine/i.test(message) || !/trust/i.test(message)) {
        throw new Error(`the warning does not say why (the engine) and how (trust the workspace): ${JSON.stringify(message)}`);
      }
      ctx.note(`warning: ${message}`);
    });
    await ctx.step('no training wizard opened', async () => {
      const title =
        (await wb.quickInput
          .locator('.quick-input-title')
          .textContent()
          .catch(() => '')) ?? '';
      if ((await wb.quickInput.isVisible()) && /Train Transfer Model/.test(title)) {
        throw new Error(`the training wizard opened in Restricted Mode: ${JSON.stringify(title)}`);
      }
    });
  },
};
