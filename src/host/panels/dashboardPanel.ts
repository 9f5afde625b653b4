// The training dashboard panel. The host owns the metric history: when the webview says `ready`
// (first load, reload, restore after a window reload) it gets a snapshot of the run, then deltas,
// batched every 200 ms so tens of thousands of batches stay smooth.
import { dirname } from 'node:path';
import * as vscode from 'vscode';
import { COMMANDS, PANELS } from '../commands.ts';
import { DisposableStore } from '../disposable.ts';
import type { HistoryCursor, RunHistory } from '../training/metricHistory.ts';
import type { RunController } from '../training/runController.ts';
import { baseResourceRoots, renderWebviewShell } from '../webviewHtml.ts';
import {
  validateDashboardFromWebview,
  type DashboardResult,
  type DashboardToWebview,
  type RunSnapshot,
} from '../../protocol/webview/dashboard.ts';
import { acceptMessage } from '../../protocol/webview/check.ts';

const FLUSH_MS = 200;

export class DashboardPanel {
  private static current: DashboardPanel | undefined;

  static show(context: vscode.ExtensionContext, runs: RunController, log: vscode.LogOutputChannel): DashboardPanel {
    if (DashboardPanel.current) {
      DashboardPanel.current.panel.reveal(undefined, true);
      return DashboardPanel.current;
    }
    const panel = vscode.window.createWebviewPanel(
      PANELS.dashboard,
      'CNN Lab: Training',
      { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true },
      DashboardPanel.options(context, runs),
    );
    return new DashboardPanel(panel, context, runs, log);
  }

  /** Restores the panel after a window reload (the serializer's entry). */
  static revive(
    panel: vscode.WebviewPanel,
    context: vscode.ExtensionContext,
    runs: RunController,
    log: vscode.LogOutputChannel,
  ): DashboardPanel {
    DashboardPanel.current?.panel.dispose();
    panel.webview.options = DashboardPanel.options(context, runs);
    return new DashboardPanel(panel, context, runs, log);
  }

  private static options(context: vscode.ExtensionContext, runs: RunController): vscode.WebviewOptions & vscode.WebviewPanelOptions {
    // thumbnails of misclassified images come from the dataset folder of the run
    const data = runs.store.latest?.snapshot().experimentPath;
    const roots = baseResourceRoots(context.extensionUri);
    for (const folder of vscode.workspace.workspaceFolders ?? []) roots.push(folder.uri);
    if (data) roots.push(vscode.Uri.file(dirname(data)));
    return { enableScripts: true, localResourceRoots: roots };
  }

  private readonly disposables = new DisposableStore();
  private ready = false;
  private cursor: HistoryCursor | undefined;
  private shown: RunHistory | undefined;
  private flushTimer: ReturnType<typeof setTimeout> | undefined;

  private constructor(
    private readonly panel: vscode.WebviewPanel,
    private readonly context: vscode.ExtensionContext,
    private readonly runs: RunController,
    private readonly log: vscode.LogOutputChannel,
  ) {
    DashboardPanel.current = this;
    panel.iconPath = vscode.Uri.joinPath(context.extensionUri, 'media', 'cnn-lab-activity.svg');
    panel.webview.html = renderWebviewShell({
      webview: panel.webview,
      extensionUri: context.extensionUri,
      script: 'dashboard',
      title: 'CNN Lab: Training',
    });
    this.shown = runs.store.latest;
    this.disposables.track(panel.onDidDispose(() => this.dispose()));
    this.disposables.track(panel.webview.onDidReceiveMessage((m) => this.onMessage(m)));
    // hidden webviews lose their DOM; they say `ready` again when shown and get a fresh snapshot
    this.disposables.track(panel.onDidChangeViewState(() => panel.visible || (this.ready = false)));
    this.disposables.track(
      runs.onDidStart((run) => {
        this.shown = run;
        this.sendSnapshot();
      }),
    );
    this.disposables.track(runs.onDidChange((run) => run === this.shown && this.scheduleFlush()));
  }

  private post(message: DashboardToWebview): void {
    void this.panel.webview.postMessage(message);
  }

  private withThumbnails<T extends { result?: DashboardResult }>(x: T): T {
    if (!x.result) return x;
    const webview = this.panel.webview;
    return {
      ...x,
      result: {
        ...x.result,
        misclassified: x.result.misclassified.map((m) => ({ ...m, src: webview.asWebviewUri(vscode.Uri.file(m.path)).toString() })),
      },
    };
  }

  private sendSnapshot(): void {
    if (!this.ready) return;
    const run = this.shown;
    const snapshot: RunSnapshot | null = run ? this.withThumbnails(run.snapshot()) : null;
    this.cursor = run?.cursor();
    this.post({ type: 'snapshot', run: snapshot });
  }

  private scheduleFlush(): void {
    if (this.flushTimer || !this.ready) return;
    this.flushTimer = setTimeout(() => {
      this.flushTimer = undefined;
      const run = this.shown;
      if (!run || !this.cursor || !this.ready) return;
      const next = run.deltaSince(this.cursor);
      if (!next) return;
      this.cursor = next.cursor;
      this.post({ type: 'delta', delta: this.withThumbnails(next.delta) });
    }, FLUSH_MS);
  }

  private onMessage(raw: unknown): void {
    const message = acceptMessage(validateDashboardFromWebview, raw, (reason) => this.log.warn(reason));
    if (!message) return;
    switch (message.type) {
      case 'ready':
        this.ready = true;
        this.sendSnapshot();
        return;
      case 'stop':
        if (this.runs.activeRun?.runId === message.runId) void this.runs.cancel(message.keepBest);
        return;
      case 'openFile': {
        // only files the run reported, never an arbitrary path from the webview
        const result = this.shown?.snapshot().result;
        const allowed = result?.misclassified.some((m) => m.path === message.path);
        if (allowed)
          void vscode.commands.executeCommand('vscode.open', vscode.Uri.file(message.path), {
            preview: true,
            viewColumn: vscode.ViewColumn.One,
          });
        // a skipped entry may be a folder, a broken link or an unreadable file: show it in the OS
        else if (result?.skipped.some((f) => f.path === message.path))
          void vscode.commands.executeCommand('revealFileInOS', vscode.Uri.file(message.path));
        else this.log.warn(`dashboard asked to open a file the run did not report: ${message.path}`);
        return;
      }
      case 'openModel':
        if (this.shown?.snapshot().result?.modelDir === message.modelDir) {
          void vscode.commands.executeCommand(COMMANDS.openArchitecture.id, vscode.Uri.file(message.modelDir));
        }
        return;
      default: {
        const never: never = message;
        this.log.warn(`unhandled dashboard message ${JSON.stringify(never)}`);
      }
    }
  }

  dispose(): void {
    if (DashboardPanel.current === this) DashboardPanel.current = undefined;
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.disposables.dispose();
    this.panel.dispose();
  }
}
