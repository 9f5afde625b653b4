// One entry point for every source kind the editor and the CLI read.
import { parseModelJsonText } from './modelJsonText.ts';
import { clearPythonBlockCache, parsePythonKeras } from './python.ts';
import { clearTfjsBlockCache, parseTfjs } from './tfjs.ts';
import { clearInferenceCache, type ParseResult } from './types.ts';

export type SourceKind = 'python' | 'tfjs' | 'model.json';

export type { ParsedLayer, ParsedModel, ParseResult, SourcePosition, SourceRange } from './types.ts';
export { parsePythonKeras, parseTfjs, parseModelJsonText };

/** Forgets what re-analysis reuses (parsed Python and tfjs blocks, inferred models): a cold first analysis. */
export function clearParseCaches(): void {
  clearPythonBlockCache();
  clearTfjsBlockCache();
  clearInferenceCache();
}

/** The source kind for a VS Code language id (json only for files named model.json). */
export function sourceKindFor(languageId: string, fileName?: string): SourceKind | null {
  switch (languageId) {
    case 'python':
      return 'python';
    case 'typescript':
    case 'javascript':
    case 'typescriptreact':
    case 'javascriptreact':
      return 'tfjs';
    case 'json':
    case 'jsonc':
      return !fileName || /(^|[\\/])model\.json$/i.test(fileName) ? 'model.json' : null;
    default:
      return null;
  }
}

/** The source kind for a file path by its extension. */
export function sourceKindForPath(path: string): SourceKind | null {
  if (/\.pyw?$/i.test(path)) return 'python';
  if (/\.(ts|tsx|js|jsx|mjs|cjs|mts|cts)$/i.test(path)) return 'tfjs';
  if (/\.json$/i.test(path)) return 'model.json';
  return null;
}

/** Parses a file's text; never throws. */
export function parseSource(text: string, kind: SourceKind): ParseResult {
  try {
    if (kind === 'python') return parsePythonKeras(text);
    if (kind === 'tfjs') return parseTfjs(text);
    return parseModelJsonText(text);
  } catch {
    // Half-typed code must never break the editor: no hints rather than an exception.
    return { models: [] };
  }
}
