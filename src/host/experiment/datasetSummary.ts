// What the Train wizard shows about a dataset folder before training: the class subfolders
// (Keras flow_from_directory layout) with their image counts, and the problems that would make a
// run fail or mislead. It walks the folder with training's own walk (src/node/datasetWalk.ts), so
// the counts are the images training will use; reads names only (no decoding). No `vscode` import.
import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { IMAGE_EXTENSIONS } from '../../core/datasetLayout.ts';
import { walkDataset } from '../../node/datasetWalk.ts';

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
  const walk = await walkDataset(root);
  const classDirs = walk.classes;
  const rootImages = walk.rootImages.length;
  const otherFiles = walk.otherFiles.length;
  summary.classes = classDirs.map((name, i) => ({ name, images: walk.images[i].length }));
  summary.totalImages = walk.images.reduce((n, images) => n + images.length, 0);

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
  if (rootImages)
    summary.warnings.push(`${rootImages} image(s) directly in the dataset folder are ignored: images must be inside a class subfolder.`);
  if (otherFiles) summary.warnings.push(`${otherFiles} file(s) that are not images (${IMAGE_EXTENSIONS.join(', ')}) are ignored.`);
  const counts = summary.classes.filter((c) => c.images > 0).map((c) => c.images);
  if (validationSplit > 0) {
    const tiny = summary.classes.filter((c) => c.images > 0 && Math.floor(c.images * validationSplit) < 1).map((c) => c.name);
    if (tiny.length)
      summary.warnings.push(`Too few images to hold out ${Math.round(validationSplit * 100)}% for validation in: ${tiny.join(', ')}.`);
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
