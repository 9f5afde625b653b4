// End-to-end tests in a real VS Code: code-server (VS Code's own server) driven by Chromium through
// playwright-core, with the packaged extension installed. `npm run test:e2e`.
//
// Options: --only=<text>[,<text>]  run the journeys whose name contains one of the texts
//          --skip-setup            do not run scripts/setup-e2e.sh first
//          --vsix=<path>           install this VSIX instead of building and packaging the repo
//          --keep                  keep the temporary run folder (workspace, logs) for inspection
//          --dev                   package without node_modules and link the repo's instead (a
//                                  faster loop while developing; CI tests the full VSIX)
// Prints `N passed, N failed` as its last line; exit code 1 when a journey failed.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import {
  installExtension,
  linkNodeModules,
  prepareUserData,
  readTools,
  startCodeServer,
  type CodeServer,
  type E2eTools,
} from './lib/codeServer.ts';
import { runJourney, type JourneyOutcome } from './lib/journey.ts';
import type { Journey, RunPaths, RunState } from './lib/journeyTypes.ts';
import { buildAndPackage } from './lib/packageExtension.ts';
import { writeTinyBase } from './lib/tinyBase.ts';
import { Workbench } from './lib/workbench.ts';
import { JOURNEYS } from './journeys/index.ts';
import { startIndex } from '../unit/host/native/loopbackIndex.ts';

const REPO = resolve(__dirname, '../..');
const CHROMIUM_FLAGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];
const VIEWPORT = { width: 1400, height: 900 };

interface Options {
  only: string[];
  skipSetup: boolean;
  vsix?: string;
  keep: boolean;
  dev: boolean;
}

function parseOptions(argv: string[]): Options {
  const options: Options = { only: [], skipSetup: false, keep: false, dev: false };
  for (const arg of argv) {
    if (arg.startsWith('--only='))
      options.only.push(
        ...arg
          .slice(7)
          .split(',')
          .filter(Boolean)
          .map((s) => s.toLowerCase()),
      );
    else if (arg === '--skip-setup') options.skipSetup = true;
    else if (arg.startsWith('--vsix=')) options.vsix = resolve(arg.slice(7));
    else if (arg === '--keep') options.keep = true;
    else if (arg === '--dev') options.dev = true;
    else throw new Error(`unknown option ${arg} (known: --only=, --skip-setup, --vsix=, --keep, --dev)`);
  }
  return options;
}

const E2E_IMAGES_PER_CLASS = 20;

async function prepareWorkspace(runDir: string): Promise<string> {
  const workspace = join(runDir, 'workspace');
  cpSync(join(REPO, 'test/e2e/workspace-template'), workspace, { recursive: true });
  const shapes = join(REPO, 'samples/shapes');
  // The first 20 images of each class: enough for the journeys, and it keeps training in the
  // wizard journey near a minute on 2 cores (all 80 took ~4 min, close to its step limits).
  if (existsSync(shapes))
    cpSync(shapes, join(workspace, 'shapes'), {
      recursive: true,
      filter: (src) => !/\.png$/i.test(src) || Number(/-(\d+)\.png$/i.exec(src)?.[1] ?? 0) < E2E_IMAGES_PER_CLASS,
    });
  else console.warn(`warning: ${shapes} is missing; the training journeys will fail for want of a dataset`);
  await writeTinyBase(join(workspace, 'tiny-base'));
  return workspace;
}

/** "Category: Title" of each contributed command the palette always shows (no `when` on it there). */
function paletteTitles(packageJsonPath: string): string[] {
  interface Manifest {
    contributes?: {
      commands?: { command: string; title: string; category?: string }[];
      menus?: { commandPalette?: { command: string; when?: string }[] };
    };
  }
  const manifest = JSON.parse(readFileSync(packageJsonPath, 'utf8')) as Manifest;
  const conditional = new Set((manifest.contributes?.menus?.commandPalette ?? []).filter((m) => m.when).map((m) => m.command));
  return (manifest.contributes?.commands ?? [])
    .filter((c) => !conditional.has(c.command))
    .map((c) => (c.category ? `${c.category}: ${c.title}` : c.title));
}

async function runJourneysOn(
  server: CodeServer,
  browser: Browser,
  journeys: Journey[],
  paths: RunPaths,
  state: RunState,
): Promise<JourneyOutcome[]> {
  const outcomes: JourneyOutcome[] = [];
  for (const journey of journeys) {
    // A fresh browser context per journey: no editors or panels restored from the previous one.
    const context = await browser.newContext({ viewport: VIEWPORT });
    const page = await context.newPage();
    const wb = new Workbench(page);
    const outcome = await runJourney(journey.name, page, paths.resultsDir, async (ctx) => {
      await ctx.step('open the workspace in the workbench', () => wb.open(server.folderUrl(paths.workspace)), { timeoutMs: 120_000 });
      await journey.run(ctx, wb, paths, state);
    });
    outcomes.push(outcome);
    await context.close();
  }
  return outcomes;
}

async function main(): Promise<number> {
  const options = parseOptions(process.argv.slice(2));
  const started = Date.now();
  const resultsDir = join(REPO, 'test-results/e2e');
  rmSync(resultsDir, { recursive: true, force: true });
  mkdirSync(resultsDir, { recursive: true });

  if (!options.skipSetup) {
    const setup = spawnSync('bash', [join(REPO, 'scripts/setup-e2e.sh')], { stdio: 'inherit' });
    if (setup.status !== 0) throw new Error(`scripts/setup-e2e.sh failed (exit ${setup.status})`);
  }
  const tools: E2eTools = readTools(REPO);

  let vsix = options.vsix;
  if (!vsix && !options.dev && process.platform === 'linux' && process.arch === 'x64') {
    // what a user installs: the linux-x64 platform package (scripts/package-vsix.mjs), not a VSIX
    // packed straight from this checkout
    const started = Date.now();
    const r = spawnSync(process.execPath, [join(REPO, 'scripts/package-vsix.mjs'), '--target', 'linux-x64'], {
      cwd: REPO,
      encoding: 'utf8',
    });
    if (r.status !== 0)
      throw new Error(
        `npm run package -- --target linux-x64 failed (exit ${r.status}):\n${`${r.stdout}${r.stderr}`.trim().split('\n').slice(-20).join('\n')}`,
      );
    vsix = join(REPO, 'out', 'vsix', `cnn-lab-linux-x64-${JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')).version}.vsix`);
    console.log(
      `packaged the linux-x64 platform VSIX ${vsix} (${(statSync(vsix).size / 2 ** 20).toFixed(1)} MiB) in ${((Date.now() - started) / 1000).toFixed(1)} s`,
    );
  }
  if (!vsix) {
    const packaged = buildAndPackage(REPO, join(REPO, `.cache/e2e/cnn-lab${options.dev ? '-dev' : ''}.vsix`), !options.dev);
    console.log(
      `built in ${packaged.buildSeconds.toFixed(1)} s, packaged ${packaged.vsix} (${packaged.sizeMiB.toFixed(1)} MiB) in ${packaged.packageSeconds.toFixed(1)} s`,
    );
    vsix = packaged.vsix;
  }

  const runDir = mkdtempSync(join(tmpdir(), 'cnn-lab-e2e-'));
  const extensionsDir = join(runDir, 'extensions');
  const trustedDirs = { userDataDir: join(runDir, 'user-trusted'), extensionsDir };
  const restrictedDirs = { userDataDir: join(runDir, 'user-restricted'), extensionsDir };
  const paths: RunPaths = {
    workspace: await prepareWorkspace(runDir),
    resultsDir,
    expectedPaletteCommands: options.vsix ? [] : paletteTitles(join(REPO, 'package.json')),
    globalStorage: join(trustedDirs.userDataDir, 'User', 'globalStorage', 'cnn-lab.cnn-lab'),
  };
  const state: RunState = {};
  // Install Native Backend's journeys: a loopback index serving the wheel CI caches
  const wheelDir = join(REPO, '.cache/libtensorflow');
  const wheel = existsSync(wheelDir) ? readdirSync(wheelDir).find((f) => /^tensorflow_cpu-2\.21\.0-.*\.whl$/.test(f)) : undefined;
  if (wheel) state.nativeIndex = await startIndex(join(wheelDir, wheel), wheel);
  else state.nativeIndexMissing = `no tensorflow-cpu wheel in ${wheelDir} (run scripts/provision-libtensorflow)`;
  prepareUserData(trustedDirs, state.nativeIndex ? { 'cnnLab.native.indexUrl': state.nativeIndex.indexUrl } : {});
  prepareUserData(restrictedDirs, {});
  const installStarted = Date.now();
  installExtension(tools, vsix, trustedDirs);
  if (options.dev) linkNodeModules(trustedDirs, 'cnn-lab.cnn-lab', join(REPO, 'node_modules'));
  console.log(`installed ${vsix} into code-server in ${((Date.now() - installStarted) / 1000).toFixed(1)} s`);

  const selected = JOURNEYS.filter((j) => options.only.length === 0 || options.only.some((o) => j.name.toLowerCase().includes(o)));
  if (selected.length === 0) throw new Error(`no journey matches --only=${options.only.join(',')}`);
  const outcomes: JourneyOutcome[] = [];
  const browser = await chromium.launch({ executablePath: tools.chromium, args: CHROMIUM_FLAGS });
  try {
    for (const mode of ['trusted', 'restricted'] as const) {
      const journeys = selected.filter((j) => j.mode === mode);
      if (journeys.length === 0) continue;
      const dirs = mode === 'trusted' ? trustedDirs : restrictedDirs;
      const server = await startCodeServer(tools, {
        ...dirs,
        trustEverything: mode === 'trusted',
        logFile: join(runDir, `code-server-${mode}.log`),
      });
      try {
        outcomes.push(...(await runJourneysOn(server, browser, journeys, paths, state)));
      } finally {
        await server.stop();
      }
    }
  } finally {
    await browser.close();
    await state.nativeIndex?.close();
  }

  const passed = outcomes.filter((o) => o.passed).length;
  const failed = outcomes.length - passed;
  const totalSeconds = (Date.now() - started) / 1000;
  writeFileSync(join(resultsDir, 'summary.json'), JSON.stringify({ totalSeconds, outcomes }, null, 2));
  console.log('\nend-to-end journeys:');
  for (const o of outcomes) console.log(`  ${o.passed ? 'PASS' : 'FAIL'}  ${o.journey}  (${o.seconds.toFixed(1)} s)`);
  for (const o of outcomes.filter((x) => !x.passed)) console.log(`\n${o.error}`);
  console.log(`\nscreenshots: ${resultsDir}; total ${totalSeconds.toFixed(0)} s`);
  if (options.keep) console.log(`run folder kept: ${runDir}`);
  else rmSync(runDir, { recursive: true, force: true });
  console.log(`${passed} passed, ${failed} failed`);
  return failed === 0 ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    console.log('0 passed, 1 failed');
    process.exit(1);
  },
);
