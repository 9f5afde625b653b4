// A whole training run, the Keras transfer-learning recipe: scan → split → base + new head → phase 1 transfer (base
// frozen, RMSprop, on pooled base features) → phase 2 fine-tune (top of the base trainable, SGD with
// momentum, on images) → restore best → evaluate on validation → save the model directory. This
// module checks and prepares (backend, data, output folders, base, classifier); TrainingRun
// (trainingRun.ts) trains, evaluates and saves.
import type { ExperimentConfig } from '../../core/experiment.ts';
import { assertValidExperiment } from '../../core/experimentValidate.ts';
import { parseFreezeSpec } from '../../core/freeze.ts';
import type { BackendName, TrainResult } from '../../protocol/messages.ts';
import { useBackend, canTrainConv } from '../backends/index.ts';
import { assertEveryClassHasImages, formatCounts, loadDatasetSplit } from '../data/scan.ts';
import { buildClassifier, type Classifier } from '../models/head.ts';
import { disposeModels } from '../models/dispose.ts';
import { disposeBase, loadBase } from '../models/zoo.ts';
import { lockOutFolder } from '../save/outLock.ts';
import { checkReplaceable } from '../save/modelDir.ts';
import { SkippedFiles } from './skippedFiles.ts';
import { TrainingRun, type LogLevel, type RunSetup } from './trainingRun.ts';
import type { TrainHooks } from './trainHooks.ts';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { checkpointDirOf } from '../../core/checkpointPath.ts';

export type { TrainHooks };

export async function runTraining(config: ExperimentConfig, hooks: TrainHooks): Promise<TrainResult> {
  assertValidExperiment(config);
  // One run per output folder for the whole run (its model and its <out>.checkpoint): see outLock.ts.
  const release = await lockOutFolder(config.out, (message) =>
    hooks.notify({ method: 'log', params: { level: 'warn', message, runId: hooks.runId } }),
  );
  try {
    return await runTrainingLocked(config, hooks);
  } finally {
    await release();
  }
}

type Log = (message: string, level?: LogLevel) => void;

async function runTrainingLocked(config: ExperimentConfig, hooks: TrainHooks): Promise<TrainResult> {
  const log: Log = (message, level = 'info') => hooks.notify({ method: 'log', params: { level, message, runId: hooks.runId } });
  const needConv = config.fineTune.epochs > 0;
  const backend = await chooseBackend(config, needConv, log);
  const { split, checkpointDir } = await prepareData(config, hooks, backend, log);
  log(`loading base ${config.base}`);
  // a download (URL or keras: base) is said in the run's log, not only on the engine's stderr
  const base = await loadBase(config.base, { signal: hooks.signal, onNote: (line) => log(line) });
  const skipped = new SkippedFiles((line) => log(line, 'warn'));
  skipped.add(split.skipped);
  let clf: Classifier | undefined;
  let run: TrainingRun | undefined;
  try {
    log(
      `base: ${base.label}; input ${base.inputSize[0]}×${base.inputSize[1]}, pixels scaled to ${base.preprocessing}; features ${base.featureShape.join('×')}`,
    );
    if (needConv && !base.fineTunable) throw new Error(base.notFineTunableReason ?? `base ${base.id} cannot be fine-tuned`);
    // Parse the freeze ranges before any work, so a typo fails in seconds, not after phase 1.
    const fineTuneFrozen = needConv ? parseFreezeSpec(config.freeze, base.layerNames) : [];
    clf = buildClassifier(base, split.classes.length, config.fcUnits, config.seed);
    run = new TrainingRun({ config, hooks, backend, split, base, clf, fineTuneFrozen, checkpointDir, skipped });
    if (hooks.resume) await run.resume();
    return await run.execute();
  } finally {
    run?.dispose();
    disposeModels([clf?.pooledHead, clf?.classifier, base.layers, base.source]);
    disposeBase(base);
  }
}

async function chooseBackend(config: ExperimentConfig, needConv: boolean, log: Log): Promise<BackendName> {
  const backend: BackendName = await useBackend(config.backend, { needConvGradients: needConv });
  if (needConv && !canTrainConv(backend)) {
    throw new Error(
      `the ${backend} backend cannot compute conv-layer gradients, so it cannot fine-tune; set fine-tune epochs to 0 (frozen base) or use the tensorflow or cpu backend`,
    );
  }
  log(`backend: ${backend}`);
  return backend;
}

/** Scans and splits the data set, and checks that the output and checkpoint folders may be replaced. */
async function prepareData(
  config: ExperimentConfig,
  hooks: TrainHooks,
  backend: BackendName,
  log: Log,
): Promise<Pick<RunSetup, 'split' | 'checkpointDir'>> {
  // The host shows the resolved backend ('auto' → e.g. tensorflow) from here on.
  hooks.notify({ method: 'phase', params: { runId: hooks.runId, phase: 'scan', detail: config.data, backend } });
  const split = await loadDatasetSplit({
    data: config.data,
    validationData: config.validationData,
    validationSplit: config.validationSplit,
    seed: config.seed,
  });
  assertEveryClassHasImages(split, config.data);
  if (split.classes.length < 2)
    throw new Error(`${config.data} has one class folder (${split.classes[0]}); a classifier needs at least two`);
  log(
    `classes: ${split.classes.join(', ')}; train: ${formatCounts(split.counts.train)}; validation: ${formatCounts(split.counts.validation)}`,
  );
  for (const note of split.notes) log(note, 'warn');
  checkReplaceable(config.out);
  const checkpointDir = checkpointDirOf(config.out);
  checkReplaceable(checkpointDir);
  if (!hooks.resume && existsSync(join(checkpointDir, 'cnn-lab.json'))) {
    log(
      `${checkpointDir} holds a checkpoint of an earlier run that did not complete; this new run replaces it (resume to continue that run instead)`,
      'warn',
    );
  }
  return { split, checkpointDir };
}
