// Which of an experiment's local paths leave the workspace folder that holds the experiment file.
// An experiment file may come with a cloned repo: its `out` ("../fakehome", "/home/me") is a
// folder a run replaces, `data`/`validationData`/`base` are read. Paths inside the folder are
// the repo's own business; one outside needs the user's yes (asked by confirmOutsidePaths.ts).
// Pure Node (no `vscode`), so the decision is unit-tested on its own.
import { existsSync, realpathSync } from 'node:fs';
import { dirname, resolve, sep } from 'node:path';
import type { ExperimentConfig } from '../../core/experiment.ts';
import { isBundledBaseId } from '../../core/experimentDefaults.ts';
import { isUrl } from '../../core/modelRef.ts';
import { isKerasApplicationRef } from '../../core/kerasApplications.ts';

export type PathField = 'data' | 'validationData' | 'base' | 'out';

export interface OutsidePath {
  field: PathField;
  /** the path as resolved against the experiment file */
  path: string;
  /** where it really is (symlinks resolved as far as the path exists) */
  real: string;
}

/** `p` with symlinks resolved as far as it exists, the rest appended: a link cannot hide where it points. */
export function realpathAsFarAsExists(p: string): string {
  let head = resolve(p);
  const tail: string[] = [];
  while (!existsSync(head)) {
    const up = dirname(head);
    if (up === head) return resolve(p);
    tail.unshift(head.slice(up.length).replace(/^[/\\]+/, ''));
    head = up;
  }
  return resolve(realpathSync(head), ...tail);
}

/** True when `child` is `folder` or inside it, both compared after realpath. */
export function isInsideFolder(child: string, folder: string): boolean {
  const c = realpathAsFarAsExists(child);
  const f = realpathAsFarAsExists(folder);
  return c === f || c.startsWith(f.endsWith(sep) ? f : f + sep);
}

/** The local paths of a config already resolved against its file (URLs, bundled and keras: bases are not paths). */
export function localPathsOf(config: ExperimentConfig): { field: PathField; path: string }[] {
  const out: { field: PathField; path: string }[] = [{ field: 'data', path: config.data }];
  if (config.validationData !== undefined) out.push({ field: 'validationData', path: config.validationData });
  if (!isUrl(config.base) && !isKerasApplicationRef(config.base) && !isBundledBaseId(config.base))
    out.push({ field: 'base', path: config.base });
  out.push({ field: 'out', path: config.out });
  return out;
}

/**
 * The paths of `config` (resolved) outside `workspaceFolder`, the folder holding the experiment
 * file; with no folder (a loose file) every path counts as outside.
 */
export function pathsOutsideWorkspace(config: ExperimentConfig, workspaceFolder: string | undefined): OutsidePath[] {
  return localPathsOf(config)
    .filter(({ path }) => workspaceFolder === undefined || !isInsideFolder(path, workspaceFolder))
    .map(({ field, path }) => ({ field, path, real: realpathAsFarAsExists(path) }));
}

/** What a run does with each field's path, for the confirmation. */
export const FIELD_USE: Record<PathField, string> = {
  data: 'read training images from',
  validationData: 'read validation images from',
  base: 'load its base model from',
  out: 'write (and replace) the trained model in',
};

/** The workspaceState key remembering that the user allowed `real` for `experimentFile`. */
export function allowKey(experimentFile: string, real: string): string {
  return `${experimentFile}\u0000${real}`;
}
