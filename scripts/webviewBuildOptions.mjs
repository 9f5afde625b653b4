// How a webview entry (webview/<name>.ts) is bundled: one browser IIFE with its CSS inlined as
// text. Shared by esbuild.mjs (what ships), the webview tests' jsdom harness and
// bench/dashboard-points.mjs, so what they load is built as the extension's bundle is.
export const WEBVIEW_BUILD_OPTIONS = {
  bundle: true,
  platform: 'browser',
  format: 'iife',
  target: 'es2022',
  loader: { '.css': 'text' },
};
