// Python Keras → models, by running the file's code in the abstract interpreter
// (pythonInterpreter.ts): Sequential([...]) and model.add(...), functional `x = Conv2D(...)(x)`
// from Input(shape=...), merge layers, layers kept in variables, the file's own helper functions
// called with their arguments, loops, branches, nested Sequentials and models used as layers.
// Only the syntax is cached: each top-level def / class is tokenized and parsed once per text
// (its lines relative to the block, so a block that moved is reused as it is), and the
// interpreter, which is fast, runs the whole file on every analysis.
import { PythonInterpreter, type ProgramPiece } from './pythonInterpreter.ts';
import { clearPythonSplitMemo, splitPythonBlocks } from './pythonBlocks.ts';
import { parsePythonStatements, type Stmt } from './pythonSyntax.ts';
import { tokenize } from './tokenizer.ts';
import type { ParseResult } from './types.ts';

const BLOCK_CACHE_SIZE = 2000;
const blockCache = new Map<string, Stmt[]>();
let moduleCache: { text: string; stmts: Stmt[] } | null = null;
/** How many blocks were tokenized and parsed (not taken from the cache), for tests. */
let blocksParsed = 0;

/** Forgets every cached block (benchmarks measure a cold first analysis with it). */
export function clearPythonBlockCache(): void {
  blockCache.clear();
  moduleCache = null;
  clearPythonSplitMemo();
}

/** Blocks parsed since the last call (the rest came from the cache). */
export function takeBlocksParsed(): number {
  const n = blocksParsed;
  blocksParsed = 0;
  return n;
}

function blockStatements(text: string): Stmt[] {
  const hit = blockCache.get(text);
  if (hit) {
    blockCache.delete(text); // re-insert: the Map's order is the recency order
    blockCache.set(text, hit);
    return hit;
  }
  blocksParsed++;
  const stmts = parsePythonStatements(tokenize(text, 'python', 0));
  if (blockCache.size >= BLOCK_CACHE_SIZE) blockCache.delete(blockCache.keys().next().value as string);
  blockCache.set(text, stmts);
  return stmts;
}

export function parsePythonKeras(text: string): ParseResult {
  const { blocks, moduleText } = splitPythonBlocks(text);
  if (moduleCache?.text !== moduleText) moduleCache = { text: moduleText, stmts: parsePythonStatements(tokenize(moduleText, 'python', 0)) };
  // Module statements and blocks in file order: a block defines its function where it stands.
  const pieces: ProgramPiece[] = [];
  const moduleStmts = moduleCache.stmts;
  let next = 0;
  for (const block of blocks) {
    const upTo: Stmt[] = [];
    while (next < moduleStmts.length && moduleStmts[next].range.start.line < block.startLine) upTo.push(moduleStmts[next++]);
    if (upTo.length > 0) pieces.push({ stmts: upTo, base: 0 });
    pieces.push({ stmts: blockStatements(block.text), base: block.startLine });
  }
  if (next < moduleStmts.length) pieces.push({ stmts: moduleStmts.slice(next), base: 0 });
  return { models: new PythonInterpreter().run(pieces) };
}
