// The metric history of training runs, kept by the host (not the webview) so the dashboard can be
// hidden, shown, reloaded or re-themed and still draw every point: on `ready` it gets a snapshot,
// then deltas read through a cursor. Columnar arrays keep tens of thousands of batches cheap.
// Pure: no `vscode`, the clock is passed in.
import type { EngineNotification, PhaseName, TrainResult, SkippedFile } from '../../protocol/messages.ts';
import type {
  BatchSeries,
  DashboardDelta,
  DashboardResult,
  EpochPoint,
  PhaseMark,
  RunProgress,
  RunSnapshot,
  RunStatus,
} from '../../protocol/webview/dashboard.ts';

export interface RunStart {
  runId: string;
  title: string;
  experimentPath?: string;
  backend?: string;
  /** epochs planned per training phase, for the ETA before the engine announces them */
  plannedEpochs: Partial<Record<PhaseName, number>>;
}

/** Where a consumer (a dashboard webview) has read up to. */
export interface HistoryCursor {
  runId: string;
  batches: number;
  epochs: number;
  phases: number;
  revision: number;
}

const TRAINING_PHASES: PhaseName[] = ['transfer', 'fine-tune'];

export class RunHistory {
  readonly runId: string;
  private readonly batches: BatchSeries = { step: [], loss: [], acc: [] };
  private readonly epochs: EpochPoint[] = [];
  private readonly phases: PhaseMark[] = [];
  private status: RunStatus = 'running';
  private error: string | undefined;
  private result: DashboardResult | undefined;
  private backend: string | undefined;
  private progress: RunProgress;
  private readonly plannedEpochs: Partial<Record<PhaseName, number>>;
  /** bumps on every change that is not an append (status, progress, result) */
  private revision = 0;
  /** wall-clock of recent batches, for throughput and ETA */
  private readonly recentBatchTimes: number[] = [];
  private lastBatchesPerEpoch = 0;

  constructor(
    private readonly start: RunStart,
    private readonly startedAt: number,
  ) {
    this.runId = start.runId;
    this.backend = start.backend;
    this.plannedEpochs = { ...start.plannedEpochs };
    this.progress = { phase: undefined, epoch: 0, epochs: 0, batch: 0, batches: 0, elapsedSeconds: 0 };
  }

  get currentStatus(): RunStatus {
    return this.status;
  }

  get currentProgress(): RunProgress {
    return this.progress;
  }

  get batchCount(): number {
    return this.batches.step.length;
  }

  /** Applies one engine notification of this run; returns false if it was not for this run. */
  apply(n: EngineNotification, now: number): boolean {
    if (n.method === 'log' || n.params.runId !== this.runId) return false;
    switch (n.method) {
      case 'phase': {
        const step = this.batches.step.length;
        this.phases.push({ phase: n.params.phase, step, detail: n.params.detail });
        if (n.params.epochs !== undefined) this.plannedEpochs[n.params.phase] = n.params.epochs;
        if (n.params.backend) this.backend = n.params.backend;
        // evaluate and save have no batches: keep no "batch 0/N" from the last training epoch
        const batches = TRAINING_PHASES.includes(n.params.phase) ? this.progress.batches : 0;
        this.progress = {
          ...this.progress,
          phase: n.params.phase,
          epoch: 0,
          epochs: n.params.epochs ?? this.plannedEpochs[n.params.phase] ?? 0,
          batch: 0,
          batches,
        };
        break;
      }
      case 'batchEnd': {
        const p = n.params;
        const step = this.batches.step.length;
        this.batches.step.push(step);
        this.batches.loss.push(p.loss);
        this.batches.acc.push(p.acc);
        this.lastBatchesPerEpoch = p.batches;
        this.recentBatchTimes.push(now);
        if (this.recentBatchTimes.length > 50) this.recentBatchTimes.shift();
        // The engine counts from 1: batch b of epoch e is the b-th batch done in the e-th epoch.
        // Progress keeps the epochs completed (0-based: the epoch in progress) and the batches done.
        this.progress = {
          ...this.progress,
          phase: p.phase,
          epoch: Math.max(0, p.epoch - 1),
          epochs: this.plannedEpochs[p.phase] ?? this.progress.epochs,
          batch: p.batch,
          batches: p.batches,
        };
        break;
      }
      case 'epochEnd': {
        const { runId: _r, epochs, ...metrics } = n.params;
        this.epochs.push({ ...metrics, step: this.batches.step.length });
        this.plannedEpochs[n.params.phase] = epochs;
        this.progress = {
          ...this.progress,
          phase: n.params.phase,
          epoch: n.params.epoch,
          epochs,
          batch: 0,
          imagesPerSecond: metrics.imagesPerSecond,
        };
        break;
      }
      case 'done':
        this.finish(n.params.result);
        break;
      case 'failed':
        this.status = 'failed';
        this.error = n.params.error;
        break;
    }
    this.progress = { ...this.progress, elapsedSeconds: (now - this.startedAt) / 1000, etaSeconds: this.estimateRemainingSeconds() };
    this.revision++;
    return true;
  }

  /** The run ended (a `done` notification or the train request's answer; idempotent). */
  finish(result: TrainResult): void {
    if (this.result) return;
    this.status = result.cancelled ? 'cancelled' : 'done';
    this.backend = result.backend;
    this.result = toDashboardResult(result);
    // The run no longer is in evaluate or save: progress now says how far training got, the last
    // epoch trained and of how many planned (an early stop or a cancel shows as fewer).
    const last = this.epochs.at(-1);
    const trained = last ? { phase: last.phase, epoch: last.epoch, epochs: this.plannedEpochs[last.phase] ?? last.epoch } : {};
    this.progress = { ...this.progress, ...trained, batch: 0, batches: 0, etaSeconds: 0 };
    this.revision++;
  }

  /** The run ended without a result: the engine crashed or the request failed. */
  fail(message: string): void {
    if (this.status !== 'running') return;
    this.status = 'failed';
    this.error = message;
    this.progress = { ...this.progress, etaSeconds: undefined };
    this.revision++;
  }

  setBackend(backend: string): void {
    this.backend = backend;
    this.revision++;
  }

  snapshot(): RunSnapshot {
    return {
      runId: this.runId,
      title: this.start.title,
      experimentPath: this.start.experimentPath,
      backend: this.backend,
      status: this.status,
      error: this.error,
      startedAt: this.startedAt,
      batches: { step: [...this.batches.step], loss: [...this.batches.loss], acc: [...this.batches.acc] },
      epochs: [...this.epochs],
      phases: [...this.phases],
      progress: this.progress,
      result: this.result,
    };
  }

  cursor(): HistoryCursor {
    return {
      runId: this.runId,
      batches: this.batches.step.length,
      epochs: this.epochs.length,
      phases: this.phases.length,
      revision: this.revision,
    };
  }

  /** What changed since `cursor`, or undefined if nothing did. */
  deltaSince(cursor: HistoryCursor): { delta: DashboardDelta; cursor: HistoryCursor } | undefined {
    if (cursor.runId !== this.runId) throw new Error(`cursor of run ${cursor.runId} used on run ${this.runId}`);
    const next = this.cursor();
    if (next.revision === cursor.revision) return undefined;
    const delta: DashboardDelta = {
      runId: this.runId,
      batches: {
        step: this.batches.step.slice(cursor.batches),
        loss: this.batches.loss.slice(cursor.batches),
        acc: this.batches.acc.slice(cursor.batches),
      },
      epochs: this.epochs.slice(cursor.epochs),
      phases: this.phases.slice(cursor.phases),
      progress: this.progress,
      status: this.status,
      backend: this.backend,
      error: this.error,
      result: this.result,
    };
    return { delta, cursor: next };
  }

  private estimateRemainingSeconds(): number | undefined {
    if (this.status !== 'running') return 0;
    const times = this.recentBatchTimes;
    if (times.length < 2 || this.lastBatchesPerEpoch === 0) return undefined;
    const secondsPerBatch = (times[times.length - 1] - times[0]) / 1000 / (times.length - 1);
    const { phase, epoch, batch, batches } = this.progress;
    let remaining = 0;
    const current = phase ? TRAINING_PHASES.indexOf(phase) : -1;
    if (current >= 0) {
      // epoch is the 0-based epoch in progress and batch the batches done in it
      const epochs = this.plannedEpochs[phase!] ?? 0;
      remaining += Math.max(0, (epochs - epoch) * batches - batch);
      for (const later of TRAINING_PHASES.slice(current + 1)) remaining += (this.plannedEpochs[later] ?? 0) * this.lastBatchesPerEpoch;
    }
    return remaining * secondsPerBatch;
  }
}

/** How many skipped files the dashboard lists (the CNN Lab log has them all). */
export const DASHBOARD_SKIPPED_LIMIT = 200;

export function toDashboardResult(result: TrainResult): DashboardResult {
  const ev = result.evaluation;
  // The evaluation's list repeats the run's (the engine hands it the same files): once per path.
  const byPath = new Map<string, SkippedFile>();
  for (const f of [...result.skipped, ...(ev?.skipped ?? [])]) if (!byPath.has(f.path)) byPath.set(f.path, f);
  const skippedFiles = [...byPath.values()];
  return {
    modelDir: result.modelDir,
    labels: ev?.labels ?? result.labels,
    accuracy: ev?.accuracy,
    bestEpoch: result.bestEpoch,
    perClass: ev?.perClass ?? [],
    confusion: ev?.confusion ?? [],
    misclassified: (ev?.misclassified ?? []).slice(0, 48),
    misclassifiedTotal: ev?.misclassified.length ?? 0,
    skipped: skippedFiles.slice(0, DASHBOARD_SKIPPED_LIMIT),
    skippedTotal: skippedFiles.length,
    trainedLayers: result.trainedLayers.map((t) => ({
      phase: t.phase,
      count: t.layers.length,
      first: t.layers[0],
      last: t.layers[t.layers.length - 1],
    })),
    cancelled: result.cancelled,
    saved: result.saved,
  };
}

/** All runs of this window, newest last; the dashboard shows the latest (or a chosen one). */
export class MetricHistoryStore {
  private readonly runs = new Map<string, RunHistory>();
  private latestId: string | undefined;

  begin(start: RunStart, now: number): RunHistory {
    const run = new RunHistory(start, now);
    this.runs.set(start.runId, run);
    this.latestId = start.runId;
    // keep memory bounded: old runs beyond the last 5 are dropped
    while (this.runs.size > 5) this.runs.delete(this.runs.keys().next().value!);
    return run;
  }

  get(runId: string): RunHistory | undefined {
    return this.runs.get(runId);
  }

  get latest(): RunHistory | undefined {
    return this.latestId ? this.runs.get(this.latestId) : undefined;
  }

  /** Routes a notification to its run; returns the run it changed. */
  apply(n: EngineNotification, now: number): RunHistory | undefined {
    if (n.method === 'log') return undefined;
    const run = this.runs.get(n.params.runId);
    return run && run.apply(n, now) ? run : undefined;
  }
}
