// When to write the run's checkpoint (<out>.checkpoint), as Keras' ModelCheckpoint with
// save_best_only: only after an epoch that improved on the best, and at most once per interval
// (default 20 s), since a save of a large base takes seconds and fast head epochs would spend
// more time saving than training. What is written — the best weights so far — is `write`'s concern.

export interface CheckpointerOptions {
  /** least time between two writes */
  intervalMs: number;
  /** writes the checkpoint (the best weights so far) */
  write(): Promise<void>;
  now?: () => number;
}

export class Checkpointer {
  private last = -Infinity;
  /** an improvement not yet written */
  private dirty = false;
  private readonly now: () => number;

  constructor(private readonly options: CheckpointerOptions) {
    this.now = options.now ?? (() => performance.now());
  }

  /** A checkpoint was just loaded (resume): it is as good as written now. */
  loaded(): void {
    this.last = this.now();
  }

  /** After each epoch: notes an improvement, and writes when one is pending and the interval has passed. */
  async afterEpoch(improved: boolean): Promise<boolean> {
    if (improved) this.dirty = true;
    if (!this.dirty || this.now() - this.last < this.options.intervalMs) return false;
    await this.options.write();
    this.last = this.now();
    this.dirty = false;
    return true;
  }
}
