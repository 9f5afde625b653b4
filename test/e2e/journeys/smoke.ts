// The workbench loads with the packaged extension installed, and the command palette offers its
// commands under the "CNN Lab" category.
import assert from 'node:assert/strict';
import type { Journey } from '../lib/journeyTypes.ts';

export const smokeJourney: Journey = {
  name: 'workbench lists the CNN Lab commands',
  mode: 'trusted',
  async run(ctx, wb, paths) {
    const shown = await ctx.step('open the command palette and type "CNN Lab:"', () => wb.paletteCommands('CNN Lab:'));
    await ctx.step("the palette offers the extension's commands", async () => {
      const ours = shown.filter((label) => label.startsWith('CNN Lab:'));
      assert.ok(ours.length > 0, `no "CNN Lab:" command in the palette (shown: ${JSON.stringify(shown)})`);
      const missing = paths.expectedPaletteCommands.filter((title) => !ours.includes(title));
      assert.deepEqual(missing, [], `the palette lacks ${JSON.stringify(missing)} (shown: ${JSON.stringify(ours)})`);
      ctx.note(`palette: ${ours.join(' | ')}`);
    });
  },
};
