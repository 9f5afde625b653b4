// Stops a phase whose loss has diverged, as Keras' TerminateOnNaN — and also when it has exploded
// without reaching NaN (below). Each refusal names what went wrong and what to try; the run then
// keeps the best epoch so far as a checkpoint (TrainingRun), so nothing good is lost.
import type { PhaseName } from '../../protocol/messages.ts';

export class TrainingDiverged extends Error {}

/**
 * Cross-entropy clips probabilities at the backend's epsilon, so an exploding model does not reach
 * NaN: its loss sticks near −ln(ε) (16.1 in float32) on every wrong image, with zero gradient. An
 * epoch loss above a third of that, and above twice a uniform guess (ln k), is that state; healthy
 * runs, even at their first epoch, stay near or below ln k.
 */
export function saturationThreshold(classes: number, epsilon: number): number {
  return Math.max(-Math.log(epsilon) / 3, 2 * Math.log(Math.max(classes, 2)));
}

export interface DivergenceGuardOptions {
  phase: PhaseName;
  learningRate: number;
  /** the phase's first epoch in this run (later than 1 when resumed) */
  firstEpoch: number;
  /** the backend's float epsilon (tf.backend().epsilon()) */
  epsilon: number;
}

export class DivergenceGuard {
  constructor(private readonly o: DivergenceGuardOptions) {}

  /** After each batch: a NaN or infinite loss ends the phase. */
  checkBatch(loss: number, epoch: number, batch: number): void {
    if (Number.isFinite(loss)) return;
    if (epoch === this.o.firstEpoch && batch === 1) {
      // The loss of the first batch is computed before this phase changes any weight.
      throw new TrainingDiverged(
        `${this.o.phase}: the loss is ${loss} on the very first batch, before any weight was updated — the base model or the input images produce non-finite values (check the base model's weights); this is not a learning-rate problem`,
      );
    }
    throw new TrainingDiverged(
      `${this.o.phase}: the loss became ${loss} at epoch ${epoch}, batch ${batch} — training diverged; ${this.lowerTheRate()}`,
    );
  }

  /** After each epoch's training pass: a saturated mean loss ends the phase. */
  checkEpoch(epochLoss: number, epoch: number, classes: number): void {
    if (!(epochLoss > saturationThreshold(classes, this.o.epsilon))) return;
    throw new TrainingDiverged(
      `${this.o.phase}: the loss exploded to ${epochLoss.toFixed(2)} at epoch ${epoch} (guessing scores ${Math.log(classes).toFixed(2)}; the predictions are saturated and confidently wrong, so gradients vanish and it cannot recover) — training diverged; ${this.lowerTheRate()}`,
    );
  }

  private lowerTheRate(): string {
    return `the learning rate ${this.o.learningRate} is probably too high (try 10× lower)`;
  }
}
