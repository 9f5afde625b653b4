// What the Train wizard shows about a dataset folder before training: the class subfolders
// (Keras flow_from_directory layout) with their image counts, and the problems that would make a
// run fail or mislead. Reads names only (no decoding); the engine's scan is the authority at run
// time, this is the quick preview. No `vscode` import.
import { readdir, stat } from 'node:fs/promises';
import { extname, join, resolve } from 'node:path';
import { IMAGE_EXTENSIONS } from '../commands.ts';

export interface ClassSummary {
  name: string;
  images: number;
}

export interface DatasetSummary {
  root: string;
  classes: ClassSummary[];
  totalImages: number;
  /** problems that stop training: shown before the run, the wizard does not continue */
  errors: string[];
  /** things worth knowing that do not stop training */
  warnings: string[];
}

const IMAGE_EXT = new Set(IMAGE_EXTENSIONS.map((e) => `.${e}`));

export function isImagePath(path: string): boolean {
  return IMAGE_EXT.has(extname(path).toLowerCase());
}

interface Count {
  images: number;
  others: number;
}

async function countImages(dir: string, depth: number, seen: Set<string>): Promise<Count> {
  const out: Count = { images: 0, others: 0 };
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch {
    return out;
  }
  for (const e of entries) {
    if (e.name.startsWith('.')) continue;
    const p = join(dir, e.name);
    let isDir = e.isDirectory();
    let isFile = e.isFile();
    if (e.isSymbolicLink()) {
      const s = await stat(p).catch(() => undefined);
      isDir = s?.isDirectory() ?? false;
      isFile = s?.isFile() ?? false;
    }
    if (isDir) {
      // nested folders count (the engine walks them too); depth and a visited set end link loops
      if (depth < 8 && !seen.has(p)) {
        seen.add(p);
        const sub = await countImages(p, depth + 1, seen);
        out.images += sub.images;
        out.others += sub.others;
      }
    } else if (isFile) {
      if (isImagePath(e.name)) out.images++;
      else out.others++;
    }
  }
  return out;
}

/** Summarises `folder` as a dataset; `validationSplit` is used to warn about tiny classes. */
export async function summarizeDataset(folder: string, validationSplit = 0.2): Promise<DatasetSummary> {
  const root = resolve(folder);
  const summary: DatasetSummary = { root, classes: [], totalImages: 0, errors: [], warnings: [] };
  const info = await stat(root).catch(() => undefined);
  if (!info) {
    summary.errors.push(`${root} does not exist.`);
    return summary;
  }
  if (!info.isDirectory()) {
    summary.errors.push(`${root} is not a folder.`);
    return summary;
  }
  const entries = (await readdir(root, { withFileTypes: true })).filter((e) => !e.name.startsWith('.'));
  let rootImages = 0;
  let otherFiles = 0;
  const classDirs: string[] = [];
  for (const e of entries) {
    const p = join(root, e.name);
    const isDir = e.isDirectory() || (e.isSymbolicLink() && (await stat(p).catch(() => undefined))?.isDirectory());
    if (isDir) classDirs.push(e.name);
    else if (isImagePath(e.name)) rootImages++;
  }
  classDirs.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  for (const name of classDirs) {
    const c = await countImages(join(root, name), 0, new Set());
    summary.classes.push({ name, images: c.images });
    otherFiles += c.others;
    summary.totalImages += c.images;
  }

  if (classDirs.length === 0) {
    summary.errors.push(
      `${root} has no class subfolders: put the images of each class in its own subfolder (e.g. cats/, dogs/).` +
        (rootImages ? ` ${rootImages} image(s) lie directly in the folder.` : ''),
    );
    return summary;
  }
  if (classDirs.length === 1) summary.errors.push(`Only one class folder (${classDirs[0]}): a classifier needs at least two.`);
  const empty = summary.classes.filter((c) => c.images === 0).map((c) => c.name);
  if (empty.length) summary.errors.push(`No images in class folder(s): ${empty.join(', ')}.`);
  if (rootImages) summary.warnings.push(`${rootImages} image(s) directly in the dataset folder are ignored: images must be inside a class subfolder.`);
  if (otherFiles) summary.warnings.push(`${otherFiles} file(s) that are not images (${IMAGE_EXTENSIONS.join(', ')}) are ignored.`);
  const counts = summary.classes.filter((c) => c.images > 0).map((c) => c.images);
  if (validationSplit > 0) {
    const tiny = summary.classes.filter((c) => c.images > 0 && Math.floor(c.images * validationSplit) < 1).map((c) => c.name);
    if (tiny.length) summary.warnings.push(`Too few images to hold out ${Math.round(validationSplit * 100)}% for validation in: ${tiny.join(', ')}.`);
  }
  if (counts.length >= 2) {
    const max = Math.max(...counts);
    const min = Math.min(...counts);
    if (max >= 3 * min) summary.warnings.push(`Classes are imbalanced: from ${min} to ${max} images per class.`);
  }
  return summary;
}

/** One line per class for a quick pick detail, e.g. "cats 120 · dogs 118". */
export function formatClassCounts(summary: DatasetSummary, max = 8): string {
  const shown = summary.classes.slice(0, max).map((c) => `${c.name} ${c.images}`);
  const more = summary.classes.length > max ? ` · +${summary.classes.length - max} more` : '';
  return shown.join(' · ') + more;
}
