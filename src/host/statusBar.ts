// The CNN Lab status bar item: the compute backend when idle, the run's phase, epoch, batch and
// ETA while training. Clicking it opens the training dashboard.
import * as vscode from 'vscode';
import { settings } from './config.ts';
import { formatDuration } from '../core/duration.ts';
import { COMMANDS } from './commands.ts';
import type { RunProgress, RunStatus } from '../protocol/webview/dashboard.ts';

/** "fine-tune · epoch 2/5 · batch 14/40 · ETA 1m 05s" */
export function formatProgress(p: RunProgress): string {
  const parts: string[] = [p.phase ?? 'starting'];
  if (p.epochs) parts.push(`epoch ${Math.min(p.epoch + 1, p.epochs)}/${p.epochs}`);
  if (p.batches) parts.push(`batch ${p.batch}/${p.batches}`);
  if (p.etaSeconds !== undefined) parts.push(`ETA ${formatDuration(p.etaSeconds)}`);
  return parts.join(' · ');
}

export class CnnLabStatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('cnnLab.status', vscode.StatusBarAlignment.Left, 50);
  private backend: string;

  constructor() {
    this.item.name = 'CNN Lab';
    this.item.command = COMMANDS.showDashboard.id;
    this.backend = settings.backend;
    this.showIdle();
  }

  setBackend(backend: string): void {
    this.backend = backend;
  }

  showIdle(last?: { status: RunStatus; accuracy?: number }): void {
    const tail =
      last?.status === 'done' && last.accuracy !== undefined
        ? ` · acc ${(last.accuracy * 100).toFixed(1)}%`
        : last?.status === 'failed'
          ? ' · last run failed'
          : '';
    this.item.text = `$(chip) ${this.backend}${tail}`;
    this.item.tooltip = new vscode.MarkdownString(
      `**CNN Lab**: compute backend \`${this.backend}\`${tail ? `\n\nLast run:${tail.replace(' ·', '')}` : ''}\n\nClick for the training dashboard.`,
    );
    this.item.backgroundColor = last?.status === 'failed' ? new vscode.ThemeColor('statusBarItem.errorBackground') : undefined;
    this.item.show();
  }

  showProgress(progress: RunProgress): void {
    this.item.text = `$(sync~spin) CNN Lab ${this.backend}: ${formatProgress(progress)}`;
    this.item.tooltip = `CNN Lab is training on ${this.backend}. Click for the dashboard.`;
    this.item.backgroundColor = undefined;
    this.item.show();
  }

  dispose(): void {
    this.item.dispose();
  }
}
