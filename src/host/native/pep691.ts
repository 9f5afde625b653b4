// Finds the tensorflow-cpu wheel for this machine through a Python package index's JSON simple API
// (PEP 691, with PEP 700's `size`): GET <index>/tensorflow-cpu/ with the JSON Accept header. pypi.org,
// devpi, Artifactory and `python -m http.server`-style mirrors made by pip2pi differ in details, so
// every field is checked and a missing one is named.
import { text } from 'node:stream/consumers';
import { NativeInstallError } from './errors.ts';
import { get, type GetOptions } from './httpGet.ts';
import { KNOWN_WHEELS, WHEEL_PROJECT, preferWheel, wheelFits, type Machine } from './nativeTarget.ts';

export const PEP691_ACCEPT = 'application/vnd.pypi.simple.v1+json';

export interface WheelRef {
  filename: string;
  url: URL;
  size: number;
  sha256: string;
}

interface IndexFile {
  filename?: unknown;
  url?: unknown;
  hashes?: { sha256?: unknown };
  size?: unknown;
  yanked?: unknown;
}

/** The project page's URL: <index>/tensorflow-cpu/ (PEP 503 normalized name, trailing slash). */
export function projectUrl(indexUrl: string, project = WHEEL_PROJECT): URL {
  let base: URL;
  try {
    base = new URL(indexUrl.endsWith('/') ? indexUrl : `${indexUrl}/`);
  } catch {
    throw new NativeInstallError('index', `"cnnLab.native.indexUrl" is not a URL: ${JSON.stringify(indexUrl)}`);
  }
  if (base.protocol !== 'https:' && base.protocol !== 'http:') {
    throw new NativeInstallError('index', `"cnnLab.native.indexUrl" must be an http or https URL, not ${base.protocol}`);
  }
  return new URL(`${project}/`, base);
}

/** Picks the wheel from a parsed PEP 691 project page; `page` is the URL it came from. */
export function pickWheel(
  body: unknown,
  page: URL,
  version: string,
  machine: Machine,
  known = KNOWN_WHEELS,
  project = WHEEL_PROJECT,
): WheelRef {
  const where = `the index page ${page.href}`;
  const files = (body as { files?: unknown })?.files;
  if (!Array.isArray(files)) throw new NativeInstallError('index', `${where} is not a PEP 691 JSON project page (no "files" list)`);
  const candidates = new Map<string, IndexFile>();
  for (const f of files as IndexFile[]) {
    if (typeof f?.filename !== 'string' || (f.yanked !== undefined && f.yanked !== false)) continue;
    if (wheelFits(f.filename, version, machine, project)) candidates.set(f.filename, f);
  }
  const filename = preferWheel([...candidates.keys()]);
  if (!filename) {
    throw new NativeInstallError(
      'index',
      `${where} lists no ${project} ${version} wheel for Linux x86_64 with glibc ${machine.glibc ?? '?'} (manylinux); a mirror must carry it`,
    );
  }
  const ref = wheelRef(candidates.get(filename)!, where, page);
  const pinned = known[filename];
  if (pinned && (pinned.sha256 !== ref.sha256 || pinned.size !== ref.size)) {
    throw new NativeInstallError(
      'integrity',
      `${where} lists ${filename} with sha256 ${ref.sha256} (${ref.size} bytes), but the published wheel of that name is ${pinned.sha256} (${pinned.size} bytes): refused`,
    );
  }
  return ref;
}

/** A file entry of a PEP 691 page as a checked reference: sha256, size (PEP 700) and url must be there. */
export function wheelRef(entry: unknown, where: string, page: URL): WheelRef {
  const f = entry as IndexFile & { filename: string };
  const filename = f.filename;
  const sha256 = f.hashes?.sha256;
  if (typeof sha256 !== 'string' || !/^[0-9a-f]{64}$/i.test(sha256))
    throw new NativeInstallError('index', `${where}: ${filename} has no sha256 in "hashes", so it cannot be checked`);
  if (typeof f.size !== 'number' || !Number.isSafeInteger(f.size) || f.size <= 0) {
    throw new NativeInstallError(
      'index',
      `${where}: ${filename} has no "size" (PEP 700, api-version 1.1), so the download cannot be checked`,
    );
  }
  if (typeof f.url !== 'string') throw new NativeInstallError('index', `${where}: ${filename} has no "url"`);
  let url: URL;
  try {
    url = new URL(f.url, page);
  } catch {
    throw new NativeInstallError('index', `${where}: ${filename} has an invalid url ${JSON.stringify(f.url)}`);
  }
  url.hash = ''; // PEP 503 mirrors append #sha256=…; the hash is taken from "hashes"
  return { filename, url, size: f.size, sha256: sha256.toLowerCase() };
}

/** Asks the index for the project page and picks the wheel. */
export async function locateWheel(
  indexUrl: string,
  version: string,
  machine: Machine,
  opts: GetOptions & { known?: typeof KNOWN_WHEELS; project?: string } = {},
): Promise<WheelRef> {
  const page = projectUrl(indexUrl, opts.project);
  const { res, url } = await get(page, { ...opts, headers: { accept: `${PEP691_ACCEPT}, application/json;q=0.9` } });
  const type = String(res.headers['content-type'] ?? '');
  const body = await text(res).catch((e: unknown) => {
    throw new NativeInstallError('unreachable', `reading ${url.href} failed (${(e as { code?: string }).code ?? (e as Error).message})`);
  });
  if (!/json/i.test(type)) {
    throw new NativeInstallError(
      'index',
      `the index at ${url.host} answered ${url.pathname} with ${type || 'no content type'}, not PEP 691 JSON (${PEP691_ACCEPT}); use an index that supports the JSON simple API`,
    );
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch (e) {
    throw new NativeInstallError('index', `the index page ${url.href} is not valid JSON (${(e as Error).message})`);
  }
  return pickWheel(parsed, url, version, machine, opts.known, opts.project);
}
