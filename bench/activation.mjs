#!/usr/bin/env node
// Activation cost of the extension host bundle (dist/extension.js): the time to load the bundle
// and run activate(), measured in a fresh Node process per round, with a stand-in `vscode` module
// that accepts every call (VS Code's own API calls cost the same with or without CNN Lab's logic).
// It also reports whether activation loaded TensorFlow.js or sharp (it must not: the engine
// process owns them). Run after `node esbuild.mjs`:  node bench/activation.mjs [rounds=15]
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const bundle = join(repo, 'dist', 'extension.js');
if (!existsSync(bundle)) throw new Error('dist/extension.js is missing: run `node esbuild.mjs` first');
const rounds = Number(process.argv[2] ?? 15);

// One round, in its own process so module caches start cold (the OS file cache stays warm).
const round = `
const Module = require('node:module');
const { performance } = require('node:perf_hooks');
// A callable, constructible proxy that answers every property: the stand-in vscode API.
const handler = {
  get(t, p) {
    if (p === Symbol.toPrimitive) return () => '';
    if (p === Symbol.iterator) return function* () {};
    if (p === 'then') return undefined; // not a promise
    return stub;
  },
  set: () => true, // assignments (item.text = …) are accepted and forgotten
  defineProperty: () => true,
  apply: () => stub,
  construct: () => stub,
};
const stub = new Proxy(function () {}, handler);
// The bundle's ESM interop copies the module's own properties, so name the namespaces it uses.
const names = ['ConfigurationTarget', 'Diagnostic', 'DiagnosticSeverity', 'Disposable', 'EventEmitter', 'Hover', 'InlayHint', 'InlayHintKind', 'MarkdownString', 'Position', 'ProgressLocation', 'QuickPickItemKind', 'Range', 'StatusBarAlignment', 'TabInputCustom', 'ThemeColor', 'Uri', 'ViewColumn', 'WorkspaceEdit', 'commands', 'env', 'extensions', 'l10n', 'languages', 'window', 'workspace'];
const api = Object.fromEntries(names.map((n) => [n, stub]));
const load = Module._load;
Module._load = function (request, ...rest) { return request === 'vscode' ? api : load.call(this, request, ...rest); };
const context = { subscriptions: [], extensionPath: ${JSON.stringify(repo)}, extensionUri: stub, globalState: stub, workspaceState: stub, globalStorageUri: stub, storageUri: stub, extension: stub };
const t0 = performance.now();
const ext = require(${JSON.stringify(bundle)});
const t1 = performance.now();
ext.activate(context);
const t2 = performance.now();
const heavy = Object.keys(require.cache).filter((k) => /node_modules[\\\\/](@tensorflow|sharp|nsfwjs)[\\\\/]/.test(k));
console.log(JSON.stringify({ loadMs: t1 - t0, activateMs: t2 - t1, heavy: heavy.length, disposables: context.subscriptions.length }));
`;
const samples = [];
for (let i = 0; i < rounds; i++) {
  const r = spawnSync(process.execPath, ['-e', round], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`round ${i} failed: ${r.stderr}`);
  samples.push(JSON.parse(r.stdout.trim().split('\n').pop() ?? ''));
}
const median = (xs) => xs.slice().sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const load = median(samples.map((s) => s.loadMs));
const activate = median(samples.map((s) => s.activateMs));
console.log(
  `dist/extension.js: load ${load.toFixed(1)} ms + activate() ${activate.toFixed(1)} ms = ${(load + activate).toFixed(1)} ms (median of ${rounds} cold processes)`,
);
console.log(
  `registered ${samples[0].disposables} disposables; TensorFlow.js/sharp/nsfwjs modules loaded during activation: ${samples[0].heavy}`,
);
if (samples.some((s) => s.heavy > 0)) process.exitCode = 1;
