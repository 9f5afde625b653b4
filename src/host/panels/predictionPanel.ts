// The prediction view: each image with its top-k classes as bars; several images as a table.
import { basename, dirname } from 'node:path';
import * as vscode from 'vscode';
import type { Prediction } from '../../protocol/messages.ts';
import { PANELS } from '../commands.ts';
import { DisposableStore } from '../disposable.ts';
import { baseResourceRoots, renderWebviewShell } from '../webviewHtml.ts';
import { validatePredictionFromWebview, type PredictionState } from '../../protocol/webview/prediction.ts';
import { acceptMessage } from '../../protocol/webview/check.ts';

export class PredictionPanel {
  private static current: PredictionPanel | undefined;

  /** Shows predictions of `modelDir` (creating or reusing the panel). */
  static show(
    context: vscode.ExtensionContext,
    log: vscode.LogOutputChannel,
    modelDir: string,
    backend: string,
    predictions: Prediction[],
  ): void {
    const current =
      PredictionPanel.current ??
      new PredictionPanel(
        vscode.window.createWebviewPanel(PANELS.prediction, 'CNN Lab: Prediction', vscode.ViewColumn.Beside, { enableScripts: true }),
        context,
        log,
      );
    current.setPredictions(modelDir, backend, predictions);
    current.panel.reveal(undefined, true);
  }

  static revive(panel: vscode.WebviewPanel, context: vscode.ExtensionContext, log: vscode.LogOutputChannel): void {
    PredictionPanel.current?.panel.dispose();
    const p = new PredictionPanel(panel, context, log);
    p.render();
  }

  private readonly disposables = new DisposableStore();
  private predictions: Prediction[] = [];
  private modelDir = '';
  private backend = '';

  private constructor(
    private readonly panel: vscode.WebviewPanel,
    private readonly context: vscode.ExtensionContext,
    private readonly log: vscode.LogOutputChannel,
  ) {
    PredictionPanel.current = this;
    panel.iconPath = vscode.Uri.joinPath(context.extensionUri, 'media', 'cnn-lab-activity.svg');
    this.disposables.track(panel.onDidDispose(() => this.dispose()));
    this.disposables.track(panel.webview.onDidReceiveMessage((m) => this.onMessage(m)));
  }

  private setPredictions(modelDir: string, backend: string, predictions: Prediction[]): void {
    this.modelDir = modelDir;
    this.backend = backend;
    this.predictions = predictions;
    this.render();
  }

  /** New html each time: the image folders (and a URL's origin) are part of the CSP and roots. */
  private render(): void {
    const local = this.predictions.filter((p) => !/^https?:/.test(p.source)).map((p) => vscode.Uri.file(dirname(p.source)));
    const remote = this.predictions.filter((p) => /^https?:/.test(p.source)).map((p) => p.source);
    this.panel.webview.options = { enableScripts: true, localResourceRoots: [...baseResourceRoots(this.context.extensionUri), ...local] };
    // the URL's image is shown as fetched by the browser: the CSP allows exactly those URLs. They go
    // in as data, never through html.replace, where `$'` in a URL would splice in document text.
    const html = renderWebviewShell({
      webview: this.panel.webview,
      extensionUri: this.context.extensionUri,
      script: 'prediction',
      title: 'CNN Lab: Prediction',
      imageUrls: remote,
    });
    this.panel.title =
      this.predictions.length === 1 ? `Prediction: ${basename(this.predictions[0].source)}` : `Predictions (${this.predictions.length})`;
    this.panel.webview.html = html;
  }

  private state(): PredictionState | null {
    if (!this.modelDir) return null;
    const webview = this.panel.webview;
    return {
      modelDir: this.modelDir,
      modelName: basename(this.modelDir),
      backend: this.backend,
      rows: this.predictions.map((p) => {
        const isUrl = /^https?:/.test(p.source);
        return {
          source: p.source,
          name: isUrl ? p.source : basename(p.source),
          src: isUrl ? p.source : webview.asWebviewUri(vscode.Uri.file(p.source)).toString(),
          top: p.top.map((t) => ({ label: t.label, probability: t.probability })),
          error: p.error,
        };
      }),
    };
  }

  private onMessage(raw: unknown): void {
    const message = acceptMessage(validatePredictionFromWebview, raw, (reason) => this.log.warn(reason));
    if (!message) return;
    if (message.type === 'ready') {
      void this.panel.webview.postMessage({ type: 'predictions', state: this.state() });
    } else if (message.type === 'openSource') {
      const known = this.predictions.find((p) => p.source === message.source);
      if (!known) return;
      const uri = /^https?:/.test(known.source) ? vscode.Uri.parse(known.source) : vscode.Uri.file(known.source);
      void vscode.commands.executeCommand(/^https?:/.test(known.source) ? 'vscode.open' : 'vscode.open', uri, {
        preview: true,
        viewColumn: vscode.ViewColumn.One,
      });
    }
  }

  dispose(): void {
    if (PredictionPanel.current === this) PredictionPanel.current = undefined;
    this.disposables.dispose();
    this.panel.dispose();
  }
}
