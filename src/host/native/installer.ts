// Installs libtensorflow for the `tensorflow` backend into <storage>/native/<tf-version>/ (storage
// is the extension's globalStorageUri): from the package index (locate → download → extract) or from
// a wheel file. The libraries are extracted into a temporary folder beside it and renamed into
// place; `install.json` is written last, only after the caller's check (the engine loading them and
// computing a conv2d and its filter gradient) passed, so a folder without it is never used. One
// install at a time across windows: a proper-lockfile lock on the native folder.
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm, rmdir, stat, statfs, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { NATIVE_GPU_LIB_ENV, NATIVE_LIB_ENV } from '../../protocol/messages.ts';
import { CUDA_DIR, installCudaLibraries, type CudaInstall } from './cudaInstall.ts';
import { checkNvidiaDriver, type DriverProbe } from './nvidiaDriver.ts';
import { InstallCancelledError, NativeInstallError, formatMB, throwIfAborted } from './errors.ts';
import { downloadVerified, sha256File, transferOptions, type Progress } from './download.ts';
import { locateWheel, type WheelRef } from './pep691.ts';
import {
  FLAVOUR_PROJECT,
  KNOWN_WHEELS,
  TF_VERSION,
  WHEEL_LIBRARIES,
  checkMachine,
  thisMachine,
  type Flavour,
  type Machine,
} from './nativeTarget.ts';
import { withLock } from './installLock.ts';
import { openWheel, type ExtractedLibrary } from './wheelLibraries.ts';

export const INSTALL_RECORD = 'install.json';

export interface InstallRecord {
  version: string;
  /** absent in records written before the GPU flavour: cpu */
  flavour?: Flavour;
  target: string;
  wheel: { filename: string; sha256: string; size: number; source: 'index' | 'file'; from: string };
  libraries: ExtractedLibrary[];
  /** gpu: the nvidia-*-cu12 wheels and the libraries taken from them, in <dir>/cuda/ */
  cuda?: CudaInstall;
  /** what the engine's check printed (libtensorflow version, conv2d and gradient values) */
  check: string;
  installedAt: string;
}

export const nativeRoot = (storage: string) => join(storage, 'native');
/** <storage>/native/2.21.0 (cpu) or <storage>/native/2.21.0-gpu (the CUDA build and its cuda/ folder). */
export const versionDir = (storage: string, version = TF_VERSION, flavour: Flavour = 'cpu') =>
  join(nativeRoot(storage), flavour === 'gpu' ? `${version}-gpu` : version);
const downloadsDir = (storage: string) => join(nativeRoot(storage), 'downloads');

/** Loads the libraries from `libDir` in a fresh engine and checks they compute; resolves to what it printed. */
export type VerifyLibraries = (libDir: string, signal?: AbortSignal) => Promise<string>;

export type Stage = 'locating' | 'downloading' | 'extracting' | 'checking' | 'cuda';

export interface InstallOptions {
  storage: string;
  verify: VerifyLibraries;
  version?: string;
  /** cpu (tensorflow-cpu, default) or gpu (the tensorflow wheel, CUDA 12, plus its nvidia-*-cu12 wheels) */
  flavour?: Flavour;
  /** gpu: also install the nvidia-*-cu12 wheels (default true; false installs the CUDA build's two libraries only, which run on the CPU) */
  withCuda?: boolean;
  /** gpu: how the NVIDIA driver is detected (default: this machine) */
  driverProbe?: DriverProbe;
  machine?: Machine;
  signal?: AbortSignal;
  onStage?: (stage: Stage, detail: string) => void;
  onProgress?: (p: Progress) => void;
  onRetry?: (reason: string, attempt: number) => void;
  /** wheels whose bytes are pinned (default KNOWN_WHEELS; tests with their own wheels pass {}) */
  known?: typeof KNOWN_WHEELS;
  retries?: number;
  retryDelayMs?: number;
  idleTimeoutMs?: number;
  /** free bytes at a path (default statfs); tests use it for the disk-full line */
  freeBytes?: (path: string) => Promise<number>;
}

/** The record of a complete install whose libraries are still there with their sizes, else null. */
export async function readInstalled(storage: string, version = TF_VERSION, flavour: Flavour = 'cpu'): Promise<InstallRecord | null> {
  const dir = versionDir(storage, version, flavour);
  let record: InstallRecord;
  try {
    record = JSON.parse(await readFile(join(dir, INSTALL_RECORD), 'utf8')) as InstallRecord;
  } catch {
    return null;
  }
  if (
    record.version !== version ||
    (record.flavour ?? 'cpu') !== flavour ||
    !Array.isArray(record.libraries) ||
    record.libraries.length !== WHEEL_LIBRARIES.length
  )
    return null;
  const files = [...record.libraries.map((l) => l.file), ...(record.cuda?.libraries ?? []).map((l) => join(CUDA_DIR, l.file))];
  const sizes = [...record.libraries, ...(record.cuda?.libraries ?? [])].map((l) => l.size);
  for (const [i, file] of files.entries()) {
    const size = await stat(join(dir, file)).then(
      (s) => s.size,
      () => -1,
    );
    if (size !== sizes[i]) return null;
  }
  return record;
}

async function defaultFreeBytes(path: string): Promise<number> {
  const s = await statfs(path);
  return s.bavail * s.bsize;
}

async function ensureSpace(opts: InstallOptions, path: string, needed: number): Promise<void> {
  const free = await (opts.freeBytes ?? defaultFreeBytes)(path);
  if (free < needed)
    throw new NativeInstallError('disk-full', `disk full: ${formatMB(needed)} are needed in ${path}, ${formatMB(free)} are free`);
}

async function withInstallLock<T>(storage: string, fn: () => Promise<T>): Promise<T> {
  const root = nativeRoot(storage);
  try {
    return await withLock(root, fn);
  } finally {
    await removeIfEmpty(root);
  }
}

async function removeIfEmpty(dir: string): Promise<void> {
  try {
    await rmdir(dir);
  } catch {
    /* not empty, or gone: either way nothing to do */
  }
}

/** Same as the other folders of ours: a temporary one beside the target. */
function tempDir(storage: string, label: string): string {
  return join(nativeRoot(storage), `.${label}-${process.pid}-${randomBytes(4).toString('hex')}`);
}

/**
 * Extracts, renames into place, verifies, then writes install.json. On any failure the temporary
 * folder is removed; a failed check leaves the folder without install.json (Reinstall/Remove).
 */
async function installWheel(
  opts: InstallOptions,
  wheelPath: string,
  wheel: InstallRecord['wheel'],
  target: string,
  /** gpu: puts the CUDA libraries into the temporary folder before it is renamed into place */
  addCuda?: (tmp: string) => Promise<CudaInstall>,
): Promise<InstallRecord> {
  const version = opts.version ?? TF_VERSION;
  const flavour = opts.flavour ?? 'cpu';
  opts.onStage?.('extracting', `extracting libtensorflow from ${wheel.filename}`);
  const contents = await openWheel(wheelPath, WHEEL_LIBRARIES, wheel.source === 'file' ? wheelPath : wheel.filename);
  const dest = versionDir(opts.storage, version, flavour);
  const tmp = tempDir(opts.storage, `extract-${version}`);
  let libraries: ExtractedLibrary[];
  let cuda: CudaInstall | undefined;
  try {
    await ensureSpace(opts, nativeRoot(opts.storage), contents.bytes);
    await mkdir(tmp, { recursive: true });
    try {
      libraries = await contents.extract(tmp, opts.signal);
    } catch (e) {
      if ((e as { code?: string }).code === 'ENOSPC')
        throw new NativeInstallError(
          'disk-full',
          `disk full: ${formatMB(contents.bytes)} are needed in ${nativeRoot(opts.storage)} for the libraries`,
        );
      throw e;
    }
    throwIfAborted(opts.signal);
    if (addCuda) cuda = await addCuda(tmp);
    throwIfAborted(opts.signal);
    // an earlier install of this version (complete or not) is moved aside, then removed
    if (existsSync(dest)) {
      const old = tempDir(opts.storage, `old-${version}`);
      await rename(dest, old);
      await rm(old, { recursive: true, force: true });
    }
    await rename(tmp, dest);
  } finally {
    contents.close();
    await rm(tmp, { recursive: true, force: true });
  }
  opts.onStage?.('checking', 'loading libtensorflow in the engine and checking a conv2d and its gradient');
  const check = await opts.verify(dest, opts.signal);
  const record: InstallRecord = {
    version,
    flavour,
    target,
    wheel,
    libraries,
    ...(cuda ? { cuda } : {}),
    check,
    installedAt: new Date().toISOString(),
  };
  const tmpRecord = join(dest, `${INSTALL_RECORD}.tmp`);
  await writeFile(tmpRecord, JSON.stringify(record, null, 2) + '\n');
  await rename(tmpRecord, join(dest, INSTALL_RECORD));
  return record;
}

function requireMachine(opts: InstallOptions): { machine: Machine; target: string } {
  const machine = opts.machine ?? thisMachine();
  const check = checkMachine(machine);
  if (!check.ok) throw new NativeInstallError('unsupported-platform', check.reason);
  if (opts.flavour === 'gpu' && opts.withCuda !== false) {
    // before anything is downloaded: the CUDA build without a driver would only ever run on the CPU
    const driver = checkNvidiaDriver(opts.driverProbe);
    if (!driver.ok) throw new NativeInstallError('unsupported-platform', driver.reason);
  }
  return { machine, target: check.target };
}

/** Bytes the libraries of a wheel unpack to, where known ahead (2.21.0: 853 MB), for the first space check. */
const LIBRARY_BYTES: Record<string, number> = { '2.21.0': 788_086_608 + 65_222_328, '2.21.0-gpu': 1_096_372_272 + 162_648_808 };

export async function installFromIndex(opts: InstallOptions & { indexUrl: string }): Promise<InstallRecord> {
  const { machine, target } = requireMachine(opts); // before anything touches the network
  const version = opts.version ?? TF_VERSION;
  const flavour = opts.flavour ?? 'cpu';
  const project = FLAVOUR_PROJECT[flavour];
  return withInstallLock(opts.storage, async () => {
    opts.onStage?.('locating', `looking up ${project} ${version} at ${opts.indexUrl}`);
    const ref: WheelRef = await locateWheel(opts.indexUrl, version, machine, {
      signal: opts.signal,
      idleTimeoutMs: opts.idleTimeoutMs,
      known: opts.known,
      project,
    });
    const downloads = downloadsDir(opts.storage);
    await mkdir(downloads, { recursive: true });
    const wheelPath = join(downloads, ref.filename);
    try {
      const have = await stat(`${wheelPath}.part`).then(
        (s) => s.size,
        () => 0,
      );
      await ensureSpace(opts, downloads, ref.size - have + (LIBRARY_BYTES[flavour === 'gpu' ? `${version}-gpu` : version] ?? 0));
      opts.onStage?.('downloading', `downloading ${ref.filename} (${formatMB(ref.size)}) from ${ref.url.host}`);
      await downloadVerified({ ...transferOptions(opts), url: ref.url, dest: wheelPath, size: ref.size, sha256: ref.sha256 });
      const addCuda =
        flavour === 'gpu' && opts.withCuda !== false
          ? (tmp: string) =>
              installCudaLibraries({
                ...opts,
                indexUrl: opts.indexUrl,
                machine,
                tfWheel: wheelPath,
                dest: join(tmp, CUDA_DIR),
                downloads,
                label: ref.filename,
              })
          : undefined;
      const record = await installWheel(
        opts,
        wheelPath,
        { filename: ref.filename, sha256: ref.sha256, size: ref.size, source: 'index', from: ref.url.href },
        target,
        addCuda,
      );
      await rm(wheelPath, { force: true });
      return record;
    } catch (e) {
      // a cancelled install keeps its verified wheel (or .part) for the next attempt; any other failure deletes it (274 MB of storage)
      if (!(e instanceof InstallCancelledError)) await rm(wheelPath, { force: true });
      throw e;
    } finally {
      await removeIfEmpty(downloads);
    }
  });
}

/**
 * A wheel the user downloaded elsewhere: its name must fit this machine, a published name must have
 * the published bytes (KNOWN_WHEELS), and the libraries must match the wheel's RECORD.
 */
export async function installFromFile(opts: InstallOptions & { wheel: string }): Promise<InstallRecord> {
  const { target } = requireMachine({ ...opts, withCuda: false });
  const version = opts.version ?? TF_VERSION;
  const filename = basename(opts.wheel);
  const size = await stat(opts.wheel).then(
    (s) => s.size,
    (e: NodeJS.ErrnoException) => {
      throw new NativeInstallError('wheel', `${opts.wheel}: cannot read it (${e.code ?? e.message})`);
    },
  );
  // from a file, the gpu flavour takes the CUDA build's two libraries only (no nvidia wheels: they come from an index)
  const stem = `${FLAVOUR_PROJECT[opts.flavour ?? 'cpu'].replace(/-/g, '_')}-${version}-`;
  if (!filename.startsWith(stem) || !filename.endsWith('.whl')) {
    throw new NativeInstallError(
      'wheel',
      `${opts.wheel}: expected a ${stem}…-manylinux…_x86_64.whl wheel (CNN Lab's binding is built against libtensorflow ${version})`,
    );
  }
  return withInstallLock(opts.storage, async () => {
    const sha256 = await sha256File(opts.wheel);
    const pinned = (opts.known ?? KNOWN_WHEELS)[filename];
    if (pinned && (pinned.sha256 !== sha256 || pinned.size !== size)) {
      throw new NativeInstallError(
        'integrity',
        `sha256 mismatch for ${opts.wheel}: the published ${filename} is ${pinned.sha256}, this file is ${sha256}; nothing was installed`,
      );
    }
    return installWheel(opts, opts.wheel, { filename, sha256, size, source: 'file', from: opts.wheel }, target);
  });
}

/** Removes every install, unfinished one and download of ours under <storage>/native. */
export async function removeInstalled(storage: string): Promise<string[]> {
  const root = nativeRoot(storage);
  if (!existsSync(root)) return [];
  return withInstallLock(storage, async () => {
    const removed: string[] = [];
    for (const name of await readdir(root)) {
      // ours: version folders (2.21.0), downloads/, and the .extract-/.old- temporaries; the lock stays
      if (/^\d+\.\d+\.\d+(-gpu)?$/.test(name) || name === 'downloads' || /^\.(extract|old)-/.test(name)) {
        await rm(join(root, name), { recursive: true, force: true });
        removed.push(join(root, name));
      }
    }
    return removed;
  });
}

/** The engine environment for an installed (or being-checked) library folder. */
export function nativeEngineEnv(libDir: string, env: NodeJS.ProcessEnv = process.env, flavour: Flavour = 'cpu'): NodeJS.ProcessEnv {
  // On Linux the loader searches LD_LIBRARY_PATH before the binding's RUNPATH ($ORIGIN/../../deps/lib),
  // so the installed libraries are found although the VSIX has no deps/ folder. The CUDA build
  // dlopens libcudart.so.12, libcublas.so.12, libcudnn.so.9 … by name: its cuda/ folder goes next.
  const dirs = flavour === 'gpu' ? [libDir, join(libDir, CUDA_DIR)] : [libDir];
  const out: NodeJS.ProcessEnv = {
    ...env,
    LD_LIBRARY_PATH: [...dirs, env.LD_LIBRARY_PATH].filter(Boolean).join(':'),
    [NATIVE_LIB_ENV]: libDir,
  };
  if (flavour === 'gpu') out[NATIVE_GPU_LIB_ENV] = libDir;
  else delete out[NATIVE_GPU_LIB_ENV];
  return out;
}
