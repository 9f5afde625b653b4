// Loads a real webview bundle (built here with esbuild, as esbuild.mjs builds it) into jsdom with
// the page shell the host renders, a recording stand-in for acquireVsCodeApi, and a no-op 2D
// canvas (jsdom has none; uPlot draws into it). Messages from the "host" are dispatched as the
// webview would receive them.
import { build } from 'esbuild';
import { JSDOM } from 'jsdom';
import { join } from 'node:path';
import { WEBVIEW_BUILD_OPTIONS } from '../../scripts/webviewBuildOptions.mjs';

const root = join(__dirname, '..', '..');
const bundles = new Map<string, Promise<string>>();

function bundle(name: string): Promise<string> {
  let p = bundles.get(name);
  if (!p) {
    p = build({
      ...WEBVIEW_BUILD_OPTIONS,
      entryPoints: [join(root, 'webview', `${name}.ts`)],
      write: false,
      logLevel: 'silent',
    }).then((r) => r.outputFiles[0].text);
    bundles.set(name, p);
  }
  return p;
}

export interface LoadedWebview {
  window: JSDOM['window'];
  document: Document;
  /** messages the webview posted to the host */
  posted: unknown[];
  /** the UI state it saved with setState */
  savedState(): unknown;
  /** delivers a message from the host */
  send(message: unknown): Promise<void>;
  close(): void;
}

function noopContext(): CanvasRenderingContext2D {
  const target: Record<string | symbol, unknown> = { canvas: null };
  return new Proxy(target, {
    get: (t, key) => (key in t ? t[key] : key === 'measureText' ? () => ({ width: 10 }) : () => undefined),
    set: (t, key, value) => {
      t[key] = value;
      return true;
    },
  }) as unknown as CanvasRenderingContext2D;
}

export async function loadWebview(name: string, initialState?: unknown): Promise<LoadedWebview> {
  const code = await bundle(name);
  const dom = new JSDOM(
    `<!DOCTYPE html><html><head><meta name="cnnlab-style-nonce" content="test"></head><body class="vscode-dark"><main id="root"></main></body></html>`,
    { runScripts: 'outside-only', pretendToBeVisual: true, url: 'https://webview.test/' },
  );
  const { window } = dom;
  const posted: unknown[] = [];
  let state = initialState;
  Object.assign(window, {
    acquireVsCodeApi: () => ({
      postMessage: (m: unknown) => posted.push(JSON.parse(JSON.stringify(m))),
      getState: () => state,
      setState: (s: unknown) => (state = s),
    }),
    matchMedia: () => ({ matches: false, addListener() {}, removeListener() {}, addEventListener() {}, removeEventListener() {} }),
  });
  window.HTMLCanvasElement.prototype.getContext = function () {
    return noopContext();
  } as never;
  // jsdom lacks Path2D (uPlot builds its paths with it) and ElementInternals form values
  // (vscode-elements' buttons are form-associated): inert stand-ins, nothing is asserted on them
  (window as unknown as { Path2D: unknown }).Path2D = class {
    moveTo() {}
    lineTo() {}
    rect() {}
    arc() {}
    bezierCurveTo() {}
    closePath() {}
    addPath() {}
  };
  const internals = (window as unknown as { ElementInternals?: { prototype: Record<string, unknown> } }).ElementInternals;
  if (internals && typeof internals.prototype.setFormValue !== 'function') {
    internals.prototype.setFormValue = () => undefined;
    internals.prototype.setValidity = () => undefined;
  }
  const errors: unknown[] = [];
  window.addEventListener('error', (e) => errors.push(e.error ?? e.message));
  window.eval(code);
  if (errors.length) throw errors[0];
  const settle = () => new Promise<void>((resolve) => window.setTimeout(resolve, 20));
  await settle();
  return {
    window,
    document: window.document,
    posted,
    savedState: () => (state === undefined ? undefined : JSON.parse(JSON.stringify(state))),
    async send(message: unknown) {
      window.dispatchEvent(new window.MessageEvent('message', { data: message }));
      await settle();
    },
    close: () => window.close(),
  };
}
