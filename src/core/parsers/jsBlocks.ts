// Splits a JavaScript / TypeScript file into pieces of whole top-level statements, without
// tokenizing, so the tfjs parser (tfjs.ts) can reuse each piece's parsed statements while the user
// types in another one. A split is made only where the statement before is surely finished: a
// line in column 0 that starts with a declaration keyword, outside brackets, strings, templates
// and block comments, after a line that ends in `;`, `}`, `)`, `]` or a string. Anywhere else the
// piece goes on, which is never wrong (a piece is parsed as the whole file's text would be).
// After an edit, only the stretch around it is scanned again (resplit.ts).

import { planResplit, type Cut } from './resplit.ts';

export interface JsBlock {
  /** 0-based line of the piece's first line */
  startLine: number;
  /** the piece's lines, from its first line to the line before the next piece */
  text: string;
}

const PIECE_START = /(?:const|let|var|function|export|import|class|async)\b/y;
/** How a finished statement's last line ends (after its trailing comment): `;`, `}`, `)`, `]`, a string or template. */
const FINISHED_END = new Set([59, 125, 41, 93, 39, 34, 96]);

// char codes
const NL = 10;
const CR = 13;
const TAB = 9;
const SPACE = 32;
const SLASH = 47;
const STAR = 42;
const BACKSLASH = 92;
const BACKTICK = 96;
const SINGLE_QUOTE = 39;
const DOUBLE_QUOTE = 34;

/** What the scan is inside of, as the tokenizer reads it. */
const enum Open {
  Code,
  Template,
  Comment,
  SingleQuoted,
  DoubleQuoted,
}

/** What each ASCII character is to the scan in code: 0 an ordinary one (most), 1 blank, 2 one to look at. */
const CHAR_CLASS = new Uint8Array(128);
for (const c of [SPACE, TAB, CR]) CHAR_CLASS[c] = 1;
for (const c of [NL, SLASH, BACKTICK, SINGLE_QUOTE, DOUBLE_QUOTE, 40, 41, 91, 93, 123, 125]) CHAR_CLASS[c] = 2;

const startsPiece = (text: string, at: number): boolean => {
  PIECE_START.lastIndex = at;
  return PIECE_START.test(text);
};

/** The last split, for the next one: an edit rescans only around itself (see resplit.ts). */
let previous: { text: string; cuts: Cut[]; blocks: JsBlock[] } | null = null;

/** Forgets the last split (benchmarks measure a cold first analysis with it). */
export function clearJsSplitMemo(): void {
  previous = null;
}

/** The file's pieces; after an edit, the pieces away from it are the last split's, moved. */
export function splitJsBlocks(text: string): JsBlock[] {
  const old = previous;
  if (old?.text === text) return old.blocks;
  const plan = old ? planResplit(old.text, old.cuts, text) : null;
  const restart = plan?.restart ?? 0;
  const cuts: Cut[] = old && restart > 0 ? old.cuts.slice(0, restart + 1) : [{ offset: 0, line: 0 }];
  const taken = scanCuts(text, cuts, plan ? plan.takeOver : () => -1);
  const rescanned = cuts.length;
  const blocks: JsBlock[] = [];
  for (let k = 0; k < rescanned; k++) {
    const end = k + 1 < rescanned ? cuts[k + 1].offset - 1 : taken ? taken.offset - 1 : text.length;
    // the pieces before the restart end before the edit: the same text as before
    blocks.push(old && k < restart ? old.blocks[k] : { startLine: cuts[k].line, text: text.slice(cuts[k].offset, end) });
  }
  if (old && taken) {
    const delta = text.length - old.text.length;
    const by = taken.line - old.cuts[taken.oldIndex].line;
    for (let k = taken.oldIndex; k < old.cuts.length; k++) {
      cuts.push(by === 0 && delta === 0 ? old.cuts[k] : { offset: old.cuts[k].offset + delta, line: old.cuts[k].line + by });
      blocks.push(by === 0 ? old.blocks[k] : { startLine: old.blocks[k].startLine + by, text: old.blocks[k].text });
    }
  }
  previous = { text, cuts, blocks };
  return blocks;
}

/**
 * Scans from the last of `cuts` on, one pass over the text's character codes (this runs on every
 * keystroke: no line slices), adding each cut found, until the end or a cut that `takeOver` says
 * stands for an old one (returned, not added: the old split goes on from there).
 */
function scanCuts(text: string, cuts: Cut[], takeOver: (offset: number) => number): (Cut & { oldIndex: number }) | null {
  const n = text.length;
  let depth = 0;
  let open = Open.Code;
  /** the last code character of the last line that had code (0 when none yet) */
  let last = 0;
  /** a one-line string goes on past a backslash at the line end (as the tokenizer reads it) */
  let continued = false;
  const from = cuts[cuts.length - 1];
  for (let i = from.offset, line = from.line; ; line++) {
    if (line > from.line && depth === 0 && open === Open.Code && FINISHED_END.has(last) && startsPiece(text, i)) {
      const oldIndex = takeOver(i);
      if (oldIndex >= 0) return { offset: i, line, oldIndex };
      cuts.push({ offset: i, line });
    }
    const lineStart = i;
    let lastHere = -1;
    while (i < n) {
      const c = text.charCodeAt(i);
      if (open === Open.Code && c < 128 && CHAR_CLASS[c] < 2) {
        // the common case, kept to one table look-up
        if (CHAR_CLASS[c] === 0) lastHere = i;
        i++;
        continue;
      }
      if (c === NL) break;
      if (open === Open.Comment) {
        if (c === STAR && text.charCodeAt(i + 1) === SLASH) {
          open = Open.Code;
          i += 2;
        } else i++;
        continue;
      }
      if (open !== Open.Code) {
        const close = open === Open.Template ? BACKTICK : open === Open.SingleQuoted ? SINGLE_QUOTE : DOUBLE_QUOTE;
        if (c === close) {
          open = Open.Code;
          lastHere = i++;
        } else if (c === BACKSLASH) {
          if (text.charCodeAt(i + 1) === NL) {
            continued = true; // the newline is escaped: the string goes on
            i++;
          } else i += 2;
        } else i++;
        continue;
      }
      if (c === SLASH && text.charCodeAt(i + 1) === SLASH) {
        const end = text.indexOf('\n', i);
        i = end < 0 ? n : end;
        break;
      }
      if (c === SLASH && text.charCodeAt(i + 1) === STAR) {
        open = Open.Comment;
        i += 2;
        continue;
      }
      if (c === BACKTICK) open = Open.Template;
      else if (c === SINGLE_QUOTE) open = Open.SingleQuoted;
      else if (c === DOUBLE_QUOTE) open = Open.DoubleQuoted;
      else if (c === 40 || c === 91 || c === 123) depth++;
      else if ((c === 41 || c === 93 || c === 125) && depth > 0) depth--;
      if (c !== SPACE && c !== TAB && c !== CR) lastHere = i;
      i++;
    }
    if ((open === Open.SingleQuoted || open === Open.DoubleQuoted) && !continued) {
      open = Open.Code; // an unterminated string ends at the line end
      if (i > lineStart) lastHere = Math.min(i, n) - 1;
    }
    continued = false;
    // a line of only comments keeps the ending of the code before it
    if (lastHere >= 0) last = text.charCodeAt(lastHere);
    if (i >= n) break;
    i++; // past the newline
  }
  return null;
}
