// Builds the three kinds of bundle the extension ships, each in its own esbuild context:
//  - host:    the VS Code extension host entry (node, `vscode` external, never tfjs)
//  - engine:  the forked engine process and the CLI (node; native and tfjs packages stay in
//             node_modules so one copy of @tensorflow/tfjs-core is loaded at run time)
//  - webview: one browser IIFE per view
// `node esbuild.mjs --watch` rebuilds on change; `--production` minifies.
import * as esbuild from 'esbuild';
import { existsSync, readdirSync } from 'node:fs';
import { WEBVIEW_BUILD_OPTIONS } from './scripts/webviewBuildOptions.mjs';

const watch = process.argv.includes('--watch');
const production = process.argv.includes('--production');

/** @type {import('esbuild').BuildOptions} */
const common = {
  bundle: true,
  sourcemap: !production,
  minify: production,
  logLevel: 'info',
};

const webviewEntries = existsSync('webview')
  ? readdirSync('webview')
      .filter((f) => /\.ts$/.test(f) && !f.endsWith('.d.ts') && !f.startsWith('_'))
      .map((f) => `webview/${f}`)
  : [];

const contexts = /** @type {import('esbuild').BuildOptions[]} */ ([
  {
    ...common,
    entryPoints: { extension: 'src/extension.ts' },
    outdir: 'dist',
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    external: ['vscode'],
  },
  {
    ...common,
    entryPoints: { engine: 'src/engine/main.ts', cli: 'src/cli.ts' },
    outdir: 'dist',
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    packages: 'external',
  },
  ...(webviewEntries.length
    ? [
        {
          ...common,
          ...WEBVIEW_BUILD_OPTIONS,
          entryPoints: webviewEntries,
          outdir: 'dist/webview',
        },
      ]
    : []),
]).filter((c) => Object.values(c.entryPoints ?? {}).every((p) => typeof p !== 'string' || existsSync(p)));

const built = await Promise.all(contexts.map((c) => esbuild.context(c)));
if (watch) {
  await Promise.all(built.map((ctx) => ctx.watch()));
} else {
  await Promise.all(built.map((ctx) => ctx.rebuild()));
  await Promise.all(built.map((ctx) => ctx.dispose()));
}
