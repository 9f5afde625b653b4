// The Content-Security-Policy of every CNN Lab webview, kept apart from webviewHtml.ts (which needs
// `vscode`) so a plain unit test can check it: nothing remote, no inline or eval'd script.

/**
 * `cspSource` is the webview's own origin (webview.cspSource): images, styles and fonts only from
 * the extension's files (and data: images), scripts only with the page's nonce.
 */
export function contentSecurityPolicy(cspSource: string, nonce: string): string {
  return [
    "default-src 'none'",
    `img-src ${cspSource} data:`,
    // vscode-elements and uPlot style through constructable sheets and the CSSOM; the nonce allows
    // the one style element the bundle may add for uPlot's stylesheet
    `style-src ${cspSource} 'nonce-${nonce}'`,
    `font-src ${cspSource}`,
    `script-src 'nonce-${nonce}'`,
  ].join('; ');
}
