// Re-analysis after an edit reuses what did not change (the last split, parsed blocks, standalone
// analyses, inferred models). These tests pin what the editor must see anyway: an edit inside a
// block changes that block's hints and diagnostics, and an Enter above blocks moves theirs by one
// line, each exactly as a cold analysis of the same text gives them.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { clearParseCaches } from '../../../src/core/parsers/index.ts';
import { analyzeDocument, diagnosticsFor, inlayHintsFor, type InlayHint } from '../../../src/host/language/analysis.ts';

const python = (units: number, kernel: number) => `from tensorflow import keras
from tensorflow.keras import layers

def first():
    return keras.Sequential([keras.Input(shape=(32, 32, 3)), layers.Conv2D(8, 3), layers.Flatten()])

def second():
    inputs = keras.Input(shape=(16, 16, 3))
    x = layers.Conv2D(4, ${kernel})(inputs)
    return keras.Model(inputs, layers.Dense(${units})(layers.Flatten()(x)))

def third():
    return keras.Sequential([keras.Input(shape=(8, 8, 1)), layers.MaxPooling2D(2)])
`;

const tfjs = (units: number, kernel: number) => `import * as tf from '@tensorflow/tfjs';

export function first(): tf.Sequential {
  return tf.sequential({ layers: [tf.layers.conv2d({ inputShape: [32, 32, 3], filters: 8, kernelSize: 3 }), tf.layers.flatten()] });
}

export function second(): tf.LayersModel {
  const inputs = tf.input({ shape: [16, 16, 3] });
  const x = tf.layers.conv2d({ filters: 4, kernelSize: ${kernel} }).apply(inputs) as tf.SymbolicTensor;
  return tf.model({ inputs, outputs: tf.layers.dense({ units: ${units} }).apply(tf.layers.flatten().apply(x)) as tf.SymbolicTensor });
}

export function third(): tf.Sequential {
  return tf.sequential({ layers: [tf.layers.maxPooling2d({ inputShape: [8, 8, 1], poolSize: 2 })] });
}
`;

const languages = [
  ['python', python],
  ['typescript', tfjs],
] as const;

const hintsOf = (text: string, languageId: string) => inlayHintsFor(analyzeDocument(text, languageId));
function cold(text: string, languageId: string) {
  clearParseCaches();
  const analysis = analyzeDocument(text, languageId);
  return { hints: inlayHintsFor(analysis), diagnostics: diagnosticsFor(analysis) };
}
const lineOf = (text: string, needle: string) => text.split('\n').findIndex((l) => l.includes(needle));
const onLine = (hints: InlayHint[], line: number) => hints.filter((h) => h.line === line).map((h) => h.label);

for (const [languageId, file] of languages) {
  test(`${languageId}: an edit inside one block changes its hints, the other blocks' stay`, () => {
    const before = file(10, 3);
    const after = file(7, 17); // a 17-wide kernel on 16×16: the block's shapes go and an error comes
    cold(before, languageId);
    const warm = hintsOf(before, languageId); // the caches now hold every block of `before`
    const edited = analyzeDocument(after, languageId);
    const hints = inlayHintsFor(edited);
    const denseLine = lineOf(after, languageId === 'python' ? 'Dense(' : 'dense(');
    assert.ok(onLine(warm, denseLine).includes(' → 10'), 'Dense(10) before the edit');
    assert.ok(!onLine(hints, denseLine).includes(' → 10'), 'the edited block has new hints');
    assert.ok(
      diagnosticsFor(edited).some((d) => d.severity === 'error' && d.range.start.line === lineOf(after, '17')),
      'and its error',
    );
    const firstLine = lineOf(after, languageId === 'python' ? 'Conv2D(8' : 'filters: 8');
    assert.deepEqual(onLine(hints, firstLine), onLine(warm, firstLine), 'an untouched block keeps its hints');
    assert.deepEqual({ hints, diagnostics: diagnosticsFor(edited) }, cold(after, languageId), 'as a cold analysis gives them');
  });

  test(`${languageId}: an Enter above blocks moves their hints and diagnostics down one line`, () => {
    const text = file(10, 17);
    cold(text, languageId);
    const before = analyzeDocument(text, languageId);
    const at = text.indexOf('\n', text.indexOf(languageId === 'python' ? 'def first' : 'function first')) + 1;
    const entered = text.slice(0, at) + '\n' + text.slice(at);
    const after = analyzeDocument(entered, languageId);
    const moved = (hints: InlayHint[]) => hints.map((h) => ({ ...h, line: h.line + 1 }));
    const enterLine = lineOf(text, languageId === 'python' ? 'def first' : 'function first') + 1;
    const hintsBefore = inlayHintsFor(before);
    assert.ok(
      hintsBefore.some((h) => h.line >= enterLine),
      'there are hints below the Enter',
    );
    assert.deepEqual(
      inlayHintsFor(after),
      hintsBefore.map((h) => (h.line >= enterLine ? moved([h])[0] : h)),
    );
    const diagnosticsBefore = diagnosticsFor(before);
    assert.ok(diagnosticsBefore.length > 0, 'the 17-wide kernel has its error');
    assert.deepEqual(
      diagnosticsFor(after).map((d) => d.range.start.line),
      diagnosticsBefore.map((d) => d.range.start.line + 1),
    );
    assert.deepEqual({ hints: inlayHintsFor(after), diagnostics: diagnosticsFor(after) }, cold(entered, languageId));
  });
}
