// Journey 1b: a person starts journey 1's experiment again, then thinks better of it and runs
// "CNN Lab: Cancel Training" from the palette (it is only offered while a run trains). The run
// reports that it stopped, nothing is saved, and the model journey 1 saved is left byte for byte as
// it was: journey 2, which comes next, predicts with it (so it still loads). With augmentation each
// of the 5 epochs runs the base over every training image again, so there is time to cancel
// during the first epochs.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { basename, join, relative } from 'node:path';
import type { Journey } from '../lib/journeyTypes.ts';
import { UI_TIMEOUT_MS, waitFor } from '../lib/workbench.ts';

/** relative path → sha256 of every file below `dir` */
function fingerprint(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out[relative(dir, p)] = createHash('sha256').update(readFileSync(p)).digest('hex');
    }
  };
  walk(dir);
  return out;
}

export const cancelJourney: Journey = {
  name: 'journey 1b: Cancel Training stops a run and leaves the saved model as it was',
  mode: 'trusted',
  async run(ctx, wb, _paths, state) {
    const { modelDir, experimentFile } = await ctx.step('journey 1 left a trained model and its experiment', async () => {
      assert.ok(state.trainedModelDir && state.experimentFile, 'no model: journey 1 did not finish (run it first, e.g. --only=journey 1)');
      return { modelDir: state.trainedModelDir, experimentFile: state.experimentFile };
    });
    const before = fingerprint(modelDir);
    ctx.note(`${basename(modelDir)} before: ${Object.keys(before).sort().join(', ')}`);

    await ctx.step(`open ${basename(experimentFile)} and run "CNN Lab: Run Experiment"`, async () => {
      await wb.openFile(basename(experimentFile));
      await wb.activeEditor.click({ position: { x: 300, y: 10 } });
      await wb.runCommand('CNN Lab: Run Experiment');
    });
    const dashboard = await ctx.step(
      'the dashboard shows the run training (a batch drawn)',
      async () => {
        const frame = await wb.webviewFrame('[data-testid="chart-loss"]', 90_000);
        await waitFor(
          'the status "training" with at least one batch on the loss chart',
          async () => {
            const status = await frame.locator('[data-testid="status"]').textContent();
            const batches = Number(await frame.locator('[data-testid="chart-loss"]').getAttribute('data-batches'));
            if (status !== 'training' && status !== null) throw new Error(`the run ended (${status}) before it could be cancelled`);
            return status === 'training' && batches >= 1 ? true : undefined;
          },
          180_000,
        );
        return frame;
      },
      { timeoutMs: 200_000 },
    );

    await ctx.step('run "CNN Lab: Cancel Training" from the palette', () => wb.runCommand('CNN Lab: Cancel Training', 20_000));

    await ctx.step(
      'the dashboard says the run stopped and that nothing was saved',
      async () => {
        await waitFor(
          'the status "stopped"',
          async () => ((await dashboard.locator('[data-testid="status"]').textContent()) === 'stopped' ? true : undefined),
          120_000,
        );
        const text = async (id: string) =>
          ((await dashboard.locator(`[data-testid="${id}"]`).textContent({ timeout: UI_TIMEOUT_MS })) ?? '').trim();
        assert.equal(await text('phase'), 'stopped');
        // cancelled during one of the 5 transfer epochs: 0 to 4 of them done
        assert.match(await text('epoch'), /^transfer [0-4]\/5$/);
        assert.equal(await text('final-accuracy'), 'not evaluated');
        assert.equal(await text('not-saved'), 'nothing saved; left as it was:');
        assert.equal(await text('model-dir'), modelDir);
        ctx.note(`dashboard: ${await text('phase')} · epoch ${await text('epoch')} · best val accuracy ${await text('best-val-acc')}`);
      },
      { timeoutMs: 140_000 },
    );

    await ctx.step('a notification says the training stopped and the model directory is left as it was', async () => {
      const message = await wb.notification(
        /Training stopped; nothing was saved, models[\\/]shapes-efficientnet_lite0 is left as it was\./,
        30_000,
      );
      ctx.note(`notification: ${message}`);
    });

    await ctx.step('the model directory is byte for byte what journey 1 saved', async () => {
      assert.deepEqual(fingerprint(modelDir), before, `${modelDir} changed`);
      const meta = JSON.parse(readFileSync(join(modelDir, 'cnn-lab.json'), 'utf8')) as { status?: string; labels?: string[] };
      assert.equal(meta.status, 'complete');
      assert.deepEqual(meta.labels, ['circle', 'square', 'triangle']);
      const checkpoint = `${modelDir}.checkpoint`;
      ctx.note(
        existsSync(checkpoint)
          ? `the cancelled run left its checkpoint in ${basename(checkpoint)}`
          : 'the cancelled run wrote no checkpoint',
      );
    });
  },
};
