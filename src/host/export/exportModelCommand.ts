// "CNN Lab: Export Model…": a trained model folder (explorer context menu, or picked) written as a
// Keras file by the engine — Keras 3 `.keras` or legacy Keras 2 `.h5` — with its labels beside it.
import { existsSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import * as vscode from 'vscode';
import type { EngineClient } from '../engineClient.ts';
import { ensureTrusted } from '../trust.ts';

/** Why `dir` cannot be exported, or undefined when it is a CNN Lab model folder. */
export function notAModelFolder(dir: string): string | undefined {
  if (!existsSync(join(dir, 'cnn-lab.json')))
    return `${dir} is not a CNN Lab model folder: it has no cnn-lab.json (train one with "CNN Lab: Train Transfer Model").`;
  if (!existsSync(join(dir, 'model.json'))) return `${dir} is not a CNN Lab model folder: it has no model.json.`;
  return undefined;
}

export async function exportModel(engine: EngineClient, log: vscode.LogOutputChannel, folder?: vscode.Uri): Promise<void> {
  if (!(await ensureTrusted('Export'))) return;
  let dir = folder?.fsPath;
  if (!dir) {
    const picked = await vscode.window.showOpenDialog({
      canSelectFolders: true,
      canSelectFiles: false,
      openLabel: 'Export this model',
      title: 'CNN Lab: model folder to export',
    });
    dir = picked?.[0]?.fsPath;
    if (!dir) return;
  }
  const refusal = notAModelFolder(dir);
  if (refusal) {
    void vscode.window.showErrorMessage(refusal);
    return;
  }
  const formats = [
    {
      label: 'Keras 3 (.keras)',
      description: 'keras.models.load_model; config.json + model.weights.h5 in a zip',
      format: 'keras' as const,
    },
    {
      label: 'Keras 2 / legacy (.h5)',
      description: 'tf_keras and Keras 3 load it; model_config + weights by layer name',
      format: 'h5' as const,
    },
  ];
  const choice = await vscode.window.showQuickPick(formats, { title: `CNN Lab: export ${basename(dir)} as` });
  if (!choice) return;
  const target = await vscode.window.showSaveDialog({
    defaultUri: vscode.Uri.file(join(dirname(dir), `${basename(dir)}.${choice.format}`)),
    filters: { [choice.label]: [choice.format] },
    saveLabel: 'Export',
  });
  if (!target) return;
  try {
    const r = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `CNN Lab: exporting ${basename(dir)}…` },
      () => engine.request('exportModel', { modelDir: dir, out: target.fsPath, format: choice.format }),
    );
    log.info(`export: ${dir} → ${r.out} (${r.layers} layers, ${r.weights} weight arrays); labels in ${r.labelsFile}`);
    const reveal = 'Reveal in Explorer';
    const pick = await vscode.window.showInformationMessage(
      `Exported ${basename(r.out)} (labels and preprocessing in ${basename(r.labelsFile)}).`,
      reveal,
    );
    if (pick === reveal) await vscode.commands.executeCommand('revealInExplorer', vscode.Uri.file(r.out));
  } catch (e) {
    const message = `Export failed: ${(e as Error).message}`;
    log.error(message);
    void vscode.window.showErrorMessage(message);
  }
}
