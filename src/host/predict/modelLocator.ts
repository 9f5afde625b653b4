// Which trained model Predict uses: the last one trained in this workspace, else the only model
// directory under `cnnLab.modelsDir`, else the user picks one (or browses for any model dir).
import { existsSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import * as vscode from 'vscode';
import { LAST_MODEL_KEY, modelsRoot } from '../training/runController.ts';

export function isModelDir(dir: string): boolean {
  return existsSync(join(dir, 'model.json'));
}

async function modelDirsUnder(root: string): Promise<string[]> {
  const entries = await readdir(root, { withFileTypes: true }).catch(() => []);
  return entries.filter((e) => e.isDirectory() && isModelDir(join(root, e.name))).map((e) => join(root, e.name));
}

/** The model directory to predict with, or undefined if the user cancelled / none exists. */
export async function locateModel(context: vscode.ExtensionContext, options: { ask?: boolean } = {}): Promise<string | undefined> {
  const last = context.workspaceState.get<string>(LAST_MODEL_KEY);
  if (!options.ask && last && isModelDir(last)) return last;
  const root = modelsRoot();
  const found = root ? await modelDirsUnder(root) : [];
  if (!options.ask && found.length === 1) return found[0];
  const browse = '$(folder-opened) Browse for a model directory…';
  type Item = vscode.QuickPickItem & { dir?: string };
  const items: Item[] = found.map((dir) => ({ label: `$(package) ${basename(dir)}`, description: vscode.workspace.asRelativePath(dir), dir }));
  if (last && isModelDir(last) && !found.includes(last)) items.unshift({ label: `$(history) ${basename(last)}`, description: 'last trained', dir: last });
  items.push({ label: browse });
  const choice = await vscode.window.showQuickPick(items, {
    title: 'CNN Lab: model to predict with',
    placeHolder: found.length ? 'Trained models in this workspace' : 'No trained model found here yet: train one, or browse for a model directory',
  });
  if (!choice) return undefined;
  if (choice.dir) return choice.dir;
  const picked = await vscode.window.showOpenDialog({ canSelectFolders: true, canSelectFiles: true, filters: { 'tfjs model': ['json'] }, openLabel: 'Use this model' });
  if (!picked?.[0]) return undefined;
  const p = picked[0].fsPath;
  const dir = p.endsWith('.json') ? dirname(p) : p;
  if (!isModelDir(dir)) {
    void vscode.window.showErrorMessage(`${dir} is not a model directory: it has no model.json.`);
    return undefined;
  }
  return dir;
}
