// Python files are parsed block by block: each top-level def/class is its own scope (as in Python),
// and re-analysis after an edit re-parses only the block the edit touched. These tests pin the
// splitting rules and prove a reused analysis equals a fresh one.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { clearParseCaches, parsePythonKeras } from '../../../src/core/parsers/index.ts';
import { splitPythonBlocks } from '../../../src/core/parsers/pythonBlocks.ts';
import { takeBlocksParsed } from '../../../src/core/parsers/python.ts';
import { randomEdits } from './randomEdits.ts';

test('blocks start at top-level def/class/decorators; strings and brackets reaching column 0 do not split them', () => {
  const text = [
    'import keras', //                   0 module
    'IMG = 64', //                       1 module
    '@register', //                      2 block 1 (decorator + def)
    'def build():', //                   3
    '    """Doc', //                     4
    'def not_a_block(): still the docstring', // 5
    '"""', //                            6
    '    m = keras.Sequential([', //      7
    'keras.layers.Dense(3),', //          8 inside brackets
    '])', //                             9
    '# a comment in column 0', //        10 still block 1
    'x = build()', //                    11 module
    'class Net:', //                     12 block 2
    '    def call(self): pass', //       13
    'y = 1 + \\', //                     14 module
    'def_not_a_def', //                  15 continuation line
  ].join('\n');
  const { blocks, moduleText } = splitPythonBlocks(text);
  assert.deepEqual(
    blocks.map((b) => [b.startLine, b.text.split('\n').length]),
    [
      [2, 9],
      [12, 2],
    ],
  );
  assert.ok(blocks[0].text.startsWith('@register\ndef build():') && blocks[0].text.endsWith('# a comment in column 0'));
  // Module-level code keeps its line numbers; block lines are emptied.
  const lines = moduleText.split('\n');
  assert.equal(lines.length, 16);
  assert.deepEqual(
    [lines[0], lines[1], lines[2], lines[10], lines[11], lines[12], lines[14], lines[15]],
    ['import keras', 'IMG = 64', '', '', 'x = build()', '', 'y = 1 + \\', 'def_not_a_def'],
  );
});

const file = (img: number, denseUnits: number, padTop = '') => `${padTop}from tensorflow.keras import layers, Sequential
IMG = ${img}

def small():
    n = 8
    return Sequential([layers.Input(shape=(IMG, IMG, 3)), layers.Conv2D(n, 3, name="conv"), layers.Flatten(), layers.Dense(${denseUnits})])

def other():
    return Sequential([layers.Input(shape=(32, 32, 3)), layers.Conv2D(4, 5, name="conv"), layers.GlobalAveragePooling2D()])

top = Sequential([layers.Input(shape=(IMG, IMG, 1)), layers.Conv2D(n if False else 2, 3)])
`;

test('each def is a scope: it sees module constants above it, its own names do not clash with another def', () => {
  clearParseCaches();
  const { models } = parsePythonKeras(file(64, 10));
  assert.equal(models.length, 3);
  const [small, other, top] = models;
  assert.deepEqual(small.layers[1].outputShape, [62, 62, 8]); // IMG from the module: 64 − 3 + 1
  // Both defs name a layer "conv": separate functions, separate models — no duplicate warning.
  assert.equal(other.layers[1].spec.name, 'conv');
  assert.ok(models.every((m) => m.layers.every((l) => l.diagnostics.every((d) => !/used twice/.test(d.message)))));
  // `n` is local to small(): the module-level model cannot read it (filters unknown, shape still follows).
  assert.deepEqual(top.layers[0].outputShape, [64, 64, 1]);
});

test('an edit in one def reuses the others as they were; a moved block keeps correct ranges', () => {
  clearParseCaches();
  const before = parsePythonKeras(file(64, 10));
  takeBlocksParsed();
  const edited = parsePythonKeras(file(64, 20));
  assert.deepEqual(edited.models[0].layers[3].outputShape, [20]);
  assert.equal(takeBlocksParsed(), 1, 'only the edited def is tokenized and parsed again');
  assert.deepEqual(edited.models[1], before.models[1]);
  // Two lines inserted on top: every range moves by two, and the analysis equals a fresh one.
  const moved = parsePythonKeras(file(64, 20, '\n\n'));
  assert.equal(moved.models[1].layers[1].range.start.line, before.models[1].layers[1].range.start.line + 2);
  clearParseCaches();
  assert.deepEqual(moved, parsePythonKeras(file(64, 20, '\n\n')));
});

test('changing a module constant re-analyses the defs that see it', () => {
  clearParseCaches();
  parsePythonKeras(file(64, 10));
  const bigger = parsePythonKeras(file(96, 10));
  assert.deepEqual(bigger.models[0].layers[1].outputShape, [94, 94, 8]);
  clearParseCaches();
  assert.deepEqual(bigger, parsePythonKeras(file(96, 10)));
});

test('after any sequence of edits, the reused analysis equals a fresh parse of the same text', () => {
  const defs = Array.from({ length: 12 }, (_, k) =>
    [
      `def build_${k}():`,
      `    x = layers.Input(shape=(${32 + k}, 32, 3))`,
      `    x = layers.Conv2D(${8 + k}, ${1 + (k % 3)}, strides=${1 + (k % 2)}, padding="${k % 2 ? 'same' : 'valid'}")(x)`,
      `    return keras.Model(x, layers.Dense(IMG)(layers.Flatten()(x)))`,
      '',
    ].join('\n'),
  );
  let text = ['from tensorflow import keras', 'from tensorflow.keras import layers', 'IMG = 10', '', ...defs].join('\n');
  let seed = 7;
  const rand = (n: number) => (seed = (seed * 1103515245 + 12345) % 2 ** 31) % n;
  clearParseCaches();
  parsePythonKeras(text);
  for (let step = 0; step < 60; step++) {
    const at = rand(text.length);
    // Typing and deleting: a digit, a newline, a closing bracket, a quote, or a deleted span.
    const edit = ['1', '\n', ')', '"', '', 'IMG = 12\n'][rand(6)];
    text = edit === '' ? text.slice(0, at) + text.slice(at + 1 + rand(20)) : text.slice(0, at) + edit + text.slice(at);
    const reused = parsePythonKeras(text);
    clearParseCaches();
    assert.deepEqual(reused, parsePythonKeras(text), `edit ${step} at ${at}`);
  }
});

test('after an edit the split reuses the last one away from the edit, and equals a fresh split', () => {
  // Many blocks, decorators, docstrings and continued lines; edits that open and close strings,
  // brackets and blocks, so a rescan sometimes has to run far past the edit before it can stop.
  const base = Array.from({ length: 10 }, (_, k) =>
    [
      k % 3 === 0 ? '@register' : `N${k} = (${k},`,
      k % 3 === 0 ? `def build_${k}():` : `    ${k})`,
      `def f_${k}(x=(1,`,
      '        2)):',
      k % 2 ? '    """doc' : '    y = 1 + \\',
      k % 2 ? 'def inside_the_docstring(): pass"""' : '        2',
      '    return x',
      '# a comment in column 0',
      `class C${k}:`,
      '    pass',
    ].join('\n'),
  ).join('\n');
  let reusedBlocks = 0;
  const insertions = ['1', '\n', ')', '(', '"', '"""', '#', '\\', '\ndef z():\n', '@d\n', 'x = 1\n'];
  for (const { step, before: last, text, at, edit } of randomEdits(base, insertions, { steps: 400, restartEvery: 20, seed: 11 })) {
    const before = splitPythonBlocks(last);
    const after = splitPythonBlocks(text);
    reusedBlocks += after.blocks.filter((b) => before.blocks.includes(b)).length; // the very objects: not re-cut
    const copy = { blocks: after.blocks.map((b) => ({ ...b })), moduleText: after.moduleText };
    clearParseCaches(); // forgets the last split too
    assert.deepEqual(copy, splitPythonBlocks(text), `edit ${step} at ${at}: ${JSON.stringify(edit)}`);
  }
  assert.ok(reusedBlocks > 400 * 5, 'most blocks are taken over from the last split');
});
