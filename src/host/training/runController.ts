// Starts and steers training runs: reads the experiment file, resolves it for the engine, sends
// `train`, routes the engine's notifications into the metric history, and reports progress in a
// notification (with cancel), the status bar and the dashboard. One run at a time.
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, relative } from 'node:path';
import * as vscode from 'vscode';
import { settings } from '../config.ts';
import type { EngineNotification, TrainResult } from '../../protocol/messages.ts';
import { EngineCrashedError, EngineUnresponsiveError, type EngineClient } from '../engineClient.ts';
import { COMMANDS, EXPERIMENT_FILE_SUFFIX } from '../commands.ts';
import { Emitter } from '../disposable.ts';
import { parseExperimentText, resolveExperimentPaths } from '../experiment/experimentFile.ts';
import type { CnnLabStatusBar } from '../statusBar.ts';
import { formatProgress } from '../statusBar.ts';
import { ensureTrusted } from '../trust.ts';
import { confirmOutsidePaths, confirmRemoteFetch } from '../consent.ts';
import { MetricHistoryStore, type RunHistory } from './metricHistory.ts';
import { resumableCheckpoint } from './checkpoint.ts';
import { checkpointDirOf } from '../../core/checkpointPath.ts';
import { describeTrainedLayers } from './trainedLayers.ts';

export const LAST_MODEL_KEY = 'cnnLab.lastModelDir';

/** Where models are saved: `cnnLab.modelsDir` relative to the folder of `forFile` (or absolute). */
export function modelsRoot(forFile?: vscode.Uri): string | undefined {
  const setting = settings.modelsDir;
  if (isAbsolute(setting)) return setting;
  const folder = (forFile && vscode.workspace.getWorkspaceFolder(forFile)) ?? vscode.workspace.workspaceFolders?.[0];
  return folder ? join(folder.uri.fsPath, setting) : undefined;
}

export class RunController implements vscode.Disposable {
  readonly store = new MetricHistoryStore();
  private active: RunHistory | undefined;
  private readonly changed = new Emitter<RunHistory>();
  private readonly started = new Emitter<RunHistory>();
  /** a run changed (any notification, end of run) */
  readonly onDidChange = this.changed.event;
  /** a new run began: the dashboard shows it */
  readonly onDidStart = this.started.event;

  constructor(
    private readonly engine: EngineClient,
    private readonly context: vscode.ExtensionContext,
    private readonly statusBar: CnnLabStatusBar,
    private readonly log: vscode.LogOutputChannel,
  ) {}

  get activeRun(): RunHistory | undefined {
    return this.active;
  }

  /** Feeds one engine notification (every notification of the engine comes here). */
  handleNotification(n: EngineNotification): void {
    const run = this.store.apply(n, Date.now());
    if (!run) return;
    if (run === this.active && n.method === 'phase' && n.params.backend) this.statusBar.setBackend(n.params.backend);
    if (run === this.active && run.currentStatus === 'running') this.statusBar.showProgress(run.currentProgress);
    this.changed.fire(run);
  }

  /** Runs an experiment file. Resolves when the run has ended (done, cancelled or failed). */
  async run(experimentUri: vscode.Uri, options: { resume?: boolean } = {}): Promise<TrainResult | undefined> {
    if (!(await ensureTrusted('Training'))) return undefined;
    if (this.active) {
      const show = 'Show Dashboard';
      const pick = await vscode.window.showWarningMessage('A CNN Lab training run is already in progress.', show);
      if (pick === show) await vscode.commands.executeCommand(COMMANDS.showDashboard.id);
      return undefined;
    }
    const document = await vscode.workspace.openTextDocument(experimentUri);
    // unsaved edits (e.g. from the freeze panel) belong to this run
    if (document.isDirty) await document.save();
    const file = experimentUri.fsPath;
    const name = basename(file)
      .replace(EXPERIMENT_FILE_SUFFIX, '')
      .replace(/\.json$/, '');
    const root = modelsRoot(experimentUri) ?? join(dirname(file), 'models');
    let config;
    try {
      config = parseExperimentText(
        document.getText(),
        vscode.workspace.asRelativePath(experimentUri),
        relative(dirname(file), join(root, name)) || name,
      );
    } catch (e) {
      void vscode.window.showErrorMessage((e as Error).message);
      return undefined;
    }
    const resolved = resolveExperimentPaths(config, file);
    // a cloned repo's experiment file must not quietly write or read outside the workspace, nor download
    const refused = await confirmOutsidePaths(this.context, experimentUri, resolved);
    if (refused !== undefined) {
      void vscode.window.showInformationMessage(
        `Run Experiment cancelled: ${refused} is outside the workspace and was not allowed. Nothing was started.`,
      );
      return undefined;
    }
    if (/^https?:\/\//i.test(resolved.base)) {
      const why = `"base" in ${vscode.workspace.asRelativePath(experimentUri)} is a URL: the run downloads that model as its base.`;
      if (!(await confirmRemoteFetch(this.context, resolved.base, file, why))) {
        void vscode.window.showInformationMessage(
          `Run Experiment cancelled: the download of ${resolved.base} was not allowed. Nothing was started.`,
        );
        return undefined;
      }
    }
    if (resolved.backend === 'auto') resolved.backend = settings.backend;

    const runId = `run-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
    const run = this.store.begin(
      {
        runId,
        title: `${name} · ${resolved.base}`,
        experimentPath: file,
        backend: resolved.backend,
        plannedEpochs: { transfer: resolved.transfer.epochs, 'fine-tune': resolved.fineTune.epochs },
      },
      Date.now(),
    );
    this.active = run;
    void vscode.commands.executeCommand('setContext', 'cnnLab.training', true);
    this.started.fire(run);
    this.statusBar.showProgress(run.currentProgress);
    this.log.info(`[${runId}] training ${file} → ${resolved.out} (base ${resolved.base}, backend ${resolved.backend})`);

    try {
      return await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: `CNN Lab: training ${name}`, cancellable: true },
        async (progress, token) => {
          token.onCancellationRequested(() => void this.cancel(false));
          const sub = this.onDidChange((r) => {
            if (r === run) progress.report({ message: formatProgress(r.currentProgress) });
          });
          try {
            const result = await this.engine.request('train', { runId, config: resolved, resume: options.resume === true });
            run.finish(result);
            this.changed.fire(run);
            for (const line of describeTrainedLayers(result)) this.log.info(`[${runId}] ${line}`);
            if (result.saved) await this.context.workspaceState.update(LAST_MODEL_KEY, result.modelDir);
            void this.announce(result);
            return result;
          } catch (e) {
            const message =
              e instanceof EngineCrashedError || e instanceof EngineUnresponsiveError
                ? `${e.message} The run ended; its last checkpoint (if one was written) is kept in ${checkpointDirOf(resolved.out)}, and ${resolved.out} is as it was.`
                : `Training failed: ${(e as Error).message}`;
            run.fail(message);
            this.changed.fire(run);
            this.log.error(`[${runId}] ${message}`);
            const showLog = 'Show Log';
            // A crash or a divergence leaves a checkpoint: offer to continue from it.
            const checkpoint = resumableCheckpoint(resolved.out);
            const resume = checkpoint ? `Resume from ${checkpoint.phase} epoch ${checkpoint.epoch}` : undefined;
            void vscode.window.showErrorMessage(message, ...(resume ? [resume, showLog] : [showLog])).then((p) => {
              if (p === showLog) this.log.show(true);
              else if (p && p === resume) void this.run(experimentUri, { resume: true });
            });
            return undefined;
          } finally {
            sub.dispose();
          }
        },
      );
    } finally {
      this.active = undefined;
      void vscode.commands.executeCommand('setContext', 'cnnLab.training', false);
      const snapshot = run.snapshot();
      this.statusBar.showIdle({ status: snapshot.status, accuracy: snapshot.result?.accuracy });
    }
  }

  /** Asks the engine to stop the active run; keepBest saves the best epoch's weights. */
  async cancel(keepBest: boolean): Promise<boolean> {
    const run = this.active;
    if (!run) {
      void vscode.window.showInformationMessage('No CNN Lab training run is in progress.');
      return false;
    }
    this.log.info(`[${run.runId}] stopping${keepBest ? ', keeping the best epoch' : ''}`);
    try {
      const { cancelled } = await this.engine.request('cancel', { runId: run.runId, keepBest });
      return cancelled;
    } catch (e) {
      this.log.error(`[${run.runId}] cancel failed: ${(e as Error).message}`);
      return false;
    }
  }

  private async announce(result: TrainResult): Promise<void> {
    const acc = result.evaluation ? ` Validation accuracy ${(result.evaluation.accuracy * 100).toFixed(1)}%.` : '';
    const dir = vscode.workspace.asRelativePath(result.modelDir);
    const report = 'Open Report';
    if (!result.saved) {
      // stopped without keeping the best epoch: the previous model (if any) is untouched
      const checkpoint = existsSync(checkpointDirOf(result.modelDir))
        ? ` Its last checkpoint is in ${vscode.workspace.asRelativePath(checkpointDirOf(result.modelDir))}.`
        : '';
      const pick = await vscode.window.showInformationMessage(
        `Training stopped; nothing was saved, ${dir} is left as it was.${checkpoint}`,
        report,
      );
      if (pick === report) await vscode.commands.executeCommand(COMMANDS.showDashboard.id);
      return;
    }
    const what = result.cancelled ? 'Training stopped; the best epoch was' : 'Training finished; model';
    const predict = 'Predict…';
    const arch = 'Open Architecture';
    const pick = await vscode.window.showInformationMessage(`${what} saved to ${dir}.${acc}`, predict, arch, report);
    if (pick === predict) await vscode.commands.executeCommand(COMMANDS.predict.id);
    else if (pick === arch) await vscode.commands.executeCommand(COMMANDS.openArchitecture.id, vscode.Uri.file(result.modelDir));
    else if (pick === report) await vscode.commands.executeCommand(COMMANDS.showDashboard.id);
  }

  dispose(): void {
    this.changed.dispose();
    this.started.dispose();
  }
}
