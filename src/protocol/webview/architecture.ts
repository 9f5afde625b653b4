// Messages between the host and the architecture view, and their validators.
import { isObject } from '../../core/isObject.ts';
import { isFiniteNumber, isString, messageType, need, reject, type Rec } from './check.ts';

/** A layer row of the architecture view (host/architecture/layerGroups.ts builds them). */
export interface ArchitectureRow {
  index: number;
  name: string;
  className: string;
  outputShape: (number | null)[] | null;
  params: number;
  trainable: boolean;
  /** collapsible group the layer belongs to (null: standalone) */
  group: string | null;
  /** 0-based source line of a layer defined in code */
  line?: number;
}

export interface ArchitectureTotals {
  layers: number;
  params: number;
  trainable: number;
  nonTrainable: number;
}

export interface ArchitectureState {
  title: string;
  description: string;
  rows: ArchitectureRow[];
  totals: ArchitectureTotals;
  /** rows can be clicked to reveal their source line */
  revealable: boolean;
}

export type ArchitectureToWebview = { type: 'architecture'; state: ArchitectureState } | { type: 'error'; message: string };
export type ArchitectureFromWebview = { type: 'ready' } | { type: 'revealLayer'; index: number };

const VIEW = 'architecture view';

export function validateArchitectureToWebview(raw: unknown): ArchitectureToWebview {
  const { type, m } = messageType(VIEW, raw);
  if (type === 'error') {
    need(VIEW, isString(m.message), 'error.message is not a string');
    return { type, message: m.message as string };
  }
  if (type !== 'architecture') return reject(VIEW, `unknown type "${type}"`);
  need(VIEW, isObject(m.state), 'state is not an object');
  const s = m.state as Rec;
  need(VIEW, isString(s.title) && isString(s.description), 'state.title/description are not strings');
  need(VIEW, Array.isArray(s.rows), 'state.rows is not an array');
  (s.rows as unknown[]).forEach((r, i) => {
    need(VIEW, isObject(r), `rows[${i}] is not an object`);
    const x = r as Rec;
    need(VIEW, isString(x.name) && isString(x.className), `rows[${i}] lacks name/className`);
    need(VIEW, isFiniteNumber(x.params) && typeof x.trainable === 'boolean', `rows[${i}] lacks params/trainable`);
    need(
      VIEW,
      x.outputShape === null || (Array.isArray(x.outputShape) && x.outputShape.every((d) => d === null || isFiniteNumber(d))),
      `rows[${i}].outputShape is not a shape`,
    );
    need(VIEW, x.group === null || isString(x.group), `rows[${i}].group is not a string or null`);
  });
  need(VIEW, isObject(s.totals) && isFiniteNumber((s.totals as Rec).params), 'state.totals is missing');
  return m as unknown as ArchitectureToWebview;
}

export function validateArchitectureFromWebview(raw: unknown): ArchitectureFromWebview {
  const { type, m } = messageType(VIEW, raw);
  if (type === 'ready') return { type };
  if (type === 'revealLayer') {
    need(VIEW, Number.isInteger(m.index) && (m.index as number) >= 0, 'revealLayer.index is not a layer index');
    return { type, index: m.index as number };
  }
  return reject(VIEW, `unknown type "${type}"`);
}
