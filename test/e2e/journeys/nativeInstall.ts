// "CNN Lab: Install Native Backend" in the installed extension, against a loopback PEP 691 index
// (cnnLab.native.indexUrl) serving the real tensorflow-cpu wheel that CI caches. First a flipped
// byte in the wheel: refused with both hashes, nothing left in global storage. Then the install:
// progress in MB, the engine's check, and the backend picker lists tensorflow as available.
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { JourneyContext } from '../lib/journey.ts';
import type { Journey, RunState } from '../lib/journeyTypes.ts';
import { waitFor, type Workbench } from '../lib/workbench.ts';
import type { Fault, LoopbackIndex } from '../../unit/host/native/loopbackIndex.ts';

/** Sets the index's fault and runs the install command from the palette. */
async function startInstall(ctx: JourneyContext, wb: Workbench, state: RunState, fault: Fault): Promise<LoopbackIndex> {
  const index = state.nativeIndex;
  assert.ok(index, state.nativeIndexMissing);
  index.fault = fault;
  await ctx.step('run "CNN Lab: Install Native Backend"', () => wb.runCommand('CNN Lab: Install Native Backend'));
  return index;
}

export const nativeMismatchJourney: Journey = {
  name: 'native backend: a wheel with a wrong sha256 is refused',
  mode: 'trusted',
  async run(ctx, wb, paths, state) {
    const index = await startInstall(ctx, wb, state, 'flip');
    const message = await ctx.step('the error names the mismatch with both hashes', () => wb.notification(/sha256 mismatch/, 240_000), {
      timeoutMs: 250_000,
    });
    assert.match(
      message,
      new RegExp(
        `the index says ${index.sha256}, the download is (?!${index.sha256})[0-9a-f]{64}; the download was deleted and nothing was installed`,
      ),
    );
    await ctx.screenshot('hash-mismatch');
    await ctx.step('nothing is left in global storage', async () => {
      const native = join(paths.globalStorage, 'native');
      assert.ok(!existsSync(native), `${native} holds ${existsSync(native) ? readdirSync(native, { recursive: true }).join(', ') : ''}`);
    });
    index.fault = 'none';
  },
};

export const nativeInstallJourney: Journey = {
  name: 'native backend: install from the index, then tensorflow is available',
  mode: 'trusted',
  async run(ctx, wb, paths, state) {
    await startInstall(ctx, wb, state, 'none');
    const progress = await ctx.step(
      'a progress notification counts MB',
      () => wb.notification(/MB of \d+ MB|extracting|checking/, 120_000),
      { timeoutMs: 130_000 },
    );
    ctx.note(`progress: ${progress}`);
    await ctx.screenshot('install-progress');
    const done = await ctx.step('it completes after the engine check', () => wb.notification(/the native backend is installed/, 400_000), {
      timeoutMs: 410_000,
    });
    ctx.note(done);
    assert.ok(existsSync(join(paths.globalStorage, 'native', '2.21.0', 'install.json')));
    await ctx.step('the status bar shows tensorflow', () =>
      waitFor('tensorflow in the status bar', async () => ((await wb.statusBarText()).includes('tensorflow') ? true : undefined), 30_000),
    );
    await ctx.step('run "CNN Lab: Select Compute Backend"', () => wb.runCommand('CNN Lab: Select Compute Backend'));
    const row = await ctx.step(
      'tensorflow is listed as available',
      () =>
        waitFor(
          'an available tensorflow row',
          async () => {
            if (!(await wb.quickInput.isVisible())) return undefined;
            const items = await wb.quickPickItems();
            return items.find((i) => i.label === 'tensorflow' && /trains and predicts/.test(i.description));
          },
          120_000,
        ),
      { timeoutMs: 130_000 },
    );
    assert.match(row.detail, /libtensorflow 2\.21\.0/);
    ctx.note(`tensorflow row: ${row.description} — ${row.detail}`);
    await ctx.step('close the picker', () => wb.closeQuickInput());

    // a run with a fine-tuning phase on backend "auto" (freeze-demo.cnnlab.json) now trains on tensorflow
    await ctx.step('open freeze-demo.cnnlab.json and run "CNN Lab: Run Experiment"', async () => {
      await wb.openFile('freeze-demo.cnnlab.json');
      await wb.activeEditor.click({ position: { x: 300, y: 10 } });
      await wb.runCommand('CNN Lab: Run Experiment');
    });
    const dashboard = await ctx.step('the dashboard shows the run', () => wb.webviewFrame('[data-testid="chart-loss"]', 90_000), {
      timeoutMs: 100_000,
    });
    const backend = await ctx.step(
      "the run fine-tunes and finishes; the dashboard's backend field says tensorflow",
      async () => {
        await waitFor(
          'the status "finished"',
          async () => ((await dashboard.locator('[data-testid="status"]').textContent()) === 'finished' ? true : undefined),
          240_000,
        );
        const text = ((await dashboard.locator('[data-testid="results"]').textContent()) ?? '').replace(/\s+/g, ' ');
        assert.match(text, /fine-tune: \d+ trainable layer/, `the run did not fine-tune: ${text.slice(0, 300)}`);
        return ((await dashboard.locator('[data-testid="backend"]').textContent()) ?? '').trim();
      },
      { timeoutMs: 260_000 },
    );
    assert.equal(backend, 'tensorflow');
    await ctx.screenshot('fine-tuned on tensorflow');
  },
};
