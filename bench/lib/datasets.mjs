// Deterministic subsets of a class-per-folder dataset, made of symlinks under .cache/bench-data,
// so both sides of a comparison read exactly the same image files.
import { existsSync, mkdirSync, readdirSync, statSync, symlinkSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const IMAGE = /\.(jpe?g|png|webp|gif|tiff?|bmp)$/i;

/** Class folders of `dir`, sorted by name (Keras flow_from_directory's label order). */
export function classFolders(dir) {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new Error(`${dir}: not a directory`);
  const classes = readdirSync(dir)
    .filter((c) => !c.startsWith('.') && statSync(join(dir, c)).isDirectory())
    .sort();
  if (classes.length === 0) throw new Error(`${dir}: no class subfolders`);
  return classes;
}

/** Image files of one class folder, sorted by name. */
export function classImages(dir, cls) {
  return readdirSync(join(dir, cls))
    .filter((f) => !f.startsWith('.') && IMAGE.test(f))
    .sort();
}

/**
 * A folder with the first `perClass` images (sorted by name) of each class of `src`, as
 * symlinks; `perClass` 0 or Infinity means all. Reused when it already exists.
 */
export function subset(src, perClass, cacheRoot, name) {
  const srcAbs = resolve(src);
  const dir = join(cacheRoot, name);
  const marker = join(dir, '.complete');
  if (existsSync(marker)) return dir;
  rmSync(dir, { recursive: true, force: true });
  for (const cls of classFolders(srcAbs)) {
    mkdirSync(join(dir, cls), { recursive: true });
    const files = classImages(srcAbs, cls);
    const take = perClass > 0 && Number.isFinite(perClass) ? files.slice(0, perClass) : files;
    for (const f of take) symlinkSync(join(srcAbs, cls, f), join(dir, cls, f));
  }
  writeFileSync(marker, '');
  return dir;
}

/** Every image path under a class-per-folder directory, in label then name order. */
export function allImages(dir) {
  return classFolders(dir).flatMap((cls) => classImages(dir, cls).map((f) => join(dir, cls, f)));
}
