// The code map's invariants, checked on the real import graph of src/ and webview/ (the TypeScript
// compiler's resolution, type-only imports included): which folder may import which, and no import
// cycle anywhere in src/. The checker itself is tested on small made-up graphs below, so a broken
// reader or rule cannot pass by finding nothing.
import assert from 'node:assert/strict';
import { resolve } from 'node:path';
import { test } from 'node:test';
import { boundaryViolations, importCycles, readImportGraph, type ImportGraph, type Layer } from './importGraph.ts';

/** docs/ARCHITECTURE.md's code map: core imports nobody; engine and host meet only in protocol. */
const LAYERS: Layer[] = [
  { name: 'core', paths: ['src/core/'], mayImport: ['core'] },
  { name: 'protocol', paths: ['src/protocol/'], mayImport: ['protocol', 'core'] },
  // Node-only helpers that need no tfjs and no vscode (the dataset walk), shared by engine and host
  { name: 'node', paths: ['src/node/'], mayImport: ['node', 'core', 'protocol'] },
  // the extension manifest: settings' defaults are read from it (host/settingDefaults.ts)
  { name: 'manifest', paths: ['package.json'], mayImport: [] },
  { name: 'engine', paths: ['src/engine/'], mayImport: ['engine', 'node', 'core', 'protocol'] },
  { name: 'host', paths: ['src/host/', 'src/extension.ts'], mayImport: ['host', 'node', 'manifest', 'core', 'protocol'] },
  { name: 'cli', paths: ['src/cli/', 'src/cli.ts'], mayImport: ['cli', 'engine', 'node', 'core', 'protocol'] },
  { name: 'webview', paths: ['webview/'], mayImport: ['webview', 'core', 'protocol'] },
];

const repo = resolve(__dirname, '../../..');
const graph = readImportGraph(repo, ['src', 'webview']);

test('the import graph is read with type-only imports and resolved paths', () => {
  assert.ok(graph.size > 100, `only ${graph.size} files read`);
  // `import type { FreezeLayer } from '../src/protocol/webview/freeze.ts'`: type-only, still an edge
  assert.ok(graph.get('webview/_freezeModel.ts')?.includes('src/protocol/webview/freeze.ts'));
  assert.ok(graph.get('src/extension.ts')?.some((f) => f.startsWith('src/host/')));
});

test('every file of src/ and webview/ imports only what its layer may import', () => {
  assert.deepEqual(boundaryViolations(graph, LAYERS), []);
});

test('src/ has no import cycle', () => {
  assert.deepEqual(
    importCycles(graph, 'src/').map((c) => c.join(' → ')),
    [],
  );
});

const tiny = (edges: Record<string, string[]>): ImportGraph => new Map(Object.entries(edges));

test('the checker reports a forbidden import, naming both files and the rule', () => {
  const g = tiny({
    'src/core/a.ts': ['src/protocol/m.ts', 'src/core/b.ts'],
    'src/core/b.ts': [],
    'src/protocol/m.ts': ['src/core/b.ts'],
    'webview/v.ts': ['src/host/p.ts'],
    'src/host/p.ts': [],
  });
  assert.deepEqual(boundaryViolations(g, LAYERS), [
    'src/core/a.ts imports src/protocol/m.ts: core may import only core, not protocol',
    'webview/v.ts imports src/host/p.ts: webview may import only webview, core, protocol, not host',
  ]);
});

test('the checker reports a file that belongs to no layer', () => {
  const g = tiny({ 'src/stray/x.ts': ['src/core/a.ts'], 'src/core/a.ts': [] });
  assert.deepEqual(boundaryViolations(g, LAYERS), ['src/stray/x.ts belongs to no layer']);
});

test('the checker reports each cycle once, as a path back to its start', () => {
  const g = tiny({
    'src/a.ts': ['src/b.ts'],
    'src/b.ts': ['src/c.ts', 'src/d.ts'],
    'src/c.ts': ['src/a.ts'],
    'src/d.ts': [],
    'src/self.ts': ['src/self.ts'],
    // outside `within`: not reported
    'webview/x.ts': ['webview/y.ts'],
    'webview/y.ts': ['webview/x.ts'],
  });
  assert.deepEqual(importCycles(g, 'src/'), [
    ['src/a.ts', 'src/b.ts', 'src/c.ts', 'src/a.ts'],
    ['src/self.ts', 'src/self.ts'],
  ]);
  assert.deepEqual(importCycles(tiny({ 'src/a.ts': ['src/b.ts'], 'src/b.ts': [] }), 'src/'), []);
});
