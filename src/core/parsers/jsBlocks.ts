// Splits a JavaScript / TypeScript file into pieces of whole top-level statements, without
// tokenizing, so the tfjs parser (tfjs.ts) can reuse each piece's parsed statements while the user
// types in another one. A split is made only where the statement before is surely finished: a
// line in column 0 that starts with a declaration keyword, outside brackets, strings, templates
// and block comments, after a line that ends in `;`, `}`, `)`, `]` or a string. Anywhere else the
// piece goes on, which is never wrong (a piece is parsed as the whole file's text would be).

export interface JsBlock {
  /** 0-based line of the piece's first line */
  startLine: number;
  /** the piece's lines, from its first line to the line before the next piece */
  text: string;
}

const PIECE_START = /^(?:const|let|var|function|export|import|class|async)\b/;
/** How a finished statement's last line ends (a trailing comment is stripped first). */
const FINISHED_END = /[;})\]'"`]$/;

/** Bracket depth and open multi-line token carried from one line to the next. */
interface LineState {
  depth: number;
  /** inside a template literal or a block comment that goes on past the line */
  open: '`' | '*/' | null;
  /** the last code character of the last line that had code ('' when none yet; not updated inside a template, where no split is made) */
  lastCode: string;
}

/** Advances `state` over one line (strings, templates, comments, brackets) as the tokenizer reads them. */
function scanLine(line: string, state: LineState): void {
  let i = 0;
  const n = line.length;
  let lastCodeAt = -1;
  while (i < n) {
    if (state.open === '*/') {
      const close = line.indexOf('*/', i);
      if (close < 0) return;
      i = close + 2;
      state.open = null;
      continue;
    }
    if (state.open === '`') {
      // the tokenizer reads a template up to its next backtick (an escaped one does not close it)
      while (i < n && line[i] !== '`') i += line[i] === '\\' ? 2 : 1;
      if (i >= n) return;
      i++;
      state.open = null;
      lastCodeAt = i - 1;
      continue;
    }
    const c = line[i];
    if (c === '/' && line[i + 1] === '/') break;
    if (c === '/' && line[i + 1] === '*') {
      state.open = '*/';
      i += 2;
      continue;
    }
    if (c === '`') {
      state.open = '`';
      i++;
      continue;
    }
    if (c === '"' || c === "'") {
      // a one-line string: up to its closing quote, or the line end when unterminated
      i++;
      while (i < n && line[i] !== c) i += line[i] === '\\' ? 2 : 1;
      lastCodeAt = Math.min(i, n - 1);
      i++;
      continue;
    }
    if (c === '(' || c === '[' || c === '{') state.depth++;
    else if ((c === ')' || c === ']' || c === '}') && state.depth > 0) state.depth--;
    if (c !== ' ' && c !== '\t' && c !== '\r') lastCodeAt = i;
    i++;
  }
  // a line of only comments keeps the ending of the code before it
  if (lastCodeAt >= 0) state.lastCode = line[lastCodeAt];
}

export function splitJsBlocks(text: string): JsBlock[] {
  const blocks: JsBlock[] = [];
  const state: LineState = { depth: 0, open: null, lastCode: '' };
  let blockLine = 0;
  let blockOffset = 0;
  let offset = 0;
  for (let i = 0; offset <= text.length; i++) {
    let end = text.indexOf('\n', offset);
    if (end < 0) end = text.length;
    const line = text.slice(offset, end);
    if (i > 0 && state.depth === 0 && !state.open && FINISHED_END.test(state.lastCode) && PIECE_START.test(line)) {
      blocks.push({ startLine: blockLine, text: text.slice(blockOffset, offset - 1) });
      blockLine = i;
      blockOffset = offset;
    }
    scanLine(line, state);
    offset = end + 1;
  }
  blocks.push({ startLine: blockLine, text: text.slice(blockOffset) });
  return blocks;
}
