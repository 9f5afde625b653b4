// Command "CNN Lab: Show Layer Shapes": the active editor's models as a model.summary()-like
// table with each conv/pool layer's arithmetic, opened beside it in an untitled document.
import * as vscode from 'vscode';
import { analyzeDocument, layerReport } from './analysis.ts';

export async function showLayerShapes(): Promise<void> {
  const editor = vscode.window.activeTextEditor;
  if (!editor) {
    void vscode.window.showInformationMessage('CNN Lab: open a Python, TypeScript/JavaScript or model.json file to show its layer shapes.');
    return;
  }
  const doc = editor.document;
  const analysis = analyzeDocument(doc.getText(), doc.languageId, doc.fileName);
  if (analysis.kind === null) {
    void vscode.window.showInformationMessage(
      `CNN Lab: ${vscode.workspace.asRelativePath(doc.uri)} is not a Python, TypeScript/JavaScript or model.json file.`,
    );
    return;
  }
  if (analysis.models.length === 0) {
    void vscode.window.showInformationMessage(`CNN Lab: no model found in ${vscode.workspace.asRelativePath(doc.uri)}.`);
    return;
  }
  const content = `Layer shapes of ${vscode.workspace.asRelativePath(doc.uri)}\n\n${layerReport(analysis)}\n`;
  const table = await vscode.workspace.openTextDocument({ content, language: 'plaintext' });
  await vscode.window.showTextDocument(table, { viewColumn: vscode.ViewColumn.Beside, preview: true, preserveFocus: true });
}
