// The architecture view: every layer with output shape, parameters and trainable flag; the bundled
// bases' blocks collapsible; totals; for models defined in code, a click reveals the layer's line.
import * as vscode from 'vscode';
import { PANELS } from '../commands.ts';
import { DisposableStore } from '../disposable.ts';
import type { EngineClient } from '../engineClient.ts';
import { loadArchitecture, type LoadedArchitecture } from '../architecture/loadArchitecture.ts';
import { totalsOf } from '../architecture/layerGroups.ts';
import { baseResourceRoots, renderWebviewShell } from '../webviewHtml.ts';
import { validateArchitectureFromWebview, type ArchitectureToWebview } from '../../protocol/webview/architecture.ts';
import { acceptMessage } from '../../protocol/webview/check.ts';

export class ArchitecturePanel {
  private static current: ArchitecturePanel | undefined;

  static async open(
    context: vscode.ExtensionContext,
    engine: EngineClient,
    log: vscode.LogOutputChannel,
    target?: vscode.Uri,
  ): Promise<void> {
    let loaded: LoadedArchitecture;
    try {
      loaded = await vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: 'CNN Lab: reading the model' }, () =>
        loadArchitecture(target, engine),
      );
    } catch (e) {
      void vscode.window.showErrorMessage((e as Error).message);
      return;
    }
    const panel = ArchitecturePanel.current ?? new ArchitecturePanel(ArchitecturePanel.createPanel(context), context, log);
    panel.show(loaded);
  }

  static revive(panel: vscode.WebviewPanel, context: vscode.ExtensionContext, log: vscode.LogOutputChannel): void {
    // the revived panel has no model until the user opens one again; it says so
    ArchitecturePanel.current?.panel.dispose();
    new ArchitecturePanel(panel, context, log);
  }

  private static createPanel(context: vscode.ExtensionContext): vscode.WebviewPanel {
    return vscode.window.createWebviewPanel(PANELS.architecture, 'CNN Lab: Architecture', vscode.ViewColumn.Beside, {
      enableScripts: true,
      localResourceRoots: baseResourceRoots(context.extensionUri),
    });
  }

  private readonly disposables = new DisposableStore();
  private loaded: LoadedArchitecture | undefined;

  private constructor(
    private readonly panel: vscode.WebviewPanel,
    context: vscode.ExtensionContext,
    private readonly log: vscode.LogOutputChannel,
  ) {
    ArchitecturePanel.current = this;
    panel.webview.options = { enableScripts: true, localResourceRoots: baseResourceRoots(context.extensionUri) };
    panel.iconPath = vscode.Uri.joinPath(context.extensionUri, 'media', 'cnn-lab-activity.svg');
    panel.webview.html = renderWebviewShell({
      webview: panel.webview,
      extensionUri: context.extensionUri,
      script: 'architecture',
      title: 'CNN Lab: Architecture',
    });
    this.disposables.track(panel.onDidDispose(() => this.dispose()));
    this.disposables.track(panel.webview.onDidReceiveMessage((m) => this.onMessage(m)));
  }

  private show(loaded: LoadedArchitecture): void {
    this.loaded = loaded;
    this.panel.title = `Architecture: ${loaded.title}`;
    this.post();
    this.panel.reveal(undefined, true);
  }

  private post(): void {
    const l = this.loaded;
    const message: ArchitectureToWebview = l
      ? {
          type: 'architecture',
          state: { title: l.title, description: l.description, rows: l.rows, totals: totalsOf(l.rows), revealable: Boolean(l.codeUri) },
        }
      : { type: 'error', message: 'Run "CNN Lab: Open Model Architecture" on a model directory, model.json, experiment or model code.' };
    void this.panel.webview.postMessage(message);
  }

  private onMessage(raw: unknown): void {
    const message = acceptMessage(validateArchitectureFromWebview, raw, (reason) => this.log.warn(reason));
    if (!message) return;
    if (message.type === 'ready') return this.post();
    const row = this.loaded?.rows[message.index];
    const uri = this.loaded?.codeUri;
    if (!row || !uri || row.line === undefined) return;
    const position = new vscode.Position(row.line, 0);
    void vscode.window.showTextDocument(uri, { viewColumn: vscode.ViewColumn.One, selection: new vscode.Range(position, position) });
  }

  dispose(): void {
    if (ArchitecturePanel.current === this) ArchitecturePanel.current = undefined;
    this.disposables.dispose();
    this.panel.dispose();
  }
}
