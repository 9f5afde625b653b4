// Chart columns for the dashboard, built incrementally from the host's snapshot and deltas:
// one shared x axis (global batch number, 1-based), the raw per-batch metric, its smoothed curve
// (debiased EMA, like TensorBoard's), and per-epoch train/validation points placed at the batch
// where their epoch ended. Appends are O(new points), so tens of thousands of batches stay smooth.
import type { BatchSeries, EpochPoint, PhaseMark } from '../src/protocol/webview/dashboard.ts';

export type Metric = 'loss' | 'acc';

export interface Columns {
  x: number[];
  batch: (number | null)[];
  smooth: (number | null)[];
  epochTrain: (number | null)[];
  epochVal: (number | null)[];
}

const SMOOTHING = 0.9;

class MetricColumns {
  readonly c: Columns = { x: [], batch: [], smooth: [], epochTrain: [], epochVal: [] };
  private ema = 0;
  private emaWeight = 0;

  pushBatch(x: number, v: number): void {
    const c = this.c;
    c.x.push(x);
    c.batch.push(Number.isFinite(v) ? v : null);
    if (Number.isFinite(v)) {
      this.ema = SMOOTHING * this.ema + (1 - SMOOTHING) * v;
      this.emaWeight = SMOOTHING * this.emaWeight + (1 - SMOOTHING);
    }
    c.smooth.push(this.emaWeight > 0 ? this.ema / this.emaWeight : null);
    c.epochTrain.push(null);
    c.epochVal.push(null);
  }

  setEpoch(x: number, train: number, val: number | undefined): void {
    const c = this.c;
    let i = c.x.length - 1;
    // epochs end at the latest batch; without batch points (or past them) add an x of their own
    while (i >= 0 && c.x[i] > x) i--;
    if (i < 0 || c.x[i] !== x) {
      i++;
      c.x.splice(i, 0, x);
      c.batch.splice(i, 0, null);
      c.smooth.splice(i, 0, null);
      c.epochTrain.splice(i, 0, null);
      c.epochVal.splice(i, 0, null);
    }
    c.epochTrain[i] = Number.isFinite(train) ? train : null;
    c.epochVal[i] = val !== undefined && Number.isFinite(val) ? val : null;
  }
}

export class MetricSeries {
  private readonly metrics: Record<Metric, MetricColumns> = { loss: new MetricColumns(), acc: new MetricColumns() };
  readonly phases: PhaseMark[] = [];
  batchCount = 0;
  epochCount = 0;

  append(batches: BatchSeries, epochs: EpochPoint[], phases: PhaseMark[]): void {
    for (let i = 0; i < batches.step.length; i++) {
      const x = batches.step[i] + 1;
      this.metrics.loss.pushBatch(x, batches.loss[i]);
      this.metrics.acc.pushBatch(x, batches.acc[i]);
    }
    this.batchCount += batches.step.length;
    for (const e of epochs) {
      const x = Math.max(1, e.step);
      this.metrics.loss.setEpoch(x, e.loss, e.valLoss);
      this.metrics.acc.setEpoch(x, e.acc, e.valAcc);
    }
    this.epochCount += epochs.length;
    this.phases.push(...phases);
  }

  columns(metric: Metric): Columns {
    return this.metrics[metric].c;
  }

  /** uPlot's aligned data: [x, batch, smoothed, epoch train, epoch validation] */
  aligned(metric: Metric): [number[], (number | null)[], (number | null)[], (number | null)[], (number | null)[]] {
    const c = this.metrics[metric].c;
    return [c.x, c.batch, c.smooth, c.epochTrain, c.epochVal];
  }

  /** x positions where a training phase begins (the transfer → fine-tune switch among them) */
  phaseSwitches(): { x: number; phase: string }[] {
    return this.phases.filter((p) => p.phase === 'transfer' || p.phase === 'fine-tune').map((p) => ({ x: p.step + 0.5, phase: p.phase }));
  }
}
