// What a run has trained so far: one row per epoch, across both phases, and which epoch was the
// best by the monitored value (val_loss when there is validation data, else loss). Saved in every
// cnn-lab.json (checkpoints included), so a resumed run continues the same record.
import type { EpochMetrics, PhaseName, TrainResult } from '../../protocol/messages.ts';

export type HistoryRow = { phase: PhaseName; epoch: number } & EpochMetrics;
export type BestEpoch = TrainResult['bestEpoch'];

/** The value early stopping and best-weights tracking compare (lower is better), as Keras' `monitor`. */
export class Monitor {
  readonly name: 'val_loss' | 'loss';

  constructor(readonly hasValidation: boolean) {
    this.name = hasValidation ? 'val_loss' : 'loss';
  }

  value(metrics: EpochMetrics): number {
    return this.hasValidation ? metrics.valLoss! : metrics.loss;
  }
}

export class History {
  readonly rows: HistoryRow[] = [];
  bestEpoch: BestEpoch = null;

  /** Starts from a checkpoint's record (resume): its rows up to the saved epoch, and that epoch as the best. */
  continueFrom(rows: readonly HistoryRow[], bestEpoch: NonNullable<BestEpoch>): void {
    this.rows.push(...rows);
    this.bestEpoch = bestEpoch;
  }

  record(phase: PhaseName, metrics: { epoch: number } & EpochMetrics): void {
    this.rows.push({ phase, ...metrics });
  }

  markBest(phase: PhaseName, metrics: { epoch: number } & EpochMetrics): void {
    this.bestEpoch = { phase, epoch: metrics.epoch, valAcc: metrics.valAcc, valLoss: metrics.valLoss };
  }

  /** "fine-tune epoch 3", or "none": how log lines name the best epoch. */
  describeBest(): string {
    const b = this.bestEpoch;
    return b ? `${b.phase} epoch ${b.epoch}` : 'none';
  }
}
