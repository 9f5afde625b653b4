// What the engine hands a training run: where to report, how to cancel, and the test seams.
// Its own module so that run.ts (which starts a run) and trainingRun.ts (which is one) share it
// without importing each other.
import type { EngineNotification } from '../../protocol/messages.ts';
import type { SaveIo } from '../save/modelDir.ts';

export interface TrainHooks {
  runId: string;
  notify(n: EngineNotification): void;
  signal: AbortSignal;
  /** asked when the run is cancelled: save the best weights so far to out (true), or leave out as it was and keep the last checkpoint (false) */
  keepBestOnCancel(): boolean;
  /** least time between two checkpoint writes (default 20 s); the final save always happens */
  checkpointIntervalMs?: number;
  /** bottleneck cache folder; null disables it (default: <cache root>/features) */
  featureCacheDir?: string | null;
  /** decoded images kept in memory for fine-tuning up to this many bytes (default 1.5 GB) */
  decodedMemoryBudget?: number;
  /** how model files are written (tests: a writer that fails like a full disk) */
  saveIo?: SaveIo;
  /** continue from the run's checkpoint (<out>.checkpoint, else a cancelled model in out) instead of starting afresh */
  resume?: boolean;
}
