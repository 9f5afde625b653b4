// Streams the two libtensorflow libraries out of a tensorflow-cpu wheel with yauzl: the zip's
// central directory is read, only those members are inflated (the other ~15 000 files, 270 MB of
// Python, are never touched) and each is checked against the wheel's own RECORD (PEP 376 sha256 and
// size), so a wheel from a file is verified as far as its content goes even without the index.
import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { basename, join } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { text } from 'node:stream/consumers';
import yauzl, { type Entry, type ZipFile } from 'yauzl';
import { InstallCancelledError, NativeInstallError, throwIfAborted } from './errors.ts';

export interface ExtractedLibrary {
  /** member path in the wheel */
  member: string;
  /** file name written into the destination folder */
  file: string;
  size: number;
  sha256: string;
}

function openZip(path: string): Promise<ZipFile> {
  return new Promise((resolve, reject) =>
    yauzl.open(path, { lazyEntries: true, autoClose: false, strictFileNames: false }, (err, zip) => (err ? reject(err) : resolve(zip))),
  );
}

/** The wheel's zip, or the one line saying it is not one. */
async function openWheelZip(wheel: string, label: string): Promise<ZipFile> {
  try {
    return await openZip(wheel);
  } catch (e) {
    throw new NativeInstallError('wheel', `${label} is not a readable wheel (zip): ${(e as Error).message}`);
  }
}

/** Every entry of the central directory by name (the metadata only: cheap even for 15 000 files). */
function listEntries(zip: ZipFile): Promise<Map<string, Entry>> {
  return new Promise((resolve, reject) => {
    const entries = new Map<string, Entry>();
    zip.on('entry', (e: Entry) => {
      entries.set(e.fileName, e);
      zip.readEntry();
    });
    zip.once('end', () => resolve(entries));
    zip.once('error', reject);
    zip.readEntry();
  });
}

function readStream(zip: ZipFile, entry: Entry): Promise<NodeJS.ReadableStream> {
  return new Promise((resolve, reject) => zip.openReadStream(entry, (err, stream) => (err ? reject(err) : resolve(stream))));
}

/** RECORD's sha256 (urlsafe base64, unpadded) → hex; null when the line has none. */
function recordHash(field: string | undefined): string | null {
  const m = /^sha256=([A-Za-z0-9_-]+)$/.exec(field ?? '');
  return m ? Buffer.from(m[1], 'base64url').toString('hex') : null;
}

export interface WheelContents {
  /** uncompressed bytes of the members to extract (to check free space first) */
  bytes: number;
  extract(dest: string, signal?: AbortSignal): Promise<ExtractedLibrary[]>;
  close(): void;
}

/**
 * Opens the wheel and checks it has the members and a RECORD for them; `label` names it in errors.
 * `members` is a list of exact paths (all required), or a test on the path (at least one must match:
 * the shared libraries of an nvidia-*-cu12 wheel, whose names differ per release).
 */
export async function openWheel(
  wheel: string,
  wanted: readonly string[] | ((member: string) => boolean),
  label = basename(wheel),
): Promise<WheelContents> {
  const zip = await openWheelZip(wheel, label);
  try {
    const entries = await listEntries(zip);
    const members = typeof wanted === 'function' ? [...entries.keys()].filter(wanted).sort() : wanted;
    if (members.length === 0)
      throw new NativeInstallError('wheel', `${label} contains no shared libraries (lib/*.so*): is it a wheel for Linux x86_64?`);
    const missing = members.filter((m) => !entries.has(m));
    if (missing.length)
      throw new NativeInstallError('wheel', `${label} does not contain ${missing.join(', ')}: is it a tensorflow wheel for Linux x86_64?`);
    const recordEntry = [...entries.keys()].find((n) => /^[^/]+\.dist-info\/RECORD$/.test(n));
    if (!recordEntry) throw new NativeInstallError('wheel', `${label} has no .dist-info/RECORD, so its libraries cannot be checked`);
    const record = new Map<string, { sha256: string | null; size: number }>();
    for (const line of (await text(await readStream(zip, entries.get(recordEntry)!))).split(/\r?\n/)) {
      const [path, hash, size] = line.split(',');
      if (path) record.set(path, { sha256: recordHash(hash), size: Number(size) });
    }
    const expected = members.map((m) => {
      const r = record.get(m);
      if (!r?.sha256 || !Number.isSafeInteger(r.size))
        throw new NativeInstallError('wheel', `${label}: ${recordEntry} has no sha256 and size for ${m}`);
      const entry = entries.get(m)!;
      if (entry.uncompressedSize !== r.size)
        throw new NativeInstallError(
          'integrity',
          `${label}: ${m} is ${entry.uncompressedSize} bytes in the zip but ${r.size} in ${recordEntry}`,
        );
      return { member: m, entry, sha256: r.sha256, size: r.size };
    });
    return {
      bytes: expected.reduce((n, e) => n + e.size, 0),
      close: () => zip.close(),
      async extract(dest: string, signal?: AbortSignal): Promise<ExtractedLibrary[]> {
        const out: ExtractedLibrary[] = [];
        for (const e of expected) {
          throwIfAborted(signal);
          const file = basename(e.member);
          const hash = createHash('sha256');
          const hasher = new Transform({
            transform(chunk: Buffer, _enc, done) {
              hash.update(chunk);
              done(null, chunk);
            },
          });
          try {
            // yauzl checks the inflated length against the central directory as it streams
            await pipeline(await readStream(zip, e.entry), hasher, createWriteStream(join(dest, file), { mode: 0o644 }), { signal });
          } catch (err) {
            if (signal?.aborted) throw new InstallCancelledError();
            if ((err as { code?: string }).code === 'ENOSPC') throw err;
            throw new NativeInstallError('wheel', `${label}: extracting ${e.member} failed: ${(err as Error).message}`);
          }
          const sha256 = hash.digest('hex');
          if (sha256 !== e.sha256) {
            throw new NativeInstallError(
              'integrity',
              `sha256 mismatch for ${e.member} in ${label}: its RECORD says ${e.sha256}, the extracted file is ${sha256}; nothing was installed`,
            );
          }
          out.push({ member: e.member, file, size: e.size, sha256 });
        }
        return out;
      },
    };
  } catch (e) {
    zip.close();
    throw e;
  }
}

/** The wheel's .dist-info/METADATA (PEP 566), read without extracting anything else. */
export async function readWheelMetadata(wheel: string, label = basename(wheel)): Promise<string> {
  const zip = await openWheelZip(wheel, label);
  try {
    const entries = await listEntries(zip);
    const name = [...entries.keys()].find((n) => /^[^/]+\.dist-info\/METADATA$/.test(n));
    if (!name) throw new NativeInstallError('wheel', `${label} has no .dist-info/METADATA`);
    return await text(await readStream(zip, entries.get(name)!));
  } finally {
    zip.close();
  }
}
