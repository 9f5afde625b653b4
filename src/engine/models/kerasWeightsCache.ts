// The `*_notop.h5` file of a Keras application, downloaded once into the URL cache (the folder
// urlCache.ts gives the URL: cacheRoot()/models/<sha256(url)>) and checked against the file hash
// Keras pins. Same conventions as the model cache: the download is verified in memory before
// anything is written, written into a temporary sibling folder and renamed into place (a killed
// download never leaves a file a later run would trust), and an entry found bad at load is
// discarded and downloaded again. A copy in Keras' own cache (~/.keras/models) with the pinned hash
// is read in place instead of downloaded. Where Keras pins no hash, the sha256 seen at the first download is
// kept beside the file, so later runs still notice a damaged cache entry.
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, existsSync, readFileSync } from 'node:fs';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { fetchWithLimits } from '../predict/fetchUrl.ts';
import { cachedModelDir, MODEL_DOWNLOAD_LIMIT_BYTES } from './urlCache.ts';

export interface KerasWeightsFile {
  /** what asks for it, for messages: 'keras:resnet50' */
  id: string;
  fileName: string;
  /** the file hash Keras pins (md5 or sha256), or null where it pins none */
  fileHash: { algorithm: 'md5' | 'sha256'; hex: string } | null;
}

export interface CachedKerasWeights {
  path: string;
  downloaded: boolean;
  /** true when the file is Keras' own copy ($KERAS_HOME/models, ~/.keras/models), read in place */
  fromKerasCache?: boolean;
  /** drops the entry (a file with no pinned hash that turned out unreadable must not be trusted next run) */
  discard: () => Promise<void>;
}

/** Written beside the file: where it came from and its sha256 (checked at load when no hash is pinned). */
const SOURCE_FILE = 'source.json';

function digest(algorithm: 'md5' | 'sha256', bytes: Uint8Array): string {
  return createHash(algorithm).update(bytes).digest('hex');
}

async function digestFile(algorithm: 'md5' | 'sha256', path: string): Promise<string> {
  const hash = createHash(algorithm);
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

function hashProblem(file: KerasWeightsFile, got: string): string | undefined {
  const want = file.fileHash!;
  if (got === want.hex.toLowerCase()) return undefined;
  return `its ${want.algorithm} is ${got}, not the ${want.hex} Keras pins for ${file.fileName} (a damaged download, or another file at that address)`;
}

/** Why the cache entry in `dir` is unusable, or undefined when its file has the expected hash. */
async function cachedEntryProblem(dir: string, file: KerasWeightsFile): Promise<string | undefined> {
  try {
    const path = join(dir, file.fileName);
    if (file.fileHash) return hashProblem(file, await digestFile(file.fileHash.algorithm, path));
    const recorded = JSON.parse(readFileSync(join(dir, SOURCE_FILE), 'utf8')).sha256;
    if (typeof recorded !== 'string') return `${SOURCE_FILE} records no sha256`;
    return (await digestFile('sha256', path)) === recorded ? undefined : `its sha256 changed since it was downloaded`;
  } catch (e) {
    return (e as Error).message;
  }
}

/** Where Keras' get_file keeps the same file: $KERAS_HOME/models (Keras 3), ~/.keras/models (both). */
export function kerasCachePaths(fileName: string, env: NodeJS.ProcessEnv = process.env): string[] {
  const roots = [env.KERAS_HOME, join(homedir(), '.keras')].filter((r): r is string => !!r);
  return [...new Set(roots)].map((r) => join(r, 'models', fileName));
}

/**
 * Keras' own copy of `file`, when one is there with the hash Keras pins (never without a pinned
 * hash: a file nobody can vouch for is not taken from outside our cache).
 */
async function fromKerasCache(file: KerasWeightsFile): Promise<string | undefined> {
  if (!file.fileHash) return undefined;
  for (const p of kerasCachePaths(file.fileName)) {
    if (existsSync(p) && hashProblem(file, await digestFile(file.fileHash.algorithm, p).catch(() => '')) === undefined) return p;
  }
  return undefined;
}

/**
 * A local, hash-checked copy of `file` from `url`, downloaded on first use with one note through
 * `onNote`. Errors are one line naming the URL and the reason (offline, cut off, wrong hash).
 */
export async function ensureKerasWeights(
  file: KerasWeightsFile,
  url: string,
  opts: { signal?: AbortSignal; askedBy?: string; onNote?: (line: string) => void; timeoutMs?: number } = {},
): Promise<CachedKerasWeights> {
  const dir = cachedModelDir(url);
  const path = join(dir, file.fileName);
  const discard = () => rm(dir, { recursive: true, force: true });
  let discarded: string | undefined;
  if (existsSync(path)) {
    discarded = await cachedEntryProblem(dir, file);
    if (discarded === undefined) return { path, downloaded: false, discard };
    await rm(dir, { recursive: true, force: true });
  }
  // a user who ran Keras already has the very file: no download
  const keras = await fromKerasCache(file);
  if (keras) return { path: keras, downloaded: false, fromKerasCache: true, discard: async () => {} };
  if (discarded) opts.onNote?.(`discarded the cached copy of ${url} (${discarded}); downloading it again`);
  const check = file.fileHash
    ? `checked against the ${file.fileHash.algorithm} Keras pins`
    : 'Keras pins no hash for it: checked by its layers and shapes';
  opts.onNote?.(`downloading ${url}, the ImageNet weights of ${file.id} (${check})${opts.askedBy ? ` (asked by ${opts.askedBy})` : ''}`);

  let bytes: Uint8Array;
  try {
    const got = await fetchWithLimits(url, {
      // a whole 100 MB file over a slow line: the timeout covers the transfer, not just the first byte
      timeoutMs: opts.timeoutMs ?? 900_000,
      maxBytes: MODEL_DOWNLOAD_LIMIT_BYTES,
      maxRedirects: 5,
      signal: opts.signal,
    });
    bytes = got.bytes;
    // verified before anything is written: a bad download never becomes a cache entry
    const problem = file.fileHash ? hashProblem(file, digest(file.fileHash.algorithm, bytes)) : undefined;
    if (problem) throw new Error(problem);
  } catch (e) {
    const was = discarded ? ` (its cached copy was discarded: ${discarded})` : '';
    throw new Error(
      `cannot download ${url}, the weights of ${file.id}${was}: ${(e as Error).message}. They are cached after the first download; offline, use a bundled base or a local model.json`,
    );
  }

  const tmp = `${dir}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
  try {
    await mkdir(tmp, { recursive: true });
    await writeFile(join(tmp, file.fileName), bytes);
    await writeFile(
      join(tmp, SOURCE_FILE),
      JSON.stringify(
        { url, fileName: file.fileName, pinned: file.fileHash, sha256: digest('sha256', bytes), bytes: bytes.byteLength },
        null,
        2,
      ) + '\n',
    );
    try {
      await rename(tmp, dir);
    } catch (e) {
      // another process finished the same download first: keep theirs when it is sound
      if (!existsSync(path) || (await cachedEntryProblem(dir, file)) !== undefined) throw e;
      await rm(tmp, { recursive: true, force: true });
    }
  } catch (e) {
    await rm(tmp, { recursive: true, force: true });
    throw new Error(`cannot write the model cache ${dir}: ${(e as Error).message}`);
  }
  return { path, downloaded: true, discard };
}
