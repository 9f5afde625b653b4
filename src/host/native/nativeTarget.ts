// Which libtensorflow this machine can use, and where it comes from: the `tensorflow-cpu` wheel on
// the Python package index (the same source as scripts/provision-libtensorflow). The two libraries
// inside are plain C/C++ shared objects that do not depend on the wheel's Python version, so any
// CPython tag will do; the platform tag and glibc decide.

/** The libtensorflow version (wheel version) CNN Lab's binding is built and checked against. */
export const TF_VERSION = '2.21.0';
export const WHEEL_PROJECT = 'tensorflow-cpu';

/**
 * The two libtensorflow builds CNN Lab installs: `cpu` from the tensorflow-cpu wheel (backend
 * `tensorflow`), `gpu` from the tensorflow wheel, which is the CUDA 12 build (backend
 * `tensorflow-gpu`; it also runs on the CPU where no GPU is found), plus the nvidia-*-cu12 wheels its
 * METADATA names under the `and-cuda` extra. Both have the same C API, so the same N-API binding.
 */
export type Flavour = 'cpu' | 'gpu';
export const FLAVOUR_PROJECT: Record<Flavour, string> = { cpu: 'tensorflow-cpu', gpu: 'tensorflow' };

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
  'tensorflow_cpu-2.21.0-cp310-cp310-manylinux_2_27_x86_64.whl': {
    size: 273601549,
    sha256: 'd143e92f5c0661cdfa26eaca8f73cd2efd0ec53a68af8dec82f584ba8eb14b83',
  },
  'tensorflow_cpu-2.21.0-cp311-cp311-manylinux_2_27_x86_64.whl': {
    size: 273829956,
    sha256: '2b847d217b02ee7731ed91431daf3250daa0196c3c94614d23be27232e6e5b6c',
  },
  'tensorflow_cpu-2.21.0-cp312-cp312-manylinux_2_27_x86_64.whl': {
    size: 274000871,
    sha256: 'dcc8afd32930e42d5296b6ee19078b773706830af4ea97fbe503b9f5e0f820cb',
  },
  'tensorflow_cpu-2.21.0-cp313-cp313-manylinux_2_27_x86_64.whl': {
    size: 274271560,
    sha256: '05af7c26d35f4de910b5598c7b507e3981831a7b0f47fed9a405d995d51d7793',
  },
  // the CUDA 12 build (the tensorflow-gpu flavour), from pypi.org's JSON simple API
  'tensorflow-2.21.0-cp310-cp310-manylinux_2_27_x86_64.whl': {
    size: 572211261,
    sha256: '77c6f298e695ea1d283cdd7d30f8d97530cc6e92c1395a9ddbab9771c99233a4',
  },
  'tensorflow-2.21.0-cp311-cp311-manylinux_2_27_x86_64.whl': {
    size: 572440367,
    sha256: '9056fbc9ba04235810b71ae6cbd958a196e8804fb53bbcffbf3e23b56155f124',
  },
  'tensorflow-2.21.0-cp312-cp312-manylinux_2_27_x86_64.whl': {
    size: 572611111,
    sha256: 'b3b95643c4e70eb925839938fb35cbe142f317ec84af6844ee61513713bb13c0',
  },
  'tensorflow-2.21.0-cp313-cp313-manylinux_2_27_x86_64.whl': {
    size: 572881074,
    sha256: 'e9d8da8dcab9650efb45f032ba70af2f016f907e6e0c6bda29dd101bba945406',
  },
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
  if (!m.glibc)
    return {
      ok: false,
      reason: 'the tensorflow-cpu libraries need glibc (manylinux); this Linux has none (musl?): use webgpu, wasm or cpu',
    };
  return { ok: true, target: here };
}

function glibcAtLeast(have: string, major: number, minor: number): boolean {
  const [a, b] = have.split('.').map(Number);
  return a > major || (a === major && (b ?? 0) >= minor);
}

/**
 * Whether a wheel's file name fits this machine: `<project>-<version>-<py>-<abi>-<platform>.whl`
 * with an x86_64 manylinux platform tag whose glibc floor this machine meets.
 */
export function wheelFits(filename: string, version: string, m: Machine, project = WHEEL_PROJECT): boolean {
  const prefix = `${project.replace(/-/g, '_')}-${version}-`;
  if (!filename.startsWith(prefix) || !filename.endsWith('.whl')) return false;
  const tags = filename.slice(prefix.length, -'.whl'.length).split('-');
  if (tags.length !== 3) return false;
  return tags[2].split('.').some((p) => platformFits(p, m));
}

/** Whether one platform tag (manylinux_2_27_x86_64, manylinux2014_x86_64, manylinux1_x86_64) fits this machine's glibc. */
export function platformFits(tag: string, m: Machine): boolean {
  if (m.glibc === undefined) return false;
  const legacy: Record<string, [number, number]> = {
    manylinux1_x86_64: [2, 5],
    manylinux2010_x86_64: [2, 12],
    manylinux2014_x86_64: [2, 17],
  };
  if (legacy[tag]) return glibcAtLeast(m.glibc, ...legacy[tag]);
  const mm = /^manylinux_(\d+)_(\d+)_x86_64$/.exec(tag);
  return mm !== null && glibcAtLeast(m.glibc, Number(mm[1]), Number(mm[2]));
}

/** Among fitting wheels, cp311 first (the one CI provisions from), then the newest CPython tag. */
export function preferWheel(filenames: string[]): string | undefined {
  const py = (f: string) => Number(/-cp(\d+)-/.exec(f)?.[1] ?? 0);
  return [...filenames].sort((a, b) => (py(b) === 311 ? 1 : 0) - (py(a) === 311 ? 1 : 0) || py(b) - py(a))[0];
}
