// The user's explicit yes for what a file in the workspace (maybe from a cloned repo) asks the
// engine to do beyond the workspace: touch a folder outside it (an experiment's `out`, `data`,
// `base`) or download a URL (a URL base, a model's cnn-lab.json naming one). A modal names the
// resolved path or URL and the file asking; "Allow" is remembered per file and path/URL in
// workspaceState, so it is asked once. Dismissing it is not remembered: it asks again next time.
// The CLI asks nothing: there the user typed the paths.
import { relative } from 'node:path';
import * as vscode from 'vscode';
import type { ExperimentConfig } from '../core/experiment.ts';
import { allowKey, FIELD_USE, pathsOutsideWorkspace } from './experiment/pathConfinement.ts';

const ALLOWED_KEY = 'cnnLab.allowed';
const ALLOW = 'Allow';

function allowed(context: vscode.ExtensionContext, key: string): boolean {
  return (context.workspaceState.get<string[]>(ALLOWED_KEY) ?? []).includes(key);
}

async function remember(context: vscode.ExtensionContext, key: string): Promise<void> {
  const list = context.workspaceState.get<string[]>(ALLOWED_KEY) ?? [];
  if (!list.includes(key)) await context.workspaceState.update(ALLOWED_KEY, [...list, key]);
}

async function ask(context: vscode.ExtensionContext, key: string, message: string, detail: string): Promise<boolean> {
  if (allowed(context, key)) return true;
  const pick = await vscode.window.showWarningMessage(message, { modal: true, detail }, ALLOW);
  if (pick !== ALLOW) return false;
  await remember(context, key);
  return true;
}

/**
 * Asks for each path of `config` (resolved) outside the workspace folder holding `experimentUri`.
 * Returns the path the user did not allow (the run must not start), or undefined when all are allowed.
 */
export async function confirmOutsidePaths(
  context: vscode.ExtensionContext,
  experimentUri: vscode.Uri,
  config: ExperimentConfig,
): Promise<string | undefined> {
  const folder = vscode.workspace.getWorkspaceFolder(experimentUri)?.uri.fsPath;
  const rel = vscode.workspace.asRelativePath(experimentUri);
  for (const p of pathsOutsideWorkspace(config, folder)) {
    const where = folder ? `outside the workspace folder ${folder}` : 'and the experiment file is in no workspace folder';
    const shown = p.real === p.path ? p.path : `${p.path} (really ${p.real})`;
    const message = `${rel} asks CNN Lab to ${FIELD_USE[p.field]} ${p.real}, ${where}. Allow?`;
    const detail = `"${p.field}" in ${rel} resolves to ${shown}. Allow it only if you wrote or trust this experiment file; "Allow" is remembered for this file and path.`;
    if (!(await ask(context, allowKey(experimentUri.fsPath, p.real), message, detail))) return p.real;
  }
  return undefined;
}

/** Asks before the engine downloads `url` because `askedBy` (a file) names it. True: allowed. */
export async function confirmRemoteFetch(context: vscode.ExtensionContext, url: string, askedBy: string, why: string): Promise<boolean> {
  const folder = vscode.workspace.workspaceFolders?.find((f) => !relative(f.uri.fsPath, askedBy).startsWith('..'));
  const file = folder ? vscode.workspace.asRelativePath(askedBy) : askedBy;
  const message = `${file} asks CNN Lab to download ${url}. Allow?`;
  const detail = `${why} The model (up to 500 MB) is cached after its first download. Allow it only if you trust this file and that address; "Allow" is remembered for this file and URL.`;
  return ask(context, allowKey(askedBy, url), message, detail);
}
