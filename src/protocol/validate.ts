// Validation of messages arriving at the engine over IPC: whatever the other process sends, the
// engine acts only on a well-formed request, and a malformed one is answered with an error naming
// the field — never a crash, never a silent drop.
import { BACKEND_CHOICES, isBackendChoice } from '../core/backends.ts';
import { validateExperiment } from '../core/experimentValidate.ts';
import { isObject } from '../core/isObject.ts';
import type { EnginePing, HostToEngine, RequestMethod } from './messages.ts';

const METHODS: readonly RequestMethod[] = [
  'describeModel',
  'listBackends',
  'checkNative',
  'train',
  'cancel',
  'predict',
  'evaluate',
  'exportModel',
];

export class InvalidMessageError extends Error {
  constructor(
    message: string,
    /** the request id when one could be read, so the error can be answered */
    readonly id?: number,
  ) {
    super(message);
  }
}

const nonEmptyString = (v: unknown) => typeof v === 'string' && v.length > 0;

/** Returns the problem with `params` for `method`, or null when they are valid. */
export function paramsProblem(method: RequestMethod, params: unknown): string | null {
  if (!isObject(params)) return 'params must be an object';
  switch (method) {
    case 'describeModel':
      return nonEmptyString(params.path) ? null : 'params.path must be a non-empty string';
    case 'listBackends':
    case 'checkNative':
      return null;
    case 'train': {
      if (!nonEmptyString(params.runId)) return 'params.runId must be a non-empty string';
      if (params.resume !== undefined && typeof params.resume !== 'boolean') return 'params.resume must be true or false';
      const issues = validateExperiment(params.config);
      return issues.length ? issues.map((i) => `params.config${i.field ? '.' + i.field : ''} ${i.message}`).join('; ') : null;
    }
    case 'cancel':
      if (!nonEmptyString(params.runId)) return 'params.runId must be a non-empty string';
      return typeof params.keepBest === 'boolean' ? null : 'params.keepBest must be true or false';
    case 'predict': {
      if (!nonEmptyString(params.modelDir)) return 'params.modelDir must be a non-empty string';
      const hasImages = params.images !== undefined;
      const hasUrl = params.url !== undefined;
      if (hasImages && (!Array.isArray(params.images) || !params.images.every(nonEmptyString)))
        return 'params.images must be an array of file paths';
      if (hasUrl && !nonEmptyString(params.url)) return 'params.url must be a non-empty string';
      if (!hasImages && !hasUrl) return 'params needs images or url';
      if (!Number.isInteger(params.topK) || (params.topK as number) < 1) return 'params.topK must be an integer ≥ 1';
      if (params.backend !== undefined && !isBackendChoice(params.backend))
        return `params.backend must be one of ${BACKEND_CHOICES.join(', ')}`;
      return null;
    }
    case 'evaluate':
      if (!nonEmptyString(params.modelDir)) return 'params.modelDir must be a non-empty string';
      if (!nonEmptyString(params.data)) return 'params.data must be a non-empty string';
      if (params.backend !== undefined && !isBackendChoice(params.backend))
        return `params.backend must be one of ${BACKEND_CHOICES.join(', ')}`;
      return null;
    case 'exportModel':
      if (!nonEmptyString(params.modelDir)) return 'params.modelDir must be a non-empty string';
      if (!nonEmptyString(params.out)) return 'params.out must be a non-empty string';
      return params.format === 'keras' || params.format === 'h5' ? null : 'params.format must be "keras" or "h5"';
    default: {
      const never: never = method;
      return `unknown method ${String(never)}`;
    }
  }
}

/** A liveness ping from the host (answered with a pong before anything else, never a request). */
export function isPing(message: unknown): message is EnginePing {
  return isObject(message) && message.kind === 'ping' && Number.isInteger(message.id);
}

/** Checks an incoming IPC message; throws InvalidMessageError (with the id when readable). */
export function validateHostMessage(message: unknown): HostToEngine {
  if (!isObject(message)) throw new InvalidMessageError('message must be an object');
  const id = Number.isInteger(message.id) ? (message.id as number) : undefined;
  if (message.kind !== 'request') throw new InvalidMessageError(`message.kind must be "request", got ${JSON.stringify(message.kind)}`, id);
  if (id === undefined) throw new InvalidMessageError('message.id must be an integer');
  if (!METHODS.includes(message.method as RequestMethod)) {
    throw new InvalidMessageError(`unknown method ${JSON.stringify(message.method)}; expected one of ${METHODS.join(', ')}`, id);
  }
  const problem = paramsProblem(message.method as RequestMethod, message.params);
  if (problem) throw new InvalidMessageError(`${String(message.method)}: ${problem}`, id);
  return message as unknown as HostToEngine;
}
