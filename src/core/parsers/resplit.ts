// Re-splitting a file after an edit without scanning all of it again (pythonBlocks.ts, jsBlocks.ts).
// Both splitters cut a file at line starts where their scan is in its clean state (outside
// brackets, strings and comments), and a cut line decides by itself what follows it: the scan
// after a cut depends only on the text from the cut on. So after an edit the cuts whose lines lie
// wholly before the edit stand as they were, and once a rescan from the last of them makes a cut
// in the unchanged text after the edit where the old text had one too, every later cut is the old
// one, moved by the lines the edit added or removed. A keystroke rescans one block, not the file.

/** Where a piece of the file starts: its offset and 0-based line. */
export interface Cut {
  offset: number;
  line: number;
}

export interface ResplitPlan {
  /** index of the old cut to rescan from; 0 means scan the whole file afresh */
  restart: number;
  /**
   * The index of the old cut that a new cut at `offset` stands for when all text from there on
   * is unchanged (the old tail can be reused from it), or -1.
   */
  takeOver: (offset: number) => number;
}

/** Compares the old and new text and says where a rescan starts and where it can stop. */
export function planResplit(oldText: string, oldCuts: readonly Cut[], text: string): ResplitPlan {
  const prefix = commonPrefix(oldText, text);
  const suffix = commonSuffix(oldText, text, Math.min(oldText.length, text.length) - prefix);
  // The last cut whose whole line, newline included, is unchanged: the edit cannot have moved it.
  let restart = lastAtOrBefore(oldCuts, prefix - 1);
  while (restart > 0) {
    const eol = oldText.indexOf('\n', oldCuts[restart].offset);
    if (eol >= 0 && eol < prefix) break;
    restart--;
  }
  const unchangedFrom = text.length - suffix;
  const delta = text.length - oldText.length;
  return {
    restart,
    takeOver: (offset) => {
      if (offset < unchangedFrom) return -1;
      const k = lastAtOrBefore(oldCuts, offset - delta);
      return k > restart && oldCuts[k].offset === offset - delta ? k : -1;
    },
  };
}

/** The index of the last cut at or before `offset` (0 when none is). */
function lastAtOrBefore(cuts: readonly Cut[], offset: number): number {
  let lo = 0;
  let hi = cuts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (cuts[mid].offset <= offset) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/** Strings compare a chunk at a time far faster than a character at a time (memcmp, not charCodeAt). */
const CHUNK = 1024;

/** How many characters `a` and `b` have in common at their start. */
function commonPrefix(a: string, b: string): number {
  const shorter = Math.min(a.length, b.length);
  let n = 0;
  while (n + CHUNK <= shorter && a.substring(n, n + CHUNK) === b.substring(n, n + CHUNK)) n += CHUNK;
  while (n < shorter && a.charCodeAt(n) === b.charCodeAt(n)) n++;
  return n;
}

/** How many characters `a` and `b` have in common at their end, at most `max`. */
function commonSuffix(a: string, b: string, max: number): number {
  let n = 0;
  while (n + CHUNK <= max && a.substring(a.length - n - CHUNK, a.length - n) === b.substring(b.length - n - CHUNK, b.length - n))
    n += CHUNK;
  while (n < max && a.charCodeAt(a.length - 1 - n) === b.charCodeAt(b.length - 1 - n)) n++;
  return n;
}
