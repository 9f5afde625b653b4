// The Content-Security-Policy of every CNN Lab webview, kept apart from webviewHtml.ts (which needs
// `vscode`) so a plain unit test can check it: nothing remote, no inline or eval'd script.

/**
 * `cspSource` is the webview's own origin (webview.cspSource): images, styles and fonts only from
 * the extension's files (and data: images), scripts only with the page's nonce. `imageUrls` are
 * remote images the view shows (Predict from URL): each is allowed exactly, never its host.
 * `base-uri 'none'` so injected markup cannot re-point relative URLs (the bundle, the stylesheet)
 * at another host; `form-action 'none'` so nothing can be posted anywhere.
 */
export function contentSecurityPolicy(cspSource: string, nonce: string, imageUrls: readonly string[] = []): string {
  return [
    "default-src 'none'",
    `img-src ${[cspSource, 'data:', ...imageUrls.map(cspSourceForUrl)].join(' ')}`,
    // vscode-elements and uPlot style through constructable sheets and the CSSOM; the nonce allows
    // the one style element the bundle may add for uPlot's stylesheet
    `style-src ${cspSource} 'nonce-${nonce}'`,
    `font-src ${cspSource}`,
    `script-src 'nonce-${nonce}'`,
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
}

/**
 * One URL as a CSP source expression that matches that URL and nothing else: every character that
 * could end the expression or the directive (space, `;`, `,`, quotes) or the HTML attribute the
 * policy sits in (`"`, `<`, `>`, `&`), and `$` (special in String.replace patterns), is percent-encoded.
 */
export function cspSourceForUrl(raw: string): string {
  return raw.replace(/[^A-Za-z0-9\-._~:/?#[\]@!()*+=%]/g, (c) =>
    [...Buffer.from(c, 'utf8')].map((b) => `%${b.toString(16).toUpperCase().padStart(2, '0')}`).join(''),
  );
}
