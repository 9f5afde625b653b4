// Starts and stops code-server (VS Code's server, run under Node 24) on 127.0.0.1 with a fresh
// user-data and extensions directory, and installs a VSIX into it. The tools' paths come from
// .cache/e2e/env.json, written by scripts/setup-e2e.sh.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';

export interface E2eTools {
  node24: string;
  codeServer: string;
  chromium: string;
}

export function readTools(repoRoot: string): E2eTools {
  const envFile = join(repoRoot, '.cache/e2e/env.json');
  if (!existsSync(envFile)) {
    throw new Error(`${envFile} is missing: run scripts/setup-e2e.sh first`);
  }
  const tools = JSON.parse(readFileSync(envFile, 'utf8')) as Partial<E2eTools>;
  for (const key of ['node24', 'codeServer', 'chromium'] as const) {
    const path = tools[key];
    if (typeof path !== 'string' || !existsSync(path)) {
      throw new Error(`${envFile}: "${key}" (${String(path)}) does not exist: run scripts/setup-e2e.sh again`);
    }
  }
  return tools as E2eTools;
}

export interface ServerDirs {
  userDataDir: string;
  extensionsDir: string;
}

/** Settings that keep the workbench quiet and deterministic: no telemetry, tours, updates or AI panes. */
export const QUIET_SETTINGS: Record<string, unknown> = {
  'telemetry.telemetryLevel': 'off',
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.enableExperiments': false,
  'workbench.welcomePage.walkthroughs.openOnInstall': false,
  'workbench.secondarySideBar.defaultVisibility': 'hidden',
  'extensions.autoUpdate': false,
  'extensions.autoCheckUpdates': false,
  'extensions.ignoreRecommendations': true,
  'update.mode': 'none',
  'chat.disableAIFeatures': true,
  'git.enabled': false,
  'editor.hover.delay': 200,
  'editor.minimap.enabled': false,
  'security.workspace.trust.startupPrompt': 'always',
  'files.simpleDialog.enable': true,
  // one explorer row per folder: a folder with a single subfolder is otherwise shown as "a/b" on one row
  'explorer.compactFolders': false,
};

export function prepareUserData(dirs: ServerDirs, settings: Record<string, unknown>): void {
  const userDir = join(dirs.userDataDir, 'User');
  mkdirSync(userDir, { recursive: true });
  mkdirSync(dirs.extensionsDir, { recursive: true });
  writeFileSync(join(userDir, 'settings.json'), JSON.stringify({ ...QUIET_SETTINGS, ...settings }, null, 2));
}

export function installExtension(tools: E2eTools, vsix: string, dirs: ServerDirs): void {
  const result = spawnSync(
    tools.node24,
    [tools.codeServer, '--user-data-dir', dirs.userDataDir, '--extensions-dir', dirs.extensionsDir, '--force', '--install-extension', vsix],
    { encoding: 'utf8', env: serverEnv(dirs), timeout: 300_000 },
  );
  const output = `${result.stdout ?? ''}${result.stderr ?? ''}`;
  if (result.status !== 0 || !/successfully installed/i.test(output)) {
    throw new Error(`installing ${vsix} into code-server failed (exit ${result.status}):\n${output}`);
  }
}

/**
 * For `--dev` runs: links the repo's node_modules into the installed extension, which was packaged
 * without them. Returns the extension's folder.
 */
export function linkNodeModules(dirs: ServerDirs, publisherDotName: string, nodeModules: string): string {
  const installed = readdirSync(dirs.extensionsDir).find((d) => d.toLowerCase().startsWith(`${publisherDotName.toLowerCase()}-`));
  if (!installed) throw new Error(`no ${publisherDotName}-* folder in ${dirs.extensionsDir} after installing the VSIX`);
  const folder = join(dirs.extensionsDir, installed);
  rmSync(join(folder, 'node_modules'), { recursive: true, force: true });
  symlinkSync(nodeModules, join(folder, 'node_modules'), 'dir');
  return folder;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

function serverEnv(dirs: ServerDirs): NodeJS.ProcessEnv {
  // XDG_CONFIG_HOME keeps code-server's default config.yaml out of the user's home directory.
  // PASSWORD and friends would switch authentication on; drop them.
  const env: NodeJS.ProcessEnv = { ...process.env, XDG_CONFIG_HOME: join(dirs.userDataDir, 'xdg-config') };
  delete env.PASSWORD;
  delete env.HASHED_PASSWORD;
  delete env.VSCODE_IPC_HOOK_CLI;
  return env;
}

export interface CodeServer {
  url: string;
  port: number;
  logFile: string;
  /** the workbench URL with `folder` opened */
  folderUrl(folder: string): string;
  stop(): Promise<void>;
}

export interface StartOptions extends ServerDirs {
  /** false starts with Workspace Trust on, so a folder opens in Restricted Mode until trusted */
  trustEverything: boolean;
  logFile: string;
}

export async function startCodeServer(tools: E2eTools, options: StartOptions): Promise<CodeServer> {
  const port = await freePort();
  const args = [
    tools.codeServer,
    '--bind-addr',
    `127.0.0.1:${port}`,
    '--auth',
    'none',
    '--user-data-dir',
    options.userDataDir,
    '--extensions-dir',
    options.extensionsDir,
    '--disable-telemetry',
    '--disable-update-check',
    '--disable-getting-started-override',
    '--ignore-last-opened',
    ...(options.trustEverything ? ['--disable-workspace-trust'] : []),
  ];
  const log = createWriteStream(options.logFile);
  const child: ChildProcess = spawn(tools.node24, args, {
    env: serverEnv(options),
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true, // its own process group, so stop() ends the extension host and engine with it
  });
  child.stdout?.pipe(log);
  child.stderr?.pipe(log);
  let exited: number | null | undefined;
  child.on('exit', (code) => (exited = code));

  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (exited !== undefined) {
      throw new Error(`code-server exited (code ${exited}) before it served ${url}; log: ${options.logFile}`);
    }
    try {
      const response = await fetch(`${url}/healthz`);
      if (response.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`code-server did not answer on ${url}/healthz within 60 s; log: ${options.logFile}`);
    await new Promise((r) => setTimeout(r, 250));
  }

  return {
    url,
    port,
    logFile: options.logFile,
    folderUrl: (folder) => `${url}/?folder=${encodeURIComponent(folder)}`,
    async stop() {
      if (exited !== undefined || child.pid === undefined) return;
      const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      try {
        process.kill(-child.pid, 'SIGTERM');
      } catch {
        return;
      }
      const timer = setTimeout(() => {
        try {
          process.kill(-child.pid!, 'SIGKILL');
        } catch {
          // already gone
        }
      }, 5_000);
      await gone;
      clearTimeout(timer);
      log.end();
    },
  };
}
