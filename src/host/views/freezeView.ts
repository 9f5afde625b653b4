// The Freeze Layers view (CNN Lab activity bar): per-layer trainable toggles, ranges as text,
// presets, and a live trainable-parameter count for an experiment's base. Every change is written
// to the experiment file as one WorkspaceEdit (undoable like any edit) and saved, so the next run
// uses it.
import { basename } from 'node:path';
import * as vscode from 'vscode';
import { EXPERIMENT_FILE_SUFFIX } from '../commands.ts';
import { DisposableStore } from '../disposable.ts';
import type { EngineClient } from '../engineClient.ts';
import { baseLayers } from '../architecture/loadArchitecture.ts';
import { layerGroups } from '../architecture/layerGroups.ts';
import { parseExperimentText, resolveExperimentPaths, withFreeze } from '../experiment/experimentFile.ts';
import { baseResourceRoots, renderWebviewShell } from '../webviewHtml.ts';
import { validateFreezeFromWebview, type FreezeToWebview } from '../../protocol/webview/freeze.ts';
import { acceptMessage } from '../../protocol/webview/check.ts';

export class FreezeViewProvider implements vscode.WebviewViewProvider, vscode.Disposable {
  private view: vscode.WebviewView | undefined;
  private experiment: vscode.Uri | undefined;
  private readonly disposables = new DisposableStore();
  private viewDisposables = new DisposableStore();
  private generation = 0;

  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly engine: EngineClient,
    private readonly log: vscode.LogOutputChannel,
  ) {
    // follow the experiment file the user is editing
    this.disposables.track(
      vscode.window.onDidChangeActiveTextEditor((e) => {
        if (e && e.document.uri.fsPath.endsWith(EXPERIMENT_FILE_SUFFIX) && e.document.uri.toString() !== this.experiment?.toString()) {
          this.experiment = e.document.uri;
          void this.refresh();
        }
      }),
    );
    this.disposables.track(
      vscode.workspace.onDidChangeTextDocument((e) => {
        if (this.experiment && e.document.uri.toString() === this.experiment.toString() && e.contentChanges.length) void this.refresh();
      }),
    );
  }

  /** Shows `uri` in the view (e.g. after the wizard wrote it). */
  setExperiment(uri: vscode.Uri): void {
    this.experiment = uri;
    void this.refresh();
  }

  resolveWebviewView(view: vscode.WebviewView): void {
    this.viewDisposables.dispose();
    this.view = view;
    view.webview.options = { enableScripts: true, localResourceRoots: baseResourceRoots(this.context.extensionUri) };
    view.webview.html = renderWebviewShell({
      webview: view.webview,
      extensionUri: this.context.extensionUri,
      script: 'freeze',
      title: 'Freeze Layers',
    });
    const subs = new DisposableStore();
    subs.track(view.webview.onDidReceiveMessage((m) => void this.onMessage(m)));
    subs.track(view.onDidDispose(() => (this.view = undefined)));
    this.viewDisposables = subs;
  }

  private post(message: FreezeToWebview): void {
    void this.view?.webview.postMessage(message);
  }

  private async findExperiment(): Promise<vscode.Uri | undefined> {
    if (this.experiment) return this.experiment;
    const active = vscode.window.activeTextEditor?.document.uri;
    if (active?.fsPath.endsWith(EXPERIMENT_FILE_SUFFIX)) return active;
    const found = await vscode.workspace.findFiles(`**/*${EXPERIMENT_FILE_SUFFIX}`, '**/node_modules/**', 20);
    found.sort((a, b) => a.fsPath.localeCompare(b.fsPath));
    return found[0];
  }

  async refresh(): Promise<void> {
    if (!this.view) return;
    const generation = ++this.generation;
    const uri = (this.experiment = await this.findExperiment());
    if (!uri) {
      this.post({
        type: 'empty',
        message: 'No experiment file (*.cnnlab.json) in this workspace yet. Run "CNN Lab: Train Transfer Model" to create one.',
      });
      return;
    }
    const rel = vscode.workspace.asRelativePath(uri);
    try {
      const document = await vscode.workspace.openTextDocument(uri);
      const config = resolveExperimentPaths(parseExperimentText(document.getText(), rel), uri.fsPath);
      this.post({ type: 'loading', message: `Reading the layers of ${basename(config.base)}…` });
      const rows = await baseLayers(config.base, this.engine);
      if (generation !== this.generation) return; // a newer refresh is under way
      const groups = layerGroups(rows.map((r) => r.name));
      this.post({
        type: 'state',
        state: {
          experimentPath: uri.fsPath,
          experimentName: rel,
          base: config.base,
          freeze: config.freeze,
          layers: rows.map((r, i) => ({ name: r.name, className: r.className, params: r.params, group: groups[i] })),
          fineTuneEpochs: config.fineTune.epochs,
        },
      });
    } catch (e) {
      if (generation === this.generation) this.post({ type: 'empty', message: (e as Error).message });
    }
  }

  private async onMessage(raw: unknown): Promise<void> {
    const message = acceptMessage(validateFreezeFromWebview, raw, (reason) => this.log.warn(reason));
    if (!message) return;
    switch (message.type) {
      case 'ready':
        return this.refresh();
      case 'chooseExperiment': {
        const files = await vscode.workspace.findFiles(`**/*${EXPERIMENT_FILE_SUFFIX}`, '**/node_modules/**', 200);
        const pick = await vscode.window.showQuickPick(
          files.map((f) => ({ label: basename(f.fsPath), description: vscode.workspace.asRelativePath(f), uri: f })),
          { title: 'CNN Lab: experiment to edit' },
        );
        if (pick) this.setExperiment(pick.uri);
        return;
      }
      case 'setFreeze':
        return this.writeFreeze(message.freeze);
      default: {
        const never: never = message;
        this.log.warn(`unhandled freeze message ${JSON.stringify(never)}`);
      }
    }
  }

  /** One undoable edit of the experiment file, then saved so the next run reads it. */
  private async writeFreeze(freeze: string[]): Promise<void> {
    const uri = this.experiment;
    if (!uri) return;
    try {
      const document = await vscode.workspace.openTextDocument(uri);
      const text = withFreeze(document.getText(), vscode.workspace.asRelativePath(uri), freeze);
      if (text === document.getText()) return;
      const edit = new vscode.WorkspaceEdit();
      edit.replace(uri, new vscode.Range(document.positionAt(0), document.positionAt(document.getText().length)), text);
      if (!(await vscode.workspace.applyEdit(edit))) throw new Error('the edit was refused');
      await document.save();
      this.log.info(`freeze of ${vscode.workspace.asRelativePath(uri)} set to ${JSON.stringify(freeze)}`);
    } catch (e) {
      void vscode.window.showErrorMessage(`Could not update the freeze ranges: ${(e as Error).message}`);
    }
  }

  dispose(): void {
    this.viewDisposables.dispose();
    this.disposables.dispose();
  }
}
