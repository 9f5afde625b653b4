// Packages CNN Lab as one VSIX per platform, each holding only that platform's native parts:
//   npm run package -- --target linux-x64 [--target darwin-arm64 …]   (or --all, or --target universal)
// writes out/vsix/cnn-lab-<target>-<version>.vsix.
//
// Why a staging folder: the checkout's node_modules holds one platform's sharp (whatever npm ci
// picked here) and Dawn for five platforms. Each target gets its own production-only tree from
// `npm ci --omit=dev --os --cpu --libc` (npm selects sharp's @img/sharp-<os>-<cpu> and
// @img/sharp-libvips-<os>-<cpu> optional packages for that platform, downloading them from the
// registry), then only that platform's Dawn (webgpu/dist/<platform>/dawn.node) is kept. linux-x64
// also ships the tfjs-node N-API binding this checkout built (scripts/provision-libtensorflow), never
// libtensorflow (Install Native Backend fetches it); other targets ship no tfjs-node (no binding is
// built for them). The universal package has no native parts at all and says so on activation.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const repo = resolve(import.meta.dirname, '..');
const pkg = JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8'));

/** vsce's --target names → npm's platform flags and the Dawn folder of the webgpu package. */
export const TARGETS = {
  'linux-x64': { os: 'linux', cpu: 'x64', libc: 'glibc', dawn: 'linux-x64', binding: true },
  'linux-arm64': { os: 'linux', cpu: 'arm64', libc: 'glibc', dawn: 'linux-arm64', binding: false },
  'darwin-arm64': { os: 'darwin', cpu: 'arm64', dawn: 'darwin-universal', binding: false },
  'darwin-x64': { os: 'darwin', cpu: 'x64', dawn: 'darwin-universal', binding: false },
  'win32-x64': { os: 'win32', cpu: 'x64', dawn: 'win32-x64', binding: false },
  universal: null,
};

/**
 * Production dependencies that nothing loads at run time: the webviews are bundled (lit,
 * vscode-elements, uplot, codicons are inside dist/webview/*.js), types are for the compiler, and
 * core-js is only required by @tensorflow/tfjs's browser polyfill entry. Checked below against the
 * requires of the Node bundles.
 */
const BUILD_ONLY = ['@types', 'core-js', 'lit', '@lit', 'lit-html', '@vscode-elements', '@vscode/codicons', 'uplot'];

const WEBGPU_PLATFORMS = ['darwin-universal', 'linux-arm64', 'linux-x64', 'win32-arm64', 'win32-x64'];

function run(cmd, args, cwd, what) {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', maxBuffer: 256 << 20, timeout: 900_000 });
  if (r.status !== 0) {
    const out = `${r.stdout ?? ''}${r.stderr ?? ''}`.trim().split('\n').slice(-30).join('\n');
    throw new Error(`${what} failed (exit ${r.status ?? r.signal}):\n${out}`);
  }
  return r.stdout;
}

function checkBuildOnly() {
  for (const bundle of ['dist/engine.js', 'dist/cli.js', 'dist/extension.js']) {
    const text = readFileSync(join(repo, bundle), 'utf8');
    for (const name of BUILD_ONLY) {
      if (text.includes(`require("${name}`)) throw new Error(`${bundle} requires ${name}, which the package leaves out as build-only`);
    }
  }
}

function ignoreFile(target) {
  const spec = TARGETS[target];
  const lines = [
    '# written by scripts/package-vsix.mjs for this target',
    '**/*.map',
    '**/*.ts',
    '**/*.d.ts',
    '**/*.tsbuildinfo',
    '**/.rollup.cache/**',
    'node_modules/**/*.md',
    'node_modules/@tensorflow/*/src/**',
    'node_modules/@tensorflow/tfjs-node/deps/**',
    'node_modules/@tensorflow/tfjs-node/build/**',
    'node_modules/@tensorflow/tfjs-node/binding/**',
    'node_modules/@tensorflow/tfjs-node/scripts/**',
    'node_modules/@tensorflow/tfjs-node/python/**',
    'node_modules/webgpu/build/**',
    ...BUILD_ONLY.map((p) => `node_modules/**/${p}/**`),
    ...WEBGPU_PLATFORMS.filter((p) => p !== spec?.dawn).map((p) => `node_modules/webgpu/dist/${p}/**`),
    ...(spec?.binding ? [] : ['node_modules/@tensorflow/tfjs-node/**']),
  ];
  return lines.join('\n') + '\n';
}

export function packageTarget(target) {
  if (!(target in TARGETS)) throw new Error(`unknown target '${target}': expected ${Object.keys(TARGETS).join(', ')}`);
  const spec = TARGETS[target];
  const started = Date.now();
  const stage = join(repo, '.cache', 'package', target);
  rmSync(stage, { recursive: true, force: true });
  mkdirSync(stage, { recursive: true });
  const manifest = { ...pkg };
  delete manifest.devDependencies;
  delete manifest.scripts;
  writeFileSync(join(stage, 'package.json'), JSON.stringify(manifest, null, 2) + '\n');
  for (const f of ['package-lock.json', 'README.md', 'CHANGELOG.md', 'LICENSE']) cpSync(join(repo, f), join(stage, f));
  // bases/: the EfficientNet-Lite ImageNet weights (converted at npm ci); assets/: the keras: topologies;
  // templates/: the files of `cnn-lab export --format keras-script`
  if (!existsSync(join(repo, 'bases', 'efficientnet_lite0', 'weights.bin')))
    throw new Error('bases/efficientnet_lite0 is missing: run `npm run prepare-bases` before packaging');
  for (const d of ['dist', 'media', 'schemas', 'bin', 'bases', 'assets', 'templates'])
    if (existsSync(join(repo, d))) cpSync(join(repo, d), join(stage, d), { recursive: true });
  writeFileSync(join(stage, '.vscodeignore'), ignoreFile(target));
  const flags = spec ? [`--os=${spec.os}`, `--cpu=${spec.cpu}`, ...(spec.libc ? [`--libc=${spec.libc}`] : [])] : ['--omit=optional'];
  run('npm', ['ci', '--omit=dev', '--ignore-scripts', '--no-audit', '--no-fund', ...flags], stage, `npm ci for ${target}`);
  if (spec?.binding) {
    // the binding this checkout built; its RUNPATH $ORIGIN/../../deps/lib is empty in the VSIX, and
    // the installed libtensorflow is found through LD_LIBRARY_PATH instead (src/host/native)
    const napi = join('node_modules', '@tensorflow', 'tfjs-node', 'lib', 'napi-v8', 'tfjs_binding.node');
    if (!existsSync(join(repo, napi)))
      throw new Error(`${napi} is not built: run scripts/provision-libtensorflow before packaging ${target}`);
    mkdirSync(join(stage, napi, '..'), { recursive: true });
    cpSync(join(repo, napi), join(stage, napi));
  }
  mkdirSync(join(repo, 'out', 'vsix'), { recursive: true });
  const vsix = join(repo, 'out', 'vsix', `cnn-lab-${target}-${pkg.version}.vsix`);
  const vsce = join(repo, 'node_modules', '@vscode', 'vsce', 'vsce');
  run(
    process.execPath,
    [
      vsce,
      'package',
      ...(spec ? ['--target', target] : []),
      '--allow-missing-repository',
      '--allow-star-activation',
      '--skip-license',
      '--no-rewrite-relative-links',
      '--out',
      vsix,
    ],
    stage,
    `vsce package for ${target}`,
  );
  rmSync(stage, { recursive: true, force: true }); // about 540 MB of node_modules per target
  return { target, vsix, bytes: statSync(vsix).size, seconds: (Date.now() - started) / 1000 };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const args = process.argv.slice(2);
  const targets = args.includes('--all')
    ? Object.keys(TARGETS)
    : args.flatMap((a, i) => (a === '--target' ? [args[i + 1]] : a.startsWith('--target=') ? [a.slice(9)] : []));
  if (!targets.length) {
    console.error('usage: npm run package -- --target <linux-x64|linux-arm64|darwin-arm64|darwin-x64|win32-x64|universal> … | --all');
    process.exit(2);
  }
  run(process.execPath, ['esbuild.mjs'], repo, 'building the extension (node esbuild.mjs)');
  checkBuildOnly();
  for (const t of targets) {
    try {
      const r = packageTarget(t);
      console.log(`${r.target}: ${r.vsix} (${(r.bytes / 2 ** 20).toFixed(1)} MiB, ${r.seconds.toFixed(0)} s)`);
    } catch (e) {
      console.error(`package-vsix: ${e instanceof Error ? e.message : String(e)}`);
      process.exit(1);
    }
  }
}
