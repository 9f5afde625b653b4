// One training phase as a hand-written loop rather than model.fit: we need batch/epoch events,
// cancellation at any batch boundary, early stopping across phases, NaN detection, and — above all —
// every layer run in inference mode. tfjs' BatchNormalization ignores `trainable` and normalizes
// with (and updates) batch statistics whenever training=true, so a "frozen" BN layer would drift;
// Keras' advice for fine-tuning is to keep BN in inference mode, which is what training=false does
// here for the whole model (the new head has no dropout or BN, so nothing else changes).
import { tf } from '../tf.ts';
import { variableGradsFreeingTape } from '../tfjsPatches.ts';
import type { EpochMetrics, PhaseName } from '../../protocol/messages.ts';
import { DivergenceGuard, saturationThreshold, TrainingDiverged } from './divergenceGuard.ts';

export interface Batch {
  x: tf.Tensor;
  /** one-hot labels [n, classes] */
  y: tf.Tensor2D;
}

/** A fresh pass over the data for each epoch; the loop disposes every batch it receives. */
export type BatchSource = (epoch: number) => AsyncIterable<Batch>;

/** What a phase needs of its model: a forward pass and the variables to train (a LayersModel, or a part of one: prefixCache.ts). */
export type PhaseModel = Pick<tf.LayersModel, 'apply' | 'trainableWeights'>;

export interface PhaseOptions {
  phase: PhaseName;
  model: PhaseModel;
  optimizer: tf.Optimizer;
  learningRate: number;
  /** the last epoch (1-based, inclusive) */
  epochs: number;
  /** the first epoch to run (default 1; later when resuming from a checkpoint) */
  firstEpoch?: number;
  batchesPerEpoch: number;
  train: BatchSource;
  /** validation pass; omitted when there is no validation data */
  validation?: BatchSource;
  signal: AbortSignal;
  onBatch(e: { epoch: number; batch: number; batches: number; loss: number; acc: number }): void;
  onEpoch(e: { epoch: number; epochs: number } & EpochMetrics): Promise<'continue' | 'stop'>;
}

export { TrainingDiverged };
export class Cancelled extends Error {
  constructor() {
    super('cancelled');
  }
}

/** Trainable variables of the model as they are now — collected again whenever trainability changes. */
export function collectTrainableVariables(model: PhaseModel): tf.Variable[] {
  return model.trainableWeights.map((w) => w.read() as tf.Variable);
}

function batchLossAndAccuracy(model: PhaseModel, x: tf.Tensor, y: tf.Tensor2D): { loss: tf.Scalar; acc: tf.Scalar } {
  const p = model.apply(x, { training: false }) as tf.Tensor2D;
  const loss = tf.metrics.categoricalCrossentropy(y, p).mean<tf.Scalar>();
  const acc = tf.metrics.categoricalAccuracy(y, p).mean<tf.Scalar>();
  return { loss, acc };
}

/** Mean loss and accuracy over a validation pass, weighted by batch size. */
export async function evaluatePass(
  model: PhaseModel,
  source: AsyncIterable<Batch>,
  signal: AbortSignal,
): Promise<{ loss: number; acc: number; n: number }> {
  let lossSum = 0;
  let accSum = 0;
  let n = 0;
  for await (const batch of source) {
    try {
      if (signal.aborted) throw new Cancelled();
      const [l, a] = tf.tidy(() => {
        const r = batchLossAndAccuracy(model, batch.x, batch.y);
        return [r.loss, r.acc];
      });
      const size = batch.y.shape[0];
      lossSum += (await l.data())[0] * size;
      accSum += (await a.data())[0] * size;
      n += size;
      l.dispose();
      a.dispose();
    } finally {
      batch.x.dispose();
      batch.y.dispose();
    }
  }
  return { loss: n ? lossSum / n : NaN, acc: n ? accSum / n : NaN, n };
}

/** The epoch loss above which a phase has diverged on this backend (see divergenceGuard.ts). */
export function saturatedLossThreshold(classes: number): number {
  return saturationThreshold(classes, tf.backend().epsilon());
}

export async function runPhase(o: PhaseOptions): Promise<'completed' | 'stopped'> {
  const vars = collectTrainableVariables(o.model);
  if (vars.length === 0) throw new Error(`${o.phase}: the model has no trainable weights`);
  let classes = 2;
  const first = o.firstEpoch ?? 1;
  const guard = new DivergenceGuard({ phase: o.phase, learningRate: o.learningRate, firstEpoch: first, epsilon: tf.backend().epsilon() });
  for (let epoch = first; epoch <= o.epochs; epoch++) {
    const started = performance.now();
    let lossSum = 0;
    let accSum = 0;
    let seen = 0;
    let batch = 0;
    for await (const b of o.train(epoch)) {
      let lossValue: number;
      let accValue: number;
      const size = b.y.shape[0];
      try {
        if (o.signal.aborted) throw new Cancelled();
        let acc: tf.Scalar | undefined;
        const { value, grads } = variableGradsFreeingTape(() => {
          const r = batchLossAndAccuracy(o.model, b.x, b.y);
          acc = tf.keep(r.acc);
          return r.loss;
        }, vars);
        o.optimizer.applyGradients(grads);
        tf.dispose(grads);
        lossValue = (await value.data())[0];
        accValue = (await acc!.data())[0];
        value.dispose();
        acc!.dispose();
      } finally {
        b.x.dispose();
        b.y.dispose();
      }
      batch++;
      classes = b.y.shape[1];
      guard.checkBatch(lossValue, epoch, batch);
      lossSum += lossValue * size;
      accSum += accValue * size;
      seen += size;
      o.onBatch({ epoch, batch, batches: o.batchesPerEpoch, loss: lossValue, acc: accValue });
      // Yield to the event loop so a cancel request arriving over IPC is seen at the next batch.
      await new Promise((r) => setImmediate(r));
    }
    if (seen === 0) throw new Error(`${o.phase}: no training images could be used`);
    const epochLoss = lossSum / seen;
    guard.checkEpoch(epochLoss, epoch, classes);
    const trainSeconds = (performance.now() - started) / 1000;
    let valLoss: number | undefined;
    let valAcc: number | undefined;
    if (o.validation) {
      const v = await evaluatePass(o.model, o.validation(epoch), o.signal);
      if (v.n > 0) {
        valLoss = v.loss;
        valAcc = v.acc;
      }
    }
    const seconds = (performance.now() - started) / 1000;
    const decision = await o.onEpoch({
      epoch,
      epochs: o.epochs,
      loss: epochLoss,
      acc: accSum / seen,
      valLoss,
      valAcc,
      lr: o.learningRate,
      seconds,
      imagesPerSecond: seen / Math.max(trainSeconds, 1e-6),
    });
    if (decision === 'stop') return 'stopped';
  }
  return 'completed';
}
