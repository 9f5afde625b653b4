// Messages between the host and the prediction view, and their validators.
import { isObject } from '../../core/isObject.ts';
import { isFiniteNumber, isString, messageType, need, reject, type Rec } from './check.ts';

export interface PredictionRow {
  /** file path or URL */
  source: string;
  /** display name (file name or URL) */
  name: string;
  /** webview URI of the image (local files) or the URL itself */
  src?: string;
  top: { label: string; probability: number }[];
  error?: string;
}

export interface PredictionState {
  modelDir: string;
  modelName: string;
  backend: string;
  rows: PredictionRow[];
}

export type PredictionToWebview = { type: 'predictions'; state: PredictionState | null };
export type PredictionFromWebview = { type: 'ready' } | { type: 'openSource'; source: string };

const VIEW = 'prediction view';

export function validatePredictionToWebview(raw: unknown): PredictionToWebview {
  const { type, m } = messageType(VIEW, raw);
  if (type !== 'predictions') return reject(VIEW, `unknown type "${type}"`);
  if (m.state === null) return { type, state: null };
  need(VIEW, isObject(m.state), 'state is not an object');
  const s = m.state as Rec;
  need(VIEW, isString(s.modelDir) && isString(s.modelName) && isString(s.backend), 'state.modelDir/modelName/backend are not strings');
  need(VIEW, Array.isArray(s.rows), 'state.rows is not an array');
  (s.rows as unknown[]).forEach((r, i) => {
    need(VIEW, isObject(r) && isString((r as Rec).source) && isString((r as Rec).name), `rows[${i}] lacks source/name`);
    const top = (r as Rec).top;
    need(VIEW, Array.isArray(top), `rows[${i}].top is not an array`);
    (top as unknown[]).forEach((t, j) => {
      need(
        VIEW,
        isObject(t) && isString((t as Rec).label) && isFiniteNumber((t as Rec).probability),
        `rows[${i}].top[${j}] is not {label, probability}`,
      );
      const p = (t as Rec).probability as number;
      need(VIEW, p >= 0 && p <= 1, `rows[${i}].top[${j}].probability ${p} is not in [0, 1]`);
    });
  });
  return m as unknown as PredictionToWebview;
}

export function validatePredictionFromWebview(raw: unknown): PredictionFromWebview {
  const { type, m } = messageType(VIEW, raw);
  if (type === 'ready') return { type };
  if (type === 'openSource') {
    need(VIEW, isString(m.source) && m.source.length > 0, 'openSource.source is not a string');
    return { type, source: m.source as string };
  }
  return reject(VIEW, `unknown type "${type}"`);
}
