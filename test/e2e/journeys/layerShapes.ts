// Journey 3: a person opens model code — Keras in Python, then TensorFlow.js in TypeScript — hovers
// a conv layer and reads its output shape and the W2 arithmetic with their own numbers; sees every
// layer's output shape as an inlay hint; runs "Show Layer Shapes" for the whole table; and a layer
// whose window does not fit shows a diagnostic.
// The expected numbers are worked out by hand from the workspace files (see each comment).
import assert from 'node:assert/strict';
import type { Journey } from '../lib/journeyTypes.ts';
import { waitFor } from '../lib/workbench.ts';

export const layerShapesJourney: Journey = {
  name: 'journey 3: hover, inlay hints and diagnostics on conv layers',
  mode: 'trusted',
  async run(ctx, wb) {
    await ctx.step('open cnn_keras.py with Go to File', () => wb.openFile('cnn_keras.py'));

    // Conv2D(20, kernel_size=5, valid) on the 16×16×10 map left by the first pooling:
    // W2 = (16 − 5)/1 + 1 = 12, so 16×16×10 → 12×12×20.
    const kerasHover = await ctx.step(
      'hover the second Conv2D: output shape and W2 arithmetic',
      () => wb.hoverText('Conv2D(20', 'Conv2D', [/16×16×10\s*→\s*12×12×20/, /W2\s*=[^=]*16\s*[−-]\s*5[^=]*=\s*12/]),
      { timeoutMs: 90_000 }, // the first hover waits for the extension to activate
    );
    ctx.note(`Keras hover: ${kerasHover.replace(/\s+/g, ' ').slice(0, 160)}`);

    await ctx.step("inlay hints show each layer's output shape", async () => {
      const expected: [string, string][] = [
        ['Conv2D(10', '32×32×10'],
        ['Conv2D(20', '12×12×20'],
        ['Flatten()', '720'],
        ['Dense(10', '10'],
      ];
      for (const [line, shape] of expected) {
        await waitFor(`an inlay hint "→ ${shape}" on the line with "${line}"`, async () =>
          new RegExp(`→\\s*${shape}\\b`).test(await wb.lineText(line)) ? true : undefined,
        );
      }
    });
    await ctx.screenshot('keras hover and inlay hints');

    // The same numbers as a model.summary()-like table: params are k·k·in·filters weights plus
    // filters biases (3·3·3·10 + 10 = 280, 5·5·10·20 + 20 = 5,020), Dense 720·10 + 10 = 7,210;
    // pooling halves 12×12 to 6×6, so Flatten gives 6·6·20 = 720. Total 280 + 5,020 + 7,210 = 12,510.
    await ctx.step('"CNN Lab: Show Layer Shapes" opens the table of cnn_keras.py beside it', async () => {
      await wb.runCommand('CNN Lab: Show Layer Shapes');
      const table = wb.page.locator('.editor-group-container .monaco-editor').filter({ hasText: 'Layer shapes of cnn_keras.py' }).first();
      const expected = [
        /\(Conv2D\)\s+\(None, 32, 32, 10\)\s+280$/,
        /\(MaxPooling2D\)\s+\(None, 16, 16, 10\)\s+0$/,
        /\(Conv2D\)\s+\(None, 12, 12, 20\)\s+5,?020$/,
        /\(MaxPooling2D\)\s+\(None, 6, 6, 20\)\s+0$/,
        /\(Flatten\)\s+\(None, 720\)\s+0$/,
        /\(Dense\)\s+\(None, 10\)\s+7,?210$/,
        /^Total params: 12,510\b/,
        /\(Conv2D\): 16×16×10 → 12×12×20$/,
        /W2\s*=[^=]*16\s*[−-]\s*5[^=]*=\s*12/,
      ];
      let shown: string[] = [];
      try {
        await waitFor(
          "the layer-shapes table with every layer's output shape and parameters",
          async () => {
            if ((await table.count()) === 0) return undefined;
            shown = (await table.locator('.view-lines .view-line').allTextContents()).map((l) => l.replace(/\u00a0/g, ' ').trim());
            return expected.every((p) => shown.some((l) => p.test(l))) ? true : undefined;
          },
          30_000,
        );
      } catch (error) {
        const missing = expected.filter((p) => !shown.some((l) => p.test(l)));
        throw new Error(`${(error as Error).message}; missing ${missing.join(', ')} in ${JSON.stringify(shown)}`);
      }
      ctx.note(`layer shapes: ${shown.filter((l) => /\(Conv2D\)\s+\(None/.test(l)).join(' | ')}`);
    });
    await ctx.screenshot('show layer shapes');

    await ctx.step('open cnn_tfjs.ts with Go to File', () => wb.openFile('cnn_tfjs.ts'));
    // conv2d with a 5×5 kernel, stride 1, no padding on 28×28×1: W2 = (28 − 5)/1 + 1 = 24.
    const tfjsHover = await ctx.step(
      'hover the first tf.layers.conv2d: output shape and W2 arithmetic',
      () => wb.hoverText('inputShape: [28, 28, 1]', 'conv2d', [/28×28×1\s*→\s*24×24×8/, /W2\s*=[^=]*28\s*[−-]\s*5[^=]*=\s*24/]),
      { timeoutMs: 60_000 },
    );
    ctx.note(`tfjs hover: ${tfjsHover.replace(/\s+/g, ' ').slice(0, 160)}`);
    await ctx.step('inlay hints in the TypeScript file', async () => {
      for (const [line, shape] of [
        ['maxPooling2d', '12×12×8'],
        ["padding: 'same'", '12×12×16'],
        ['flatten()', '2304'],
      ] as const) {
        await waitFor(`an inlay hint "→ ${shape}" on the line with "${line}"`, async () =>
          new RegExp(`→\\s*${shape}\\b`).test(await wb.lineText(line)) ? true : undefined,
        );
      }
    });

    await ctx.step('open broken_keras.py with Go to File', () => wb.openFile('broken_keras.py'));
    // After Conv2D(3×3) and 2×2 pooling an 8×8 input is 3×3; a 5×5 window cannot slide over it.
    await ctx.step('the broken layer is underlined as an error', () =>
      waitFor('an error squiggle in broken_keras.py', async () =>
        (await wb.activeEditor.locator('.squiggly-error').count()) > 0 ? true : undefined,
      ),
    );
    const problems = await ctx.step('the Problems panel names the impossible geometry', () =>
      waitFor('a problem about the 5-wide window on a 3-wide input', async () => {
        const rows = await wb.problems();
        return rows.some((r) => /Conv2D/.test(r) && /\b5\b/.test(r) && /\b3\b/.test(r) && /larger|impossible|does not fit/i.test(r))
          ? rows
          : undefined;
      }),
    );
    assert.ok(problems.length > 0);
    ctx.note(
      `problems: ${problems
        .filter((r) => /Conv2D/.test(r))
        .join(' | ')
        .slice(0, 200)}`,
    );
  },
};
