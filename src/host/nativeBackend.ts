// "CNN Lab: Install Native Backend", "… from File…" and "Remove Native Backend": the editor's side of
// src/host/native. The download runs here in the extension host, whose node:http/https VS Code
// patches to honour `http.proxy`; the forked engine would not. After an install passed the engine
// check, the editor's engine is restarted with the library folder on LD_LIBRARY_PATH.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { settings } from './config.ts';
import type { EngineClient } from './engineClient.ts';
import { checkInEngine } from './native/engineCheck.ts';
import { NativeInstallError, isCancelled, throwIfAborted } from './native/errors.ts';
import { progressLine } from './native/download.ts';
import { failureActions } from './native/failureActions.ts';
import {
  INSTALL_RECORD,
  installFromFile,
  installFromIndex,
  nativeEngineEnv,
  readInstalled,
  removeInstalled,
  versionDir,
  type InstallOptions,
  type InstallRecord,
  type Stage,
} from './native/installer.ts';
import { TF_VERSION, checkMachine, thisMachine, type Flavour } from './native/nativeTarget.ts';
import { checkNvidiaDriver } from './native/nvidiaDriver.ts';

/**
 * The library folder of a complete install (install.json present), checked synchronously at
 * activation: the GPU flavour when it is installed (its library also serves `tensorflow` on the CPU),
 * else the CPU one.
 */
export function installedNative(storage: string): { dir: string; flavour: Flavour } | null {
  for (const flavour of ['gpu', 'cpu'] as const) {
    const dir = versionDir(storage, TF_VERSION, flavour);
    if (existsSync(join(dir, INSTALL_RECORD))) return { dir, flavour };
  }
  return null;
}

export function installedLibDir(storage: string): string | null {
  return installedNative(storage)?.dir ?? null;
}

/** The engine's environment: the base one, plus the installed libtensorflow when there is one. */
export function engineEnvFor(storage: string, base: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const found = installedNative(storage);
  return found ? nativeEngineEnv(found.dir, base, found.flavour) : { ...base };
}

export interface NativeBackendDeps {
  context: vscode.ExtensionContext;
  engine: EngineClient;
  log: vscode.LogOutputChannel;
  /** the engine's environment without a native library (CNN_LAB_HOST etc.) */
  baseEnv: NodeJS.ProcessEnv;
  /** a training run is active: the engine must not be restarted under it */
  busy: () => string | undefined;
  /** after install/remove: the backend the status bar should show */
  onChanged: (installed: InstallRecord | null) => void;
}

export class NativeBackend {
  /** the last failure's line, shown on the backend picker's install row */
  lastFailure: string | undefined;
  private offeredThisSession = false;

  constructor(private readonly deps: NativeBackendDeps) {}

  private get storage(): string {
    return this.deps.context.globalStorageUri.fsPath;
  }

  /** Whether this machine can install it at all (the reason when not). */
  supported(): { ok: true } | { ok: false; reason: string } {
    const c = checkMachine(thisMachine());
    return c.ok ? { ok: true } : c;
  }

  async installed(): Promise<InstallRecord | null> {
    return (await readInstalled(this.storage, TF_VERSION, 'gpu')) ?? readInstalled(this.storage);
  }

  /** Whether the GPU flavour can be offered: Linux x64 with an NVIDIA driver new enough for CUDA 12. */
  gpuSupported(): { ok: true; driver: string; libcuda: string } | { ok: false; reason: string } {
    const machine = checkMachine(thisMachine());
    return machine.ok ? checkNvidiaDriver() : machine;
  }

  /** The CUDA 12 build and its nvidia-*-cu12 libraries (~3.4 GB), offered only with an NVIDIA driver. */
  installGpu(): Promise<boolean> {
    const driver = this.gpuSupported();
    if (!driver.ok) {
      this.deps.log.warn(`native GPU backend: ${driver.reason}`);
      void vscode.window.showWarningMessage(`CNN Lab: ${driver.reason}`);
      return Promise.resolve(false);
    }
    this.deps.log.info(`native GPU backend: NVIDIA driver ${driver.driver} (${driver.libcuda})`);
    const indexUrl = settings.nativeIndexUrl;
    return this.run(
      `Installing the native GPU backend (libtensorflow ${TF_VERSION}, CUDA 12)`,
      (common) => installFromIndex({ ...common, indexUrl, flavour: 'gpu' }),
      'gpu',
    );
  }

  install(): Promise<boolean> {
    const indexUrl = settings.nativeIndexUrl;
    return this.run(`Installing the native backend (libtensorflow ${TF_VERSION})`, (common) => installFromIndex({ ...common, indexUrl }));
  }

  async installFromFile(): Promise<boolean> {
    const picked = await vscode.window.showOpenDialog({
      title: `CNN Lab: a tensorflow_cpu-${TF_VERSION}-…-manylinux…_x86_64.whl wheel`,
      canSelectMany: false,
      filters: { 'Python wheel': ['whl'] },
      openLabel: 'Install',
    });
    const wheel = picked?.[0]?.fsPath;
    if (!wheel) return false;
    return this.run('Installing the native backend from a wheel', (common) => installFromFile({ ...common, wheel }));
  }

  async remove(): Promise<void> {
    const busy = this.deps.busy();
    if (busy) {
      void vscode.window.showWarningMessage(`CNN Lab: cannot remove the native backend now: ${busy}.`);
      return;
    }
    try {
      await this.deps.engine.stop(); // it has the libraries mapped
      const removed = await removeInstalled(this.storage);
      await this.deps.engine.restartWithEnv({ ...this.deps.baseEnv });
      this.lastFailure = undefined;
      this.deps.log.info(removed.length ? `native backend removed: ${removed.join(', ')}` : 'native backend: nothing installed to remove');
      this.deps.onChanged(null);
      void vscode.window.showInformationMessage(
        removed.length
          ? 'CNN Lab: the native backend was removed; the engine uses wasm/cpu again.'
          : 'CNN Lab: the native backend was not installed.',
      );
    } catch (e) {
      this.fail(e);
    }
  }

  /**
   * A run resolved to a slow backend under `auto`: offer the install once per session, where it can
   * help (Linux x64, not installed).
   */
  async offerAfterFallback(backend: string): Promise<void> {
    if (this.offeredThisSession || (backend !== 'wasm' && backend !== 'cpu')) return;
    if (settings.backend !== 'auto') return;
    if (!this.supported().ok || installedLibDir(this.storage)) return;
    this.offeredThisSession = true;
    const install = 'Install Native Backend';
    const fromFile = 'Install from File…';
    const choice = await vscode.window.showInformationMessage(
      `CNN Lab is training on ${backend}, ${backend === 'cpu' ? 'which fine-tunes very slowly' : 'which cannot fine-tune convolutions'}: the native backend (libtensorflow, about 274 MB from the Python package index) is not installed.`,
      install,
      fromFile,
    );
    if (choice === install) await this.install();
    else if (choice === fromFile) await this.installFromFile();
  }

  private async run(title: string, go: (common: InstallOptions) => Promise<InstallRecord>, flavour: Flavour = 'cpu'): Promise<boolean> {
    const busy = this.deps.busy();
    if (busy) {
      void vscode.window.showWarningMessage(`CNN Lab: install the native backend after this: ${busy}.`);
      return false;
    }
    const { log } = this.deps;
    const started = Date.now();
    try {
      const record = await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: `CNN Lab: ${title}`, cancellable: true },
        async (progress, token) => {
          const ac = new AbortController();
          token.onCancellationRequested(() => ac.abort());
          let reported = 0;
          const stageText: Record<Stage, string> = {
            locating: 'looking up the wheel…',
            downloading: 'downloading…',
            extracting: 'extracting the two libraries…',
            checking: 'checking it computes…',
            cuda: 'downloading the CUDA libraries…',
          };
          return go({
            storage: this.storage,
            signal: ac.signal,
            onStage: (stage, detail) => {
              log.info(`native backend: ${detail}`);
              progress.report({ message: stageText[stage] });
            },
            onProgress: (p) => {
              const percent = (p.received / p.total) * 100;
              progress.report({ message: progressLine(p), increment: percent - reported });
              reported = percent;
            },
            onRetry: (reason, attempt) => log.warn(`native backend: retry ${attempt}: ${reason}`),
            verify: (dir, signal) => {
              throwIfAborted(signal);
              return checkInEngine(dir, {
                enginePath: join(this.deps.context.extensionPath, 'dist', 'engine.js'),
                cwd: this.deps.context.extensionPath,
                env: this.deps.baseEnv,
                // the GPU flavour counts only when libtensorflow placed the ops on the GPU
                flavour,
                requireGpu: flavour === 'gpu',
                onOutput: (line) => log.info(`[native check] ${line}`),
              });
            },
          });
        },
      );
      // the editor's engine picks the library up at its next start
      await this.deps.engine.restartWithEnv(engineEnvFor(this.storage, this.deps.baseEnv));
      this.lastFailure = undefined;
      log.info(`native backend installed in ${Math.round((Date.now() - started) / 1000)} s from ${record.wheel.from}: ${record.check}`);
      this.deps.onChanged(record);
      void vscode.window
        .showInformationMessage(
          `CNN Lab: the native backend is installed (${record.check.split(':')[0]}); "auto" now fine-tunes on ${record.flavour === 'gpu' ? 'tensorflow-gpu' : 'tensorflow'}.`,
          'Select Compute Backend',
        )
        .then((c) => c && vscode.commands.executeCommand('cnnLab.selectBackend'));
      return true;
    } catch (e) {
      if (isCancelled(e)) {
        log.info('native backend: install cancelled (a partial download is kept and resumed next time)');
        return false;
      }
      this.fail(e);
      return false;
    }
  }

  private fail(e: unknown): void {
    const line = e instanceof Error ? e.message : String(e);
    this.lastFailure = line;
    this.deps.log.error(`native backend: ${line}`);
    const actions = e instanceof NativeInstallError ? failureActions(e.kind) : ['Show Log' as const];
    void vscode.window.showErrorMessage(`CNN Lab: ${line}`, ...actions).then(async (choice) => {
      if (choice === 'Retry' || choice === 'Reinstall') await this.install();
      else if (choice === 'Install from File…') await this.installFromFile();
      else if (choice === 'Remove') await this.remove();
      else if (choice === 'Proxy Settings') await vscode.commands.executeCommand('workbench.action.openSettings', 'http.proxy');
      else if (choice === 'Show Log') this.deps.log.show(true);
    });
  }
}
