// Dataset scanning with Keras `flow_from_directory` semantics: one immediate subfolder per class,
// classes sorted by name give the label indices, images found recursively inside each class
// folder (the walk itself is src/node/datasetWalk.ts, shared with the wizard's preview). Only
// names are read here; pixels are decoded (and corrupt files reported) in decode.ts.
import { stat } from 'node:fs/promises';
import { join, relative, resolve, sep } from 'node:path';
import { IMAGE_EXTENSIONS } from '../../core/datasetLayout.ts';
import { errorText, walkDataset } from '../../node/datasetWalk.ts';
import type { SkippedFile } from '../../protocol/messages.ts';
import { mixSeed, mulberry32, shuffled } from './rng.ts';

const DOTTED_EXTENSIONS = IMAGE_EXTENSIONS.map((e) => `.${e}`);

export interface DatasetFile {
  /** absolute path as the user laid it out (through symlinks, not their targets) */
  path: string;
  /** index into `classes` */
  label: number;
}

export interface DatasetScan {
  root: string;
  /** class names sorted by code point, like Python's sorted(): the label order */
  classes: string[];
  /** grouped by class, sorted by path within a class */
  files: DatasetFile[];
  /** entries that could not be used, with the reason */
  skipped: SkippedFile[];
  /** images per class, every class present (0 for an empty one) */
  counts: Record<string, number>;
  /** classes whose folder holds no image: an error if training needs them, for the caller to decide */
  emptyClasses: string[];
  /** things the user should know that are not errors (ignored files, …) */
  notes: string[];
}

export interface DatasetSplit {
  classes: string[];
  train: DatasetFile[];
  validation: DatasetFile[];
  skipped: SkippedFile[];
  counts: { train: Record<string, number>; validation: Record<string, number> };
  /** classes with no training image */
  emptyClasses: string[];
  notes: string[];
}

async function checkDatasetFolder(root: string, what: string): Promise<void> {
  let info;
  try {
    info = await stat(root);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new Error(code === 'ENOENT' ? `${what} not found: ${root}` : `cannot read ${what} ${root}: ${errorText(e)}`);
  }
  if (!info.isDirectory()) throw new Error(`${what} is not a folder: ${root}`);
}

/**
 * Scans `root` for class subfolders and their images. Throws (naming the folder) when the folder is
 * missing, has no class subfolder, or has no image at all; everything else is reported.
 */
export async function scanDataset(rootInput: string, what = 'dataset folder'): Promise<DatasetScan> {
  const root = resolve(rootInput);
  await checkDatasetFolder(root, what);
  const walk = await walkDataset(root);
  const { classes, rootImages, otherFiles, skipped } = walk;
  const notes: string[] = [];
  if (rootImages.length > 0) {
    const examples = rootImages.slice(0, 3).join(', ') + (rootImages.length > 3 ? ', …' : '');
    notes.push(`${rootImages.length} image(s) directly in ${root} ignored (${examples}): images must be inside a class subfolder`);
  }
  if (classes.length === 0) {
    const hint = rootImages.length > 0 ? `; move the ${rootImages.length} image(s) there into one subfolder per class` : '';
    throw new Error(`no class folders in ${what} ${root}: expected one subfolder per class (e.g. cats/, dogs/)${hint}`);
  }

  const files: DatasetFile[] = [];
  const counts: Record<string, number> = {};
  const emptyClasses: string[] = [];
  for (const [label, name] of classes.entries()) {
    const images = walk.images[label];
    for (const path of images) files.push({ path, label });
    counts[name] = images.length;
    if (images.length === 0) emptyClasses.push(name);
  }
  if (otherFiles.length > 0) {
    const examples = otherFiles
      .slice(0, 3)
      .map((p) => relative(root, p))
      .join(', ');
    notes.push(`${otherFiles.length} file(s) without an image extension (${DOTTED_EXTENSIONS.join(' ')}) ignored, e.g. ${examples}`);
  }
  if (emptyClasses.length > 0)
    notes.push(`class folder(s) with no image: ${emptyClasses.map((c) => withUnreadableReason(root, c, skipped)).join(', ')}`);
  if (files.length === 0) {
    const unreadable = classes.filter((c) => unreadableReason(join(root, c), skipped));
    if (unreadable.length > 0) {
      throw new Error(`no images in ${what} ${root}: ${unreadable.map((c) => withUnreadableReason(root, c, skipped)).join(', ')}`);
    }
    throw new Error(`no images in ${what} ${root}: class folder(s) ${classes.join(', ')} contain no ${DOTTED_EXTENSIONS.join('/')} files`);
  }
  return { root, classes, files, skipped, counts, emptyClasses, notes };
}

/** How many of a class's n images go to validation: a rounded fraction, keeping one of each side when n ≥ 2. */
export function validationCount(n: number, fraction: number): number {
  if (fraction <= 0 || n < 2) return 0;
  return Math.min(n - 1, Math.max(1, Math.round(n * fraction)));
}

/**
 * Stratified, seeded split: each class is shuffled with its own stream (seed, label) and its first
 * validationCount() files go to validation, so every class keeps its proportion and adding a class
 * does not move the others. (Keras takes the first files in name order instead of a random subset.)
 */
export function splitStratified(
  files: readonly DatasetFile[],
  fraction: number,
  seed: number,
): { train: DatasetFile[]; validation: DatasetFile[] } {
  if (!(fraction >= 0 && fraction < 1)) throw new Error(`validationSplit must be in [0, 1), got ${fraction}`);
  const byLabel = new Map<number, DatasetFile[]>();
  for (const f of files) byLabel.set(f.label, [...(byLabel.get(f.label) ?? []), f]);
  const train: DatasetFile[] = [];
  const validation: DatasetFile[] = [];
  for (const label of [...byLabel.keys()].sort((a, b) => a - b)) {
    const group = byLabel.get(label)!;
    const order = shuffled(group, mulberry32(mixSeed(seed, label, 0x5711)));
    const nVal = validationCount(group.length, fraction);
    const valSet = new Set(order.slice(0, nVal));
    // Keep name order inside each side so listings stay readable and stable.
    for (const f of group) (valSet.has(f) ? validation : train).push(f);
  }
  return { train, validation };
}

/** A fresh, seeded order of the training files for one epoch. */
export function epochOrder<T>(files: readonly T[], seed: number, epoch: number): T[] {
  return shuffled(files, mulberry32(mixSeed(seed, epoch, 0xe9_0c)));
}

function countByClass(classes: string[], files: readonly DatasetFile[]): Record<string, number> {
  const counts: Record<string, number> = Object.fromEntries(classes.map((c) => [c, 0]));
  for (const f of files) counts[classes[f.label]]++;
  return counts;
}

export interface DatasetSource {
  data: string;
  /** separate validation folder whose class folders must match `data`'s */
  validationData?: string;
  /** used when there is no validationData */
  validationSplit: number;
  seed: number;
}

/**
 * Scans the training folder and produces the train/validation lists: from a separate validation
 * folder (classes must match by name) or a stratified seeded split.
 */
export async function loadDatasetSplit(source: DatasetSource): Promise<DatasetSplit> {
  const scan = await scanDataset(source.data, 'dataset folder');
  const notes = [...scan.notes];
  let train: DatasetFile[];
  let validation: DatasetFile[];
  const skipped = [...scan.skipped];
  if (source.validationData) {
    const val = await scanDataset(source.validationData, 'validation folder');
    const missing = scan.classes.filter((c) => !val.classes.includes(c));
    const extra = val.classes.filter((c) => !scan.classes.includes(c));
    if (missing.length > 0 || extra.length > 0) {
      const parts = [missing.length ? `missing ${missing.join(', ')}` : '', extra.length ? `extra ${extra.join(', ')}` : ''].filter(
        Boolean,
      );
      throw new Error(`validation folder ${val.root} does not have the same class folders as ${scan.root}: ${parts.join('; ')}`);
    }
    if (source.validationSplit > 0) notes.push('a validation folder is given: validationSplit is not used');
    train = scan.files;
    validation = val.files; // same sorted class names, hence the same label indices
    skipped.push(...val.skipped);
    notes.push(...val.notes.map((n) => `validation: ${n}`));
  } else {
    ({ train, validation } = splitStratified(scan.files, source.validationSplit, source.seed));
  }
  const counts = { train: countByClass(scan.classes, train), validation: countByClass(scan.classes, validation) };
  if (validation.length > 0 || source.validationData) {
    const noVal = scan.classes.filter((c) => counts.validation[c] === 0 && counts.train[c] > 0);
    if (noVal.length > 0) notes.push(`class(es) with no validation image: ${noVal.join(', ')}`);
  }
  return { classes: scan.classes, train, validation, skipped, counts, emptyClasses: scan.emptyClasses, notes };
}

/**
 * Why a class folder had to be skipped as a whole (it could not be listed: EACCES, EIO…), from the
 * scan's skipped list; undefined for a folder that was read and is simply empty.
 */
function unreadableReason(classDir: string, skipped: readonly SkippedFile[]): string | undefined {
  return skipped.find((s) => s.path === classDir && /^cannot (read|resolve) folder/.test(s.reason))?.reason;
}

/** "cats" or "cats (cannot read folder: EACCES: …)": an unreadable folder is not "no image". */
function withUnreadableReason(root: string, name: string, skipped: readonly SkippedFile[], label = name): string {
  const reason = unreadableReason(join(root, name), skipped);
  return reason ? `${label} (${reason})` : label;
}

/** Throws when some class has no training image (a softmax unit that can never be learned). */
export function assertEveryClassHasImages(split: Pick<DatasetSplit, 'emptyClasses' | 'skipped'>, root: string): void {
  if (split.emptyClasses.length === 0) return;
  const dirs = split.emptyClasses.map((c) => withUnreadableReason(resolve(root), c, split.skipped, root + sep + c));
  throw new Error(`class folder(s) with no image in ${root}: ${dirs.join(', ')}`);
}

/** "cats 12, dogs 10" — for logs. */
export function formatCounts(counts: Record<string, number>): string {
  return Object.entries(counts)
    .map(([name, n]) => `${name} ${n}`)
    .join(', ');
}
