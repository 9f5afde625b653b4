// Early stopping, as Keras' EarlyStopping callback: stop when the monitored value has not improved
// for `patience` epochs in a row. One count runs across the whole run; fine-tuning starts it again,
// since unfreezing layers is a new chance to improve (Keras users compile afresh for phase 2).
// Without a setting (earlyStopping null) it counts but never stops.

export interface EarlyStoppingSettings {
  patience: number;
  /** put the best epoch's weights back at the end (Keras' restore_best_weights) */
  restoreBest: boolean;
}

export class EarlyStopping {
  /** epochs since the monitored value last improved */
  waited = 0;

  constructor(private readonly settings: EarlyStoppingSettings | null) {}

  /** Counts one epoch; true when training is to stop after it. */
  afterEpoch(improved: boolean): boolean {
    this.waited = improved ? 0 : this.waited + 1;
    return this.settings !== null && this.waited >= this.settings.patience;
  }

  /** A new phase: the count starts again. */
  restart(): void {
    this.waited = 0;
  }

  get restoresBest(): boolean {
    return this.settings?.restoreBest === true;
  }
}
