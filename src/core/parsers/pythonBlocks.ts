// Splits a Python file into its top-level `def` / `class` blocks and the module-level code around
// them, without tokenizing. Python gives each function its own scope, so a block's models depend
// only on its own text and the module constants defined before it: the parser can reuse a block's
// result while the user types in another one (see python.ts). After an edit, only the stretch
// around it is scanned again (resplit.ts).

import { planResplit, type Cut } from './resplit.ts';

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

/** A cut of the file: a block or a stretch of module-level code starts at this line. */
interface Segment extends Cut {
  block: boolean;
}

/** The last split, for the next one: an edit rescans only around itself (see resplit.ts). */
let previous: { text: string; segments: Segment[]; split: PythonSplit } | null = null;

/** Forgets the last split (benchmarks measure a cold first analysis with it). */
export function clearPythonSplitMemo(): void {
  previous = null;
}

export function splitPythonBlocks(text: string): PythonSplit {
  const old = previous;
  if (old?.text === text) return old.split;
  const plan = old ? planResplit(old.text, old.segments, text) : null;
  const restart = plan?.restart ?? 0;
  const segments: Segment[] = old && restart > 0 ? old.segments.slice(0, restart + 1) : [];
  const taken = scanSegments(text, segments, plan ? plan.takeOver : () => -1);
  const rescanned = segments.length;
  let oldBlocks = 0; // blocks of the old split before the restart: the same text as before
  if (old && restart > 0) for (let k = 0; k < restart; k++) if (old.segments[k].block) oldBlocks++;
  const blocks: PythonBlock[] = old ? old.split.blocks.slice(0, oldBlocks) : [];
  for (let k = 0; k < rescanned; k++) {
    const s = segments[k];
    if (!s.block || (old && k < restart)) continue;
    const next = k + 1 < rescanned ? segments[k + 1].offset : taken ? taken.offset : -1;
    blocks.push({ startLine: s.line, text: next < 0 ? text.slice(s.offset) : text.slice(s.offset, Math.max(s.offset, next - 1)) });
  }
  if (old && taken) {
    const delta = text.length - old.text.length;
    const by = taken.line - old.segments[taken.oldIndex].line;
    let b = 0; // the old block index of the first reused one
    for (let k = 0; k < taken.oldIndex; k++) if (old.segments[k].block) b++;
    for (let k = taken.oldIndex; k < old.segments.length; k++) {
      const s = old.segments[k];
      segments.push(by === 0 && delta === 0 ? s : { offset: s.offset + delta, line: s.line + by, block: s.block });
      if (!s.block) continue;
      const ob = old.split.blocks[b++];
      blocks.push(by === 0 ? ob : { startLine: ob.startLine + by, text: ob.text });
    }
  }
  const split = { blocks, moduleText: moduleTextOf(text, segments) };
  previous = { text, segments, split };
  return split;
}

/** The file with every block's lines emptied: module-level code at its own line numbers. */
function moduleTextOf(text: string, segments: Segment[]): string {
  const pieces: string[] = [];
  for (let k = 0; k < segments.length; k++) {
    const s = segments[k];
    const next = segments[k + 1];
    if (!s.block) pieces.push(text.slice(s.offset, next ? next.offset : text.length));
    else if (next) pieces.push('\n'.repeat(next.line - s.line));
  }
  return pieces.join('');
}

/**
 * Scans from the last of `segments` on (from the top when there is none), adding each segment
 * found, until the end or a segment start that `takeOver` says stands for an old one (returned,
 * not added: the old split goes on from there).
 */
function scanSegments(text: string, segments: Segment[], takeOver: (offset: number) => number): (Cut & { oldIndex: number }) | null {
  const state: LineState = { depth: 0, openString: null, continued: false };
  const from = segments[segments.length - 1] ?? { offset: 0, line: 0, block: false };
  // Resuming at a segment start needs no more state: its line is a top-level statement, which sets
  // `inBlock` and `decoratorOnly` itself (and its cut is already in `segments`).
  let inBlock = false;
  let decoratorOnly = false; // the open block has only decorators so far
  let offset = from.offset;
  for (let i = from.line; offset <= text.length; i++) {
    let end = text.indexOf('\n', offset);
    if (end < 0) end = text.length;
    const line = text.slice(offset, end);
    const startsStatement = state.depth === 0 && !state.openString && !state.continued;
    const first = line.charCodeAt(0);
    let cut: boolean | null = null; // a block (true) or module code (false) starts here
    // A top-level statement starts in column 0 (not a blank line, an indented line or a comment).
    if (startsStatement && line.length > 0 && first !== 32 && first !== 9 && first !== 13 && first !== 35) {
      if (BLOCK_START.test(line)) {
        if (!(inBlock && decoratorOnly)) cut = true;
        inBlock = true;
        decoratorOnly = first === 64; // '@'
      } else if (inBlock) {
        cut = false;
        inBlock = false;
      }
    }
    if (i === from.line) {
      if (segments.length === 0) segments.push({ offset: 0, line: 0, block: cut === true });
    } else if (cut !== null) {
      const oldIndex = takeOver(offset);
      if (oldIndex >= 0) return { offset, line: i, oldIndex };
      segments.push({ offset, line: i, block: cut });
    }
    scanLine(line, state);
    offset = end + 1;
  }
  return null;
}
