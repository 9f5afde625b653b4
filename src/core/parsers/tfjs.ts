// TypeScript/JavaScript tfjs → models, by running the file's code in the tfjs interpreter
// (tfjsInterpreter.ts) over the statement tree jsSyntax.ts reads: `tf.sequential({layers})` and
// `model.add(...)`, `tf.layers.x({...}).apply(x)` from `tf.input({shape})`, `tf.model(...)`, the
// file's own helper functions called with their arguments, loops, branches, Sequentials used as
// layers, and raw ops (`tf.conv2d(x, filter, strides, pad)`, `x.maxPool(…)`) on tensors whose
// shapes are literal (`tf.zeros([1, 32, 32, 3])`).
import { parseJsStatements } from './jsSyntax.ts';
import { TfjsInterpreter } from './tfjsInterpreter.ts';
import { tokenize } from './tokenizer.ts';
import type { ParseResult } from './types.ts';

export function parseTfjs(text: string): ParseResult {
  const stmts = parseJsStatements(tokenize(text, 'javascript'));
  return { models: new TfjsInterpreter().run([{ stmts, base: 0 }]) };
}
