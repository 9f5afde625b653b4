// Keeps a copy of the best weights seen so far (early stopping's restore-best, and what a cancel
// saves). Only variables that training can change are copied; when fine-tuning unfreezes more of
// the base, their current values — unchanged since the best epoch, as they were frozen — join in.
import { tf } from '../tf.ts';

export class BestWeights {
  private snapshot = new Map<tf.Variable, tf.Tensor>();
  best = Infinity;
  has = false;

  /** Records `vars` as the best state when `value` (lower is better) improves. */
  offer(value: number, vars: tf.Variable[]): boolean {
    if (!(value < this.best)) return false;
    this.best = value;
    this.has = true;
    for (const v of vars) {
      this.snapshot.get(v)?.dispose();
      this.snapshot.set(v, tf.keep(v.clone()));
    }
    return true;
  }

  /** Adds variables not yet tracked with their current values. */
  extend(vars: tf.Variable[]): void {
    if (!this.has) return;
    for (const v of vars) if (!this.snapshot.has(v)) this.snapshot.set(v, tf.keep(v.clone()));
  }

  restore(): void {
    for (const [v, t] of this.snapshot) v.assign(t);
  }

  /**
   * Runs `fn` (a checkpoint save) with the best weights in place of `current`'s values, and puts
   * the current values back afterwards, whether `fn` succeeds or throws.
   */
  async whileRestored<T>(current: tf.Variable[], fn: () => Promise<T>): Promise<T> {
    const saved = current.map((v) => [v, tf.keep(v.clone())] as const);
    this.restore();
    try {
      return await fn();
    } finally {
      for (const [v, t] of saved) {
        v.assign(t);
        t.dispose();
      }
    }
  }

  dispose(): void {
    for (const t of this.snapshot.values()) t.dispose();
    this.snapshot.clear();
  }
}
