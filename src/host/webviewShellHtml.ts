// The HTML text of every CNN Lab webview's shell, without `vscode` so a plain unit test can render
// it. Built with one template literal: nothing is ever substituted with String.replace and a
// replacement string, where `$'`, `$&` or `$1` in a URL or title would splice document text.
import { contentSecurityPolicy } from './webviewCsp.ts';

export interface ShellParts {
  cspSource: string;
  nonce: string;
  scriptUri: string;
  styleUri: string;
  title: string;
  /** remote images the page shows (each allowed exactly by the CSP) */
  imageUrls?: readonly string[];
}

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

export function webviewShellHtml({ cspSource, nonce, scriptUri, styleUri, title, imageUrls = [] }: ShellParts): string {
  const csp = contentSecurityPolicy(cspSource, nonce, imageUrls);
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${escapeHtml(csp)}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<meta name="cnnlab-style-nonce" content="${escapeHtml(nonce)}">
<link rel="stylesheet" href="${escapeHtml(styleUri)}">
<title>${escapeHtml(title)}</title>
</head>
<body>
<main id="root" aria-live="polite"></main>
<script nonce="${escapeHtml(nonce)}" src="${escapeHtml(scriptUri)}"></script>
</body>
</html>`;
}
