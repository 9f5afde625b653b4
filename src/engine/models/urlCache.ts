// A tfjs layers model by http(s) URL, kept in an on-disk cache so the second run works offline.
// The cache entry is written into a temporary sibling folder and renamed into place, so a killed
// download never leaves a half-written model that a later run would trust. The download is checked
// (shard bytes against the manifest's sizes, and any sha256 the manifest gives) before it is
// committed, and an entry found bad at load is discarded and fetched again: a shard once served as
// an HTML error page with status 200 must not fail every later run.
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { fetchWithLimits, type FetchLimits } from '../predict/fetchUrl.ts';
import { expectedWeightBytes, parseModelJson } from '../save/modelFiles.ts';
import { remoteShardUrl } from './shardPaths.ts';

/** Root of cnn-lab's caches: $CNN_LAB_CACHE, else $XDG_CACHE_HOME/cnn-lab, else ~/.cache/cnn-lab. */
export function cacheRoot(): string {
  if (process.env.CNN_LAB_CACHE) return process.env.CNN_LAB_CACHE;
  const xdg = process.env.XDG_CACHE_HOME || join(homedir(), '.cache');
  return join(xdg, 'cnn-lab');
}

export const MODEL_DOWNLOAD_LIMIT_BYTES = 500 * 1024 * 1024;

export interface CachedModel {
  /** local model.json inside the cache */
  modelJsonPath: string;
  downloaded: boolean;
  /** why a cache entry found at load was discarded (and the model downloaded again) */
  discarded?: string;
}

type Manifest = NonNullable<ReturnType<typeof parseModelJson>['weightsManifest']>;

/** Optional per-group `sha256` (one hex digest per path): not tfjs-standard, checked when present. */
function sha256Of(group: Manifest[number], i: number): string | undefined {
  const list = (group as { sha256?: unknown }).sha256;
  return Array.isArray(list) && typeof list[i] === 'string' ? list[i].toLowerCase() : undefined;
}

/**
 * Why the shards do not match the manifest (undefined when they do): their total size against the
 * weights' byte sizes, and each shard's sha256 where the manifest names one. `shardBytes(group, i)`
 * gives the shard's bytes (or only its size, when no hash is asked for).
 */
export function shardMismatch(
  where: string,
  manifest: Manifest,
  shard: (p: string, needBytes: boolean) => { size: number; bytes?: Uint8Array },
): string | undefined {
  let total = 0;
  for (const group of manifest) {
    for (const [i, p] of group.paths.entries()) {
      const want = sha256Of(group, i);
      const got = shard(p, want !== undefined);
      total += got.size;
      if (want !== undefined && createHash('sha256').update(got.bytes!).digest('hex') !== want)
        return `${where}: weight file ${p} does not have the sha256 the manifest gives`;
    }
  }
  const expected = expectedWeightBytes(manifest.flatMap((g) => g.weights));
  if (total !== expected)
    return `${where}: weight files hold ${total} bytes but the manifest describes ${expected} (an error page or a cut-off download?)`;
  return undefined;
}

/** Why the cache entry in `dir` is unusable, or undefined when it is complete and matches its manifest. */
function cachedEntryProblem(dir: string, url: string): string | undefined {
  try {
    const json = parseModelJson(readFileSync(join(dir, 'model.json'), 'utf8'), `the cached ${url}`);
    return shardMismatch(`the cached ${url}`, json.weightsManifest!, (p, needBytes) => {
      const file = join(dir, p);
      if (needBytes) {
        const bytes = readFileSync(file);
        return { size: bytes.byteLength, bytes };
      }
      return { size: statSync(file).size };
    });
  } catch (e) {
    return (e as Error).message;
  }
}

export function cachedModelDir(url: string): string {
  return join(cacheRoot(), 'models', createHash('sha256').update(url).digest('hex').slice(0, 32));
}

/**
 * Returns a local copy of the model at `url`, downloading model.json and every weight shard it
 * names (relative to the URL) on first use. `maxBytes` caps the whole download.
 */
export async function ensureCachedModel(
  url: string,
  opts: {
    maxBytes?: number;
    timeoutMs?: number;
    signal?: AbortSignal;
    /** the file that names this URL, for the "downloading" line */
    askedBy?: string;
    /** one-line notes for the user: downloading, a bad cache entry discarded */
    onNote?: (line: string) => void;
  } = {},
): Promise<CachedModel> {
  const dir = cachedModelDir(url);
  const modelJsonPath = join(dir, 'model.json');
  let discarded: string | undefined;
  if (existsSync(modelJsonPath)) {
    discarded = cachedEntryProblem(dir, url);
    if (discarded === undefined) return { modelJsonPath, downloaded: false };
    // a bad entry (kept by an older version, or damaged since): drop it and download again
    await rm(dir, { recursive: true, force: true });
    opts.onNote?.(`discarded the cached copy of ${url} (${discarded}); downloading it again`);
  }
  opts.onNote?.(`downloading ${url}${opts.askedBy ? ` (asked by ${opts.askedBy})` : ''}`);

  let budget = opts.maxBytes ?? MODEL_DOWNLOAD_LIMIT_BYTES;
  const limits = (): FetchLimits => ({
    timeoutMs: opts.timeoutMs ?? 120_000,
    maxBytes: budget,
    maxRedirects: 5,
    signal: opts.signal,
  });
  let json;
  const files: { name: string; bytes: Uint8Array }[] = [];
  try {
    const top = await fetchWithLimits(url, limits());
    budget -= top.bytes.byteLength;
    const text = Buffer.from(top.bytes).toString('utf8');
    json = parseModelJson(text, url);
    files.push({ name: 'model.json', bytes: top.bytes });
    for (const group of json.weightsManifest!) {
      for (const p of group.paths) {
        // only under the model.json's own origin and folder (remoteShardUrl says why not)
        const shard = await fetchWithLimits(remoteShardUrl(top.url, p), limits());
        budget -= shard.bytes.byteLength;
        files.push({ name: p, bytes: shard.bytes });
      }
    }
    // verified before anything is written: a bad download never becomes a cache entry
    const byName = new Map(files.map((f) => [f.name, f.bytes]));
    const problem = shardMismatch(url, json.weightsManifest!, (p) => ({ size: byName.get(p)!.byteLength, bytes: byName.get(p) }));
    if (problem) throw new Error(problem);
  } catch (e) {
    const was = discarded ? ` (its cached copy was discarded: ${discarded})` : '';
    throw new Error(
      `cannot download base model ${url}${was}: ${(e as Error).message}. It is cached after its first download; offline, use a cached URL or a local model.json`,
    );
  }

  const tmp = `${dir}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
  try {
    for (const f of files) {
      const target = join(tmp, f.name);
      await mkdir(join(target, '..'), { recursive: true });
      await writeFile(target, f.bytes);
    }
    try {
      await rename(tmp, dir);
    } catch (e) {
      // Another process finished the same download first: theirs is complete, keep it.
      if (!existsSync(modelJsonPath) || cachedEntryProblem(dir, url) !== undefined) throw e;
      await rm(tmp, { recursive: true, force: true });
    }
  } catch (e) {
    await rm(tmp, { recursive: true, force: true });
    throw new Error(`cannot write the model cache ${dir}: ${(e as Error).message}`);
  }
  return { modelJsonPath, downloaded: true, discarded };
}
