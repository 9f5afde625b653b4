// Bottleneck features: with the base frozen and no augmentation, the base's output for an image
// never changes, so it is computed once, pooled (the head's first op is a global average pool,
// so nothing is lost) and cached on disk — keyed by the base, the input size, preprocessing and
// resize, and the image's content hash — after which a head epoch costs milliseconds.
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, statSync } from 'node:fs';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { SkippedFile } from '../../protocol/messages.ts';
import { decodeBatches, type ResizeMode } from '../data/decode.ts';
import type { DatasetFile } from '../data/scan.ts';
import { poolFeatures } from '../models/head.ts';
import { extractFeatures, type BaseModel } from '../models/zoo.ts';
import { tf } from '../tf.ts';

export interface PooledSet {
  /** n × channels, row-major */
  features: Float32Array;
  channels: number;
  labels: Int32Array;
  paths: string[];
  skipped: SkippedFile[];
}

/** Identifies a base's features: the same key means the same numbers for the same image. */
export function featureCacheKey(base: BaseModel, resize: ResizeMode): string {
  let identity = base.id;
  // A local model can change under the same path: its model.json's size and time are part of the key.
  if (existsSync(base.id)) {
    const s = statSync(base.id);
    identity += `:${s.size}:${s.mtimeMs}`;
  }
  // 'bn-folded': features computed with BatchNormalization folded into the convolutions (they
  // differ from unfolded ones by rounding; a loaded model predicts folded, and must agree exactly).
  const text = JSON.stringify([identity, base.inputSize, base.preprocessing, resize, base.featureShape, 'bn-folded']);
  return createHash('sha256').update(text).digest('hex').slice(0, 24);
}

export interface FeatureOptions {
  batchSize: number;
  resize: ResizeMode;
  /** null: no disk cache */
  cacheDir: string | null;
  concurrency?: number;
  signal?: AbortSignal;
  onProgress?(done: number, total: number, fromCache: number): void;
}

/** Pooled features of `files` (order kept, failures in `skipped`), from the cache where possible. */
export async function pooledFeatures(base: BaseModel, files: readonly DatasetFile[], o: FeatureOptions): Promise<PooledSet> {
  const channels = base.featureShape[base.featureShape.length - 1];
  const byIndex: (Float32Array | null)[] = files.map(() => null);
  const cachePaths: (string | null)[] = files.map(() => null);
  const skipped: SkippedFile[] = [];
  const failed = new Set<number>();
  const missing: number[] = [];
  let fromCache = 0;
  for (const [i, f] of files.entries()) {
    o.signal?.throwIfAborted();
    if (!o.cacheDir) {
      missing.push(i);
      continue;
    }
    let bytes: Buffer;
    try {
      bytes = await readFile(f.path);
    } catch {
      missing.push(i); // the decoder reports why it cannot be read
      continue;
    }
    const hash = createHash('sha256').update(bytes).digest('hex');
    const path = join(o.cacheDir, hash.slice(0, 2), `${hash}.f32`);
    cachePaths[i] = path;
    try {
      const cached = await readFile(path);
      if (cached.byteLength === channels * 4) {
        byIndex[i] = new Float32Array(cached.buffer.slice(cached.byteOffset, cached.byteOffset + cached.byteLength));
        fromCache++;
        continue;
      }
    } catch {
      /* not cached yet */
    }
    missing.push(i);
  }
  o.onProgress?.(fromCache, files.length, fromCache);

  let done = fromCache;
  const missingFiles = missing.map((i) => files[i]);
  const indexOfPath = new Map<string, number[]>();
  missing.forEach((i) => indexOfPath.set(files[i].path, [...(indexOfPath.get(files[i].path) ?? []), i]));
  const batches = decodeBatches(missingFiles, {
    batchSize: o.batchSize,
    size: base.inputSize,
    resize: o.resize,
    preprocessing: base.preprocessing,
    concurrency: o.concurrency,
    signal: o.signal,
  });
  for await (const batch of batches) {
    for (const s of batch.skipped) {
      skipped.push(s);
      for (const i of indexOfPath.get(s.path) ?? []) failed.add(i);
    }
    const n = batch.labels.length;
    if (n === 0) continue;
    const pooled = tf.tidy(() => {
      const x = tf.tensor4d(batch.x, [n, base.inputSize[0], base.inputSize[1], 3]);
      return poolFeatures(extractFeatures(base, x));
    });
    const values = (await pooled.data()) as Float32Array;
    pooled.dispose();
    for (let k = 0; k < n; k++) {
      const candidates = indexOfPath.get(batch.paths[k]) ?? [];
      const i = candidates.find((j) => byIndex[j] === null && !failed.has(j));
      if (i === undefined) continue;
      const row = values.slice(k * channels, (k + 1) * channels);
      byIndex[i] = row;
      const cachePath = cachePaths[i];
      if (cachePath) await writeCacheEntry(cachePath, row);
    }
    done += n;
    o.onProgress?.(done, files.length, fromCache);
  }

  const kept = files.flatMap((f, i) => (byIndex[i] ? [i] : []));
  const features = new Float32Array(kept.length * channels);
  kept.forEach((i, k) => features.set(byIndex[i]!, k * channels));
  return {
    features,
    channels,
    labels: Int32Array.from(kept, (i) => files[i].label),
    paths: kept.map((i) => files[i].path),
    skipped,
  };
}

/** Cache entries are written whole (temp + rename): a killed run never leaves a short one. */
async function writeCacheEntry(path: string, row: Float32Array): Promise<void> {
  try {
    await mkdir(join(path, '..'), { recursive: true });
    const tmp = `${path}.${randomBytes(4).toString('hex')}.tmp`;
    await writeFile(tmp, new Uint8Array(row.buffer, row.byteOffset, row.byteLength));
    await rename(tmp, path);
  } catch {
    // A cache that cannot be written (read-only, disk full) only costs speed next time.
  }
}
