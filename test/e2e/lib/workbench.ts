// Drives the VS Code workbench the way a person does: keyboard for the command palette and quick
// picks, the mouse for the explorer's context menu and for hovering text in the editor. Every
// helper waits for what a person would wait to see, and says what it was looking for when it fails.
import type { Frame, Locator, Page } from 'playwright-core';

export const UI_TIMEOUT_MS = 20_000;

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function asRegExp(text: string | RegExp): RegExp {
  return typeof text === 'string' ? new RegExp(escapeRegExp(text)) : text;
}

export async function sleep(ms: number): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, ms));
}

/** Polls `probe` until it returns a value other than undefined, or fails naming `what`. */
export async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = UI_TIMEOUT_MS): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) {
      const detail = lastError instanceof Error ? ` (last error: ${lastError.message.split('\n')[0]})` : '';
      throw new Error(`timed out after ${Math.round(timeoutMs / 1000)} s waiting for ${what}${detail}`);
    }
    await sleep(250);
  }
}

export class Workbench {
  constructor(readonly page: Page) {}

  async open(url: string): Promise<void> {
    await this.page.goto(url);
    await this.page.locator('.monaco-workbench').waitFor({ timeout: 90_000 });
    await this.page.locator('.part.statusbar').waitFor({ timeout: 90_000 });
    // The explorer shows the folder once the remote file system answers.
    await this.page.locator('.explorer-folders-view .monaco-list-row').first().waitFor({ timeout: 90_000 });
  }

  // ---- command palette and quick input ---------------------------------------------------------

  get quickInput(): Locator {
    return this.page.locator('.quick-input-widget');
  }

  get quickInputBox(): Locator {
    return this.quickInput.locator('.quick-input-box input');
  }

  quickRows(): Locator {
    return this.quickInput.locator('.quick-input-list .monaco-list-row');
  }

  /**
   * Opens the command palette (F1), types the title and runs the command whose row shows it. An
   * open palette does not pick up commands registered after it opened (right after the workbench
   * loads, the extension's contributions may still be on their way), so it is reopened until the
   * command shows or `timeoutMs` is up, as a person would try again.
   */
  async runCommand(title: string, timeoutMs = 45_000): Promise<void> {
    const row = this.quickRows()
      .filter({ hasText: new RegExp(`^${escapeRegExp(title)}`) })
      .first();
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      await this.closeQuickInput();
      await this.page.keyboard.press('F1');
      await this.quickInputBox.waitFor({ state: 'visible', timeout: UI_TIMEOUT_MS });
      await this.quickInputBox.fill(`>${title}`);
      try {
        await row.waitFor({ state: 'visible', timeout: 5_000 });
        break;
      } catch {
        if (Date.now() > deadline) {
          const shown = await this.quickRows().allTextContents();
          throw new Error(`the command palette has no "${title}" (shown: ${JSON.stringify(shown)})`);
        }
      }
    }
    await row.click();
  }

  /**
   * The labels of the palette's commands that match `filter` (e.g. "CNN Lab:"). Right after the
   * workbench loads, extension contributions may not be registered yet, and an open palette does
   * not refresh; so reopen it until a command matching the filter shows or the time is up.
   */
  async paletteCommands(filter: string, timeoutMs = 60_000): Promise<string[]> {
    const labelsNow = async (): Promise<string[]> => {
      await this.closeQuickInput();
      await this.page.keyboard.press('F1');
      await this.quickInputBox.waitFor({ state: 'visible', timeout: UI_TIMEOUT_MS });
      await this.quickInputBox.fill(`>${filter}`);
      await this.quickRows()
        .first()
        .waitFor({ state: 'visible', timeout: UI_TIMEOUT_MS })
        .catch(() => undefined);
      await sleep(300); // the list settles after filtering
      const labels = await this.quickInput.locator('.quick-input-list .monaco-list-row .label-name').allTextContents();
      await this.closeQuickInput();
      return labels.map((l) => l.replace(/\s+/g, ' ').trim());
    };
    let last: string[] = [];
    try {
      return await waitFor(
        `the command palette to offer commands matching "${filter}"`,
        async () => {
          last = await labelsNow();
          return last.some((l) => l.startsWith(filter)) ? last : undefined;
        },
        timeoutMs,
      );
    } catch {
      return last;
    }
  }

  async closeQuickInput(): Promise<void> {
    if (await this.quickInput.isVisible()) {
      await this.page.keyboard.press('Escape');
      await this.quickInput.waitFor({ state: 'hidden', timeout: UI_TIMEOUT_MS });
    }
  }

  /** Waits for a quick pick or input box whose title, placeholder or prompt matches `text`. */
  async waitForQuickInput(text: string | RegExp, timeoutMs = UI_TIMEOUT_MS): Promise<void> {
    const pattern = asRegExp(text);
    await waitFor(
      `a quick input showing ${pattern}`,
      async () => {
        if (!(await this.quickInput.isVisible())) return undefined;
        const title =
          (await this.quickInput
            .locator('.quick-input-title')
            .textContent()
            .catch(() => '')) ?? '';
        const placeholder = (await this.quickInputBox.getAttribute('placeholder').catch(() => '')) ?? '';
        const aria = (await this.quickInputBox.getAttribute('aria-label').catch(() => '')) ?? '';
        const message =
          (await this.quickInput
            .locator('.quick-input-message')
            .textContent()
            .catch(() => '')) ?? '';
        return pattern.test(`${title}\n${placeholder}\n${aria}\n${message}`) ? true : undefined;
      },
      timeoutMs,
    );
  }

  /**
   * The visible rows of the open quick pick, as text: label, description and detail joined by
   * spaces, as they read on screen. (A row's textContent runs them together, and a recycled row
   * can keep a hidden detail from an earlier pick.)
   */
  async quickPickRows(): Promise<string[]> {
    return (await this.quickPickItems()).map((i) => [i.label, i.description, i.detail].filter(Boolean).join(' '));
  }

  /** The visible rows of the open quick pick as label, description and detail. */
  async quickPickItems(): Promise<{ label: string; description: string; detail: string }[]> {
    await this.quickRows().first().waitFor({ state: 'visible', timeout: UI_TIMEOUT_MS });
    // only anonymous functions in here: the test's TypeScript transform wraps named ones in a
    // helper (__name) that does not exist in the page
    return this.quickRows().evaluateAll((rows) =>
      rows.map((row) => {
        // the detail line (.quick-input-list-label-meta) is a label of its own, with a .label-name inside
        const [label, description, detail] = ['.label-name', '.label-description', '.quick-input-list-label-meta'].map((selector) =>
          [...row.querySelectorAll<HTMLElement>(selector)]
            .filter(
              (e) => e.offsetParent !== null && (selector === '.quick-input-list-label-meta' || !e.closest('.quick-input-list-label-meta')),
            )
            .map((e) => (e.textContent ?? '').replace(/\s+/g, ' ').trim())
            .filter(Boolean)
            .join(' '),
        );
        return { label, description, detail };
      }),
    );
  }

  /**
   * Picks the quick-pick row whose text matches `label`. Types `filterText` (default: the label when
   * it is a string) first, as a person does, because long lists only render the rows in view.
   */
  async pickQuickItem(label: string | RegExp, filterText?: string): Promise<string> {
    const typed = filterText ?? (typeof label === 'string' ? label : undefined);
    if (typed !== undefined) await this.quickInputBox.fill(typed);
    const row = this.quickRows()
      .filter({ hasText: asRegExp(label) })
      .first();
    try {
      await row.waitFor({ state: 'visible', timeout: UI_TIMEOUT_MS });
    } catch {
      const shown = await this.quickRows()
        .allTextContents()
        .catch(() => []);
      throw new Error(`the quick pick has no row matching ${asRegExp(label)} (shown: ${JSON.stringify(shown)})`);
    }
    const text = (await row.textContent()) ?? '';
    await row.click();
    return text.trim();
  }

  /** Accepts the quick pick's current (default) choice, as pressing Enter does. */
  async acceptQuickInput(): Promise<void> {
    await this.quickInputBox.press('Enter');
  }

  /** Types into an input box (showInputBox) and presses Enter. */
  async answerInputBox(value: string): Promise<void> {
    await this.quickInputBox.fill(value);
    await this.quickInputBox.press('Enter');
  }

  // ---- files and editors -----------------------------------------------------------------------

  /** Opens a workspace file with Go to File (Ctrl+P), as a person would. */
  async openFile(relativePath: string): Promise<void> {
    await this.closeQuickInput();
    await this.page.keyboard.press('Control+P');
    await this.quickInputBox.waitFor({ state: 'visible', timeout: UI_TIMEOUT_MS });
    await this.quickInputBox.fill(relativePath);
    const name = relativePath.split('/').pop() ?? relativePath;
    const row = this.quickRows().filter({ hasText: name }).first();
    await row.waitFor({ state: 'visible', timeout: UI_TIMEOUT_MS });
    await row.click();
    await this.page.locator('.tabs-container .tab.active', { hasText: name }).waitFor({ timeout: UI_TIMEOUT_MS });
  }

  get activeEditor(): Locator {
    return this.page.locator('.editor-group-container.active .monaco-editor').first();
  }

  /** The text of the active editor's rendered lines, in order. */
  async editorLines(): Promise<string[]> {
    return this.activeEditor.locator('.view-lines .view-line').allTextContents();
  }

  /** Moves the cursor to `line` (1-based) with Go to Line, so that line is rendered and in view. */
  async goToLine(line: number): Promise<void> {
    await this.activeEditor.click({ position: { x: 200, y: 10 } });
    await this.page.keyboard.press('Control+G');
    await this.quickInputBox.waitFor({ state: 'visible', timeout: UI_TIMEOUT_MS });
    await this.quickInputBox.fill(`:${line}`);
    await this.quickInputBox.press('Enter');
    await this.quickInput.waitFor({ state: 'hidden', timeout: UI_TIMEOUT_MS });
  }

  /** The rendered line of the active editor whose text contains `lineContains`. */
  editorLine(lineContains: string): Locator {
    return this.activeEditor.locator('.view-lines .view-line').filter({ hasText: lineContains }).first();
  }

  /**
   * Hovers the mouse over `token` in the first rendered line containing `lineContains`, and returns
   * the hover widget's text once it matches every pattern in `expect`.
   */
  async hoverText(lineContains: string, token: string, expect: RegExp[], timeoutMs = UI_TIMEOUT_MS): Promise<string> {
    const hover = this.page.locator('.monaco-hover:not(.hidden)');
    let lastShown = '';
    try {
      return await waitFor(
        `a hover over "${token}" (line with "${lineContains}") showing ${expect.join(' and ')}`,
        async () => {
          const box = await this.tokenBox(lineContains, token);
          if (!box) return undefined;
          // Move away first: the hover only comes back on a fresh move onto the word.
          await this.page.mouse.move(box.x + box.width / 2, box.y > 300 ? box.y - 250 : box.y + 350);
          await sleep(150);
          await this.page.mouse.move(box.x + Math.min(box.width / 2, 6), box.y + box.height / 2, { steps: 5 });
          await hover.first().waitFor({ state: 'visible', timeout: 4_000 });
          await sleep(300); // providers answer one after another; let the widget fill
          lastShown = (await hover.allTextContents()).join('\n');
          return expect.every((p) => p.test(lastShown)) ? lastShown : undefined;
        },
        timeoutMs,
      );
    } catch (error) {
      throw new Error(`${(error as Error).message}; the hover showed: ${JSON.stringify(lastShown.slice(0, 600))}`);
    }
  }

  /** The screen box of `token` within the first rendered line containing `lineContains`. */
  async tokenBox(lineContains: string, token: string): Promise<{ x: number; y: number; width: number; height: number } | undefined> {
    const line = this.editorLine(lineContains);
    if ((await line.count()) === 0) return undefined;
    const spans = line.locator(':scope > span > span');
    const count = await spans.count();
    for (let i = 0; i < count; i++) {
      const span = spans.nth(i);
      const text = ((await span.textContent()) ?? '').replace(/\u00a0/g, ' ');
      const at = text.indexOf(token);
      if (at < 0) continue;
      const box = await span.boundingBox();
      if (!box || text.length === 0) continue;
      const charWidth = box.width / text.length;
      return { x: box.x + at * charWidth, y: box.y, width: token.length * charWidth, height: box.height };
    }
    return undefined;
  }

  /** The rendered text of the first line containing `lineContains`, inlay hints included. */
  async lineText(lineContains: string): Promise<string> {
    return ((await this.editorLine(lineContains).textContent()) ?? '').replace(/\u00a0/g, ' ');
  }

  // ---- explorer --------------------------------------------------------------------------------

  explorerRow(name: string): Locator {
    return this.page
      .locator('.explorer-folders-view .monaco-list-row')
      .filter({ has: this.page.locator('.label-name', { hasText: new RegExp(`^${escapeRegExp(name)}$`) }) })
      .first();
  }

  async showExplorer(): Promise<void> {
    await this.page.keyboard.press('Control+Shift+E');
    await this.page.locator('.explorer-folders-view').waitFor({ state: 'visible', timeout: UI_TIMEOUT_MS });
  }

  /** Expands each folder of `folders` in turn (e.g. ['shapes', 'circle']) and returns the row of `file`. */
  async revealInExplorer(folders: string[], file: string): Promise<Locator> {
    await this.showExplorer();
    for (const folder of folders) {
      const row = this.explorerRow(folder);
      await row.waitFor({ state: 'visible', timeout: UI_TIMEOUT_MS });
      if ((await row.getAttribute('aria-expanded')) !== 'true') {
        await row.click();
        await waitFor(`explorer folder "${folder}" to expand`, async () =>
          (await row.getAttribute('aria-expanded')) === 'true' ? true : undefined,
        );
      }
    }
    const target = this.explorerRow(file);
    await target.waitFor({ state: 'visible', timeout: UI_TIMEOUT_MS });
    return target;
  }

  /**
   * Right-clicks `row` and chooses the context-menu entry `label`: the pointer moves onto the
   * entry (the menu highlights it), then Enter runs it, and the step waits for the menu to close.
   * A mouse click on the entry was not enough: on a fresh machine the menu sometimes kept the
   * entry highlighted and ran nothing (journey 4, "Open Model Architecture"), because VS Code's
   * menu runs an entry on a mouseup it accepts, and it drops one that arrives while the menu is
   * still being laid out. Enter on the highlighted entry is what a keyboard user does, and it is
   * taken whenever the entry has focus, so the step waits on the screen (the entry focused, the
   * menu gone), never on time.
   */
  async contextMenu(row: Locator, label: string | RegExp): Promise<void> {
    await row.click({ button: 'right' });
    const menu = this.page.locator('.context-view .monaco-menu');
    await menu.first().waitFor({ state: 'visible', timeout: UI_TIMEOUT_MS });
    const item = menu.locator('.action-item .action-label', { hasText: asRegExp(label) }).first();
    try {
      await item.waitFor({ state: 'visible', timeout: 5_000 });
    } catch {
      const shown = (await menu.locator('.action-item .action-label').allTextContents()).filter((t) => t.trim());
      await this.page.keyboard.press('Escape');
      throw new Error(`the context menu has no ${asRegExp(label)} (shown: ${JSON.stringify(shown)})`);
    }
    await waitFor(`the context-menu entry ${asRegExp(label)} to be highlighted`, async () => {
      if (
        await item.evaluate((el) => el.closest('.action-item')?.classList.contains('focused') ?? false, undefined, {
          timeout: UI_TIMEOUT_MS,
        })
      )
        return true;
      await item.hover();
      return undefined;
    });
    await this.page.keyboard.press('Enter');
    await waitFor(`the context menu to close after choosing ${asRegExp(label)}`, async () =>
      (await menu.count()) === 0 || !(await menu.first().isVisible()) ? true : undefined,
    );
  }

  // ---- notifications, status bar, panels -------------------------------------------------------

  /** Waits for a notification toast whose message matches `text`; returns its full message. */
  async notification(text: string | RegExp, timeoutMs = UI_TIMEOUT_MS): Promise<string> {
    const pattern = asRegExp(text);
    return waitFor(
      `a notification matching ${pattern}`,
      async () => {
        const messages = await this.page.locator('.notifications-toasts .notification-list-item-message').allTextContents();
        return messages.find((m) => pattern.test(m));
      },
      timeoutMs,
    );
  }

  /** Clicks a button on the notification toast whose message matches `text`. */
  async clickNotificationButton(text: string | RegExp, button: string | RegExp): Promise<void> {
    const toast = this.page.locator('.notifications-toasts .notification-toast', {
      has: this.page.locator('.notification-list-item-message', { hasText: asRegExp(text) }),
    });
    await toast
      .first()
      .locator('.monaco-button', { hasText: asRegExp(button) })
      .first()
      .click({ timeout: UI_TIMEOUT_MS });
  }

  async statusBarText(): Promise<string> {
    return ((await this.page.locator('.part.statusbar').textContent()) ?? '').replace(/\s+/g, ' ');
  }

  /** The Problems panel's rows (Ctrl+Shift+M), as text. */
  async problems(): Promise<string[]> {
    await this.page.keyboard.press('Control+Shift+M');
    const panel = this.page.locator('.markers-panel');
    await panel.waitFor({ state: 'visible', timeout: UI_TIMEOUT_MS });
    return (await panel.locator('.monaco-list-row').allTextContents()).map((t) => t.trim());
  }

  /**
   * The rendered lines of the Output panel's editor (the channel it shows), after maximising the
   * panel so that the most lines are on screen. Only lines in view are rendered; the Output view
   * follows the end of the log.
   */
  async outputLines(): Promise<string[]> {
    const panel = this.page.locator('.part.panel');
    await panel.locator('.monaco-editor .view-lines').first().waitFor({ state: 'visible', timeout: UI_TIMEOUT_MS });
    if (!(await this.page.locator('.monaco-workbench.maximized-panel, .part.panel.maximized').count())) {
      const box = await panel.boundingBox();
      if (box && box.height < this.page.viewportSize()!.height / 2) await this.runCommand('View: Toggle Maximized Panel');
    }
    // Monaco positions its view lines absolutely and reuses their nodes while the log scrolls, so the
    // DOM order can be rotated: sort by the on-screen top, or a wrapped entry's rows come apart.
    const rows = await panel
      .locator('.monaco-editor .view-lines .view-line')
      .evaluateAll((els) => els.map((el) => ({ top: (el as HTMLElement).getBoundingClientRect().top, text: el.textContent ?? '' })));
    return rows.sort((a, b) => a.top - b.top).map((r) => r.text.replace(/\u00a0/g, ' '));
  }

  /** Hides the bottom panel (Ctrl+J toggles it), e.g. after outputLines() maximised it over the editors. */
  async hidePanel(): Promise<void> {
    const panel = this.page.locator('.part.panel');
    if (!(await panel.isVisible())) return;
    await this.page.keyboard.press('Control+J');
    await panel.waitFor({ state: 'hidden', timeout: UI_TIMEOUT_MS });
  }

  /**
   * The Output panel's log entries on screen: each starts with its timestamp; the rows that word
   * wrap split off a long entry are joined back to it.
   */
  async outputLogEntries(): Promise<string[]> {
    const entries: string[] = [];
    for (const row of await this.outputLines()) {
      if (/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d/.test(row) || entries.length === 0) entries.push(row);
      else entries[entries.length - 1] += row;
    }
    return entries;
  }

  // ---- webviews --------------------------------------------------------------------------------

  /**
   * The frame of the webview whose document contains `selector` (webview content lives in an
   * iframe inside the webview's own iframe). Polls until one does.
   */
  async webviewFrame(selector: string, timeoutMs = UI_TIMEOUT_MS): Promise<Frame> {
    return waitFor(
      `a webview containing ${selector}`,
      async () => {
        for (const frame of this.page.frames()) {
          if (frame === this.page.mainFrame() || frame.isDetached()) continue;
          if (
            (await frame
              .locator(selector)
              .count()
              .catch(() => 0)) > 0
          )
            return frame;
        }
        return undefined;
      },
      timeoutMs,
    );
  }

  /** The text of the element matching `selector` in the webview that contains it. */
  async webviewText(selector: string, timeoutMs = UI_TIMEOUT_MS): Promise<string> {
    const frame = await this.webviewFrame(selector, timeoutMs);
    return ((await frame.locator(selector).first().textContent()) ?? '').trim();
  }
}
