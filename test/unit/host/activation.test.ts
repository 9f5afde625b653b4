// The extension host must never load TensorFlow.js, sharp or the bundled models: activation stays
// fast and a crash in native code cannot take the editor down. Checked on the real host bundle's
// inputs (esbuild's metafile for src/extension.ts, bundled as esbuild.mjs does).
import assert from 'node:assert/strict';
import { builtinModules } from 'node:module';
import { resolve } from 'node:path';
import { test } from 'node:test';
import { build } from 'esbuild';

test('the host bundle includes no tfjs, sharp or nsfwjs, and imports only vscode and Node built-ins', async () => {
  const repo = resolve(__dirname, '../../..');
  const result = await build({
    entryPoints: [resolve(repo, 'src/extension.ts')],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    external: ['vscode'],
    write: false,
    metafile: true,
    logLevel: 'error',
    absWorkingDir: repo,
  });
  const inputs = Object.keys(result.metafile.inputs);
  assert.ok(
    inputs.some((p) => p.startsWith('src/host/')),
    'the metafile lists the host sources',
  );
  const heavy = inputs.filter((p) => /node_modules\/(@tensorflow|sharp|nsfwjs|@img)\//.test(p) || p.startsWith('src/engine/'));
  assert.deepEqual(heavy, []);
  const external = Object.values(result.metafile.outputs).flatMap((o) => o.imports.filter((i) => i.external).map((i) => i.path));
  // yauzl and proper-lockfile (the native backend installer) require zlib, stream, assert… unprefixed
  const notBuiltIn = [...new Set(external)].filter((p) => p !== 'vscode' && !p.startsWith('node:') && !builtinModules.includes(p));
  assert.deepEqual(notBuiltIn, []);
});
