// Hints for a backend that cannot run, worded for where the engine runs. The same engine serves
// the cnn-lab CLI in a source checkout (npm and scripts/provision-libtensorflow are at hand) and
// the installed VS Code extension, whose VSIX ships no scripts and no libtensorflow: there
// "npm install @tensorflow/tfjs-node" is advice nobody can follow, so the hint says what can be done.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { ENGINE_HOST_ENV } from '../../protocol/messages.ts';

export interface InstallContext {
  /** 'extension': forked by the VS Code extension (CNN_LAB_HOST=vscode); 'cli': anything else */
  host: 'extension' | 'cli';
  /** the package root (where package.json is) when it is a source checkout with the provisioning script */
  checkout: string | null;
}

/** The folder of CNN Lab's package.json above this module (src/engine/backends under tsx, dist/ bundled). */
function packageRoot(from: string): string | null {
  for (let dir = from; ; dir = dirname(dir)) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest)) {
      try {
        if ((JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === 'cnn-lab') return dir;
      } catch {
        // not ours: keep looking
      }
    }
    if (dirname(dir) === dir) return null;
  }
}

export function detectInstallContext(env: NodeJS.ProcessEnv, from: string): InstallContext {
  const root = packageRoot(from);
  return {
    host: env[ENGINE_HOST_ENV] === 'vscode' ? 'extension' : 'cli',
    checkout: root && existsSync(join(root, 'scripts', 'provision-libtensorflow')) ? root : null,
  };
}

let detected: InstallContext | undefined;
/** This process's context (detected once). */
export function installContext(): InstallContext {
  return (detected ??= detectInstallContext(process.env, __dirname));
}

/** How to pick `backends` instead: the command in the editor, the flag on the command line. */
function pickInstead(ctx: InstallContext, backends: string): string {
  return ctx.host === 'extension' ? `choose ${backends} with "CNN Lab: Select Compute Backend"` : `use --backend ${backends}`;
}

/** In a checkout, where to run a command, and what makes the editor see the result. */
function inCheckout(ctx: InstallContext): string {
  return ctx.host === 'extension' ? ` in ${ctx.checkout}, then run "Developer: Reload Window"` : '';
}

/** An npm package the engine loads (wasm, webgpu): a checkout installs it, the VSIX ships it. */
export function packageHint(pkg: string, ctx: InstallContext): string {
  if (ctx.checkout) return `npm install ${pkg}${inCheckout(ctx)}`;
  return `reinstall the CNN Lab extension (its VSIX ships ${pkg.replace(/@[^@/]+$/, '')}), or ${pickInstead(ctx, 'cpu')}`;
}

/** 'not-built': the package is there but its binding was never built (the provisioning script's case) */
export type NativeProblem = 'not-built' | 'unavailable';

/** How to get @tensorflow/tfjs-node (`tensorflow`) or @tensorflow/tfjs-node-gpu (`tensorflow-gpu`). */
export function nativeInstallHint(
  name: 'tensorflow' | 'tensorflow-gpu',
  pkg: string,
  tfjsVersion: string,
  problem: NativeProblem,
  ctx: InstallContext,
  machine = `${process.platform}-${process.arch}`,
): string {
  const versioned = `${pkg}@${tfjsVersion}`;
  if (!ctx.checkout) {
    // an installed VSIX: it ships the binding (linux-x64) but not libtensorflow (about 850 MB), which
    // "CNN Lab: Install Native Backend" fetches into the extension's storage
    if (name === 'tensorflow') {
      const instead = pickInstead(ctx, 'wasm (prediction and frozen-base training) or cpu (everything, slowly)');
      if (machine !== 'linux-x64') {
        return `the native backend can be installed on Linux x64 only (CNN Lab's tfjs-node binding is built for it), this is ${machine}: ${pickInstead(ctx, 'webgpu (a GPU with a Vulkan/Metal/D3D12 driver), wasm or cpu')}`;
      }
      return (
        `run "CNN Lab: Install Native Backend" (fetches libtensorflow from the tensorflow-cpu wheel on the Python package index, about 274 MB; ` +
        `"CNN Lab: Install Native Backend from File…" takes a wheel downloaded elsewhere), or ${instead}`
      );
    }
    return (
      `the installed CNN Lab does not ship ${pkg} (it needs CUDA 11.2 and cuDNN 8.1): ${pickInstead(ctx, 'webgpu (any GPU with a Vulkan driver) or cpu')}; ` +
      `for CUDA run the cnn-lab CLI from a source checkout after npm install ${versioned} (README, "Compute backends")`
    );
  }
  if (name === 'tensorflow-gpu') {
    return `npm install ${versioned}${inCheckout(ctx)} with CUDA 11.2 and cuDNN 8.1 installed (Linux x86_64, NVIDIA GPU); on any other GPU, or without those CUDA versions, use the webgpu backend`;
  }
  if (problem === 'not-built')
    return `run scripts/provision-libtensorflow${inCheckout(ctx)} (builds it offline from the tensorflow-cpu wheel)`;
  return `npm install ${versioned}${inCheckout(ctx)} (its installer downloads libtensorflow); without internet: npm install --ignore-scripts ${versioned}, then scripts/provision-libtensorflow (builds the binding from the tensorflow-cpu wheel)`;
}
