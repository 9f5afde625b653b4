// Ambient declarations for the webview bundles: CSS imported as text (esbuild's text loader) and
// the VS Code webview API global.
declare module '*.css' {
  const text: string;
  export default text;
}

interface VsCodeWebviewApi {
  postMessage(message: unknown): void;
  getState(): unknown;
  setState<T>(state: T): T;
}

declare function acquireVsCodeApi(): VsCodeWebviewApi;
