// Downloads a wheel to <dest>.part and renames it to <dest> once its size and sha256 match what the
// index said. A connection that drops mid-body is resumed with `Range` from what the .part holds;
// 5xx answers and drops are retried with growing pauses; a wrong size or hash deletes the .part (its
// bytes cannot be trusted to resume from). Cancelling keeps the .part for the next attempt.
import { createHash, type Hash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { rename, rm, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { InstallCancelledError, NativeInstallError, formatMB, throwIfAborted } from './errors.ts';
import { RetriableError, get } from './httpGet.ts';

export interface Progress {
  received: number;
  total: number;
  /** bytes per second over the last few seconds */
  rate: number;
}

export interface DownloadOptions {
  url: URL;
  dest: string;
  size: number;
  sha256: string;
  signal?: AbortSignal;
  onProgress?: (p: Progress) => void;
  /** how often a 5xx or a dropped connection is tried again (default 5) */
  retries?: number;
  /** the first pause; doubled each time (default 1 s) */
  retryDelayMs?: number;
  idleTimeoutMs?: number;
  /** told about each retry, for the log */
  onRetry?: (reason: string, attempt: number) => void;
}

async function sizeOf(path: string): Promise<number> {
  try {
    return (await stat(path)).size;
  } catch {
    return 0;
  }
}

async function hashFile(path: string, bytes: number): Promise<Hash> {
  const hash = createHash('sha256');
  if (bytes > 0)
    await pipeline(createReadStream(path, { end: bytes - 1 }), async (chunks: AsyncIterable<Buffer>) => {
      for await (const c of chunks) hash.update(c);
    });
  return hash;
}

/** The sha256 (hex) of a whole file. */
export async function sha256File(path: string): Promise<string> {
  return (await hashFile(path, (await stat(path)).size)).digest('hex');
}

/** "bytes 100-199/200" → {start, total} */
function parseContentRange(value: string | undefined): { start: number; total: number } | null {
  const m = /^bytes (\d+)-(\d+)\/(\d+)$/.exec(value ?? '');
  return m ? { start: Number(m[1]), total: Number(m[3]) } : null;
}

/** Rates from the bytes seen in the last ~3 seconds, and throttled progress calls. */
class Meter {
  private samples: { t: number; bytes: number }[] = [];
  private lastReport = 0;
  constructor(private readonly report?: (p: Progress) => void) {}
  update(received: number, total: number, force = false): void {
    const t = Date.now();
    this.samples.push({ t, bytes: received });
    while (this.samples.length > 2 && t - this.samples[0].t > 3000) this.samples.shift();
    if (!this.report || (!force && t - this.lastReport < 200)) return;
    this.lastReport = t;
    const first = this.samples[0];
    const rate = t > first.t ? ((received - first.bytes) * 1000) / (t - first.t) : 0;
    this.report({ received, total, rate });
  }
}

function diskFull(dest: string, needed: number): NativeInstallError {
  return new NativeInstallError('disk-full', `disk full: ${formatMB(needed)} more are needed in ${dirname(dest)}`);
}

/** How a download is watched and retried: what the installer passes through to each wheel's download. */
export type TransferOptions = Pick<DownloadOptions, 'signal' | 'onProgress' | 'onRetry' | 'retries' | 'retryDelayMs' | 'idleTimeoutMs'>;

export function transferOptions(o: TransferOptions): TransferOptions {
  return {
    signal: o.signal,
    onProgress: o.onProgress,
    onRetry: o.onRetry,
    retries: o.retries,
    retryDelayMs: o.retryDelayMs,
    idleTimeoutMs: o.idleTimeoutMs,
  };
}

export async function downloadVerified(opts: DownloadOptions): Promise<void> {
  const part = `${opts.dest}.part`;
  const retries = opts.retries ?? 5;
  const meter = new Meter(opts.onProgress);
  let hashed: { hash: Hash; bytes: number } | null = null;
  for (let attempt = 0; ; attempt++) {
    throwIfAborted(opts.signal);
    let offset = await sizeOf(part);
    if (offset > opts.size) {
      await rm(part, { force: true });
      offset = 0;
    }
    try {
      if (offset < opts.size) {
        hashed = await fetchInto(part, offset, hashed, opts, meter);
      }
      break;
    } catch (e) {
      if (e instanceof InstallCancelledError || opts.signal?.aborted) throw new InstallCancelledError();
      if ((e as { code?: string }).code === 'ENOSPC') throw diskFull(opts.dest, opts.size - (await sizeOf(part)));
      if (!(e instanceof RetriableError) || attempt >= retries) {
        if (e instanceof RetriableError) {
          throw new NativeInstallError(
            e.kind,
            `${e.message}; gave up after ${retries + 1} attempts with ${formatMB(await sizeOf(part))} of ${formatMB(opts.size)} (the next Install resumes from there)`,
          );
        }
        throw e;
      }
      opts.onRetry?.(e.message, attempt + 1);
      try {
        await sleep((opts.retryDelayMs ?? 1000) * 2 ** attempt, undefined, { signal: opts.signal });
      } catch {
        throw new InstallCancelledError();
      }
    }
  }
  const got = await sizeOf(part);
  if (got !== opts.size) {
    await rm(part, { force: true });
    throw new NativeInstallError(
      'integrity',
      `size mismatch for ${opts.url.pathname.split('/').pop()}: the index says ${opts.size} bytes, the server sent ${got}; the download was deleted`,
    );
  }
  const digest = (hashed && hashed.bytes === got ? hashed.hash : await hashFile(part, got)).digest('hex');
  if (digest !== opts.sha256) {
    await rm(part, { force: true });
    throw new NativeInstallError(
      'integrity',
      `sha256 mismatch for ${opts.url.pathname.split('/').pop()}: the index says ${opts.sha256}, the download is ${digest}; the download was deleted and nothing was installed`,
    );
  }
  meter.update(got, opts.size, true);
  await rename(part, opts.dest);
}

/** One request: appends to the .part from `offset` and returns the running hash of the whole file. */
async function fetchInto(
  part: string,
  offset: number,
  hashed: { hash: Hash; bytes: number } | null,
  opts: DownloadOptions,
  meter: Meter,
): Promise<{ hash: Hash; bytes: number }> {
  const headers: Record<string, string> = { 'accept-encoding': 'identity' };
  if (offset > 0) headers.range = `bytes=${offset}-`;
  const { res, url } = await get(opts.url, { headers, signal: opts.signal, idleTimeoutMs: opts.idleTimeoutMs });
  const name = url.pathname.split('/').pop();
  const length = res.headers['content-length'] === undefined ? undefined : Number(res.headers['content-length']);
  let start = 0;
  if (res.statusCode === 416) {
    // what we hold is not a prefix the server knows: start over
    res.resume();
    await rm(part, { force: true });
    throw new RetriableError('http', `HTTP 416 from ${url.host}: the partial download did not fit; starting over`);
  }
  if (res.statusCode === 206) {
    const range = parseContentRange(res.headers['content-range']);
    if (!range || range.start !== offset || range.total !== opts.size) {
      res.resume();
      await rm(part, { force: true });
      throw new NativeInstallError(
        'integrity',
        `size mismatch for ${name}: the index says ${opts.size} bytes, ${url.host} answered the resume with Content-Range ${res.headers['content-range'] ?? '(none)'}; the download was deleted`,
      );
    }
    start = offset;
  }
  const expected = opts.size - start;
  if (length !== undefined && length !== expected) {
    res.resume();
    await rm(part, { force: true });
    throw new NativeInstallError(
      'integrity',
      `size mismatch for ${name}: the index says ${opts.size} bytes, ${url.host} sends Content-Length ${length}${start ? ` from byte ${start}` : ''}; the download was deleted`,
    );
  }
  const running =
    start > 0 && hashed?.bytes === start ? hashed : { hash: start > 0 ? await hashFile(part, start) : createHash('sha256'), bytes: start };
  let received = start;
  const counter = new Transform({
    transform(chunk: Buffer, _enc, done) {
      received += chunk.length;
      if (received > opts.size)
        return done(
          new NativeInstallError(
            'integrity',
            `size mismatch for ${name}: ${url.host} sent more than the ${opts.size} bytes the index says`,
          ),
        );
      running.hash.update(chunk);
      running.bytes = received;
      meter.update(received, opts.size);
      done(null, chunk);
    },
  });
  let dropped = false;
  res.on('aborted', () => (dropped = true));
  try {
    await pipeline(res, counter, createWriteStream(part, { flags: start > 0 ? 'a' : 'w' }), { signal: opts.signal });
  } catch (e) {
    if (opts.signal?.aborted) throw new InstallCancelledError();
    if (e instanceof NativeInstallError) {
      await rm(part, { force: true });
      throw e;
    }
    const code = (e as { code?: string }).code;
    if (code === 'ENOSPC') throw e;
    throw new RetriableError(
      'unreachable',
      `the connection to ${url.host} dropped after ${formatMB(received)} of ${formatMB(opts.size)} (${code ?? (e as Error).message})`,
    );
  }
  if (dropped || received < opts.size) {
    throw new RetriableError('unreachable', `the connection to ${url.host} ended after ${formatMB(received)} of ${formatMB(opts.size)}`);
  }
  return running;
}

/** "123 MB of 274 MB · 41.5 MB/s" for the progress notification. */
export function progressLine(p: Progress): string {
  return `${formatMB(p.received)} of ${formatMB(p.total)} · ${(p.rate / 1e6).toFixed(1)} MB/s`;
}
