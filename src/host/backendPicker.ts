// "CNN Lab: Select Compute Backend": every backend the engine knows, available or not and why,
// and whether it can train convolutions; the choice is written to `cnnLab.backend`.
import * as vscode from 'vscode';
import type { BackendInfo } from '../protocol/messages.ts';
import type { EngineClient } from './engineClient.ts';

type Item = vscode.QuickPickItem & { value?: string; info?: BackendInfo };

/** Quick pick rows for the backends (pure apart from the item type; tested through the lint of labels). */
export function backendItems(backends: BackendInfo[], current: string): Item[] {
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
  return items;
}

export async function selectBackend(engine: EngineClient, onChanged: (backend: string) => void): Promise<void> {
  const current = vscode.workspace.getConfiguration('cnnLab').get<string>('backend', 'auto');
  let backends: BackendInfo[];
  try {
    backends = await vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: 'CNN Lab: probing backends' }, () => engine.request('listBackends', {}));
  } catch (e) {
    void vscode.window.showErrorMessage(`Could not list compute backends: ${(e as Error).message}`);
    return;
  }
  const choice = await vscode.window.showQuickPick(backendItems(backends, current), {
    title: 'CNN Lab: Select Compute Backend',
    placeHolder: `Current: ${current}`,
    matchOnDetail: true,
  });
  if (!choice?.value) return;
  if (choice.info && !choice.info.available) {
    void vscode.window.showWarningMessage(`${choice.info.name} is not available here: ${choice.info.reason ?? 'unknown reason'}.${choice.info.install ? ` To enable it: ${choice.info.install}` : ''}`);
    return;
  }
  if (choice.info && !choice.info.canTrainConv) {
    void vscode.window.showInformationMessage(`${choice.info.name} can predict but not train convolutions; training will fail on it.`);
  }
  const target = vscode.workspace.workspaceFolders?.length ? vscode.ConfigurationTarget.Workspace : vscode.ConfigurationTarget.Global;
  await vscode.workspace.getConfiguration('cnnLab').update('backend', choice.value, target);
  onChanged(choice.value);
}
