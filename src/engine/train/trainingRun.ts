// One training run once its data, base and classifier are ready: phase 1 transfer (base frozen,
// RMSprop, on pooled base features) → phase 2 fine-tune (top of the base trainable, SGD with
// momentum, on images) → restore best → evaluate on validation → save the model directory. The
// decisions taken between epochs are the policies' (history, best weights, early stopping,
// checkpointing, progress throttling; divergence is the loop's DivergenceGuard), as Keras'
// callbacks are; this class runs the phases and says what happens at their ends.
import type { ExperimentConfig } from '../../core/experiment.ts';
import type { BackendName, EpochMetrics, EvaluationReport, PhaseName, TrainResult } from '../../protocol/messages.ts';
import { decodeAll, type DecodedSet } from '../data/decode.ts';
import { epochOrder, loadDatasetSplit, type DatasetFile } from '../data/scan.ts';
import { applyFrozenFlags, freezeWholeBase, trainableLayerNames } from '../models/freeze.ts';
import type { Classifier } from '../models/head.ts';
import type { BaseModel } from '../models/zoo.ts';
import { cacheRoot } from '../models/urlCache.ts';
import { prepareForFineTuning } from '../models/fineTuneGraph.ts';
import { useNativeGradients } from './nativeGradients.ts';
import { PrefixCache } from './prefixCache.ts';
import { freezeForInference } from '../graph/frozenInference.ts';
import { buildEvaluationReport } from '../predict/report.ts';
import { saveModelDir, versions, type ModelMetadata } from '../save/modelDir.ts';
import { tf } from '../tf.ts';
import { disposeOptimizer } from '../tfjsPatches.ts';
import {
  augmentedFeatureBatches,
  fromDecoded,
  imageBatches,
  oneHot,
  pooledValidation,
  sliceBatches,
  type ImageBatchContext,
} from './batchSources.ts';
import { BestWeights } from './bestWeights.ts';
import { Checkpointer } from './checkpointer.ts';
import { EarlyStopping } from './earlyStopping.ts';
import { evaluateImages, evaluatePooled } from './evaluate.ts';
import { featureCacheKey, pooledFeatures, type PooledSet } from './features.ts';
import { History, Monitor } from './history.ts';
import { Cancelled, collectTrainableVariables, runPhase, TrainingDiverged, type BatchSource, type PhaseOptions } from './loop.ts';
import { ProgressThrottle } from './progressThrottle.ts';
import { loadCheckpointWeights, readResumePoint, resumeSource, type ResumePoint } from './resume.ts';
import type { SkippedFiles } from './skippedFiles.ts';
import type { TrainHooks } from './trainHooks.ts';
import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';

export type LogLevel = 'info' | 'warn' | 'error';
type PhaseExtra = { epochs?: number; total?: number; backend?: BackendName };

/** Everything prepared before training starts (run.ts). */
export interface RunSetup {
  config: ExperimentConfig;
  hooks: TrainHooks;
  backend: BackendName;
  split: Awaited<ReturnType<typeof loadDatasetSplit>>;
  base: BaseModel;
  clf: Classifier;
  /** the base layers frozen while fine-tuning (freeze spec), one flag per base layer */
  fineTuneFrozen: boolean[];
  checkpointDir: string;
  skipped: SkippedFiles;
}

type EpochEvent = { epoch: number; epochs: number } & EpochMetrics;

export class TrainingRun {
  readonly history = new History();
  private readonly best = new BestWeights();
  private readonly monitor: Monitor;
  private readonly earlyStopping: EarlyStopping;
  private readonly checkpointer: Checkpointer;
  /** at most ~10 batch events a second, and every epoch's last (one throttle for the whole run) */
  private readonly batchEvents = new ProgressThrottle(100);
  private readonly trainedLayers: TrainResult['trainedLayers'] = [];
  private readonly toDispose: tf.Tensor[] = [];
  private readonly featureDir: string | null;
  /** the model a save writes: the whole classifier, or only the head on a graph base */
  private readonly savedModel: tf.LayersModel;
  private resumeAt: ResumePoint | undefined;
  private resumeOffered = false;
  private valPooled: PooledSet | undefined;
  private decodedVal: DecodedSet | undefined;
  private fineTuned = false;
  private validation: ModelMetadata['validation'];
  private validationPredictions: ModelMetadata['validationPredictions'];

  constructor(private readonly s: RunSetup) {
    this.monitor = new Monitor(s.split.validation.length > 0);
    this.earlyStopping = new EarlyStopping(s.config.earlyStopping);
    this.savedModel = s.clf.classifier ?? s.clf.pooledHead;
    this.checkpointer = new Checkpointer({
      intervalMs: s.hooks.checkpointIntervalMs ?? 20_000,
      // Checkpoint the best weights: swap them in, save, swap the current ones back.
      write: () => this.best.whileRestored(collectTrainableVariables(this.savedModel), () => this.writeTo(s.checkpointDir, 'checkpoint')),
    });
    const cacheDir = s.hooks.featureCacheDir === undefined ? join(cacheRoot(), 'features') : s.hooks.featureCacheDir;
    this.featureDir = cacheDir ? join(cacheDir, featureCacheKey(s.base, s.config.resize)) : null;
  }

  private log(message: string, level: LogLevel = 'info'): void {
    this.s.hooks.notify({ method: 'log', params: { level, message, runId: this.s.hooks.runId } });
  }

  private phase(p: PhaseName, detail?: string, extra: PhaseExtra = {}): void {
    this.s.hooks.notify({ method: 'phase', params: { runId: this.s.hooks.runId, phase: p, detail, ...extra } });
  }

  /** Continues from the run's checkpoint (hooks.resume): its weights, history and best epoch. */
  async resume(): Promise<void> {
    const { config, split, base } = this.s;
    const source = resumeSource(config.out);
    const at = readResumePoint(config, source, split.classes, base.inputSize);
    await loadCheckpointWeights(this.savedModel, source);
    this.resumeAt = at;
    this.history.continueFrom(at.history, at.bestEpoch);
    this.checkpointer.loaded();
    this.log(
      `resuming from the checkpoint in ${source}: ${at.phase} epoch ${at.epoch} (${this.monitor.name} ${at.monitored.toFixed(4)}); the optimizer state starts afresh`,
    );
  }

  /** First epoch of each phase still to run: Infinity skips a phase the checkpoint is past. */
  private firstEpoch(p: PhaseName): number {
    const at = this.resumeAt;
    if (p === 'transfer') return !at ? 1 : at.phase === 'transfer' ? at.epoch + 1 : Infinity;
    return !at || at.phase === 'transfer' ? 1 : at.epoch + 1;
  }

  /** The checkpoint's weights are the best so far: offered once, with the first phase's variables. */
  private offerResumed(vars: tf.Variable[]): void {
    if (this.resumeAt && !this.resumeOffered) this.best.offer(this.resumeAt.monitored, vars);
    this.resumeOffered = true;
  }

  /** Both phases, the evaluation and the save; a cancel or a divergence ends it early. */
  async execute(): Promise<TrainResult> {
    try {
      await this.transfer();
      await this.fineTune();
    } catch (e) {
      if (e instanceof TrainingDiverged && this.best.has) await this.keepBestAfterDivergence(e);
      if (!(e instanceof Cancelled || this.s.hooks.signal.aborted)) throw e;
      return this.cancelled();
    }
    if (this.earlyStopping.restoresBest && this.best.has) this.best.restore();
    const evaluation = await this.evaluate();
    return this.save(evaluation);
  }

  /** Phase 1: the base frozen, only the head is computed, on pooled features. */
  async transfer(): Promise<void> {
    const { config, base, clf } = this.s;
    const first = this.firstEpoch('transfer');
    if (config.transfer.epochs < first) return;
    freezeWholeBase(base);
    // The whole base is frozen for this phase: it runs as one native graph, or eagerly with its
    // BatchNormalization folded into the convolutions (frozenInference.ts).
    const frozenBase = base.layers ? freezeForInference(base.layers) : null;
    try {
      this.offerResumed(collectTrainableVariables(clf.pooledHead));
      this.trainedLayers.push({ phase: 'transfer', layers: trainableLayerNames(clf.pooledHead) });
      this.phase('features', 'computing base features');
      const data = await this.transferData();
      this.phase('transfer', `${base.id} frozen; training the new head`, { epochs: config.transfer.epochs });
      const optimizer = tf.train.rmsprop(config.transfer.learningRate);
      try {
        await runPhase({
          ...this.phaseOptions('transfer', config.transfer.epochs, config.transfer.learningRate, Math.ceil(data.count / config.batchSize)),
          firstEpoch: first,
          model: clf.pooledHead,
          optimizer,
          train: data.train,
          validation: data.validation,
        });
      } finally {
        optimizer.dispose();
      }
    } finally {
      frozenBase?.restore();
    }
  }

  private imageContext(): ImageBatchContext {
    const { config, split, hooks, skipped } = this.s;
    return { config, classes: split.classes.length, signal: hooks.signal, onSkipped: (list) => skipped.add(list) };
  }

  /** Pooled base features of `files`, through the feature cache; `what` names them in progress events. */
  private async pooled(files: readonly DatasetFile[], what?: string): Promise<PooledSet> {
    const { config, hooks } = this.s;
    const onProgress = what ? this.featureProgress(what) : undefined;
    return pooledFeatures(this.s.base, files, {
      batchSize: config.batchSize,
      resize: config.resize,
      cacheDir: this.featureDir,
      signal: hooks.signal,
      onProgress,
    });
  }

  /** The transfer phase's batches: pooled features (cached), or augmented images through the base. */
  private async transferData(): Promise<{ train: BatchSource; count: number; validation?: BatchSource }> {
    const { config, split, skipped } = this.s;
    const classes = split.classes.length;
    if (this.monitor.hasValidation) {
      this.valPooled = await this.pooled(split.validation, 'validation');
      skipped.add(this.valPooled.skipped);
    }
    let train: BatchSource;
    let count: number;
    if (!config.augment) {
      const trainPooled = await this.pooled(split.train, 'train');
      skipped.add(trainPooled.skipped);
      const xAll = tf.tensor2d(trainPooled.features, [trainPooled.labels.length, trainPooled.channels]);
      const yAll = oneHot(trainPooled.labels, classes);
      this.toDispose.push(xAll, yAll);
      count = trainPooled.labels.length;
      const indices = Array.from({ length: count }, (_, i) => i);
      train = (epoch) => sliceBatches(xAll, yAll, epochOrder(indices, config.seed, epoch), config.batchSize);
    } else {
      // Augmented images differ every epoch: run the frozen base per batch (forward only).
      count = split.train.length;
      const context = this.imageContext();
      train = (epoch) => augmentedFeatureBatches(this.s.base, epochOrder(split.train, config.seed, epoch), context, epoch);
    }
    if (count === 0) this.noTrainingImage();
    const v = this.valPooled;
    const validation =
      v && v.labels.length > 0 ? pooledValidation(v, { classes, batchSize: config.batchSize, toDispose: this.toDispose }) : undefined;
    return { train, count, validation };
  }

  private noTrainingImage(): never {
    const { config, skipped } = this.s;
    const first = skipped.list()[0];
    throw new Error(
      `no training image in ${config.data} could be decoded (${skipped.size} skipped${first ? `; e.g. ${first.path}: ${first.reason}` : ''})`,
    );
  }

  private featureProgress(what: string): (done: number, total: number, fromCache?: number) => void {
    const throttle = new ProgressThrottle(250);
    return (done, total, fromCache = 0) => {
      if (!throttle.admit(done >= total)) return;
      this.phase('features', `${what}: ${done}/${total} images${fromCache ? ` (${fromCache} from cache)` : ''}`, { total });
    };
  }

  /** Phase 2: the top of the base trainable (the freeze spec), SGD with momentum, on images. */
  async fineTune(): Promise<void> {
    const { config, base, clf, fineTuneFrozen } = this.s;
    const first = this.firstEpoch('fine-tune');
    if (!(config.fineTune.epochs >= first && clf.classifier)) return;
    applyFrozenFlags(base, fineTuneFrozen);
    const model = clf.classifier;
    this.offerResumed(collectTrainableVariables(model));
    const layers = trainableLayerNames(model);
    this.trainedLayers.push({ phase: 'fine-tune', layers });
    this.log(
      `fine-tune: ${layers.length} layers with weights trainable (${fineTuneFrozen.filter((f) => f).length} of ${fineTuneFrozen.length} base layers frozen)`,
    );
    // Our "recompile": the trainable list is collected afresh (best.extend, runPhase) after the change.
    this.best.extend(collectTrainableVariables(model));
    this.earlyStopping.restart();
    const data = await this.fineTuneData();
    this.phase('fine-tune', `training ${layers.length} layers`, { epochs: config.fineTune.epochs });
    const optimizer = tf.train.momentum(config.fineTune.learningRate, config.fineTune.momentum);
    this.fineTuned = true;
    useNativeGradients();
    const restoreGraph = prepareForFineTuning(model);
    const prefix = this.prefixCache(model, data.decodedTrain);
    if (prefix) this.log(`fine-tune: ${prefix.describe()}`);
    try {
      await runPhase({
        ...this.phaseOptions('fine-tune', config.fineTune.epochs, config.fineTune.learningRate, Math.ceil(data.count / config.batchSize)),
        firstEpoch: first,
        model: prefix?.model ?? model,
        optimizer,
        train: prefix ? prefix.train(data.train) : data.train,
        validation: prefix && data.validation && this.decodedVal ? prefix.validation(data.validation) : data.validation,
      });
    } finally {
      prefix?.dispose();
      restoreGraph();
      disposeOptimizer(optimizer);
    }
  }

  /** Without augmentation the frozen prefix's output is computed once per image (prefixCache.ts); null when it does not apply. */
  private prefixCache(model: tf.LayersModel, decodedTrain: DecodedSet | undefined): PrefixCache | null {
    const { config, split, hooks } = this.s;
    if (!decodedTrain || (this.monitor.hasValidation && !this.decodedVal)) return null;
    return PrefixCache.create(model, {
      augment: Boolean(config.augment),
      budgetBytes: hooks.decodedMemoryBudget ?? 1.5e9,
      trainLabels: decodedTrain.labels,
      validationLabels: this.decodedVal?.labels,
      classes: split.classes.length,
      batchSize: config.batchSize,
      order: (epoch) =>
        epochOrder(
          Array.from(decodedTrain.labels, (_, i) => i),
          config.seed,
          epoch,
        ),
    });
  }

  /** The fine-tuning batches: images decoded once into memory when they fit the budget, else per batch. */
  private async fineTuneData(): Promise<{ train: BatchSource; count: number; validation?: BatchSource; decodedTrain?: DecodedSet }> {
    const { config, split, base, hooks, skipped } = this.s;
    const [h, w] = base.inputSize;
    const bytes = (split.train.length + split.validation.length) * h * w * 3;
    let decodedTrain: DecodedSet | undefined;
    if (bytes <= (hooks.decodedMemoryBudget ?? 1.5e9)) {
      this.phase('decode', `decoding ${split.train.length + split.validation.length} images once`);
      decodedTrain = await decodeAll(split.train, { size: base.inputSize, resize: config.resize, signal: hooks.signal });
      skipped.add(decodedTrain.skipped);
      if (this.monitor.hasValidation) {
        this.decodedVal = await decodeAll(split.validation, { size: base.inputSize, resize: config.resize, signal: hooks.signal });
        skipped.add(this.decodedVal.skipped);
      }
    }
    const c = this.imageContext();
    const train: BatchSource = (epoch) =>
      decodedTrain
        ? fromDecoded(decodedTrain, base.preprocessing, c, {
            epoch,
            augment: true,
            order: epochOrder(
              Array.from(decodedTrain.labels, (_, i) => i),
              config.seed,
              epoch,
            ),
          })
        : imageBatches(epochOrder(split.train, config.seed, epoch), base, c, { epoch, augment: true });
    const validation: BatchSource | undefined = this.monitor.hasValidation
      ? () =>
          this.decodedVal
            ? fromDecoded(this.decodedVal, base.preprocessing, c, { epoch: 0, augment: false })
            : imageBatches(split.validation, base, c, { epoch: 0, augment: false })
      : undefined;
    return { train, count: decodedTrain ? decodedTrain.labels.length : split.train.length, validation, decodedTrain };
  }

  /** The options both phases share: their events, and the policies run after each epoch. */
  private phaseOptions(
    p: PhaseName,
    epochs: number,
    learningRate: number,
    batchesPerEpoch: number,
  ): Pick<PhaseOptions, 'phase' | 'learningRate' | 'epochs' | 'batchesPerEpoch' | 'signal' | 'onBatch' | 'onEpoch'> {
    const { runId, notify, signal } = this.s.hooks;
    return {
      phase: p,
      learningRate,
      epochs,
      batchesPerEpoch,
      signal,
      onBatch: (e) => {
        if (this.batchEvents.admit(e.batch >= e.batches)) notify({ method: 'batchEnd', params: { runId, phase: p, ...e } });
      },
      onEpoch: (e) => this.afterEpoch(p, e),
    };
  }

  private async afterEpoch(p: PhaseName, e: EpochEvent): Promise<'continue' | 'stop'> {
    const { runId, notify } = this.s.hooks;
    const { clf } = this.s;
    const { epochs: _epochs, ...metrics } = e;
    this.history.record(p, metrics);
    notify({ method: 'epochEnd', params: { runId, phase: p, ...e, numTensors: tf.memory().numTensors } });
    const improved = this.best.offer(this.monitor.value(e), collectTrainableVariables(p === 'transfer' ? clf.pooledHead : clf.classifier!));
    if (improved) this.history.markBest(p, e);
    const stop = this.earlyStopping.afterEpoch(improved);
    await this.checkpointer.afterEpoch(improved);
    if (!stop) return 'continue';
    this.log(
      `early stopping: ${this.monitor.name} has not improved for ${this.earlyStopping.waited} epoch(s) (best ${this.best.best.toFixed(4)})`,
    );
    return 'stop';
  }

  /** Nothing good is lost to a divergence: the best epoch so far becomes the checkpoint. Always throws. */
  private async keepBestAfterDivergence(e: TrainingDiverged): Promise<never> {
    const { config, checkpointDir } = this.s;
    this.best.restore();
    try {
      await this.writeTo(checkpointDir, 'checkpoint');
    } catch (saveError) {
      throw new TrainingDiverged(`${e.message}. The best weights so far could not be saved: ${(saveError as Error).message}`);
    }
    throw new TrainingDiverged(
      `${e.message}. The best weights so far (${this.history.describeBest()}) are saved as a checkpoint in ${checkpointDir} (${config.out} is left as it was); resume from it with a lower learning rate`,
    );
  }

  /** A cancel: save the best weights to out when the host asks (keepBestOnCancel), else leave out as it was. */
  private async cancelled(): Promise<TrainResult> {
    const { config, checkpointDir, hooks } = this.s;
    const saved = hooks.keepBestOnCancel() && this.best.has;
    if (saved) {
      this.best.restore();
      this.phase('save', config.out);
      await this.writeTo(config.out, 'cancelled');
      await rm(checkpointDir, { recursive: true, force: true }); // out now holds the best weights
      this.log(`cancelled: the best weights so far (${this.history.describeBest()}) saved to ${config.out}`);
    } else {
      const kept = existsSync(checkpointDir) ? `the last checkpoint is in ${checkpointDir}; ` : '';
      this.log(`cancelled: ${kept}${config.out} is left as it was`);
    }
    return this.result({ cancelled: true, saved });
  }

  /** The validation set's accuracy, confusion and per-image predictions (none without validation data). */
  async evaluate(): Promise<EvaluationReport | undefined> {
    const { config, split, base, clf, hooks, skipped } = this.s;
    if (!this.monitor.hasValidation) return undefined;
    this.phase('evaluate', 'validation set');
    if (!this.fineTuned && !this.valPooled && !clf.classifier) {
      // resumed with no epoch left to run on a graph base: the pooled validation features are still needed
      this.valPooled = await this.pooled(split.validation);
    }
    const evaluated =
      this.fineTuned || !this.valPooled
        ? await evaluateImages(clf.classifier!, { base, files: split.validation, decoded: this.decodedVal, config, signal: hooks.signal })
        : await evaluatePooled(clf.pooledHead, this.valPooled);
    const evaluation = buildEvaluationReport(split.classes, evaluated.values, evaluated.actual, evaluated.paths, []);
    const k = split.classes.length;
    this.validationPredictions = evaluated.paths
      .slice(0, 200)
      .map((path, i) => ({ path, probabilities: Array.from(evaluated.values.slice(i * k, (i + 1) * k)) }));
    evaluation.skipped = skipped.list();
    this.validation = { accuracy: evaluation.accuracy, images: evaluation.confusion.flat().reduce((a, b) => a + b, 0) };
    this.log(`validation accuracy ${(evaluation.accuracy * 100).toFixed(1)}% on ${this.validation.images} images`);
    return evaluation;
  }

  /** The completed model into out; the run's checkpoint has served and goes. */
  async save(evaluation: EvaluationReport | undefined): Promise<TrainResult> {
    const { config, checkpointDir } = this.s;
    this.phase('save', config.out);
    await this.writeTo(config.out, 'complete');
    await rm(checkpointDir, { recursive: true, force: true });
    return this.result({ cancelled: false, saved: true, evaluation });
  }

  /** The run's result, its fields in the order the protocol has always sent them. */
  private result(outcome: Pick<TrainResult, 'cancelled' | 'saved' | 'evaluation'>): TrainResult {
    const { config, split, backend, skipped } = this.s;
    const { cancelled, saved, ...evaluation } = outcome;
    return {
      modelDir: config.out,
      labels: split.classes,
      backend,
      bestEpoch: this.history.bestEpoch,
      history: this.history.rows,
      cancelled,
      saved,
      ...evaluation,
      skipped: skipped.list(),
      trainedLayers: this.trainedLayers,
    };
  }

  private writeTo(dir: string, status: ModelMetadata['status']): Promise<void> {
    return saveModelDir(this.savedModel, this.metadata(status), dir, this.s.hooks.saveIo);
  }

  private metadata(status: ModelMetadata['status']): ModelMetadata {
    const { config, split, base, clf, backend } = this.s;
    return {
      format: 'cnn-lab-model',
      formatVersion: 1,
      labels: split.classes,
      inputSize: base.inputSize,
      preprocessing: base.preprocessing,
      resize: config.resize,
      base: { id: base.id, label: base.label, kind: base.kind },
      modelInput: clf.classifier ? 'classifier' : 'pooled-head',
      status,
      config,
      history: this.history.rows,
      bestEpoch: this.history.bestEpoch,
      validation: this.validation,
      validationPredictions: this.validationPredictions,
      backend,
      versions: versions(),
      savedAt: new Date().toISOString(),
    };
  }

  /** Frees the best-weight copies and the in-memory feature tensors (the models are run.ts's). */
  dispose(): void {
    this.best.dispose();
    tf.dispose(this.toDispose);
  }
}
