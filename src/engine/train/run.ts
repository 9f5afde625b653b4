// A whole training run, the seed's recipe: scan → split → base + new head → phase 1 transfer (base
// frozen, RMSprop, on pooled base features) → phase 2 fine-tune (top of the base trainable, SGD with
// momentum, on images) → restore best → evaluate on validation → save the model directory.
import type { ExperimentConfig } from '../../core/experiment.ts';
import { assertValidExperiment } from '../../core/experimentValidate.ts';
import { parseFreezeSpec } from '../../core/freeze.ts';
import type { BackendName, EngineNotification, EpochMetrics, EvaluationReport, PhaseName, SkippedFile, TrainResult } from '../../protocol/messages.ts';
import { useBackend, canTrainConv } from '../backends/index.ts';
import { batchesFromDecoded, decodeAll, decodeBatches, type DecodedSet } from '../data/decode.ts';
import { assertEveryClassHasImages, epochOrder, formatCounts, loadDatasetSplit, type DatasetFile } from '../data/scan.ts';
import { applyFrozenFlags, freezeWholeBase, trainableLayerNames } from '../models/freeze.ts';
import { buildClassifier, poolFeatures, type Classifier } from '../models/head.ts';
import { disposeModels } from '../models/dispose.ts';
import { disposeBase, extractFeatures, loadBase, type BaseModel } from '../models/zoo.ts';
import { cacheRoot } from '../models/urlCache.ts';
import { buildEvaluationReport } from '../predict/report.ts';
import { lockOutFolder } from '../save/outLock.ts';
import { checkReplaceable, saveModelDir, versions, type ModelMetadata, type SaveIo } from '../save/modelDir.ts';
import { tf } from '../tf.ts';
import { BestWeights } from './bestWeights.ts';
import { loadCheckpointWeights, readResumePoint, resumeSource, type ResumePoint } from './resume.ts';
import { prepareForFineTuning } from '../models/fineTuneGraph.ts';
import { foldBatchNorms } from '../models/foldBatchNorm.ts';
import { featureCacheKey, pooledFeatures, type PooledSet } from './features.ts';
import { PrefixCache } from './prefixCache.ts';
import { Cancelled, collectTrainableVariables, runPhase, TrainingDiverged, type Batch, type BatchSource } from './loop.ts';
import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { checkpointDirOf } from '../../core/checkpointPath.ts';

export interface TrainHooks {
  runId: string;
  notify(n: EngineNotification): void;
  signal: AbortSignal;
  /** asked when the run is cancelled: save the best weights so far to out (true), or leave out as it was and keep the last checkpoint (false) */
  keepBestOnCancel(): boolean;
  /** least time between two checkpoint writes (default 20 s); the final save always happens */
  checkpointIntervalMs?: number;
  /** bottleneck cache folder; null disables it (default: <cache root>/features) */
  featureCacheDir?: string | null;
  /** decoded images kept in memory for fine-tuning up to this many bytes (default 1.5 GB) */
  decodedMemoryBudget?: number;
  /** how model files are written (tests: a writer that fails like a full disk) */
  saveIo?: SaveIo;
  /** continue from the run's checkpoint (<out>.checkpoint, else a cancelled model in out) instead of starting afresh */
  resume?: boolean;
}

type HistoryRow = { phase: PhaseName; epoch: number } & EpochMetrics;

function oneHot(labels: Int32Array | number[], classes: number): tf.Tensor2D {
  return tf.tidy(() => tf.oneHot(tf.tensor1d(Array.from(labels), 'int32'), classes).toFloat() as tf.Tensor2D);
}

function isCancel(e: unknown, signal: AbortSignal): boolean {
  return e instanceof Cancelled || signal.aborted;
}

export async function runTraining(config: ExperimentConfig, hooks: TrainHooks): Promise<TrainResult> {
  assertValidExperiment(config);
  // One run per output folder for the whole run (its model and its <out>.checkpoint): see outLock.ts.
  const release = await lockOutFolder(config.out, (message) => hooks.notify({ method: 'log', params: { level: 'warn', message, runId: hooks.runId } }));
  try {
    return await runTrainingLocked(config, hooks);
  } finally {
    await release();
  }
}

async function runTrainingLocked(config: ExperimentConfig, hooks: TrainHooks): Promise<TrainResult> {
  const { runId, notify, signal } = hooks;
  const log = (message: string, level: 'info' | 'warn' | 'error' = 'info') => notify({ method: 'log', params: { level, message, runId } });
  const phase = (p: PhaseName, detail?: string, extra: { epochs?: number; total?: number; backend?: BackendName } = {}) =>
    notify({ method: 'phase', params: { runId, phase: p, detail, ...extra } });

  const needConv = config.fineTune.epochs > 0;
  const backend: BackendName = await useBackend(config.backend, { needConvGradients: needConv });
  if (needConv && !canTrainConv(backend)) {
    throw new Error(`the ${backend} backend cannot compute conv-layer gradients, so it cannot fine-tune; set fine-tune epochs to 0 (frozen base) or use the tensorflow or cpu backend`);
  }
  log(`backend: ${backend}`);

  // The host shows the resolved backend ('auto' → e.g. tensorflow) from here on.
  phase('scan', config.data, { backend });
  const split = await loadDatasetSplit({ data: config.data, validationData: config.validationData, validationSplit: config.validationSplit, seed: config.seed });
  assertEveryClassHasImages(split, config.data);
  if (split.classes.length < 2) throw new Error(`${config.data} has one class folder (${split.classes[0]}); a classifier needs at least two`);
  log(`classes: ${split.classes.join(', ')}; train: ${formatCounts(split.counts.train)}; validation: ${formatCounts(split.counts.validation)}`);
  for (const note of split.notes) log(note, 'warn');
  checkReplaceable(config.out);
  const checkpointDir = checkpointDirOf(config.out);
  checkReplaceable(checkpointDir);
  if (!hooks.resume && existsSync(join(checkpointDir, 'cnn-lab.json'))) {
    log(`${checkpointDir} holds a checkpoint of an earlier run that did not complete; this new run replaces it (resume to continue that run instead)`, 'warn');
  }

  log(`loading base ${config.base}`);
  // a download (URL or keras: base) is said in the run's log, not only on the engine's stderr
  const base = await loadBase(config.base, { signal, onNote: (line) => log(line) });
  let clf: Classifier | undefined;
  const best = new BestWeights();
  const toDispose: tf.Tensor[] = [];
  // Every skipped file is logged once, with its reason: the scan's (symlink loops, broken links,
  // names that are not UTF-8) as well as decode failures found later. The scan's used to seed
  // this map unlogged, so they were counted in the summary but listed nowhere.
  const skipped = new Map<string, SkippedFile>();
  const addSkipped = (list: SkippedFile[]) => {
    for (const s of list) {
      if (!skipped.has(s.path)) log(`skipped ${s.path}: ${s.reason}`, 'warn');
      skipped.set(s.path, s);
    }
  };
  addSkipped(split.skipped);
  try {
    log(`base: ${base.label}; input ${base.inputSize[0]}×${base.inputSize[1]}, pixels scaled to ${base.preprocessing}; features ${base.featureShape.join('×')}`);
    if (needConv && !base.fineTunable) throw new Error(base.notFineTunableReason ?? `base ${base.id} cannot be fine-tuned`);
    // Parse the freeze ranges before any work, so a typo fails in seconds, not after phase 1.
    const fineTuneFrozen = needConv ? parseFreezeSpec(config.freeze, base.layerNames) : [];
    const classes = split.classes.length;
    clf = buildClassifier(base, classes, config.fcUnits, config.seed);
    const savedModel = clf.classifier ?? clf.pooledHead;
    const history: HistoryRow[] = [];
    const trainedLayers: TrainResult['trainedLayers'] = [];
    let bestEpoch: TrainResult['bestEpoch'] = null;
    const hasValidation = split.validation.length > 0;
    const monitorName = hasValidation ? 'val_loss' : 'loss';
    let lastCheckpoint = -Infinity;
    let checkpointDirty = false;
    let validationAccuracy: ModelMetadata['validation'];
    let validationPredictions: ModelMetadata['validationPredictions'];

    const metadata = (status: ModelMetadata['status']): ModelMetadata => ({
      format: 'cnn-lab-model',
      formatVersion: 1,
      labels: split.classes,
      inputSize: base.inputSize,
      preprocessing: base.preprocessing,
      resize: config.resize,
      base: { id: base.id, label: base.label, kind: base.kind },
      modelInput: clf!.classifier ? 'classifier' : 'pooled-head',
      status,
      config,
      history,
      bestEpoch,
      validation: validationAccuracy,
      validationPredictions,
      backend,
      versions: versions(),
      savedAt: new Date().toISOString(),
    });
    const writeCheckpoint = async () => {
      await saveModelDir(savedModel, metadata('checkpoint'), checkpointDir, hooks.saveIo);
      lastCheckpoint = performance.now();
      checkpointDirty = false;
    };

    let resumeAt: ResumePoint | undefined;
    if (hooks.resume) {
      const source = resumeSource(config.out);
      resumeAt = readResumePoint(config, source, split.classes, base.inputSize);
      await loadCheckpointWeights(savedModel, source);
      history.push(...resumeAt.history);
      bestEpoch = resumeAt.bestEpoch;
      lastCheckpoint = performance.now();
      log(`resuming from the checkpoint in ${source}: ${resumeAt.phase} epoch ${resumeAt.epoch} (${monitorName} ${resumeAt.monitored.toFixed(4)}); the optimizer state starts afresh`);
    }
    // First epoch of each phase still to run: Infinity skips a phase the checkpoint is past.
    const transferFrom = !resumeAt ? 1 : resumeAt.phase === 'transfer' ? resumeAt.epoch + 1 : Infinity;
    const fineTuneFrom = !resumeAt || resumeAt.phase === 'transfer' ? 1 : resumeAt.epoch + 1;
    /** The checkpoint's weights are the best so far: offered once, with the first phase's variables. */
    let resumeOffered = false;
    const offerResumed = (vars: tf.Variable[]) => {
      if (resumeAt && !resumeOffered) best.offer(resumeAt.monitored, vars);
      resumeOffered = true;
    };

    const cacheDir = hooks.featureCacheDir === undefined ? join(cacheRoot(), 'features') : hooks.featureCacheDir;
    const featureDir = cacheDir ? join(cacheDir, featureCacheKey(base, config.resize)) : null;
    const progress = (what: string) => {
      let last = 0;
      return (done: number, total: number, fromCache = 0) => {
        const now = performance.now();
        if (now - last < 250 && done < total) return;
        last = now;
        phase('features', `${what}: ${done}/${total} images${fromCache ? ` (${fromCache} from cache)` : ''}`, { total });
      };
    };

    let batchNotified = 0;
    /** epochs since the monitored value last improved (early stopping) */
    let waited = 0;
    const common = (p: PhaseName, epochs: number, lr: number, batches: number) => ({
      phase: p,
      learningRate: lr,
      epochs,
      batchesPerEpoch: batches,
      signal,
      onBatch(e: { epoch: number; batch: number; batches: number; loss: number; acc: number }) {
        const now = performance.now();
        // Fast head epochs would flood the channel: at most ~10 batch events a second, and every epoch's last.
        if (now - batchNotified < 100 && e.batch < e.batches) return;
        batchNotified = now;
        notify({ method: 'batchEnd', params: { runId, phase: p, ...e } });
      },
      async onEpoch(e: { epoch: number; epochs: number } & EpochMetrics): Promise<'continue' | 'stop'> {
        const { epochs: _epochs, ...metrics } = e;
        history.push({ phase: p, ...metrics });
        notify({ method: 'epochEnd', params: { runId, phase: p, ...e, numTensors: tf.memory().numTensors } });
        const monitored = hasValidation ? e.valLoss! : e.loss;
        const improved = best.offer(monitored, collectTrainableVariables(p === 'transfer' ? clf!.pooledHead : clf!.classifier!));
        if (improved) {
          bestEpoch = { phase: p, epoch: e.epoch, valAcc: e.valAcc, valLoss: e.valLoss };
          checkpointDirty = true;
          waited = 0;
        } else waited++;
        if (checkpointDirty && performance.now() - lastCheckpoint >= (hooks.checkpointIntervalMs ?? 20_000)) {
          // Checkpoint the best weights: swap them in, save, swap the current ones back.
          const current = collectTrainableVariables(clf!.classifier ?? clf!.pooledHead).map((v) => [v, tf.keep(v.clone())] as const);
          best.restore();
          try {
            await writeCheckpoint();
          } finally {
            for (const [v, t] of current) {
              v.assign(t);
              t.dispose();
            }
          }
        }
        if (config.earlyStopping && waited >= config.earlyStopping.patience) {
          log(`early stopping: ${monitorName} has not improved for ${waited} epoch(s) (best ${best.best.toFixed(4)})`);
          return 'stop';
        }
        return 'continue';
      },
    });

    let valPooled: PooledSet | undefined;
    let decodedVal: DecodedSet | undefined;
    let fineTuned = false;
    try {
      // ---- phase 1: transfer (base frozen; only the head is computed on pooled features) ----
      if (config.transfer.epochs >= transferFrom) {
        freezeWholeBase(base);
        // The whole base is frozen for this phase: its BatchNormalization folds into the convolutions.
        const unfoldBase = base.layers ? foldBatchNorms(base.layers) : () => {};
        try {
          offerResumed(collectTrainableVariables(clf.pooledHead));
          trainedLayers.push({ phase: 'transfer', layers: trainableLayerNames(clf.pooledHead) });
          phase('features', 'computing base features');
          if (hasValidation) {
            valPooled = await pooledFeatures(base, split.validation, { batchSize: config.batchSize, resize: config.resize, cacheDir: featureDir, signal, onProgress: progress('validation') });
            addSkipped(valPooled.skipped);
          }
          let trainSource: BatchSource;
          let trainCount: number;
          if (!config.augment) {
            const trainPooled = await pooledFeatures(base, split.train, { batchSize: config.batchSize, resize: config.resize, cacheDir: featureDir, signal, onProgress: progress('train') });
            addSkipped(trainPooled.skipped);
            const xAll = tf.tensor2d(trainPooled.features, [trainPooled.labels.length, trainPooled.channels]);
            const yAll = oneHot(trainPooled.labels, classes);
            toDispose.push(xAll, yAll);
            trainCount = trainPooled.labels.length;
            const indices = Array.from({ length: trainCount }, (_, i) => i);
            trainSource = (epoch) => sliceBatches(xAll, yAll, epochOrder(indices, config.seed, epoch), config.batchSize);
          } else {
            // Augmented images differ every epoch: run the frozen base per batch (forward only).
            trainCount = split.train.length;
            trainSource = (epoch) =>
              augmentedFeatureBatches(base, epochOrder(split.train, config.seed, epoch), config, epoch, classes, signal, addSkipped);
          }
          if (trainCount === 0) {
            const first = [...skipped.values()][0];
            throw new Error(`no training image in ${config.data} could be decoded (${skipped.size} skipped${first ? `; e.g. ${first.path}: ${first.reason}` : ''})`);
          }
          const valSource = valPooled && valPooled.labels.length > 0 ? pooledValidation(valPooled, classes, config.batchSize, toDispose) : undefined;
          phase('transfer', `${base.id} frozen; training the new head`, { epochs: config.transfer.epochs });
          const optimizer = tf.train.rmsprop(config.transfer.learningRate);
          try {
            await runPhase({
              ...common('transfer', config.transfer.epochs, config.transfer.learningRate, Math.ceil(trainCount / config.batchSize)),
              firstEpoch: transferFrom,
              model: clf.pooledHead,
              optimizer,
              train: trainSource,
              validation: valSource,
            });
          } finally {
            optimizer.dispose();
          }
        } finally {
          unfoldBase();
        }
      }

      // ---- phase 2: fine-tune (top of the base trainable, SGD + momentum, on images) ----
      if (config.fineTune.epochs >= fineTuneFrom && clf.classifier) {
        applyFrozenFlags(base, fineTuneFrozen);
        const model = clf.classifier;
        offerResumed(collectTrainableVariables(model));
        const layers = trainableLayerNames(model);
        trainedLayers.push({ phase: 'fine-tune', layers });
        log(`fine-tune: ${layers.length} layers with weights trainable (${fineTuneFrozen.filter((f) => f).length} of ${fineTuneFrozen.length} base layers frozen)`);
        // Our "recompile": the trainable list is collected afresh (best.extend, runPhase) after the change.
        best.extend(collectTrainableVariables(model));
        waited = 0;
        const [h, w] = base.inputSize;
        const bytes = (split.train.length + split.validation.length) * h * w * 3;
        const inMemory = bytes <= (hooks.decodedMemoryBudget ?? 1.5e9);
        let decodedTrain: DecodedSet | undefined;
        if (inMemory) {
          phase('decode', `decoding ${split.train.length + split.validation.length} images once`);
          decodedTrain = await decodeAll(split.train, { size: base.inputSize, resize: config.resize, signal });
          addSkipped(decodedTrain.skipped);
          if (hasValidation) {
            decodedVal = await decodeAll(split.validation, { size: base.inputSize, resize: config.resize, signal });
            addSkipped(decodedVal.skipped);
          }
        }
        const trainSource: BatchSource = (epoch) =>
          decodedTrain
            ? fromDecoded(decodedTrain, base.preprocessing, config, epoch, classes, epochOrder(Array.from(decodedTrain.labels, (_, i) => i), config.seed, epoch), true)
            : imageBatches(epochOrder(split.train, config.seed, epoch), config, base, epoch, classes, signal, addSkipped, true);
        const valSource: BatchSource | undefined = hasValidation
          ? () => (decodedVal ? fromDecoded(decodedVal, base.preprocessing, config, 0, classes, undefined, false) : imageBatches(split.validation, config, base, 0, classes, signal, addSkipped, false))
          : undefined;
        const n = decodedTrain ? decodedTrain.labels.length : split.train.length;
        phase('fine-tune', `training ${layers.length} layers`, { epochs: config.fineTune.epochs });
        const optimizer = tf.train.momentum(config.fineTune.learningRate, config.fineTune.momentum);
        fineTuned = true;
        const restoreGraph = prepareForFineTuning(model);
        // Without augmentation the frozen prefix's output is computed once per image (prefixCache.ts).
        const prefix =
          decodedTrain && (!valSource || decodedVal)
          ? PrefixCache.create(model, {
              augment: Boolean(config.augment),
              budgetBytes: hooks.decodedMemoryBudget ?? 1.5e9,
              trainLabels: decodedTrain.labels,
              validationLabels: decodedVal?.labels,
              classes,
              batchSize: config.batchSize,
              order: (epoch) => epochOrder(Array.from(decodedTrain!.labels, (_, i) => i), config.seed, epoch),
            })
          : null;
        if (prefix) log(`fine-tune: ${prefix.describe()}`);
        try {
          await runPhase({
            ...common('fine-tune', config.fineTune.epochs, config.fineTune.learningRate, Math.ceil(n / config.batchSize)),
            firstEpoch: fineTuneFrom,
            model: prefix?.model ?? model,
            optimizer,
            train: prefix ? prefix.train(trainSource) : trainSource,
            validation: prefix && valSource && decodedVal ? prefix.validation(valSource) : valSource,
          });
        } finally {
          prefix?.dispose();
          restoreGraph();
          optimizer.dispose();
          // tfjs 4.22's MomentumOptimizer.dispose() skips SGD's, leaving the −learningRate scalar `c`: a tensor per run.
          (optimizer as unknown as { c?: tf.Tensor }).c?.dispose();
        }
      }
    } catch (e) {
      if (e instanceof TrainingDiverged && best.has) {
        // Nothing good is lost to a divergence: the best epoch so far becomes the checkpoint.
        best.restore();
        const b = bestEpoch as TrainResult['bestEpoch'];
        try {
          await saveModelDir(savedModel, metadata('checkpoint'), checkpointDir, hooks.saveIo);
        } catch (saveError) {
          throw new TrainingDiverged(`${e.message}. The best weights so far could not be saved: ${(saveError as Error).message}`);
        }
        throw new TrainingDiverged(
          `${e.message}. The best weights so far (${b ? `${b.phase} epoch ${b.epoch}` : 'none'}) are saved as a checkpoint in ${checkpointDir} (${config.out} is left as it was); resume from it with a lower learning rate`,
        );
      }
      if (!isCancel(e, signal)) throw e;
      const saved = hooks.keepBestOnCancel() && best.has;
      if (saved) {
        best.restore();
        phase('save', config.out);
        await saveModelDir(savedModel, metadata('cancelled'), config.out, hooks.saveIo);
        await rm(checkpointDir, { recursive: true, force: true }); // out now holds the best weights
        const b = bestEpoch as TrainResult['bestEpoch'];
        log(`cancelled: the best weights so far (${b ? `${b.phase} epoch ${b.epoch}` : 'none'}) saved to ${config.out}`);
      } else {
        const kept = existsSync(checkpointDir) ? `the last checkpoint is in ${checkpointDir}; ` : '';
        log(`cancelled: ${kept}${config.out} is left as it was`);
      }
      return { modelDir: config.out, labels: split.classes, backend, bestEpoch, history, cancelled: true, saved, skipped: [...skipped.values()], trainedLayers };
    }

    if (config.earlyStopping?.restoreBest && best.has) best.restore();

    let evaluation: EvaluationReport | undefined;
    if (hasValidation) {
      phase('evaluate', 'validation set');
      if (!fineTuned && !valPooled && !clf.classifier) {
        // resumed with no epoch left to run on a graph base: the pooled validation features are still needed
        valPooled = await pooledFeatures(base, split.validation, { batchSize: config.batchSize, resize: config.resize, cacheDir: featureDir, signal });
      }
      const evaluated =
        fineTuned || !valPooled
          ? await evaluateImages(clf.classifier!, base, split.validation, decodedVal, config, signal)
          : await evaluatePooled(clf.pooledHead, valPooled);
      evaluation = buildEvaluationReport(split.classes, evaluated.values, evaluated.actual, evaluated.paths, []);
      const k = classes;
      validationPredictions = evaluated.paths.slice(0, 200).map((path, i) => ({ path, probabilities: Array.from(evaluated.values.slice(i * k, (i + 1) * k)) }));
      evaluation.skipped = [...skipped.values()];
      validationAccuracy = { accuracy: evaluation.accuracy, images: evaluation.confusion.flat().reduce((a, b) => a + b, 0) };
      log(`validation accuracy ${(evaluation.accuracy * 100).toFixed(1)}% on ${validationAccuracy.images} images`);
    }
    phase('save', config.out);
    await saveModelDir(savedModel, metadata('complete'), config.out, hooks.saveIo);
    // the run is complete: its checkpoint has served
    await rm(checkpointDir, { recursive: true, force: true });
    return { modelDir: config.out, labels: split.classes, backend, bestEpoch, history, cancelled: false, saved: true, evaluation, skipped: [...skipped.values()], trainedLayers };
  } finally {
    best.dispose();
    tf.dispose(toDispose);
    disposeModels([clf?.pooledHead, clf?.classifier, base.layers, base.source]);
    disposeBase(base);
  }
}

/** Mini-batches of in-memory tensors in `order`. */
async function* sliceBatches(x: tf.Tensor2D, y: tf.Tensor2D, order: number[], batchSize: number): AsyncGenerator<Batch> {
  for (let start = 0; start < order.length; start += batchSize) {
    const idx = order.slice(start, start + batchSize);
    yield tf.tidy(() => {
      const i = tf.tensor1d(idx, 'int32');
      return { x: tf.gather(x, i), y: tf.gather(y, i) as tf.Tensor2D };
    });
  }
}

function pooledValidation(set: PooledSet, classes: number, batchSize: number, toDispose: tf.Tensor[]): BatchSource {
  const x = tf.tensor2d(set.features, [set.labels.length, set.channels]);
  const y = oneHot(set.labels, classes);
  toDispose.push(x, y);
  const order = Array.from(set.labels, (_, i) => i);
  return () => sliceBatches(x, y, order, batchSize);
}

async function* augmentedFeatureBatches(
  base: BaseModel,
  files: DatasetFile[],
  config: ExperimentConfig,
  epoch: number,
  classes: number,
  signal: AbortSignal,
  onSkipped: (s: SkippedFile[]) => void,
): AsyncGenerator<Batch> {
  const [h, w] = base.inputSize;
  for await (const b of decodeBatches(files, { batchSize: config.batchSize, size: base.inputSize, resize: config.resize, preprocessing: base.preprocessing, augment: config.augment, seed: config.seed, epoch, signal })) {
    onSkipped(b.skipped);
    const n = b.labels.length;
    if (n === 0) continue;
    const x = tf.tidy(() => poolFeatures(extractFeatures(base, tf.tensor4d(b.x, [n, h, w, 3]))));
    yield { x, y: oneHot(b.labels, classes) };
  }
}

async function* imageBatches(
  files: DatasetFile[],
  config: ExperimentConfig,
  base: BaseModel,
  epoch: number,
  classes: number,
  signal: AbortSignal,
  onSkipped: (s: SkippedFile[]) => void,
  augment: boolean,
): AsyncGenerator<Batch> {
  const [h, w] = base.inputSize;
  for await (const b of decodeBatches(files, { batchSize: config.batchSize, size: base.inputSize, resize: config.resize, preprocessing: base.preprocessing, augment: augment ? config.augment : null, seed: config.seed, epoch, signal })) {
    onSkipped(b.skipped);
    const n = b.labels.length;
    if (n === 0) continue;
    yield { x: tf.tensor4d(b.x, [n, h, w, 3]), y: oneHot(b.labels, classes) };
  }
}

async function* fromDecoded(
  set: DecodedSet,
  preprocessing: BaseModel['preprocessing'],
  config: ExperimentConfig,
  epoch: number,
  classes: number,
  order: number[] | undefined,
  augment: boolean,
): AsyncGenerator<Batch> {
  for (const b of batchesFromDecoded(set, { batchSize: config.batchSize, preprocessing, augment: augment ? config.augment : null, seed: config.seed, epoch, order })) {
    const n = b.labels.length;
    yield { x: tf.tensor4d(b.x, [n, set.height, set.width, 3]), y: oneHot(b.labels, classes) };
  }
}

interface Evaluated {
  values: Float32Array;
  actual: Int32Array;
  paths: string[];
}

async function evaluatePooled(head: tf.LayersModel, set: PooledSet): Promise<Evaluated> {
  const probs = tf.tidy(() => head.predict(tf.tensor2d(set.features, [set.labels.length, set.channels])) as tf.Tensor);
  const values = (await probs.data()) as Float32Array;
  probs.dispose();
  return { values, actual: set.labels, paths: set.paths };
}

async function evaluateImages(
  model: tf.LayersModel,
  base: BaseModel,
  files: DatasetFile[],
  decoded: DecodedSet | undefined,
  config: ExperimentConfig,
  signal: AbortSignal,
): Promise<Evaluated> {
  const values: number[] = [];
  const actual: number[] = [];
  const paths: string[] = [];
  const source = decoded
    ? (async function* () {
        for (const b of batchesFromDecoded(decoded, { batchSize: config.batchSize, preprocessing: base.preprocessing })) yield b;
      })()
    : decodeBatches(files, { batchSize: config.batchSize, size: base.inputSize, resize: config.resize, preprocessing: base.preprocessing, signal });
  const [h, w] = base.inputSize;
  // Folded as a loaded model folds for prediction, so its predictions reproduce these exactly.
  const unfold = foldBatchNorms(model);
  try {
    for await (const b of source) {
      const n = b.labels.length;
      if (n === 0) continue;
      const probs = tf.tidy(() => model.predict(tf.tensor4d(b.x, [n, h, w, 3])) as tf.Tensor);
      values.push(...((await probs.data()) as Float32Array));
      probs.dispose();
      actual.push(...b.labels);
      paths.push(...b.paths);
    }
  } finally {
    unfold();
  }
  return { values: Float32Array.from(values), actual: Int32Array.from(actual), paths };
}
