// Journey 2: a person right-clicks an image in the explorer and chooses Predict; the prediction
// view shows the image with the top classes of the model journey 1 trained, each with its
// probability. Then "CNN Lab: Predict from URL" with the address of an image on a local web server
// (node:http on 127.0.0.1, started by the journey): the engine fetches it and the view shows its
// top classes the same way.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { basename, join } from 'node:path';
import type { Frame } from 'playwright-core';
import type { Journey } from '../lib/journeyTypes.ts';
import { UI_TIMEOUT_MS, waitFor } from '../lib/workbench.ts';

const LABELS = ['circle', 'square', 'triangle'];

interface ServedImage {
  url: string;
  /** requests answered so far */
  requests(): number;
  close(): Promise<void>;
}

/** Serves one PNG at http://127.0.0.1:<random port>/<name>. */
async function serveImage(file: string): Promise<ServedImage> {
  const body = readFileSync(file);
  const name = basename(file);
  let requests = 0;
  const server = createServer((req, res) => {
    if (req.url !== `/${name}`) {
      res.writeHead(404).end();
      return;
    }
    requests++;
    res.writeHead(200, { 'content-type': 'image/png', 'content-length': body.length }).end(body);
  });
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/${name}`,
    requests: () => requests,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** The top-k bars of the prediction view: the model's labels, each with a probability, sorted, adding up to 100%. */
async function readTopK(frame: Frame): Promise<string> {
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
  for (const r of rows)
    assert.ok(Number.isFinite(r.value) && r.value >= 0 && r.value <= 100, `"${r.label}" has no probability: ${r.shown}`);
  for (let i = 1; i < rows.length; i++)
    assert.ok(rows[i].value <= rows[i - 1].value, `the bars are not sorted by probability: ${JSON.stringify(rows)}`);
  const total = rows.reduce((a, r) => a + r.value, 0);
  assert.ok(Math.abs(total - 100) <= 0.3, `the probabilities add up to ${total.toFixed(1)}%, not 100%`);
  return rows.map((r) => `${r.label} ${r.shown}`).join(', ');
}

export const predictJourney: Journey = {
  name: 'journey 2: Predict on an image from the explorer shows the top-k labels',
  mode: 'trusted',
  async run(ctx, wb, paths, state) {
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
      await waitFor('the image name "triangle.png"', async () =>
        ((await frame.locator('[data-testid="single"] h2').textContent()) ?? '').includes('triangle.png') ? true : undefined,
      );
      const header = ((await frame.locator('.header-line').textContent({ timeout: UI_TIMEOUT_MS })) ?? '').replace(/\s+/g, ' ');
      assert.match(header, new RegExp(`model ${basename(modelDir)} · \\w+`), `the header does not name the model: ${header}`);
      assert.ok((await frame.locator('[data-testid="single"] img').count()) === 1, 'the image is not shown');
      ctx.note(`header: ${header}`);
    });

    await ctx.step('the top-k bars show labels of the model with probabilities', async () => {
      ctx.note(`triangle.png: ${await readTopK(frame)}`);
    });

    const served = await ctx.step('serve to-predict/circle.png on 127.0.0.1 at a random port', () =>
      serveImage(join(paths.workspace, 'to-predict', 'circle.png')),
    );
    try {
      await ctx.step('run "CNN Lab: Predict from URL" and enter the image\'s address', async () => {
        await wb.runCommand('CNN Lab: Predict from URL');
        await wb.waitForQuickInput(/Predict from URL/);
        await wb.answerInputBox(served.url);
      });
      const urlFrame = await ctx.step(
        'the prediction view shows the image fetched from the URL',
        () =>
          waitFor(
            `the prediction view to name ${served.url}`,
            async () => {
              const f = await wb.webviewFrame('[data-testid="single"] h2', 5_000);
              return ((await f.locator('[data-testid="single"] h2').textContent()) ?? '').includes(served.url) ? f : undefined;
            },
            120_000,
          ),
        { timeoutMs: 130_000 },
      );
      await ctx.step('the engine fetched it, the view shows it, with the top-k labels and probabilities', async () => {
        assert.ok(served.requests() >= 1, 'nothing fetched the image from the server');
        await waitFor('the image from the URL to be drawn', async () =>
          (await urlFrame
            .locator('[data-testid="single"] img')
            .evaluate((img) => (img as HTMLImageElement).naturalWidth > 0)
            .catch(() => false))
            ? true
            : undefined,
        );
        ctx.note(`${served.url}: ${await readTopK(urlFrame)} (${served.requests()} request(s) served)`);
      });
    } finally {
      await served.close();
    }
  },
};
