// The dataset layout rules (Keras flow_from_directory): which names are images, which entries are
// ignored, and the order classes and files are listed in. Names only, no I/O: the folder walk that
// applies them is src/node/datasetWalk.ts, shared by training's scan and the wizard's preview.

/**
 * Image types the engine decodes with sharp (GIF: first frame), without the dot, compared
 * case-insensitively. The explorer's Predict entry (package.json `when`) and the Predict dialog's
 * filter use the same list.
 */
export const IMAGE_EXTENSIONS = ['png', 'jpg', 'jpeg', 'webp', 'gif', 'tif', 'tiff'] as const;

/** Whether the last segment of `path` (either separator) has an image extension. */
export function isImageFileName(path: string): boolean {
  const name = path.slice(Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\')) + 1);
  const dot = name.lastIndexOf('.');
  // Like path.extname: a leading dot starts a hidden name, not an extension (".png" has none).
  if (dot <= 0) return false;
  return (IMAGE_EXTENSIONS as readonly string[]).includes(name.slice(dot + 1).toLowerCase());
}

/** Hidden entries (".DS_Store", ".thumbs/", ".git/") are never classes or images. */
export function isHiddenName(name: string): boolean {
  return name.startsWith('.');
}

/** Code-point order, like Python's sorted(): class label indices follow it ("Apple" < "apple"). */
export function byCodePoint(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
