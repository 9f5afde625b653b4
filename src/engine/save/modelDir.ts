// A trained model directory: model.json + weights.bin (a tfjs layers model) + cnn-lab.json
// (labels, input size, preprocessing, base, config, metrics, backend, versions). It is written into
// a temporary sibling folder and renamed into place, so the previous model (or checkpoint) is
// never half-overwritten: a crash, a full disk or a cancel leaves either the old or the new one.
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { mkdir, open, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { checkpointDirOf } from '../../core/checkpointPath.ts';
import type { ExperimentConfig } from '../../core/experiment.ts';
import type { EpochMetrics, PhaseName } from '../../protocol/messages.ts';
import type { Preprocessing, ResizeMode } from '../data/decode-image.ts';
import { tf } from '../tf.ts';
import { serializeLayersModel } from './modelFiles.ts';
import { processAlive } from './processAlive.ts';
import { cnnLabVersion } from '../packageRoot.ts';

export const METADATA_FILE = 'cnn-lab.json';

export interface ModelMetadata {
  format: 'cnn-lab-model';
  formatVersion: 1;
  /** class names, index = output unit */
  labels: string[];
  /** [height, width] */
  inputSize: [number, number];
  preprocessing: Preprocessing;
  resize: ResizeMode;
  base: {
    id: string;
    label: string;
    kind: 'layers' | 'graph';
  };
  /**
   * 'classifier': model.json takes images. 'pooled-head': model.json takes pooled base features
   * (graph-model bases cannot be merged into a layers model); the base is loaded from base.id.
   */
  modelInput: 'classifier' | 'pooled-head';
  /** 'checkpoint' while training, 'complete' at the end, 'cancelled' when stopped by the user */
  status: 'checkpoint' | 'complete' | 'cancelled';
  config: ExperimentConfig;
  history: ({ phase: PhaseName; epoch: number } & EpochMetrics)[];
  bestEpoch: { phase: PhaseName; epoch: number; valAcc?: number; valLoss?: number } | null;
  validation?: { accuracy: number; images: number };
  /**
   * The saved model's probabilities for (up to 200) validation images, so anyone can check that
   * loading the directory reproduces them exactly.
   */
  validationPredictions?: { path: string; probabilities: number[] }[];
  /** A backend name (BackendName), or whatever name an older or newer engine wrote. */
  backend: string;
  versions: { tfjs: string; cnnLab: string; node: string };
  savedAt: string;
  /** the files the save wrote into the folder (see WRITTEN_FILES); absent in folders of earlier versions */
  files?: string[];
}

export { cnnLabVersion };

export function versions(): ModelMetadata['versions'] {
  return { tfjs: tf.version.tfjs, cnnLab: cnnLabVersion(), node: process.version };
}

/** How a model directory's files are written; tests inject a failing writer to simulate a full disk. */
export interface SaveIo {
  writeFile(path: string, data: string | Uint8Array): Promise<void>;
}
const defaultIo: SaveIo = { writeFile: (path, data) => writeFile(path, data) };

async function writeDurably(io: SaveIo, path: string, data: string | Uint8Array): Promise<void> {
  await io.writeFile(path, data);
  const handle = await open(path, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * The exact files a save writes into a model directory. cnn-lab.json records them (`files`) so a
 * later save can tell a folder CNN Lab wrote from one a user has added to; folders saved by earlier
 * versions have no `files` field, but they always held exactly these three, so the same set is
 * assumed for them (together with a valid cnn-lab.json of format 'cnn-lab-model').
 */
export const WRITTEN_FILES = ['cnn-lab.json', 'model.json', 'weights.bin'];

/**
 * Why `outDir` must not be replaced, or undefined when it may be: CNN Lab only replaces a folder it
 * wrote itself and that holds nothing else. A missing folder, or one with no entries at all
 * (dotfiles count: `.git`, `.env`, `.bashrc` are the user's), may be used; anything else is refused,
 * because the save moves the old folder aside and deletes it, and with it whatever else it held.
 */
export function replaceRefusal(outDirInput: string): string | undefined {
  const outDir = resolve(outDirInput);
  if (!existsSync(outDir)) return undefined;
  if (!statSync(outDir).isDirectory()) return `cannot save to ${outDir}: it exists and is not a folder; choose a new or empty folder`;
  const entries = readdirSync(outDir).sort();
  if (entries.length === 0) return undefined;
  const refuse = (file: string, why: string) => `cannot save to ${outDir}: it holds ${file}, ${why}; choose a new or empty folder`;
  if (!entries.includes(METADATA_FILE)) return refuse(entries[0], 'which CNN Lab did not write');
  let meta: { format?: unknown; files?: unknown };
  try {
    meta = JSON.parse(readFileSync(join(outDir, METADATA_FILE), 'utf8'));
  } catch {
    return refuse(METADATA_FILE, 'which is not model metadata CNN Lab wrote (not valid JSON)');
  }
  if (meta?.format !== 'cnn-lab-model')
    return refuse(METADATA_FILE, "which is not model metadata CNN Lab wrote (no format 'cnn-lab-model')");
  const written = Array.isArray(meta.files) && meta.files.every((f) => typeof f === 'string') ? meta.files : WRITTEN_FILES;
  const foreign = entries.find((e) => !written.includes(e));
  if (foreign !== undefined) return refuse(foreign, 'which CNN Lab did not write');
  return undefined;
}

/** Throws replaceRefusal's one line when `outDir` must not be replaced. */
export function checkReplaceable(outDir: string): void {
  const why = replaceRefusal(outDir);
  if (why) throw new Error(why);
}

/**
 * Writes `model` and `metadata` as the model directory `outDir`, replacing a previous one only
 * once the new one is complete on disk.
 */
export async function saveModelDir(
  model: tf.LayersModel,
  metadata: ModelMetadata,
  outDirInput: string,
  io: SaveIo = defaultIo,
): Promise<void> {
  const outDir = resolve(outDirInput);
  recoverInterruptedSave(outDir);
  checkReplaceable(outDir);
  const { modelJson, weights } = await serializeLayersModel(model);
  await mkdir(dirname(outDir), { recursive: true });
  const suffix = `${process.pid}-${randomBytes(4).toString('hex')}`;
  const tmp = join(dirname(outDir), `.${basename(outDir)}.tmp-${suffix}`);
  const old = join(dirname(outDir), `.${basename(outDir)}.old-${suffix}`);
  try {
    await mkdir(tmp);
    // The metadata goes last: a temp folder holding it is complete (see recoverInterruptedSave).
    await writeDurably(io, join(tmp, 'weights.bin'), weights);
    await writeDurably(io, join(tmp, 'model.json'), modelJson);
    await writeDurably(io, join(tmp, METADATA_FILE), JSON.stringify({ ...metadata, files: WRITTEN_FILES }, null, 2) + '\n');
  } catch (e) {
    await rm(tmp, { recursive: true, force: true });
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOSPC' ? 'the disk is full' : code === 'EACCES' ? 'permission denied' : (e as Error).message;
    throw new Error(`cannot save the model to ${outDir}: ${why}; the previous model there (if any) is unchanged`);
  }
  // Swap: the old directory moves aside before the new one takes its name, then goes away.
  const hadOld = existsSync(outDir);
  if (hadOld) await rename(outDir, old);
  try {
    await rename(tmp, outDir);
  } catch (e) {
    if (hadOld) await rename(old, outDir);
    await rm(tmp, { recursive: true, force: true });
    throw new Error(`cannot save the model to ${outDir}: ${(e as Error).message}; the previous model is unchanged`);
  }
  // The renames live in the parent directory's entries: without this a power loss can leave
  // `outDir` missing even after the save returned "saved".
  await syncDirectory(dirname(outDir));
  if (hadOld) await rm(old, { recursive: true, force: true });
}

/** fsyncs a directory (its entries); a no-op where the platform cannot (Windows: EISDIR/EPERM, some filesystems: EINVAL). */
export async function syncDirectory(dir: string): Promise<void> {
  let handle;
  try {
    handle = await open(dir, 'r');
    await handle.sync();
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code !== 'EISDIR' && code !== 'EINVAL' && code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EBADF') throw e;
  } finally {
    await handle?.close();
  }
}

/** The leftovers of saves into `outDir` whose process is dead, and where they are. */
function deadSaveSiblings(outDir: string): { parent: string; stale: string[] } {
  const parent = dirname(outDir);
  const prefix = `.${basename(outDir)}.`;
  let siblings: string[];
  try {
    siblings = readdirSync(parent).filter((n) => n.startsWith(prefix) && /\.(tmp|old)-\d+-[0-9a-f]+$/.test(n));
  } catch {
    return { parent, stale: [] };
  }
  const pidOf = (name: string) => Number(/-(\d+)-[0-9a-f]+$/.exec(name)![1]);
  return { parent, stale: siblings.filter((n) => !processAlive(pidOf(n))) };
}

/**
 * Where the model of `outDir` is when a save was killed between its two renames (`outDir` is
 * missing): the complete temp folder (metadata written), else the set-aside old one. Reads only,
 * so read-only commands (predict, evaluate, loading in the editor) can use the model in place and
 * leave the repair to the next command that writes (train, resume).
 */
export function interruptedSaveSource(outDirInput: string): string | undefined {
  const outDir = resolve(outDirInput);
  if (existsSync(outDir)) return undefined;
  return restorableLeftover(deadSaveSiblings(outDir));
}

function restorableLeftover({ parent, stale }: { parent: string; stale: string[] }): string | undefined {
  const complete = stale.find((n) => n.includes('.tmp-') && existsSync(join(parent, n, METADATA_FILE)));
  const source = complete ?? stale.find((n) => n.includes('.old-'));
  return source === undefined ? undefined : join(parent, source);
}

/**
 * Repairs what a save killed part-way (SIGKILL, power loss) leaves beside `outDir`: if it was
 * killed between its two renames, `outDir` is missing and the model is in the complete temp
 * folder or the set-aside old one — that one takes the name back. Leftovers of dead processes are
 * then removed. Only writing commands call this (it renames and deletes). Returns what it did.
 */
export function recoverInterruptedSave(outDirInput: string): string[] {
  const outDir = resolve(outDirInput);
  const leftovers = deadSaveSiblings(outDir);
  const { parent, stale } = leftovers;
  const restore = existsSync(outDir) ? undefined : restorableLeftover(leftovers);
  const done: string[] = [];
  if (restore) {
    renameSync(restore, outDir);
    done.push(`restored ${outDir} from ${basename(restore)}`);
  }
  for (const n of stale) {
    if (!existsSync(join(parent, n))) continue;
    rmSync(join(parent, n), { recursive: true, force: true });
    done.push(`removed ${n}`);
  }
  return done;
}

export function readMetadata(modelDir: string): ModelMetadata {
  const path = join(modelDir, METADATA_FILE);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const checkpoint = checkpointDirOf(resolve(modelDir));
    const hint = existsSync(join(checkpoint, METADATA_FILE))
      ? `; its training run did not complete: its last checkpoint is ${checkpoint} (resume the run, or use that folder)`
      : '; train one with `cnn-lab train`';
    throw new Error(
      code === 'ENOENT'
        ? `${modelDir} is not a cnn-lab model directory (no ${METADATA_FILE})${hint}`
        : `cannot read ${path}: ${code ?? (e as Error).message}`,
    );
  }
  let meta: ModelMetadata;
  try {
    meta = JSON.parse(text);
  } catch (e) {
    throw new Error(`${path}: not valid JSON (${(e as Error).message})`);
  }
  if (meta?.format !== 'cnn-lab-model' || !Array.isArray(meta.labels) || !Array.isArray(meta.inputSize)) {
    throw new Error(`${path}: not cnn-lab model metadata (needs format, labels, inputSize)`);
  }
  return meta;
}
