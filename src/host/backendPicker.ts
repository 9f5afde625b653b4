// "CNN Lab: Select Compute Backend": every backend the engine knows, available or not and why,
// and whether it can train convolutions; the choice is written to `cnnLab.backend`.
import * as vscode from 'vscode';
import { settings } from './config.ts';
import type { BackendChoice } from '../core/backends.ts';
import type { BackendInfo } from '../protocol/messages.ts';
import type { EngineClient } from './engineClient.ts';

export type NativeAction = 'install' | 'installGpu' | 'installFromFile' | 'remove';
type Item = vscode.QuickPickItem & { value?: BackendChoice; info?: BackendInfo; action?: NativeAction };

/** What the picker knows of "Install Native Backend" (src/host/nativeBackend.ts). */
export interface NativeState {
  /** null: it can be installed here; otherwise why not (another platform) */
  unsupported: string | null;
  installed: boolean;
  /** null: an NVIDIA driver is here, so the GPU flavour is offered; otherwise why not (one line) */
  gpuUnsupported?: string | null;
  indexUrl: string;
  lastFailure?: string;
}

/** The rows that install or remove the native backend, where they apply. */
function nativeItems(backends: BackendInfo[], native: NativeState): Item[] {
  const tensorflow = backends.find((b) => b.name === 'tensorflow');
  const rows: Item[] = [];
  // where tensorflow already works (a source checkout's provisioned one, or installed) no install rows
  if (native.unsupported === null && !tensorflow?.available) {
    rows.push(
      {
        label: `$(cloud-download) Install Native Backend`,
        description: 'makes tensorflow available: native speed for fine-tuning',
        detail: native.lastFailure
          ? `Last attempt failed: ${native.lastFailure}`
          : `libtensorflow from the tensorflow-cpu wheel on ${native.indexUrl} (about 274 MB to download, 853 MB on disk)`,
        action: 'install',
      },
      {
        label: `$(file-zip) Install Native Backend from File…`,
        description: 'a tensorflow-cpu wheel downloaded elsewhere (offline machines)',
        action: 'installFromFile',
      },
    );
  }
  const gpu = backends.find((b) => b.name === 'tensorflow-gpu');
  if (native.unsupported === null && native.gpuUnsupported === null && !gpu?.available) {
    rows.push({
      label: '$(cloud-download) Install Native GPU Backend (CUDA 12)',
      description: 'makes tensorflow-gpu available: the CUDA 12 build of libtensorflow',
      detail: `the tensorflow wheel and the nvidia-*-cu12 wheels it names, from ${native.indexUrl} (about 3.4 GB to download)`,
      action: 'installGpu',
    });
  }
  if (native.installed)
    rows.push({ label: '$(trash) Remove Native Backend', description: 'deletes the installed libtensorflow', action: 'remove' });
  return rows.length ? [{ label: 'Native backend', kind: vscode.QuickPickItemKind.Separator }, ...rows] : [];
}

/** Quick pick rows for the backends (pure apart from the item type; tested through the lint of labels). */
export function backendItems(backends: BackendInfo[], current: string, native?: NativeState): Item[] {
  const items: Item[] = [
    {
      label: `${current === 'auto' ? '$(check) ' : ''}auto`,
      description: 'the fastest available backend that can train',
      detail: `Here: ${backends.find((b) => b.available && b.canTrainConv)?.name ?? 'none available'}`,
      value: 'auto',
    },
    { label: 'Available', kind: vscode.QuickPickItemKind.Separator },
  ];
  const row = (b: BackendInfo): Item => ({
    label: `${current === b.name ? '$(check) ' : ''}${b.available ? '$(pass-filled)' : '$(circle-slash)'} ${b.name}`,
    description: b.available ? (b.canTrainConv ? 'trains and predicts' : 'predicts only: no convolution gradients') : 'unavailable',
    detail: [b.reason, !b.available && b.install ? `To enable: ${b.install}` : undefined].filter(Boolean).join(' — ') || undefined,
    value: b.name,
    info: b,
  });
  items.push(...backends.filter((b) => b.available).map(row));
  const missing = backends.filter((b) => !b.available);
  if (missing.length) items.push({ label: 'Unavailable here', kind: vscode.QuickPickItemKind.Separator }, ...missing.map(row));
  if (native) items.push(...nativeItems(backends, native));
  return items;
}

export async function selectBackend(
  engine: EngineClient,
  onChanged: (backend: string) => void,
  native?: { state: () => Promise<NativeState>; run: (action: NativeAction) => Promise<unknown> },
): Promise<void> {
  const current = settings.backend;
  let backends: BackendInfo[];
  try {
    backends = await vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: 'CNN Lab: probing backends' }, () =>
      engine.request('listBackends', {}),
    );
  } catch (e) {
    void vscode.window.showErrorMessage(`Could not list compute backends: ${(e as Error).message}`);
    return;
  }
  const choice = await vscode.window.showQuickPick(backendItems(backends, current, await native?.state()), {
    title: 'CNN Lab: Select Compute Backend',
    placeHolder: `Current: ${current}`,
    matchOnDetail: true,
  });
  if (choice?.action) {
    await native?.run(choice.action);
    return;
  }
  if (!choice?.value) return;
  if (choice.info && !choice.info.available) {
    void vscode.window.showWarningMessage(
      `${choice.info.name} is not available here: ${choice.info.reason ?? 'unknown reason'}.${choice.info.install ? ` To enable it: ${choice.info.install}` : ''}`,
    );
    return;
  }
  if (choice.info && !choice.info.canTrainConv) {
    void vscode.window.showInformationMessage(`${choice.info.name} can predict but not train convolutions; training will fail on it.`);
  }
  const target = vscode.workspace.workspaceFolders?.length ? vscode.ConfigurationTarget.Workspace : vscode.ConfigurationTarget.Global;
  await settings.setBackend(choice.value, target);
  onChanged(choice.value);
}
