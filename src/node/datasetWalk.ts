// The one walk over a dataset folder (Keras flow_from_directory layout: one immediate subfolder
// per class, images found recursively inside each), used by training's scan (src/engine/data/scan.ts)
// and by the Train wizard's preview (src/host/experiment/datasetSummary.ts), so the wizard counts
// exactly what training will use. Names only, nothing decoded. Node's fs, but no tfjs and no
// vscode: src/node/ holds what both the engine and the host run, which core (no I/O) cannot.
import { readdir, realpath, stat } from 'node:fs/promises';
import type { Dirent } from 'node:fs';
import { isUtf8 } from 'node:buffer';
import { join, resolve } from 'node:path';
import { byCodePoint, isHiddenName, isImageFileName } from '../core/datasetLayout.ts';
import type { SkippedFile } from '../protocol/messages.ts';

export interface DatasetWalk {
  /** the folder, resolved to an absolute path */
  root: string;
  /** class folder names, sorted by code point: the label order */
  classes: string[];
  /** per class (same order as `classes`): absolute image paths as laid out (through symlinks), sorted */
  images: string[][];
  /** names of images lying directly in the root, outside any class folder: not used */
  rootImages: string[];
  /** absolute paths of files under class folders without an image extension: not used */
  otherFiles: string[];
  /** entries that could not be used, with the reason (broken links, loops, unreadable folders, bad names) */
  skipped: SkippedFile[];
}

export function errorText(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  // Node's fs messages already start with the code ("EACCES: permission denied, scandir …")
  if (err?.code && !err.message?.startsWith(err.code)) return `${err.code}: ${err.message}`;
  return String(e instanceof Error ? e.message : e);
}

/** A directory entry whose name is valid UTF-8 (the only names a string path can reach). */
type Entry = Pick<Dirent, 'name' | 'isDirectory' | 'isFile' | 'isSymbolicLink'>;

/** What a directory entry is once symlinks are followed; `broken` carries the reason. */
type EntryKind = { kind: 'dir' | 'file' | 'other' } | { kind: 'broken'; reason: string };

async function entryKind(dir: string, entry: Entry): Promise<EntryKind> {
  if (entry.isDirectory()) return { kind: 'dir' };
  if (entry.isFile()) return { kind: 'file' };
  if (!entry.isSymbolicLink()) return { kind: 'other' };
  try {
    const target = await stat(join(dir, entry.name));
    return { kind: target.isDirectory() ? 'dir' : target.isFile() ? 'file' : 'other' };
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return { kind: 'broken', reason: 'broken symlink: its target does not exist' };
    if (code === 'ELOOP') return { kind: 'broken', reason: 'symlink loop: the link resolves to itself' };
    return { kind: 'broken', reason: `cannot follow symlink: ${errorText(e)}` };
  }
}

interface Listing {
  entries: Entry[];
  /** entries whose names are not valid UTF-8, reported rather than silently mangled */
  badNames: SkippedFile[];
}

/**
 * Lists `dir` sorted by name. Names are read as bytes: decoded as UTF-8, an invalid name would
 * turn into U+FFFD and point at a file that does not exist ("file not found" for a file that is
 * right there), so such entries are reported with their bytes and a hint instead.
 */
async function listDir(dir: string): Promise<Listing> {
  const raw = await readdir(dir, { withFileTypes: true, encoding: 'buffer' });
  const entries: Entry[] = [];
  const badNames: SkippedFile[] = [];
  for (const d of raw) {
    const bytes = d.name as unknown as Buffer;
    const name = bytes.toString('utf8');
    if (isUtf8(bytes)) {
      entries.push({ name, isDirectory: () => d.isDirectory(), isFile: () => d.isFile(), isSymbolicLink: () => d.isSymbolicLink() });
      continue;
    }
    if (isHiddenName(name)) continue;
    // Only what we would have used: folders (and links, which may be folders) and image names.
    if (d.isFile() && !isImageFileName(bytes.toString('latin1'))) continue;
    badNames.push({
      path: join(dir, name),
      reason: `name is not valid UTF-8 (bytes ${bytes.toString('hex').replace(/(..)/g, '$1 ').trim()}): rename it to use it`,
    });
  }
  entries.sort((a, b) => byCodePoint(a.name, b.name));
  return { entries, badNames };
}

interface ClassWalk {
  images: string[];
  skipped: SkippedFile[];
  otherFiles: string[];
}

/**
 * Collects the images under one class folder, following symlinks. `owned` holds the real paths of
 * the dataset root and every class folder, so a link back into them is reported, not walked
 * (that is how loops end); `visited` holds what this class has already walked.
 */
async function walkClassFolder(classDir: string, owned: Map<string, string>): Promise<ClassWalk> {
  const out: ClassWalk = { images: [], skipped: [], otherFiles: [] };
  let real: string;
  try {
    real = await realpath(classDir);
  } catch {
    return out; // already reported by walkDataset when it resolved the class folders
  }
  const visited = new Set<string>([real]);
  const walk = async (dir: string): Promise<void> => {
    let listing: Listing;
    try {
      listing = await listDir(dir);
    } catch (e) {
      out.skipped.push({ path: dir, reason: `cannot read folder: ${errorText(e)}` });
      return;
    }
    out.skipped.push(...listing.badNames);
    for (const entry of listing.entries) {
      if (isHiddenName(entry.name)) continue;
      const path = join(dir, entry.name);
      const kind = await entryKind(dir, entry);
      if (kind.kind === 'broken') {
        if (isImageFileName(entry.name) || entry.isSymbolicLink()) out.skipped.push({ path, reason: kind.reason });
        continue;
      }
      if (kind.kind === 'dir') {
        let real: string;
        try {
          real = await realpath(path);
        } catch (e) {
          out.skipped.push({ path, reason: `cannot resolve folder: ${errorText(e)}` });
          continue;
        }
        const owner = owned.get(real);
        if (visited.has(real) || owner !== undefined) {
          const what = owner ? `${owner}, already scanned` : 'a folder already scanned';
          out.skipped.push({ path, reason: `symlink loop: links back to ${what} (${real})` });
          continue;
        }
        visited.add(real);
        await walk(path);
      } else if (kind.kind === 'file') {
        if (isImageFileName(entry.name)) out.images.push(path);
        else out.otherFiles.push(path);
      }
    }
  };
  await walk(classDir);
  out.images.sort(byCodePoint);
  return out;
}

/**
 * Walks the folder `rootInput` (which must exist and be a folder; the callers check, each with its
 * own wording). Throws only when the root itself cannot be listed; everything below it that cannot
 * be used is reported in `skipped`.
 */
export async function walkDataset(rootInput: string): Promise<DatasetWalk> {
  const root = resolve(rootInput);
  const skipped: SkippedFile[] = [];
  const classDirs: string[] = [];
  const rootImages: string[] = [];
  const top = await listDir(root);
  skipped.push(...top.badNames);
  for (const entry of top.entries) {
    if (isHiddenName(entry.name)) continue;
    const kind = await entryKind(root, entry);
    if (kind.kind === 'dir') classDirs.push(entry.name);
    else if (kind.kind === 'broken') skipped.push({ path: join(root, entry.name), reason: kind.reason });
    else if (kind.kind === 'file' && isImageFileName(entry.name)) rootImages.push(entry.name);
  }
  const classes = classDirs.sort(byCodePoint);
  // Real paths of the root and each class folder: a link into one of them is a loop or a
  // cross-class link, never walked.
  const owned = new Map<string, string>([[await realpath(root), 'the dataset root']]);
  for (const name of classes) {
    try {
      owned.set(await realpath(join(root, name)), `class folder '${name}'`);
    } catch (e) {
      skipped.push({ path: join(root, name), reason: `cannot resolve folder: ${errorText(e)}` });
    }
  }
  const images: string[][] = [];
  let otherFiles: string[] = [];
  for (const name of classes) {
    const walked = await walkClassFolder(join(root, name), owned);
    images.push(walked.images);
    skipped.push(...walked.skipped);
    otherFiles = otherFiles.concat(walked.otherFiles);
  }
  return { root, classes, images, rootImages, otherFiles, skipped };
}
