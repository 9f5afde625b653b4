// Splits a Python file into its top-level `def` / `class` blocks and the module-level code around
// them, without tokenizing. Python gives each function its own scope, so a block's models depend
// only on its own text and the module constants defined before it: the parser can reuse a block's
// result while the user types in another one (see python.ts).

export interface PythonBlock {
  /** 0-based line of the block's first line (a decorator, `def` or `class`) */
  startLine: number;
  /** the block's lines, from its first line to the line before the next top-level statement */
  text: string;
}

export interface PythonSplit {
  blocks: PythonBlock[];
  /** the file with every block's lines emptied: module-level code at its own line numbers */
  moduleText: string;
}

const BLOCK_START = /^(?:@|def\b|class\b|async\s+def\b)/;

/** Bracket depth and open triple-quoted string carried from one line to the next. */
interface LineState {
  depth: number;
  /** the closing delimiter of an open triple-quoted string, or null */
  openString: string | null;
  /** the previous line ended with a backslash: this one continues it */
  continued: boolean;
}

/** Advances `state` over one line (strings, comments, brackets, a trailing backslash). */
function scanLine(line: string, state: LineState): void {
  let i = 0;
  const n = line.length;
  state.continued = false;
  while (i < n) {
    if (state.openString) {
      const close = line.indexOf(state.openString, i);
      const escape = line.indexOf('\\', i);
      if (escape >= 0 && (close < 0 || escape < close)) {
        i = escape + 2;
        continue;
      }
      if (close < 0) return; // the string goes on past this line
      i = close + 3;
      state.openString = null;
      continue;
    }
    const c = line[i];
    if (c === '#') return;
    if (c === '"' || c === "'") {
      if (line.startsWith(c + c + c, i)) {
        state.openString = c + c + c;
        i += 3;
        continue;
      }
      // A one-line string: skip to its closing quote (or the line end when unterminated).
      i++;
      while (i < n && line[i] !== c) i += line[i] === '\\' ? 2 : 1;
      i++;
      continue;
    }
    if (c === '(' || c === '[' || c === '{') state.depth++;
    else if ((c === ')' || c === ']' || c === '}') && state.depth > 0) state.depth--;
    else if (c === '\\' && line.slice(i + 1).trim() === '') state.continued = true;
    i++;
  }
}

export function splitPythonBlocks(text: string): PythonSplit {
  const blocks: PythonBlock[] = [];
  const modulePieces: string[] = [];
  const state: LineState = { depth: 0, openString: null, continued: false };
  // The open block's first line and offset (-1 at module level); slices of `text` rather than
  // joined lines keep this cheap enough to run on every keystroke.
  let blockLine = -1;
  let blockOffset = 0;
  let decoratorOnly = false; // the open block has only decorators so far
  let moduleOffset = 0; // where the module-level text not yet copied starts
  const closeBlock = (line: number, offset: number) => {
    if (blockLine < 0) return;
    blocks.push({ startLine: blockLine, text: text.slice(blockOffset, Math.max(blockOffset, offset - 1)) });
    modulePieces.push('\n'.repeat(line - blockLine));
    moduleOffset = offset;
    blockLine = -1;
  };
  let offset = 0;
  for (let i = 0; offset <= text.length; i++) {
    let end = text.indexOf('\n', offset);
    if (end < 0) end = text.length;
    const line = text.slice(offset, end);
    const startsStatement = state.depth === 0 && !state.openString && !state.continued;
    const first = line.charCodeAt(0);
    // A top-level statement starts in column 0 (not a blank line, an indented line or a comment).
    if (startsStatement && line.length > 0 && first !== 32 && first !== 9 && first !== 13 && first !== 35) {
      if (BLOCK_START.test(line)) {
        if (!(blockLine >= 0 && decoratorOnly)) {
          closeBlock(i, offset);
          modulePieces.push(text.slice(moduleOffset, offset));
          blockLine = i;
          blockOffset = offset;
        }
        decoratorOnly = first === 64; // '@'
      } else {
        closeBlock(i, offset);
      }
    }
    scanLine(line, state);
    offset = end + 1;
  }
  if (blockLine >= 0) {
    blocks.push({ startLine: blockLine, text: text.slice(blockOffset) });
  } else {
    modulePieces.push(text.slice(moduleOffset));
  }
  return { blocks, moduleText: modulePieces.join('') };
}
