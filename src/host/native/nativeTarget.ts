// Which libtensorflow this machine can use, and where it comes from: the `tensorflow-cpu` wheel on
// the Python package index (the same source as scripts/provision-libtensorflow). The two libraries
// inside are plain C/C++ shared objects that do not depend on the wheel's Python version, so any
// CPython tag will do; the platform tag and glibc decide.

/** The libtensorflow version (wheel version) CNN Lab's binding is built and checked against. */
export const TF_VERSION = '2.21.0';
export const WHEEL_PROJECT = 'tensorflow-cpu';

/**
 * The wheel members the binding needs (its NEEDED entries: `readelf -d tfjs_binding.node`); only
 * these are extracted, the other ~270 MB of Python stay in the zip.
 */
export const WHEEL_LIBRARIES = ['tensorflow/libtensorflow_cc.so.2', 'tensorflow/libtensorflow_framework.so.2'] as const;

/**
 * The wheels of TF_VERSION that CNN Lab was tested with, as published on pypi.org. A mirror or a
 * wheel from a file that claims one of these names must have these bytes.
 */
export const KNOWN_WHEELS: Readonly<Record<string, { size: number; sha256: string }>> = {
  'tensorflow_cpu-2.21.0-cp310-cp310-manylinux_2_27_x86_64.whl': { size: 273601549, sha256: 'd143e92f5c0661cdfa26eaca8f73cd2efd0ec53a68af8dec82f584ba8eb14b83' },
  'tensorflow_cpu-2.21.0-cp311-cp311-manylinux_2_27_x86_64.whl': { size: 273829956, sha256: '2b847d217b02ee7731ed91431daf3250daa0196c3c94614d23be27232e6e5b6c' },
  'tensorflow_cpu-2.21.0-cp312-cp312-manylinux_2_27_x86_64.whl': { size: 274000871, sha256: 'dcc8afd32930e42d5296b6ee19078b773706830af4ea97fbe503b9f5e0f820cb' },
  'tensorflow_cpu-2.21.0-cp313-cp313-manylinux_2_27_x86_64.whl': { size: 274271560, sha256: '05af7c26d35f4de910b5598c7b507e3981831a7b0f47fed9a405d995d51d7793' },
};

export interface Machine {
  platform: NodeJS.Platform;
  arch: string;
  /** glibc version on Linux ("2.36"), undefined with musl or elsewhere */
  glibc?: string;
}

export function thisMachine(): Machine {
  const header = (process.report?.getReport() as { header?: { glibcVersionRuntime?: string } } | undefined)?.header;
  return { platform: process.platform, arch: process.arch, glibc: header?.glibcVersionRuntime };
}

export type TargetCheck = { ok: true; target: string } | { ok: false; reason: string };

/**
 * Whether the native backend can be installed here, decided before anything is downloaded. Only
 * Linux x64 with glibc: the N-API binding CNN Lab ships is built for it, and the tensorflow-cpu
 * wheels for macOS do not exist (Windows ones have no C library to link).
 */
export function checkMachine(m: Machine): TargetCheck {
  const here = `${m.platform}-${m.arch}`;
  if (here !== 'linux-x64') {
    return {
      ok: false,
      reason: `the native backend can be installed on Linux x64 only (CNN Lab's tfjs-node binding is built for it); this is ${here}: use webgpu for a GPU, or wasm/cpu`,
    };
  }
  if (!m.glibc) return { ok: false, reason: 'the tensorflow-cpu libraries need glibc (manylinux); this Linux has none (musl?): use webgpu, wasm or cpu' };
  return { ok: true, target: here };
}

function glibcAtLeast(have: string, major: number, minor: number): boolean {
  const [a, b] = have.split('.').map(Number);
  return a > major || (a === major && (b ?? 0) >= minor);
}

/**
 * Whether a wheel's file name fits this machine: `tensorflow_cpu-<version>-<py>-<abi>-<platform>.whl`
 * with an x86_64 manylinux platform tag whose glibc floor this machine meets.
 */
export function wheelFits(filename: string, version: string, m: Machine): boolean {
  const prefix = `${WHEEL_PROJECT.replace('-', '_')}-${version}-`;
  if (!filename.startsWith(prefix) || !filename.endsWith('.whl')) return false;
  const tags = filename.slice(prefix.length, -'.whl'.length).split('-');
  if (tags.length !== 3) return false;
  return tags[2].split('.').some((p) => {
    if (p === 'manylinux2014_x86_64') return m.glibc !== undefined && glibcAtLeast(m.glibc, 2, 17);
    const mm = /^manylinux_(\d+)_(\d+)_x86_64$/.exec(p);
    return mm !== null && m.glibc !== undefined && glibcAtLeast(m.glibc, Number(mm[1]), Number(mm[2]));
  });
}

/** Among fitting wheels, cp311 first (the one CI provisions from), then the newest CPython tag. */
export function preferWheel(filenames: string[]): string | undefined {
  const py = (f: string) => Number(/-cp(\d+)-/.exec(f)?.[1] ?? 0);
  return [...filenames].sort((a, b) => (py(b) === 311 ? 1 : 0) - (py(a) === 311 ? 1 : 0) || py(b) - py(a))[0];
}
