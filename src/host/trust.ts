// Workspace trust: in Restricted Mode shapes, hovers and the architecture view work, but training
// and prediction (which run the engine on workspace files and models) are refused with a reason.
import * as vscode from 'vscode';

/** True when `action` may run; otherwise explains why not and offers to manage trust. */
export async function ensureTrusted(action: string): Promise<boolean> {
  if (vscode.workspace.isTrusted) return true;
  const manage = 'Manage Workspace Trust';
  const choice = await vscode.window.showWarningMessage(
    `${action} is disabled in Restricted Mode: it runs the CNN Lab engine on this workspace's files and models. ` +
      'Layer shapes, hovers and the architecture view still work. Trust the workspace to train and predict.',
    manage,
  );
  if (choice === manage) await vscode.commands.executeCommand('workbench.trust.manage');
  return false;
}
