// Installs the CUDA 12 libraries of the tensorflow-gpu flavour into <install>/cuda/: reads the
// and-cuda requirements from the downloaded tensorflow wheel's METADATA, looks each nvidia-*-cu12
// project up on the same index, downloads one wheel at a time (size and sha256 from the index,
// checked while streaming, resumable like the libtensorflow wheel), streams its shared libraries out
// (each checked against that wheel's RECORD) and deletes the wheel before the next one, so the
// downloads never need more than the largest wheel (cuDNN, ~600 MB) of extra space.
import { mkdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { parseCudaRequirements, formatRequirement, isCudaLibrary, locateCudaWheel } from './cudaWheels.ts';
import { downloadVerified, transferOptions, type TransferOptions } from './download.ts';
import { InstallCancelledError, NativeInstallError, formatMB, throwIfAborted } from './errors.ts';
import type { Machine } from './nativeTarget.ts';
import { openWheel, readWheelMetadata, type ExtractedLibrary } from './wheelLibraries.ts';

/** The folder inside an install that holds the CUDA libraries. */
export const CUDA_DIR = 'cuda';

export interface CudaWheel {
  requirement: string;
  version: string;
  filename: string;
  sha256: string;
  size: number;
}

export interface CudaInstall {
  wheels: CudaWheel[];
  libraries: ExtractedLibrary[];
}

export interface CudaInstallOptions extends TransferOptions {
  indexUrl: string;
  machine: Machine;
  /** the downloaded tensorflow wheel, whose METADATA names the nvidia wheels */
  tfWheel: string;
  label: string;
  dest: string;
  downloads: string;
  onStage?: (stage: 'cuda', detail: string) => void;
}

export async function installCudaLibraries(opts: CudaInstallOptions): Promise<CudaInstall> {
  const requirements = parseCudaRequirements(await readWheelMetadata(opts.tfWheel, opts.label));
  if (requirements.length === 0)
    throw new NativeInstallError(
      'wheel',
      `${opts.label}: its METADATA names no nvidia-*-cu12 wheels (extra == "and-cuda"): is it the CUDA build of tensorflow?`,
    );
  await mkdir(opts.dest, { recursive: true });
  const wheels: CudaWheel[] = [];
  const libraries: ExtractedLibrary[] = [];
  const seen = new Set<string>();
  for (const [i, req] of requirements.entries()) {
    throwIfAborted(opts.signal);
    const ref = await locateCudaWheel(opts.indexUrl, req, opts.machine, { signal: opts.signal, idleTimeoutMs: opts.idleTimeoutMs });
    opts.onStage?.('cuda', `CUDA ${i + 1}/${requirements.length}: downloading ${ref.filename} (${formatMB(ref.size)})`);
    const path = join(opts.downloads, ref.filename);
    try {
      await downloadVerified({ ...transferOptions(opts), url: ref.url, dest: path, size: ref.size, sha256: ref.sha256 });
      const contents = await openWheel(path, isCudaLibrary, ref.filename);
      try {
        for (const lib of await contents.extract(opts.dest, opts.signal)) {
          // two wheels with the same library name would overwrite each other in the flat folder
          if (seen.has(lib.file)) throw new NativeInstallError('wheel', `${ref.filename}: ${lib.file} is also in an earlier nvidia wheel`);
          seen.add(lib.file);
          libraries.push(lib);
        }
      } finally {
        contents.close();
      }
      wheels.push({
        requirement: formatRequirement(req),
        version: ref.version,
        filename: ref.filename,
        sha256: ref.sha256,
        size: ref.size,
      });
      await rm(path, { force: true });
    } catch (e) {
      // like the libtensorflow wheel: a cancel keeps the verified download or .part for next time
      if (!(e instanceof InstallCancelledError)) await rm(path, { force: true });
      throw e;
    }
  }
  return { wheels, libraries };
}

/** Bytes of the CUDA libraries installed (for the report). */
export async function cudaBytes(dir: string, install: CudaInstall): Promise<number> {
  let n = 0;
  for (const l of install.libraries)
    n += await stat(join(dir, l.file)).then(
      (s) => s.size,
      () => 0,
    );
  return n;
}
