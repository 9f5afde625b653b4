// The CUDA 12 libraries for the tensorflow-gpu flavour, from the same package index as libtensorflow:
// the `tensorflow` wheel's METADATA names them as `Requires-Dist: nvidia-…-cu12<13.0,>=12.5.3.2;
// extra == "and-cuda"` (what `pip install tensorflow[and-cuda]` installs). Each is looked up on the
// index's PEP 691 page, the newest final release inside the range is taken, and only its shared
// libraries (nvidia/<pkg>/lib/*.so*) are streamed out into <install>/cuda/. libcuda.so.1 itself is
// not among them: it is the driver's (see nvidiaDriver.ts).
import { text } from 'node:stream/consumers';
import { NativeInstallError } from './errors.ts';
import { get, type GetOptions } from './httpGet.ts';
import { platformFits, type Machine } from './nativeTarget.ts';
import { PEP691_ACCEPT, projectUrl, wheelRef, type WheelRef } from './pep691.ts';

export interface Specifier {
  op: '<' | '<=' | '>' | '>=' | '==' | '!=';
  version: string;
}

export interface CudaRequirement {
  /** the project name as written (nvidia-cublas-cu12) */
  name: string;
  specifiers: Specifier[];
}

/** What tensorflow-2.21.0's METADATA requires under `and-cuda` (read from the cp311 manylinux wheel); tests check the parser against it. */
export const CUDA_REQUIREMENTS_2_21 = [
  'nvidia-cublas-cu12<13.0,>=12.5.3.2',
  'nvidia-cuda-cupti-cu12<13.0,>=12.5.82',
  'nvidia-cuda-nvcc-cu12<13.0,>=12.5.82',
  'nvidia-cuda-nvrtc-cu12<13.0,>=12.5.82',
  'nvidia-cuda-runtime-cu12<13.0,>=12.5.82',
  'nvidia-cudnn-cu12<10.0,>=9.3.0.75',
  'nvidia-cufft-cu12<12.0,>=11.2.3.61',
  'nvidia-curand-cu12<11.0,>=10.3.6.82',
  'nvidia-cusolver-cu12<12.0,>=11.6.3.83',
  'nvidia-cusparse-cu12<13.0,>=12.5.1.3',
  'nvidia-nccl-cu12<3.0,>=2.27.7',
  'nvidia-nvjitlink-cu12<13.0,>=12.5.82',
] as const;

/** The `and-cuda` requirements of a wheel's METADATA, in file order. */
export function parseCudaRequirements(metadata: string): CudaRequirement[] {
  const out: CudaRequirement[] = [];
  for (const line of metadata.split(/\r?\n/)) {
    const m = /^Requires-Dist:\s*([A-Za-z0-9._-]+)\s*([^;]*);\s*(.*)$/.exec(line);
    if (!m || !/extra\s*==\s*["']and-cuda["']/.test(m[3])) continue;
    const specifiers = m[2]
      .replace(/[()\s]/g, '')
      .split(',')
      .filter(Boolean)
      .map((s): Specifier => {
        const sm = /^(<=|>=|==|!=|<|>)([0-9][0-9.]*)$/.exec(s);
        if (!sm) throw new NativeInstallError('wheel', `METADATA: cannot read the version range "${s}" of ${m[1]}`);
        return { op: sm[1] as Specifier['op'], version: sm[2] };
      });
    out.push({ name: m[1], specifiers });
  }
  return out;
}

export const formatRequirement = (r: CudaRequirement) => `${r.name}${r.specifiers.map((s) => `${s.op}${s.version}`).join(',')}`;

function compare(a: string, b: string): number {
  const x = a.split('.').map(Number);
  const y = b.split('.').map(Number);
  for (let i = 0; i < Math.max(x.length, y.length); i++) if ((x[i] ?? 0) !== (y[i] ?? 0)) return (x[i] ?? 0) - (y[i] ?? 0);
  return 0;
}

/** PEP 440 comparison for final releases (digits and dots), which is all nvidia-*-cu12 and these ranges use. */
export function satisfies(version: string, specs: Specifier[]): boolean {
  if (!/^\d+(\.\d+)*$/.test(version)) return false; // pre-releases, dev and local versions are not taken
  return specs.every((s) => {
    const c = compare(version, s.version);
    return s.op === '<'
      ? c < 0
      : s.op === '<='
        ? c <= 0
        : s.op === '>'
          ? c > 0
          : s.op === '>='
            ? c >= 0
            : s.op === '=='
              ? c === 0
              : c !== 0;
  });
}

/** The newest wheel on a PEP 691 page that satisfies `req` and fits this machine (py3-none-manylinux*_x86_64). */
export function pickCudaWheel(body: unknown, page: URL, req: CudaRequirement, machine: Machine): WheelRef & { version: string } {
  const where = `the index page ${page.href}`;
  const files = (body as { files?: unknown })?.files;
  if (!Array.isArray(files)) throw new NativeInstallError('index', `${where} is not a PEP 691 JSON project page (no "files" list)`);
  const prefix = `${req.name.replace(/-/g, '_')}-`;
  let best: { f: Record<string, unknown>; version: string } | null = null;
  for (const f of files as Record<string, unknown>[]) {
    const filename = f?.filename;
    if (typeof filename !== 'string' || (f.yanked !== undefined && f.yanked !== false)) continue;
    if (!filename.toLowerCase().startsWith(prefix.toLowerCase()) || !filename.endsWith('.whl')) continue;
    const parts = filename.slice(prefix.length, -'.whl'.length).split('-');
    if (parts.length !== 4) continue; // version, python, abi, platform (no build tag on these)
    const [version, , abi, platform] = parts;
    if (abi !== 'none' || !platform.split('.').some((p) => platformFits(p, machine))) continue;
    if (satisfies(version, req.specifiers) && (!best || compare(version, best.version) > 0)) best = { f, version };
  }
  if (!best)
    throw new NativeInstallError(
      'index',
      `${where} lists no ${formatRequirement(req)} wheel for Linux x86_64 (manylinux); a mirror must carry it`,
    );
  return { ...wheelRef(best.f, where, page), version: best.version };
}

/** Looks one requirement up on the index. */
export async function locateCudaWheel(
  indexUrl: string,
  req: CudaRequirement,
  machine: Machine,
  opts: GetOptions = {},
): Promise<WheelRef & { version: string }> {
  const page = projectUrl(indexUrl, req.name.toLowerCase().replace(/[._]+/g, '-'));
  const { res, url } = await get(page, { ...opts, headers: { accept: `${PEP691_ACCEPT}, application/json;q=0.9` } });
  const body = await text(res).catch((e: unknown) => {
    throw new NativeInstallError('unreachable', `reading ${url.href} failed (${(e as { code?: string }).code ?? (e as Error).message})`);
  });
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch (e) {
    throw new NativeInstallError('index', `the index page ${url.href} is not PEP 691 JSON (${(e as Error).message})`);
  }
  return pickCudaWheel(parsed, url, req, machine);
}

/** The members of an nvidia-*-cu12 wheel that the CUDA build of libtensorflow loads: its shared libraries. */
export const isCudaLibrary = (member: string) => /^nvidia\/.+\/lib(64)?\/[^/]+\.so(\.\d+)*$/.test(member);
