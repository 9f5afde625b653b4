// Finds shared libraries the way the dynamic loader would, without loading them: native backends
// (CUDA for tensorflow-gpu, the Vulkan loader for WebGPU) are reported as unavailable with the
// exact missing file instead of crashing or printing loader noise when they are absent.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

const STANDARD_DIRS = [
  '/usr/local/cuda/lib64',
  '/usr/local/cuda/lib',
  '/usr/lib/x86_64-linux-gnu',
  '/lib/x86_64-linux-gnu',
  '/usr/lib/aarch64-linux-gnu',
  '/usr/lib64',
  '/usr/lib',
  '/lib64',
  '/lib',
];

let ldconfigCache: Map<string, string> | undefined;

/** soname → path from `ldconfig -p` (empty when ldconfig is not there, e.g. in some containers). */
function ldconfigEntries(): Map<string, string> {
  if (ldconfigCache) return ldconfigCache;
  ldconfigCache = new Map();
  for (const ldconfig of ['/sbin/ldconfig', '/usr/sbin/ldconfig', 'ldconfig']) {
    try {
      const text = execFileSync(ldconfig, ['-p'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 5000 });
      for (const line of text.split('\n')) {
        // "	libcudart.so.11.0 (libc6,x86-64) => /usr/local/cuda/lib64/libcudart.so.11.0"
        const m = /^\s*(\S+)\s+\(.*\)\s+=>\s+(\S+)/.exec(line);
        if (m && !ldconfigCache.has(m[1])) ldconfigCache.set(m[1], m[2]);
      }
      break;
    } catch {
      /* try the next location */
    }
  }
  return ldconfigCache;
}

/** The directories searched, in the loader's order: LD_LIBRARY_PATH first, then the usual ones. */
export function librarySearchDirs(env: NodeJS.ProcessEnv = process.env): string[] {
  const fromEnv = (env.LD_LIBRARY_PATH ?? '').split(':').filter(Boolean);
  return [...new Set([...fromEnv, ...STANDARD_DIRS])];
}

/** Path of a shared library by its file name (e.g. `libcudnn.so.8`), or null when not found. */
export function findSharedLibrary(fileName: string, dirs: string[] = librarySearchDirs()): string | null {
  for (const dir of dirs) {
    const candidate = join(dir, fileName);
    if (existsSync(candidate)) return candidate;
  }
  return ldconfigEntries().get(fileName) ?? null;
}

/** The file names among `fileNames` that cannot be found. */
export function missingSharedLibraries(fileNames: readonly string[], dirs?: string[]): string[] {
  return fileNames.filter((f) => findSharedLibrary(f, dirs) === null);
}
