// TypeScript/JavaScript tfjs → models, by running the file's code in the tfjs interpreter
// (tfjsInterpreter.ts) over the statement tree jsSyntax.ts reads: `tf.sequential({layers})` and
// `model.add(...)`, `tf.layers.x({...}).apply(x)` from `tf.input({shape})`, `tf.model(...)`, the
// file's own helper functions called with their arguments, loops, branches, Sequentials used as
// layers, and raw ops (`tf.conv2d(x, filter, strides, pad)`, `x.maxPool(…)`) on tensors whose
// shapes are literal (`tf.zeros([1, 32, 32, 3])`).
// As on the Python side (python.ts), only the syntax is cached: each piece of whole top-level
// statements (jsBlocks.ts) is tokenized and parsed once per text (its lines relative to the piece,
// so a piece that moved is reused as it is), and the interpreter runs the whole file each time.
import { splitJsBlocks } from './jsBlocks.ts';
import { parseJsStatementsFrom } from './jsSyntax.ts';
import type { ProgramPiece } from './pythonInterpreter.ts';
import type { Stmt } from './pythonSyntax.ts';
import { TfjsInterpreter } from './tfjsInterpreter.ts';
import { tokenize } from './tokenizer.ts';
import type { ParseResult } from './types.ts';

const BLOCK_CACHE_SIZE = 2000;
/**
 * Keyed by the first hidden-name id and the piece's text: the ids continue from piece to piece,
 * so a piece parses to the very statements (and names) it has in a parse of the whole file.
 */
const blockCache = new Map<string, { stmts: Stmt[]; nextId: number }>();
/** How many pieces were tokenized and parsed (not taken from the cache), for tests. */
let blocksParsed = 0;

/** Forgets every cached piece (benchmarks measure a cold first analysis with it). */
export function clearTfjsBlockCache(): void {
  blockCache.clear();
}

/** Pieces parsed since the last call (the rest came from the cache). */
export function takeTfjsBlocksParsed(): number {
  const n = blocksParsed;
  blocksParsed = 0;
  return n;
}

function blockStatements(text: string, firstId: number): { stmts: Stmt[]; nextId: number } {
  const key = `${firstId}\u0000${text}`;
  const hit = blockCache.get(key);
  if (hit) {
    blockCache.delete(key); // re-insert: the Map's order is the recency order
    blockCache.set(key, hit);
    return hit;
  }
  blocksParsed++;
  const parsed = parseJsStatementsFrom(tokenize(text, 'javascript', 0), firstId);
  if (blockCache.size >= BLOCK_CACHE_SIZE) blockCache.delete(blockCache.keys().next().value as string);
  blockCache.set(key, parsed);
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
