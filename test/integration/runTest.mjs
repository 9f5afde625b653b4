// `npm run test:integration`: the extension inside a real desktop VS Code, with @vscode/test-electron.
// It downloads a VS Code build from update.code.visualstudio.com (cached in .vscode-test/), starts
// it with this repo as the extension under development and a fresh copy of the e2e workspace, and
// runs test/integration/suite/index.cjs in its extension host.
//
// Where VS Code cannot be downloaded (no route to update.code.visualstudio.com, as in this
// project's sandbox) it stops within DOWNLOAD_TIMEOUT_MS with a message saying so; the editor
// journeys then run in code-server instead (`npm run test:e2e`). Set VSCODE_EXECUTABLE to an
// installed VS Code (e.g. /usr/share/code/code) to skip the download.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const DOWNLOAD_TIMEOUT_MS = Number(process.env.VSCODE_DOWNLOAD_TIMEOUT_MS ?? 60_000);
const VSCODE_VERSION = process.env.VSCODE_VERSION ?? 'stable';

/** @returns {never} */
function fail(message) {
  console.error(`\ntest:integration: ${message}`);
  process.exit(1);
}

/** @type {typeof import('@vscode/test-electron')} */
let testElectron;
try {
  testElectron = await import('@vscode/test-electron');
} catch (e) {
  fail(`@vscode/test-electron is not installed (${e instanceof Error ? e.message : String(e)}); run npm ci.`);
}
const { downloadAndUnzipVSCode, runTests } = testElectron;

// 1. the extension as VS Code loads it: dist/ from esbuild
const build = spawnSync(process.execPath, ['esbuild.mjs'], { cwd: REPO, stdio: 'inherit' });
if (build.status !== 0) fail('node esbuild.mjs failed');

// 2. a VS Code build: an installed one, or a download that gives up instead of hanging
async function vscodeExecutable() {
  if (process.env.VSCODE_EXECUTABLE) {
    if (!existsSync(process.env.VSCODE_EXECUTABLE)) fail(`VSCODE_EXECUTABLE=${process.env.VSCODE_EXECUTABLE} does not exist`);
    return process.env.VSCODE_EXECUTABLE;
  }
  const cachePath = join(REPO, '.vscode-test');
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no VS Code build after ${DOWNLOAD_TIMEOUT_MS / 1000} s`)), DOWNLOAD_TIMEOUT_MS);
  });
  try {
    return await Promise.race([
      downloadAndUnzipVSCode({ version: VSCODE_VERSION, cachePath, timeout: Math.min(DOWNLOAD_TIMEOUT_MS, 30_000) }),
      timeout,
    ]);
  } catch (e) {
    fail(
      `could not download VS Code (${VSCODE_VERSION}) from update.code.visualstudio.com: ${e instanceof Error ? e.message : String(e)}.\n` +
        'This suite needs a desktop VS Code build: run it on a machine that can reach update.code.visualstudio.com, ' +
        'or point VSCODE_EXECUTABLE at an installed VS Code. Where neither is possible, the editor is tested ' +
        'in code-server instead: bash scripts/setup-e2e.sh && npm run test:e2e.',
    );
  } finally {
    clearTimeout(timer);
  }
}

const vscodeExecutablePath = await vscodeExecutable();

// 3. a fresh workspace (the e2e one) and user data, so no earlier state leaks in
const runDir = mkdtempSync(join(tmpdir(), 'cnn-lab-integration-'));
const workspace = join(runDir, 'workspace');
cpSync(join(REPO, 'test/e2e/workspace-template'), workspace, { recursive: true });
let code;
try {
  code = await runTests({
    vscodeExecutablePath,
    extensionDevelopmentPath: REPO,
    extensionTestsPath: join(REPO, 'test/integration/suite/index.cjs'),
    extensionTestsEnv: { CNN_LAB_INTEGRATION_WORKSPACE: workspace },
    launchArgs: [
      workspace,
      '--disable-extensions',
      '--disable-workspace-trust',
      '--skip-welcome',
      '--skip-release-notes',
      `--user-data-dir=${join(runDir, 'user-data')}`,
    ],
  });
} catch (e) {
  console.error(`test:integration: the suite failed: ${e instanceof Error ? e.message : String(e)}`);
  code = 1;
} finally {
  rmSync(runDir, { recursive: true, force: true });
}
process.exit(code);
