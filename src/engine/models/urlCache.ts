// A tfjs layers model by http(s) URL, kept in an on-disk cache so the second run works offline.
// The cache entry is written into a temporary sibling folder and renamed into place, so a killed
// download never leaves a half-written model that a later run would trust.
import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { fetchWithLimits, type FetchLimits } from '../predict/fetchUrl.ts';
import { parseModelJson } from '../save/modelFiles.ts';

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
  opts: { maxBytes?: number; timeoutMs?: number; signal?: AbortSignal } = {},
): Promise<CachedModel> {
  const dir = cachedModelDir(url);
  const modelJsonPath = join(dir, 'model.json');
  if (existsSync(modelJsonPath)) return { modelJsonPath, downloaded: false };

  let budget = opts.maxBytes ?? MODEL_DOWNLOAD_LIMIT_BYTES;
  const limits = (): FetchLimits => ({
    timeoutMs: opts.timeoutMs ?? 120_000,
    maxBytes: budget,
    maxRedirects: 5,
    signal: opts.signal,
  });
  let json;
  let files: { name: string; bytes: Uint8Array }[] = [];
  try {
    const top = await fetchWithLimits(url, limits());
    budget -= top.bytes.byteLength;
    const text = Buffer.from(top.bytes).toString('utf8');
    json = parseModelJson(text, url);
    files.push({ name: 'model.json', bytes: top.bytes });
    for (const group of json.weightsManifest!) {
      for (const p of group.paths) {
        if (p.includes('..') || p.startsWith('/')) throw new Error(`${url}: weight path ${p} leaves the model's folder`);
        const shard = await fetchWithLimits(new URL(p, top.url).toString(), limits());
        budget -= shard.bytes.byteLength;
        files.push({ name: p, bytes: shard.bytes });
      }
    }
  } catch (e) {
    files = [];
    throw new Error(`cannot download base model ${url}: ${(e as Error).message}. It is cached after its first download; offline, use a cached URL or a local model.json`);
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
      if (!existsSync(modelJsonPath)) throw e;
      await rm(tmp, { recursive: true, force: true });
    }
  } catch (e) {
    await rm(tmp, { recursive: true, force: true });
    throw new Error(`cannot write the model cache ${dir}: ${(e as Error).message}`);
  }
  return { modelJsonPath, downloaded: true };
}
