// TypeScript/JavaScript tfjs → models, by running the file's code in the tfjs interpreter
// (tfjsInterpreter.ts) over the statement tree jsSyntax.ts reads: `tf.sequential({layers})` and
// `model.add(...)`, `tf.layers.x({...}).apply(x)` from `tf.input({shape})`, `tf.model(...)`, the
// file's own helper functions called with their arguments, loops, branches, Sequentials used as
// layers, and raw ops (`tf.conv2d(x, filter, strides, pad)`, `x.maxPool(…)`) on tensors whose
// shapes are literal (`tf.zeros([1, 32, 32, 3])`).
// As on the Python side (python.ts), only the syntax is cached: each piece of whole top-level
// statements (jsBlocks.ts) is tokenized and parsed once per text (its lines relative to the piece,
// so a piece that moved is reused as it is), and the interpreter runs the whole file each time.
import { clearJsSplitMemo, splitJsBlocks } from './jsBlocks.ts';
import { parseJsStatementsFrom } from './jsSyntax.ts';
import type { ProgramPiece } from './pythonInterpreter.ts';
import type { Stmt } from './pythonSyntax.ts';
import { TfjsInterpreter } from './tfjsInterpreter.ts';
import { tokenize } from './tokenizer.ts';
import type { ParseResult } from './types.ts';

const BLOCK_CACHE_SIZE = 2000;
interface ParsedPiece {
  stmts: Stmt[];
  nextId: number;
}
/**
 * By the piece's text, then its first hidden-name id: the ids continue from piece to piece, so a
 * piece parses to the very statements (and names) it has in a parse of the whole file. (Two maps,
 * not one joined key: joining would copy each piece's text on every analysis.)
 */
const blockCache = new Map<string, Map<number, ParsedPiece>>();
/** How many pieces were tokenized and parsed (not taken from the cache), for tests. */
let blocksParsed = 0;

/** Forgets every cached piece (benchmarks measure a cold first analysis with it). */
export function clearTfjsBlockCache(): void {
  blockCache.clear();
  clearJsSplitMemo();
}

/** Pieces parsed since the last call (the rest came from the cache). */
export function takeTfjsBlocksParsed(): number {
  const n = blocksParsed;
  blocksParsed = 0;
  return n;
}

function blockStatements(text: string, firstId: number): ParsedPiece {
  let byId = blockCache.get(text);
  if (byId)
    blockCache.delete(text); // re-insert: the Map's order is the recency order
  else byId = new Map();
  blockCache.set(text, byId);
  const hit = byId.get(firstId);
  if (hit) return hit;
  blocksParsed++;
  const parsed = parseJsStatementsFrom(tokenize(text, 'javascript', 0), firstId);
  if (byId.size >= 4) byId.delete(byId.keys().next().value as number);
  byId.set(firstId, parsed);
  if (blockCache.size > BLOCK_CACHE_SIZE) blockCache.delete(blockCache.keys().next().value as string);
  return parsed;
}

export function parseTfjs(text: string): ParseResult {
  const pieces: ProgramPiece[] = [];
  let nextId = 0;
  for (const block of splitJsBlocks(text)) {
    const parsed = blockStatements(block.text, nextId);
    nextId = parsed.nextId;
    pieces.push({ stmts: parsed.stmts, base: block.startLine });
  }
  return { models: new TfjsInterpreter().run(pieces) };
}
