// Rate limit for progress events: a fast phase (head epochs on pooled features, a warm feature
// cache) would otherwise flood the host's channel with events nobody can read. The last event of
// a pass always goes out, so the host ends on the true count.

export class ProgressThrottle {
  /** when the last event went out; 0 so that the first one goes out on a clock that starts at 0 */
  private last = 0;

  constructor(
    private readonly minIntervalMs: number,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** Whether an event is to be sent now; `final` (the pass's last) always is. */
  admit(final: boolean): boolean {
    const now = this.now();
    if (now - this.last < this.minIntervalMs && !final) return false;
    this.last = now;
    return true;
  }
}
