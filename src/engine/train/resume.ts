// Resuming a run from its checkpoint folder (<out>.checkpoint, after a crash, a SIGKILL, a cancel
// or a divergence; or a model "Stop, keep best" saved in out): the checkpoint's weights go into the freshly built model, its history up to the
// saved epoch is kept, and training continues with the next epoch of that phase — the same
// epoch shuffles as an uninterrupted run, since they are seeded by epoch number. The optimizer's
// slots (RMSprop averages, momentum) are not saved, so they start again from zero.
import type { ExperimentConfig } from '../../core/experiment.ts';
import type { PhaseName } from '../../protocol/messages.ts';
import { layersModelFromArtifacts, readModelArtifacts } from '../save/modelFiles.ts';
import { METADATA_FILE, readMetadata, recoverInterruptedSave, type ModelMetadata } from '../save/modelDir.ts';
import { checkpointDirOf } from '../../core/checkpointPath.ts';
import { existsSync } from 'node:fs';
import { tf } from '../tf.ts';
import { join, resolve } from 'node:path';
import { isBundledBaseId } from '../../core/experimentDefaults.ts';
import { isUrl } from '../../core/modelRef.ts';
import { isKerasApplicationRef } from '../../core/kerasApplications.ts';

export interface ResumePoint {
  /** the phase and epoch whose weights the checkpoint holds */
  phase: PhaseName;
  epoch: number;
  /** history up to and including that epoch */
  history: ModelMetadata['history'];
  bestEpoch: NonNullable<ModelMetadata['bestEpoch']>;
  /** the value early stopping / best-weights tracking compares against (val_loss, else loss) */
  monitored: number;
}

/**
 * Fields that must be the same for the checkpoint's weights and epochs to mean the same thing (the
 * split depends on validationSplit and seed). The data folder may move; its classes are checked.
 */
const MUST_MATCH: (keyof ExperimentConfig)[] = ['fcUnits', 'resize', 'validationSplit', 'seed'];

const normalizedBase = (ref: string) => (isBundledBaseId(ref) || isUrl(ref) || isKerasApplicationRef(ref) ? ref : resolve(ref));

/**
 * The folder a resumed run starts from: the run's checkpoint folder when it holds one, else the
 * output folder itself (a model saved by "Stop, keep best" is resumable too).
 */
export function resumeSource(out: string): string {
  const checkpointDir = checkpointDirOf(out);
  recoverInterruptedSave(checkpointDir);
  recoverInterruptedSave(out);
  return existsSync(join(checkpointDir, METADATA_FILE)) ? checkpointDir : out;
}

/**
 * Reads the checkpoint in `dir` and checks it belongs to this experiment; throws, naming the
 * folder and the field, when there is nothing to resume or it does not match.
 */
export function readResumePoint(config: ExperimentConfig, dir: string, classes: string[], inputSize: [number, number]): ResumePoint {
  if (!existsSync(join(dir, METADATA_FILE))) {
    throw new Error(
      `cannot resume: no checkpoint in ${checkpointDirOf(config.out)} and no model in ${config.out}; start the run without resume`,
    );
  }
  let meta: ModelMetadata;
  try {
    meta = readMetadata(dir);
  } catch (e) {
    throw new Error(`cannot resume: ${(e as Error).message}`);
  }
  if (meta.status === 'complete') {
    throw new Error(`cannot resume: ${dir} holds a completed model, not a checkpoint; start a new run (or choose another output folder)`);
  }
  if (normalizedBase(String(meta.config?.base)) !== normalizedBase(config.base)) {
    throw new Error(
      `cannot resume from ${dir}: its checkpoint was trained on base ${meta.config?.base}, the experiment now says ${config.base}`,
    );
  }
  for (const field of MUST_MATCH) {
    const then = JSON.stringify(meta.config?.[field] ?? null);
    const now = JSON.stringify(config[field] ?? null);
    if (then !== now)
      throw new Error(`cannot resume from ${dir}: its checkpoint was trained with ${field} ${then}, the experiment now says ${now}`);
  }
  if (JSON.stringify(meta.labels) !== JSON.stringify(classes)) {
    throw new Error(`cannot resume from ${dir}: its classes are ${meta.labels.join(', ')}, the dataset now has ${classes.join(', ')}`);
  }
  if (meta.inputSize[0] !== inputSize[0] || meta.inputSize[1] !== inputSize[1]) {
    throw new Error(
      `cannot resume from ${dir}: its input size is ${meta.inputSize.join('×')}, the base now expects ${inputSize.join('×')}`,
    );
  }
  const b = meta.bestEpoch;
  if (!b) throw new Error(`cannot resume from ${dir}: its checkpoint records no trained epoch`);
  const at = meta.history.findIndex((h) => h.phase === b.phase && h.epoch === b.epoch);
  if (at < 0) throw new Error(`${join(dir, METADATA_FILE)}: bestEpoch ${b.phase} ${b.epoch} is not in its history`);
  const row = meta.history[at];
  return { phase: b.phase, epoch: b.epoch, history: meta.history.slice(0, at + 1), bestEpoch: b, monitored: row.valLoss ?? row.loss };
}

/**
 * Copies the checkpoint's weights into `model` (the same architecture, built afresh from the
 * experiment), matched by name — not by position, since a model lists its trainable weights
 * first and frozen flags differ between the saved and the fresh model — and checked for shape.
 */
export async function loadCheckpointWeights(model: tf.LayersModel, outDir: string): Promise<void> {
  const modelJson = join(outDir, 'model.json');
  const { artifacts } = await readModelArtifacts(modelJson);
  const saved = await layersModelFromArtifacts(artifacts, modelJson);
  try {
    const byName = new Map(saved.weights.map((w) => [w.originalName, w]));
    const mine = model.weights;
    const missing = mine.filter((w) => !byName.has(w.originalName)).map((w) => w.originalName);
    if (missing.length > 0 || byName.size !== mine.length) {
      const what = missing.length
        ? `lacks ${missing.slice(0, 3).join(', ')}${missing.length > 3 ? ', …' : ''}`
        : `has ${byName.size} weights, this experiment's model ${mine.length}`;
      throw new Error(`${modelJson}: the checkpoint ${what}; it was trained with a different model`);
    }
    for (const w of mine) {
      const from = byName.get(w.originalName)!;
      if (JSON.stringify(from.shape) !== JSON.stringify(w.shape)) {
        throw new Error(
          `${modelJson}: weight ${w.originalName} has shape ${JSON.stringify(from.shape)}, this experiment's model needs ${JSON.stringify(w.shape)}`,
        );
      }
    }
    for (const w of mine) w.write(byName.get(w.originalName)!.read());
  } finally {
    saved.dispose();
  }
}
