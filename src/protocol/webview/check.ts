// Tiny structural checks for messages crossing the webview boundary. Each view's module builds
// its validators from these; a validator returns the typed message or throws naming the field.
import { isObject } from '../../core/isObject.ts';

export class MessageError extends Error {
  constructor(view: string, detail: string) {
    super(`${view}: rejected message: ${detail}`);
    this.name = 'MessageError';
  }
}

export type Rec = Record<string, unknown>;

export function isFiniteNumber(v: unknown): v is number {
  return typeof v === 'number' && Number.isFinite(v);
}

/** NaN/Infinity are allowed in metrics (a diverging loss is still a value to draw). */
export function isNumber(v: unknown): v is number {
  return typeof v === 'number';
}

export function isNumberArray(v: unknown): v is number[] {
  return Array.isArray(v) && v.every(isNumber);
}

export function isStringArray(v: unknown): v is string[] {
  return Array.isArray(v) && v.every((x) => typeof x === 'string');
}

export function optional<T>(v: unknown, check: (x: unknown) => x is T): v is T | undefined {
  return v === undefined || check(v);
}

export function isString(v: unknown): v is string {
  return typeof v === 'string';
}

export function isBoolean(v: unknown): v is boolean {
  return typeof v === 'boolean';
}

/** Reads `type` of a message object, or throws. */
export function messageType(view: string, raw: unknown): { type: string; m: Rec } {
  if (!isObject(raw)) throw new MessageError(view, 'not an object');
  if (typeof raw.type !== 'string') throw new MessageError(view, 'missing string field "type"');
  return { type: raw.type, m: raw };
}

export function need(view: string, ok: boolean, what: string): void {
  if (!ok) throw new MessageError(view, what);
}

export function reject(view: string, detail: string): never {
  throw new MessageError(view, detail);
}

/**
 * A webview message validated, or undefined after `warn` says why it was dropped: webviews are
 * untrusted input, and a bad message must never throw inside the extension host.
 */
export function acceptMessage<T>(validate: (raw: unknown) => T, raw: unknown, warn: (reason: string) => void): T | undefined {
  try {
    return validate(raw);
  } catch (e) {
    warn((e as Error).message);
    return undefined;
  }
}
