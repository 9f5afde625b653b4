// The HTML shell of every CNN Lab webview: CSP `default-src 'none'`, scripts only by a
// crypto-random nonce, styles from the extension's own files, images only from the roots the
// view was given (the text itself is built in webviewShellHtml.ts). The script is the view's esbuild bundle (dist/webview/NAME.js).
import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';
import { escapeHtml, webviewShellHtml } from './webviewShellHtml.ts';

export function makeNonce(): string {
  return randomBytes(18)
    .toString('base64')
    .replace(/[^A-Za-z0-9]/g, '');
}

export interface WebviewShellOptions {
  webview: vscode.Webview;
  extensionUri: vscode.Uri;
  /** the bundle name: dist/webview/<script>.js */
  script: string;
  title: string;
  /** remote images the page shows (Predict from URL): the CSP allows exactly these URLs */
  imageUrls?: readonly string[];
}

/** Roots a view may load from: its bundles and media only (image views add their folders). */
export function baseResourceRoots(extensionUri: vscode.Uri): vscode.Uri[] {
  return [vscode.Uri.joinPath(extensionUri, 'dist', 'webview'), vscode.Uri.joinPath(extensionUri, 'media')];
}

export function renderWebviewShell({ webview, extensionUri, script, title, imageUrls }: WebviewShellOptions): string {
  return webviewShellHtml({
    cspSource: webview.cspSource,
    nonce: makeNonce(),
    scriptUri: webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, 'dist', 'webview', `${script}.js`)).toString(),
    styleUri: webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, 'media', 'webview.css')).toString(),
    title,
    imageUrls,
  });
}

export { escapeHtml };
