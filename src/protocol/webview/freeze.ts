// Messages between the host and the freeze panel (a webview view), and their validators.
import { isObject } from '../../core/isObject.ts';
import { isFiniteNumber, isString, isStringArray, messageType, need, reject, type Rec } from './check.ts';

export interface FreezeLayer {
  name: string;
  className: string;
  params: number;
  group: string | null;
}

export interface FreezeState {
  experimentPath: string;
  experimentName: string;
  base: string;
  /** the ranges as written in the file */
  freeze: string[];
  layers: FreezeLayer[];
  fineTuneEpochs: number;
}

export type FreezeToWebview =
  { type: 'state'; state: FreezeState } | { type: 'empty'; message: string } | { type: 'loading'; message: string };

export type FreezeFromWebview = { type: 'ready' } | { type: 'setFreeze'; freeze: string[] } | { type: 'chooseExperiment' };

const VIEW = 'freeze panel';

export function validateFreezeToWebview(raw: unknown): FreezeToWebview {
  const { type, m } = messageType(VIEW, raw);
  if (type === 'empty' || type === 'loading') {
    need(VIEW, isString(m.message), `${type}.message is not a string`);
    return { type, message: m.message as string };
  }
  if (type !== 'state') return reject(VIEW, `unknown type "${type}"`);
  need(VIEW, isObject(m.state), 'state is not an object');
  const s = m.state as Rec;
  for (const k of ['experimentPath', 'experimentName', 'base']) need(VIEW, isString(s[k]), `state.${k} is not a string`);
  need(VIEW, isStringArray(s.freeze), 'state.freeze is not an array of strings');
  need(VIEW, isFiniteNumber(s.fineTuneEpochs), 'state.fineTuneEpochs is not a number');
  need(VIEW, Array.isArray(s.layers), 'state.layers is not an array');
  (s.layers as unknown[]).forEach((l, i) => {
    need(VIEW, isObject(l) && isString((l as Rec).name) && isString((l as Rec).className), `layers[${i}] lacks name/className`);
    need(VIEW, isFiniteNumber((l as Rec).params), `layers[${i}].params is not a number`);
    need(VIEW, (l as Rec).group === null || isString((l as Rec).group), `layers[${i}].group is not a string or null`);
  });
  return m as unknown as FreezeToWebview;
}

export function validateFreezeFromWebview(raw: unknown): FreezeFromWebview {
  const { type, m } = messageType(VIEW, raw);
  if (type === 'ready' || type === 'chooseExperiment') return { type };
  if (type === 'setFreeze') {
    need(VIEW, isStringArray(m.freeze), 'setFreeze.freeze is not an array of strings');
    need(
      VIEW,
      (m.freeze as string[]).length <= 10000 && (m.freeze as string[]).every((s) => s.length <= 500),
      'setFreeze.freeze is too large',
    );
    return { type, freeze: m.freeze as string[] };
  }
  return reject(VIEW, `unknown type "${type}"`);
}
