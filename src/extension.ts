// CNN Lab's extension entry. Activation is lazy and light: it wires commands, views and language
// features, and never loads TensorFlow.js — the engine process is forked on the first request
// that needs it (training, prediction, backends, a bundled base's layers).
import { join } from 'node:path';
import * as vscode from 'vscode';
import { settings } from './host/config.ts';
import { exportModel } from './host/export/exportModelCommand.ts';
import { ArchitecturePanel } from './host/panels/architecturePanel.ts';
import { selectBackend } from './host/backendPicker.ts';
import { COMMANDS, PANELS, VIEWS, type CommandKey } from './host/commands.ts';
import { EngineClient } from './host/engineClient.ts';
import { ENGINE_HOST_ENV } from './protocol/messages.ts';
import { runTrainWizard } from './host/experiment/trainWizard.ts';
import { registerLanguageFeatures } from './host/language/providers.ts';
import { showLayerShapes } from './host/language/showLayerShapes.ts';
import { DashboardPanel } from './host/panels/dashboardPanel.ts';
import { PredictionPanel } from './host/panels/predictionPanel.ts';
import { predictFiles, predictFromUrl } from './host/predict/predictCommands.ts';
import { NativeBackend, engineEnvFor } from './host/nativeBackend.ts';
import { thisMachine } from './host/native/nativeTarget.ts';
import { missingPlatformPackage } from './host/platformPackage.ts';
import { CnnLabStatusBar } from './host/statusBar.ts';
import { RunController } from './host/training/runController.ts';
import { FreezeViewProvider } from './host/views/freezeView.ts';

export function activate(context: vscode.ExtensionContext): void {
  const log = vscode.window.createOutputChannel('CNN Lab', { log: true });
  context.subscriptions.push(log);

  // CNN_LAB_HOST tells the engine it serves the editor, so its hints name what can be done there;
  // an installed native backend (Install Native Backend) is put on the engine's library path
  const baseEnv = { ...process.env, [ENGINE_HOST_ENV]: 'vscode' };
  const engine = new EngineClient({
    enginePath: join(context.extensionPath, 'dist', 'engine.js'),
    cwd: context.extensionPath,
    env: engineEnvFor(context.globalStorageUri.fsPath, baseEnv),
  });
  context.subscriptions.push(engine);
  engine.onStart((pid) => log.info(`engine started (pid ${pid})`));
  engine.onOutput(({ stream, text }) => {
    for (const line of text.split('\n')) {
      if (!line.trim()) continue;
      if (stream === 'stderr') log.warn(`[engine] ${line}`);
      else log.info(`[engine] ${line}`);
    }
  });
  engine.onExit((e) => {
    if (e.expected) log.info('engine stopped');
    else log.error(`engine exited unexpectedly (${e.signal ?? `code ${e.code}`}); it restarts on the next request`);
  });

  const statusBar = new CnnLabStatusBar();
  context.subscriptions.push(statusBar);
  const runs = new RunController(engine, context, statusBar, log);
  context.subscriptions.push(runs);
  const showBackend = (backend: string) => {
    statusBar.setBackend(backend);
    if (!runs.activeRun) statusBar.showIdle();
  };
  const native = new NativeBackend({
    context,
    engine,
    log,
    baseEnv,
    busy: () => (runs.activeRun ? 'a training run is in progress (cancel it or wait for it to end)' : undefined),
    onChanged: (installed) => {
      const configured = settings.backend;
      showBackend(installed && configured === 'auto' ? 'tensorflow' : configured);
    },
  });
  engine.onNotification((n) => {
    if (n.method === 'log') {
      const text = `${n.params.runId ? `[${n.params.runId}] ` : ''}${n.params.message}`;
      if (n.params.level === 'error') log.error(text);
      else if (n.params.level === 'warn') log.warn(text);
      else log.info(text);
      return;
    }
    if (n.method === 'phase') {
      log.info(`[${n.params.runId}] phase ${n.params.phase}${n.params.detail ? `: ${n.params.detail}` : ''}`);
      if (n.params.backend) void native.offerAfterFallback(n.params.backend);
    }
    if (n.method === 'epochEnd') {
      const p = n.params;
      const val = p.valAcc !== undefined ? ` val_loss ${p.valLoss?.toFixed(4)} val_acc ${p.valAcc.toFixed(4)}` : '';
      log.info(
        `[${p.runId}] ${p.phase} epoch ${p.epoch}/${p.epochs}: loss ${p.loss.toFixed(4)} acc ${p.acc.toFixed(4)}${val} (${p.seconds.toFixed(1)}s, ${p.imagesPerSecond.toFixed(1)} img/s)`,
      );
    }
    if (n.method === 'failed') log.error(`[${n.params.runId}] failed: ${n.params.error}`);
    runs.handleNotification(n);
  });

  const freezeView = new FreezeViewProvider(context, engine, log);
  context.subscriptions.push(freezeView, vscode.window.registerWebviewViewProvider(VIEWS.freeze, freezeView));

  const showDashboard = () => DashboardPanel.show(context, runs, log);
  runs.onDidStart(() => showDashboard());

  const runExperiment = async (uri?: vscode.Uri) => {
    const target = uri ?? vscode.window.activeTextEditor?.document.uri;
    const file = target?.fsPath.endsWith('.cnnlab.json')
      ? target
      : (
          await vscode.window.showQuickPick(
            (await vscode.workspace.findFiles('**/*.cnnlab.json', '**/node_modules/**', 200)).map((f) => ({
              label: vscode.workspace.asRelativePath(f),
              uri: f,
            })),
            { title: 'CNN Lab: experiment to run', placeHolder: 'No experiment yet? Use "CNN Lab: Train Transfer Model".' },
          )
        )?.uri;
    if (!file) return;
    freezeView.setExperiment(file);
    await runs.run(file);
  };

  const handlers: Record<CommandKey, (...args: never[]) => unknown> = {
    trainTransferModel: async (folder?: vscode.Uri) => {
      const file = await runTrainWizard(folder instanceof vscode.Uri ? folder : undefined);
      if (file) await runExperiment(file);
    },
    runExperiment: (uri?: vscode.Uri) => runExperiment(uri instanceof vscode.Uri ? uri : undefined),
    predict: (uri?: vscode.Uri, uris?: vscode.Uri[]) =>
      predictFiles(context, engine, log, uri instanceof vscode.Uri ? uri : undefined, Array.isArray(uris) ? uris : undefined),
    predictFromUrl: () => predictFromUrl(context, engine, log),
    exportModel: (folder?: vscode.Uri) => exportModel(engine, log, folder instanceof vscode.Uri ? folder : undefined),
    selectBackend: () =>
      selectBackend(engine, showBackend, {
        state: async () => {
          const supported = native.supported();
          return {
            unsupported: supported.ok ? null : supported.reason,
            gpuUnsupported: ((g) => (g.ok ? null : g.reason))(native.gpuSupported()),
            installed: (await native.installed()) !== null,
            indexUrl: settings.nativeIndexUrl,
            lastFailure: native.lastFailure,
          };
        },
        run: (action) =>
          action === 'install'
            ? native.install()
            : action === 'installGpu'
              ? native.installGpu()
              : action === 'installFromFile'
                ? native.installFromFile()
                : native.remove(),
      }),
    installNativeBackend: () => native.install(),
    installNativeBackendGpu: () => native.installGpu(),
    installNativeBackendFromFile: () => native.installFromFile(),
    removeNativeBackend: () => native.remove(),
    openArchitecture: (uri?: vscode.Uri) => ArchitecturePanel.open(context, engine, log, uri instanceof vscode.Uri ? uri : undefined),
    cancelTraining: () => runs.cancel(false),
    showLayerShapes: () => showLayerShapes(),
    showDashboard,
    showEngineLog: () => log.show(true),
  };
  for (const [key, handler] of Object.entries(handlers) as [CommandKey, (...args: unknown[]) => unknown][]) {
    context.subscriptions.push(vscode.commands.registerCommand(COMMANDS[key].id, handler));
  }

  // panels restored after a window reload
  context.subscriptions.push(
    vscode.window.registerWebviewPanelSerializer(PANELS.dashboard, {
      deserializeWebviewPanel: async (panel) => void DashboardPanel.revive(panel, context, runs, log),
    }),
    vscode.window.registerWebviewPanelSerializer(PANELS.architecture, {
      deserializeWebviewPanel: async (panel) => ArchitecturePanel.revive(panel, context, log),
    }),
    vscode.window.registerWebviewPanelSerializer(PANELS.prediction, {
      deserializeWebviewPanel: async (panel) => PredictionPanel.revive(panel, context, log),
    }),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (settings.affects(e, 'backend')) {
        statusBar.setBackend(settings.backend);
        if (!runs.activeRun) statusBar.showIdle();
      }
    }),
  );

  registerLanguageFeatures(context);

  // a universal or another platform's VSIX: say which package to install (a checkout is complete)
  if (context.extensionMode === vscode.ExtensionMode.Production) {
    const musl = process.platform === 'linux' && !thisMachine().glibc;
    const missing = missingPlatformPackage(
      context.extensionPath,
      String(context.extension.packageJSON.version),
      process.platform,
      process.arch,
      musl,
    );
    if (missing) {
      log.warn(missing);
      void vscode.window.showWarningMessage(`CNN Lab: ${missing}`);
    }
  }
}

export function deactivate(): void {
  // everything is in context.subscriptions: the engine process is killed with them
}
