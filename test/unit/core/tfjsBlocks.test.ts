// tfjs files are parsed piece by piece (whole top-level statements, see jsBlocks.ts), and
// re-analysis after an edit re-parses only the piece the edit touched. These tests pin the
// splitting rules and prove a reused analysis equals a fresh one and a parse of the whole file.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { clearParseCaches, parseTfjs } from '../../../src/core/parsers/index.ts';
import { splitJsBlocks } from '../../../src/core/parsers/jsBlocks.ts';
import { parseJsStatements } from '../../../src/core/parsers/jsSyntax.ts';
import { takeTfjsBlocksParsed } from '../../../src/core/parsers/tfjs.ts';
import { TfjsInterpreter } from '../../../src/core/parsers/tfjsInterpreter.ts';
import { tokenize } from '../../../src/core/parsers/tokenizer.ts';
import { randomEdits } from './randomEdits.ts';

test('pieces start at column-0 declarations after a finished line; brackets, templates, comments and open lines do not split', () => {
  const text = [
    "import * as tf from '@tensorflow/tfjs'", // 0 piece 1
    'const IMG = 32;', //                        1 piece 2
    'function build() {', //                     2 piece 3
    '  const doc = `', //                        3 a template…
    'const not_a_piece = 1;', //                 4 …reaching column 0
    '`;', //                                     5
    '  return tf.sequential({', //               6
    'layers: [],', //                            7 inside brackets
    '  });', //                                  8
    '}', //                                      9
    '/* a comment', //                           10 still piece 3
    'const inComment = 2;', //                   11 inside the comment
    '*/', //                                     12
    'const half =', //                           13 piece 4 (a line that is not finished…)
    'const next = 3;', //                        14 …does not end it
    'let x = IMG // a comment', //         15 piece 5
    'export const y = x;', //              16 the line before ends in a name (it may go on)
  ].join('\n');
  const blocks = splitJsBlocks(text);
  assert.deepEqual(
    blocks.map((b) => [b.startLine, b.text.split('\n').length]),
    [
      [0, 1],
      [1, 1],
      [2, 11],
      [13, 2],
      [15, 2],
    ],
  );
  assert.equal(blocks.map((b) => b.text).join('\n'), text, 'the pieces are the file, cut at line ends');
});

const file = (rate: string, padTop = '') => `${padTop}import * as tf from '@tensorflow/tfjs';
const IMG = 16;

// a helper with arrow functions (hidden names that count across the file)
function stack(sizes: number[]): tf.Sequential {
  const model = tf.sequential();
  sizes.forEach((f, i) => model.add(tf.layers.conv2d(i === 0 ? { inputShape: [IMG, IMG, 3], filters: f, kernelSize: 3 } : { filters: f, kernelSize: 3 })));
  return model;
}
const a = stack([8, 16]);

export function withDropout(): tf.Sequential {
  const model = tf.sequential({ name: 'drop' });
  model.add(tf.layers.dense({ inputShape: [10], units: 4 }));
  model.add(tf.layers.dropout({ rate: ${rate} }));
  return model;
}

export function broken(): tf.LayersModel {
  const inputs = tf.input({ shape: [4, 4, 3] });
  const x = tf.layers.conv2d({ filters: 2, kernelSize: 7 }).apply(inputs) as tf.SymbolicTensor;
  const outputs = [1, 2].map((u) => tf.layers.dense({ units: u }).apply(x) as tf.SymbolicTensor)[0];
  return tf.model({ inputs, outputs });
}

const t = tf.conv2d(tf.zeros([1, IMG, IMG, 3]), tf.zeros([3, 3, 3, 8]), 1, 'same');
`;

/** The whole file as one piece: what the parser did before it cached pieces. */
const wholeFile = (text: string) => new TfjsInterpreter().run([{ stmts: parseJsStatements(tokenize(text, 'javascript')), base: 0 }]);

test('re-analysis after a keystroke or an Enter equals a cold analysis, re-parsing only the piece it touched', () => {
  clearParseCaches();
  const before = parseTfjs(file('0.5'));
  assert.deepEqual(before.models, wholeFile(file('0.5')));
  const withError = before.models.find((m) => m.layers.some((l) => l.diagnostics.some((d) => d.severity === 'error')));
  assert.ok(withError, 'the 7×7 kernel on a 4×4 input has its error');
  takeTfjsBlocksParsed();

  // a keystroke inside one model
  const typed = parseTfjs(file('0.25'));
  assert.equal(takeTfjsBlocksParsed(), 1, 'only the edited function is tokenized and parsed again');
  clearParseCaches();
  const typedCold = parseTfjs(file('0.25'));
  assert.deepEqual(typed.models, typedCold.models);
  assert.deepEqual(typed.models, wholeFile(file('0.25')));

  // Enter at the top: every model below keeps its text but moves two lines down
  parseTfjs(file('0.25'));
  takeTfjsBlocksParsed();
  const moved = parseTfjs(file('0.25', '\n\n'));
  assert.ok(takeTfjsBlocksParsed() <= 1, 'moved pieces are reused as they are');
  clearParseCaches();
  const movedCold = parseTfjs(file('0.25', '\n\n'));
  assert.deepEqual(moved.models, movedCold.models);
  assert.deepEqual(moved.models, wholeFile(file('0.25', '\n\n')));
  assert.deepEqual(
    moved.models.map((m) => m.layers.map((l) => l.range.start.line)),
    typed.models.map((m) => m.layers.map((l) => l.range.start.line + 2)),
    'every row moved with its line',
  );
  assert.ok(
    moved.models.some((m) => m.kind === 'ops'),
    'raw ops rows move too',
  );
});

test('after an edit the split reuses the last one away from the edit, and equals a fresh split', () => {
  // Many pieces, templates, comments and unfinished lines; edits that open and close them, so a
  // rescan sometimes has to run far past the edit before it can stop.
  const base = Array.from({ length: 10 }, (_, k) =>
    [
      `const a${k} = [${k},`,
      `  ${k}];`,
      `function f${k}() {`,
      k % 2 ? '  const doc = `' : "  const s = 'a\\",
      k % 2 ? 'const inTemplate = 1;`;' : "b';",
      '  return 1;',
      '}',
      k % 3 === 0 ? '/* a comment' : '// a comment',
      k % 3 === 0 ? 'let inComment = 2; */' : `export let b${k} =`,
      `  a${k};`,
    ].join('\n'),
  ).join('\n');
  let reusedPieces = 0;
  const insertions = ['1', '\n', ')', '{', '}', '"', "'", '`', '/*', '*/', '//', '\\', '\nconst z = 1;\n'];
  for (const { step, before: last, text, at, edit } of randomEdits(base, insertions, { steps: 400, restartEvery: 20, seed: 5 })) {
    const before = splitJsBlocks(last);
    const split = splitJsBlocks(text);
    reusedPieces += split.filter((b) => before.includes(b)).length; // the very objects: not re-cut
    const after = split.map((b) => ({ ...b }));
    clearParseCaches(); // forgets the last split too
    assert.deepEqual(after, splitJsBlocks(text), `edit ${step} at ${at}: ${JSON.stringify(edit)}`);
  }
  assert.ok(reusedPieces > 400 * 5, 'most pieces are taken over from the last split');
});
