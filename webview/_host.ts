// The webview side of the host connection: one acquireVsCodeApi() per page, typed post, persisted
// UI state (getState/setState, not retainContextWhenHidden), and validated incoming messages.

export interface HostConnection<In, Out, UiState> {
  post(message: Out): void;
  /** UI state persisted across hide/show and reloads (not the data: the host replays that) */
  uiState(): UiState;
  saveUiState(state: UiState): void;
  /** calls `handler` with each valid message; invalid ones are reported and dropped */
  onMessage(handler: (message: In) => void): void;
}

let api: VsCodeWebviewApi | undefined;

export function connectToHost<In, Out, UiState>(validate: (raw: unknown) => In, initialUi: UiState): HostConnection<In, Out, UiState> {
  api ??= acquireVsCodeApi();
  const vscode = api;
  return {
    post: (m) => vscode.postMessage(m),
    uiState: () => ({ ...initialUi, ...((vscode.getState() as Partial<UiState> | undefined) ?? {}) }),
    saveUiState: (s) => void vscode.setState(s),
    onMessage(handler) {
      window.addEventListener('message', (event: MessageEvent) => {
        let message: In;
        try {
          message = validate(event.data);
        } catch (e) {
          console.warn(e instanceof Error ? e.message : e);
          return;
        }
        handler(message);
      });
    },
  };
}

/** Adds a stylesheet: constructable sheets where supported, else a <style> with the page nonce. */
export function adoptStyles(cssText: string): void {
  const doc = document as Document & { adoptedStyleSheets?: CSSStyleSheet[] };
  try {
    const sheet = new CSSStyleSheet();
    sheet.replaceSync(cssText);
    doc.adoptedStyleSheets = [...(doc.adoptedStyleSheets ?? []), sheet];
    return;
  } catch {
    // fall through: an engine without constructable stylesheets
  }
  const style = document.createElement('style');
  const nonce = document.querySelector<HTMLMetaElement>('meta[name="cnnlab-style-nonce"]')?.content;
  if (nonce) style.nonce = nonce;
  style.textContent = cssText;
  document.head.appendChild(style);
}

/** Element helper: h('div', {class: 'x'}, child, 'text'). Text is always set as text, never HTML. */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs?: Record<string, string | number | boolean | undefined | ((e: Event) => void)>,
  ...children: (Node | string | null | undefined | false)[]
): HTMLElementTagNameMap[K];
export function h(
  tag: string,
  attrs?: Record<string, string | number | boolean | undefined | ((e: Event) => void)>,
  ...children: (Node | string | null | undefined | false)[]
): HTMLElement;
export function h(
  tag: string,
  attrs: Record<string, string | number | boolean | undefined | ((e: Event) => void)> = {},
  ...children: (Node | string | null | undefined | false)[]
): HTMLElement {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === false) continue;
    if (typeof v === 'function') el.addEventListener(k.replace(/^on/, '').toLowerCase(), v);
    // through the CSSOM: the CSP blocks style attributes in markup, not el.style
    else if (k === 'style') el.style.cssText = String(v);
    else if (v === true) el.setAttribute(k, '');
    else el.setAttribute(k, String(v));
  }
  for (const c of children) if (c !== null && c !== undefined && c !== false) el.append(c);
  return el;
}

export function formatCount(n: number): string {
  return n.toLocaleString('en-US');
}

export function formatPercent(x: number | undefined, digits = 1): string {
  return x === undefined || !Number.isFinite(x) ? '–' : `${(x * 100).toFixed(digits)}%`;
}

export { formatDuration } from '../src/core/duration.ts';
