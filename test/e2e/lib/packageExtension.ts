// Builds the extension (esbuild) and packages it as a VSIX with @vscode/vsce, runtime
// dependencies included (the engine process loads tfjs and sharp from the extension's own
// node_modules); .vscodeignore decides what else stays out.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

export interface PackagedExtension {
  vsix: string;
  buildSeconds: number;
  packageSeconds: number;
  sizeMiB: number;
}

function run(command: string, args: string[], cwd: string, what: string): number {
  const started = Date.now();
  const result = spawnSync(command, args, { cwd, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, timeout: 600_000 });
  if (result.status !== 0) {
    const output = `${result.stdout ?? ''}${result.stderr ?? ''}`.trim().split('\n').slice(-40).join('\n');
    throw new Error(`${what} failed (exit ${result.status ?? result.signal}):\n${output}`);
  }
  return (Date.now() - started) / 1000;
}

/**
 * `withDependencies: false` packages without node_modules (seconds instead of a minute); the caller
 * then links the repo's node_modules into the installed extension (`npm run test:e2e -- --dev`).
 */
export function buildAndPackage(repoRoot: string, outVsix: string, withDependencies = true): PackagedExtension {
  const buildSeconds = run(process.execPath, ['esbuild.mjs'], repoRoot, 'building the extension (node esbuild.mjs)');
  for (const bundle of ['dist/extension.js', 'dist/engine.js']) {
    if (!existsSync(join(repoRoot, bundle))) throw new Error(`node esbuild.mjs did not produce ${bundle}`);
  }
  const vsce = join(repoRoot, 'node_modules/@vscode/vsce/vsce');
  const ignoreFile = join(repoRoot, '.vscodeignore');
  if (!existsSync(ignoreFile) || !/^\.cache\//m.test(readFileSync(ignoreFile, 'utf8'))) {
    // without it vsce would pack the e2e tools (code-server, Node 24) in .cache/ into the VSIX
    throw new Error(`${ignoreFile} must exist and exclude .cache/** before the extension can be packaged`);
  }
  if (!existsSync(vsce)) throw new Error(`${vsce} is missing: @vscode/vsce is a devDependency, run npm ci`);
  const packageSeconds = run(
    process.execPath,
    [
      vsce,
      'package',
      '--allow-missing-repository',
      '--allow-star-activation',
      '--skip-license',
      // The README's screenshots are relative links; without a repository URL vsce refuses to
      // rewrite them. Packaged for tests only, so keep them relative.
      '--no-rewrite-relative-links',
      ...(withDependencies ? [] : ['--no-dependencies']),
      '--out',
      outVsix,
    ],
    repoRoot,
    'packaging the VSIX (vsce package)',
  );
  return { vsix: outVsix, buildSeconds, packageSeconds, sizeMiB: statSync(outVsix).size / 2 ** 20 };
}
