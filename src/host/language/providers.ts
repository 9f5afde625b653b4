// Thin VS Code adapters over analysis.ts: hover, inlay hints (setting cnnLab.inlayHints.enabled)
// and diagnostics (debounced) for Python, TS/JS and model.json files. All logic lives in analysis.ts.
import * as vscode from 'vscode';
import { settings } from '../config.ts';
import { analyzeDocument, diagnosticsFor, hoverAt, inlayHintsFor, type DocumentAnalysis } from './analysis.ts';
import type { SourceRange } from '../../core/parsers/index.ts';

const LANGUAGES = ['python', 'typescript', 'javascript', 'typescriptreact', 'javascriptreact'];
export const LAYER_DOCUMENTS: vscode.DocumentSelector = [
  ...LANGUAGES.map((language) => ({ language })),
  { language: 'json', pattern: '**/model.json' },
  { language: 'jsonc', pattern: '**/model.json' },
];
const DIAGNOSTIC_DELAY_MS = 200;

function isLayerDocument(doc: vscode.TextDocument): boolean {
  return vscode.languages.match(LAYER_DOCUMENTS, doc) > 0;
}

/** Analyses cached per document version, so hover, hints and diagnostics parse once per edit. */
class AnalysisCache {
  private readonly entries = new Map<string, { version: number; analysis: DocumentAnalysis }>();
  get(doc: vscode.TextDocument): DocumentAnalysis {
    const key = doc.uri.toString();
    const hit = this.entries.get(key);
    if (hit && hit.version === doc.version) return hit.analysis;
    const analysis = analyzeDocument(doc.getText(), doc.languageId, doc.fileName);
    this.entries.set(key, { version: doc.version, analysis });
    return analysis;
  }
  delete(doc: vscode.TextDocument): void {
    this.entries.delete(doc.uri.toString());
  }
}

function toRange(r: SourceRange): vscode.Range {
  return new vscode.Range(r.start.line, r.start.col, r.end.line, r.end.col);
}

const SEVERITY = {
  error: vscode.DiagnosticSeverity.Error,
  warning: vscode.DiagnosticSeverity.Warning,
  info: vscode.DiagnosticSeverity.Information,
} as const;

export function registerLanguageFeatures(context: vscode.ExtensionContext): void {
  const cache = new AnalysisCache();
  const hintsChanged = new vscode.EventEmitter<void>();
  const diagnostics = vscode.languages.createDiagnosticCollection('cnnLab');
  const timers = new Map<string, ReturnType<typeof setTimeout>>();

  const updateDiagnostics = (doc: vscode.TextDocument) => {
    if (!isLayerDocument(doc)) return;
    diagnostics.set(
      doc.uri,
      diagnosticsFor(cache.get(doc)).map((d) => {
        const diag = new vscode.Diagnostic(toRange(d.range), d.message, SEVERITY[d.severity]);
        diag.source = 'CNN Lab';
        return diag;
      }),
    );
  };
  const scheduleDiagnostics = (doc: vscode.TextDocument) => {
    const key = doc.uri.toString();
    clearTimeout(timers.get(key));
    timers.set(
      key,
      setTimeout(() => {
        timers.delete(key);
        updateDiagnostics(doc);
      }, DIAGNOSTIC_DELAY_MS),
    );
  };

  context.subscriptions.push(
    hintsChanged,
    diagnostics,
    vscode.languages.registerHoverProvider(LAYER_DOCUMENTS, {
      provideHover(doc, position) {
        const markdown = hoverAt(cache.get(doc), position.line, position.character);
        return markdown ? new vscode.Hover(new vscode.MarkdownString(markdown)) : undefined;
      },
    }),
    vscode.languages.registerInlayHintsProvider(LAYER_DOCUMENTS, {
      onDidChangeInlayHints: hintsChanged.event,
      provideInlayHints(doc, range) {
        if (!settings.inlayHintsEnabled) return [];
        return inlayHintsFor(cache.get(doc), range.start.line, range.end.line)
          .filter((h) => range.contains(new vscode.Position(h.line, h.col)))
          .map((h) => {
            const hint = new vscode.InlayHint(new vscode.Position(h.line, h.col), h.label, vscode.InlayHintKind.Type);
            hint.paddingLeft = true;
            return hint;
          });
      },
    }),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (settings.affects(e, 'inlayHints.enabled')) hintsChanged.fire();
    }),
    vscode.workspace.onDidOpenTextDocument(updateDiagnostics),
    vscode.workspace.onDidChangeTextDocument((e) => scheduleDiagnostics(e.document)),
    vscode.workspace.onDidCloseTextDocument((doc) => {
      clearTimeout(timers.get(doc.uri.toString()));
      timers.delete(doc.uri.toString());
      diagnostics.delete(doc.uri);
      cache.delete(doc);
    }),
    { dispose: () => timers.forEach((t) => clearTimeout(t)) },
  );
  vscode.workspace.textDocuments.forEach(updateDiagnostics);
}
