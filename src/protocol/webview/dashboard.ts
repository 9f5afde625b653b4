// Messages between the host and the training dashboard webview, and their validators.
// Host → webview: a full `snapshot` of a run (on ready, on a new run) then `delta`s.
// Webview → host: `ready`, `stop` (keepBest), `openFile` (a misclassified image), `openModel`.
import type { EpochMetrics, PhaseName, SkippedFile } from '../messages.ts';
import { isObject } from '../../core/isObject.ts';
import { isBoolean, isNumberArray, isString, messageType, need, optional, reject, type Rec } from './check.ts';

export type RunStatus = 'running' | 'done' | 'failed' | 'cancelled';

export interface BatchSeries {
  /** global batch index across phases */
  step: number[];
  loss: number[];
  acc: number[];
}

export interface EpochPoint extends EpochMetrics {
  phase: PhaseName;
  epoch: number;
  /** global batch index at the end of the epoch, to draw epoch points on the batch axis */
  step: number;
}

export interface PhaseMark {
  phase: PhaseName;
  step: number;
  detail?: string;
}

/** Where a run is; once it has ended (done or cancelled), the last epoch it trained. */
export interface RunProgress {
  phase: PhaseName | undefined;
  /** 0-based epoch in progress (or the number done after an epochEnd and after the run) */
  epoch: number;
  epochs: number;
  /** batches done in the current epoch */
  batch: number;
  batches: number;
  imagesPerSecond?: number;
  etaSeconds?: number;
  elapsedSeconds: number;
}

export interface DashboardResult {
  modelDir: string;
  labels: string[];
  accuracy?: number;
  bestEpoch: { phase: PhaseName; epoch: number; valAcc?: number; valLoss?: number } | null;
  perClass: { label: string; precision: number; recall: number; support: number }[];
  /** confusion[actual][predicted] */
  confusion: number[][];
  /** `src` is the webview URI of the thumbnail, added by the panel */
  misclassified: { path: string; actual: string; predicted: string; probability: number; src?: string }[];
  misclassifiedTotal: number;
  /** the files the run could not use, each with its reason (the first DASHBOARD_SKIPPED_LIMIT) */
  skipped: SkippedFile[];
  skippedTotal: number;
  trainedLayers: { phase: PhaseName; count: number; first?: string; last?: string }[];
  cancelled: boolean;
  /** false for a run stopped without keeping its best epoch: modelDir is as it was before */
  saved: boolean;
}

export interface RunSnapshot {
  runId: string;
  title: string;
  experimentPath?: string;
  backend?: string;
  status: RunStatus;
  error?: string;
  startedAt: number;
  batches: BatchSeries;
  epochs: EpochPoint[];
  phases: PhaseMark[];
  progress: RunProgress;
  result?: DashboardResult;
}

export interface DashboardDelta {
  runId: string;
  batches: BatchSeries;
  epochs: EpochPoint[];
  phases: PhaseMark[];
  progress: RunProgress;
  status: RunStatus;
  backend?: string;
  error?: string;
  result?: DashboardResult;
}

export type DashboardToWebview = { type: 'snapshot'; run: RunSnapshot | null } | { type: 'delta'; delta: DashboardDelta };

export type DashboardFromWebview =
  | { type: 'ready' }
  | { type: 'stop'; runId: string; keepBest: boolean }
  | { type: 'openFile'; path: string }
  | { type: 'openModel'; modelDir: string };

const VIEW = 'training dashboard';
const STATUSES = new Set<RunStatus>(['running', 'done', 'failed', 'cancelled']);

function checkSeries(s: unknown, where: string): void {
  need(VIEW, isObject(s), `${where} is not an object`);
  const r = s as Rec;
  for (const k of ['step', 'loss', 'acc']) need(VIEW, isNumberArray(r[k]), `${where}.${k} is not a number array`);
  const n = (r.step as number[]).length;
  need(VIEW, (r.loss as number[]).length === n && (r.acc as number[]).length === n, `${where} columns differ in length`);
}

function checkArrayOfRecords(v: unknown, where: string, fields: string[]): void {
  need(VIEW, Array.isArray(v), `${where} is not an array`);
  (v as unknown[]).forEach((x, i) => {
    need(VIEW, isObject(x), `${where}[${i}] is not an object`);
    for (const f of fields) need(VIEW, (x as Rec)[f] !== undefined, `${where}[${i}].${f} is missing`);
  });
}

function checkProgress(p: unknown): void {
  need(VIEW, isObject(p), 'progress is not an object');
  const r = p as Rec;
  for (const k of ['epoch', 'epochs', 'batch', 'batches', 'elapsedSeconds'])
    need(VIEW, typeof r[k] === 'number', `progress.${k} is not a number`);
}

function checkResult(r: unknown): void {
  if (r === undefined) return;
  need(VIEW, isObject(r), 'result is not an object');
  const x = r as Rec;
  need(VIEW, isString(x.modelDir), 'result.modelDir is not a string');
  need(VIEW, isBoolean(x.saved), 'result.saved is not a boolean');
  need(VIEW, Array.isArray(x.labels), 'result.labels is not an array');
  need(VIEW, Array.isArray(x.confusion) && (x.confusion as unknown[]).every(isNumberArray), 'result.confusion is not a number matrix');
  checkArrayOfRecords(x.perClass, 'result.perClass', ['label', 'precision', 'recall']);
  checkArrayOfRecords(x.misclassified, 'result.misclassified', ['path', 'actual', 'predicted']);
  checkArrayOfRecords(x.skipped, 'result.skipped', ['path', 'reason']);
  (x.skipped as Rec[]).forEach((f, i) =>
    need(VIEW, isString(f.path) && isString(f.reason), `result.skipped[${i}] needs a path and a reason string`),
  );
  need(VIEW, typeof x.skippedTotal === 'number', 'result.skippedTotal is not a number');
}

function checkRunBody(r: Rec, where: string): void {
  need(VIEW, isString(r.runId), `${where}.runId is not a string`);
  need(VIEW, STATUSES.has(r.status as RunStatus), `${where}.status is not a run status`);
  checkSeries(r.batches, `${where}.batches`);
  checkArrayOfRecords(r.epochs, `${where}.epochs`, ['phase', 'epoch', 'step', 'loss', 'acc']);
  checkArrayOfRecords(r.phases, `${where}.phases`, ['phase', 'step']);
  checkProgress(r.progress);
  checkResult(r.result);
  need(VIEW, optional(r.error, isString), `${where}.error is not a string`);
}

/** Validates a message arriving in the dashboard webview. */
export function validateDashboardToWebview(raw: unknown): DashboardToWebview {
  const { type, m } = messageType(VIEW, raw);
  switch (type) {
    case 'snapshot':
      if (m.run !== null) {
        need(VIEW, isObject(m.run), 'snapshot.run is not an object');
        checkRunBody(m.run as Rec, 'run');
        need(VIEW, isString((m.run as Rec).title), 'run.title is not a string');
      }
      return m as unknown as DashboardToWebview;
    case 'delta':
      need(VIEW, isObject(m.delta), 'delta is not an object');
      checkRunBody(m.delta as Rec, 'delta');
      return m as unknown as DashboardToWebview;
    default:
      return reject(VIEW, `unknown type "${type}"`);
  }
}

/** Validates a message arriving in the host from the dashboard webview. */
export function validateDashboardFromWebview(raw: unknown): DashboardFromWebview {
  const { type, m } = messageType(VIEW, raw);
  switch (type) {
    case 'ready':
      return { type };
    case 'stop':
      need(VIEW, isString(m.runId), 'stop.runId is not a string');
      need(VIEW, isBoolean(m.keepBest), 'stop.keepBest is not a boolean');
      return { type, runId: m.runId as string, keepBest: m.keepBest as boolean };
    case 'openFile':
      need(VIEW, isString(m.path) && m.path.length > 0, 'openFile.path is not a path');
      return { type, path: m.path as string };
    case 'openModel':
      need(VIEW, isString(m.modelDir) && m.modelDir.length > 0, 'openModel.modelDir is not a path');
      return { type, modelDir: m.modelDir as string };
    default:
      return reject(VIEW, `unknown type "${type}"`);
  }
}
