// Whether this machine has an NVIDIA driver that the CUDA 12 build of libtensorflow can use, decided
// before the tensorflow-gpu flavour is offered or anything is downloaded: the driver's user-space
// library libcuda.so.1 (which the nvidia-*-cu12 wheels do not carry: it comes with the kernel
// driver) and the driver's version. The inputs are read through `DriverProbe` so tests can give a
// machine without a GPU one, and one with.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Where distributions and the NVIDIA installer put libcuda.so.1 when ldconfig does not list it. */
export const LIBCUDA_DIRS = [
  '/usr/lib/x86_64-linux-gnu',
  '/usr/lib64',
  '/usr/lib',
  '/usr/local/nvidia/lib64', // NVIDIA container toolkit
  '/usr/lib/wsl/lib', // WSL 2
  '/usr/local/cuda/compat',
];

/** CUDA 12 needs driver 525.60.13 or newer on Linux (NVIDIA's CUDA 12.0 release notes, table 3). */
export const MIN_DRIVER = '525.60.13';

export interface DriverProbe {
  /** `ldconfig -p` output, or null when it cannot run */
  ldconfig(): string | null;
  exists(path: string): boolean;
  /** /proc/driver/nvidia/version, or null */
  procVersion(): string | null;
  /** `nvidia-smi --query-gpu=driver_version,name --format=csv,noheader`, or null */
  nvidiaSmi(): string | null;
  env: NodeJS.ProcessEnv;
}

function run(cmd: string, args: string[]): string | null {
  try {
    return execFileSync(cmd, args, { encoding: 'utf8', timeout: 5000, stdio: ['ignore', 'pipe', 'ignore'] });
  } catch {
    return null;
  }
}

export const systemProbe: DriverProbe = {
  ldconfig: () => run('ldconfig', ['-p']) ?? run('/sbin/ldconfig', ['-p']),
  exists: existsSync,
  procVersion: () => {
    try {
      return readFileSync('/proc/driver/nvidia/version', 'utf8');
    } catch {
      return null;
    }
  },
  nvidiaSmi: () => run('nvidia-smi', ['--query-gpu=driver_version,name', '--format=csv,noheader']),
  env: process.env,
};

export type DriverCheck = { ok: true; libcuda: string; driver: string; gpus: string[] } | { ok: false; reason: string };

function versionAtLeast(have: string, want: string): boolean {
  const a = have.split('.').map(Number);
  const b = want.split('.').map(Number);
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    if ((a[i] ?? 0) !== (b[i] ?? 0)) return (a[i] ?? 0) > (b[i] ?? 0);
  }
  return true;
}

/** The path of libcuda.so.1: the ldconfig cache (x86-64 entries), then LD_LIBRARY_PATH, then LIBCUDA_DIRS. */
export function findLibcuda(probe: DriverProbe): string | null {
  for (const line of (probe.ldconfig() ?? '').split('\n')) {
    const m = /^\s*libcuda\.so\.1\s+\(([^)]*)\)\s+=>\s+(\S+)/.exec(line);
    if (m && m[1].includes('x86-64')) return m[2];
  }
  const dirs = [...(probe.env.LD_LIBRARY_PATH ?? '').split(':').filter(Boolean), ...LIBCUDA_DIRS];
  for (const dir of dirs) {
    const p = join(dir, 'libcuda.so.1');
    if (probe.exists(p)) return p;
  }
  return null;
}

/** The driver version from /proc ("NVRM version: NVIDIA UNIX x86_64 Kernel Module  550.54.15 …") or nvidia-smi. */
export function driverVersion(probe: DriverProbe): { driver: string; gpus: string[] } | null {
  const smi = probe.nvidiaSmi();
  const rows = (smi ?? '')
    .split('\n')
    .map((l) => l.split(',').map((s) => s.trim()))
    .filter((r) => /^\d+\.\d+/.test(r[0] ?? ''));
  if (rows.length) return { driver: rows[0][0], gpus: rows.map((r) => r[1] ?? 'NVIDIA GPU') };
  const m = /Kernel Module\s+(?:for\s+\S+\s+)?(\d+\.\d+(?:\.\d+)?)/.exec(probe.procVersion() ?? '');
  return m ? { driver: m[1], gpus: [] } : null;
}

/** Whether the tensorflow-gpu flavour can be offered here; the one line why not otherwise. */
export function checkNvidiaDriver(probe: DriverProbe = systemProbe): DriverCheck {
  const libcuda = findLibcuda(probe);
  if (!libcuda) {
    return {
      ok: false,
      reason:
        'no NVIDIA driver found (libcuda.so.1 is not in the ldconfig cache, LD_LIBRARY_PATH or /usr/lib*): tensorflow-gpu needs one; install the NVIDIA driver, or use the tensorflow (CPU) or webgpu backend',
    };
  }
  const v = driverVersion(probe);
  if (!v) {
    return {
      ok: false,
      reason: `${libcuda} is present but no NVIDIA kernel driver answers (/proc/driver/nvidia/version missing, nvidia-smi failed): is the driver loaded?`,
    };
  }
  if (!versionAtLeast(v.driver, MIN_DRIVER)) {
    return {
      ok: false,
      reason: `the NVIDIA driver is ${v.driver}; the CUDA 12 libraries of tensorflow-gpu need ${MIN_DRIVER} or newer: update the driver, or use the tensorflow (CPU) or webgpu backend`,
    };
  }
  return { ok: true, libcuda, driver: v.driver, gpus: v.gpus };
}
