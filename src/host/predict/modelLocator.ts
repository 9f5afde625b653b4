// Which trained model Predict uses: the last one trained in this workspace, else the only model
// directory under `cnnLab.modelsDir`, else the user picks one (or browses for any model dir).
import { existsSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import * as vscode from 'vscode';
import { CHECKPOINT_SUFFIX } from '../../core/checkpointPath.ts';
import { LAST_MODEL_KEY, modelsRoot } from '../training/runController.ts';

export function isModelDir(dir: string): boolean {
  return existsSync(join(dir, 'model.json'));
}

async function modelDirsUnder(root: string): Promise<{ models: string[]; checkpoints: string[] }> {
  const entries = await readdir(root, { withFileTypes: true }).catch(() => []);
  const dirs = entries.filter((e) => e.isDirectory() && isModelDir(join(root, e.name))).map((e) => join(root, e.name));
  // <name>.checkpoint holds an unfinished run's checkpoint: offered, but never picked on its own
  return { models: dirs.filter((d) => !d.endsWith(CHECKPOINT_SUFFIX)), checkpoints: dirs.filter((d) => d.endsWith(CHECKPOINT_SUFFIX)) };
}

/** The model directory to predict with, or undefined if the user cancelled / none exists. */
export async function locateModel(context: vscode.ExtensionContext, options: { ask?: boolean } = {}): Promise<string | undefined> {
  const last = context.workspaceState.get<string>(LAST_MODEL_KEY);
  if (!options.ask && last && isModelDir(last)) return last;
  const root = modelsRoot();
  const { models: found, checkpoints } = root ? await modelDirsUnder(root) : { models: [], checkpoints: [] };
  if (!options.ask && found.length === 1) return found[0];
  const browse = '$(folder-opened) Browse for a model directory…';
  type Item = vscode.QuickPickItem & { dir?: string };
  const items: Item[] = found.map((dir) => ({
    label: `$(package) ${basename(dir)}`,
    description: vscode.workspace.asRelativePath(dir),
    dir,
  }));
  items.push(
    ...checkpoints.map((dir) => ({
      label: `$(debug-pause) ${basename(dir)}`,
      description: `checkpoint of a run that did not complete · ${vscode.workspace.asRelativePath(dir)}`,
      dir,
    })),
  );
  if (last && isModelDir(last) && !found.includes(last))
    items.unshift({ label: `$(history) ${basename(last)}`, description: 'last trained', dir: last });
  items.push({ label: browse });
  const choice = await vscode.window.showQuickPick(items, {
    title: 'CNN Lab: model to predict with',
    placeHolder: found.length
      ? 'Trained models in this workspace'
      : 'No trained model found here yet: train one, or browse for a model directory',
  });
  if (!choice) return undefined;
  if (choice.dir) return choice.dir;
  const picked = await vscode.window.showOpenDialog({
    canSelectFolders: true,
    canSelectFiles: true,
    filters: { 'tfjs model': ['json'] },
    openLabel: 'Use this model',
  });
  if (!picked?.[0]) return undefined;
  const p = picked[0].fsPath;
  const dir = p.endsWith('.json') ? dirname(p) : p;
  if (!isModelDir(dir)) {
    void vscode.window.showErrorMessage(`${dir} is not a model directory: it has no model.json.`);
    return undefined;
  }
  return dir;
}
