// Validation of an experiment file at every boundary it crosses (CLI, editor, engine IPC). Each
// problem names the field, so "transfer.learningRate must be a number > 0, got -1" can be shown
// next to the value in the editor and as a one-line CLI error.
import { BACKEND_CHOICES, isBackendChoice } from './backends.ts';
import type { ExperimentConfig } from './experiment.ts';

export interface ExperimentIssue {
  /** dotted path, e.g. "fineTune.epochs" */
  field: string;
  message: string;
}

const AUGMENT_LIMITS: Record<string, number> = {
  rotationRange: 360,
  widthShiftRange: Infinity,
  heightShiftRange: Infinity,
  shearRange: 90,
  zoomRange: 1,
};

const show = (v: unknown) => (v === undefined ? 'nothing' : JSON.stringify(v));

/** All problems with `value` as an ExperimentConfig; empty when it is valid. */
export function validateExperiment(value: unknown): ExperimentIssue[] {
  const issues: ExperimentIssue[] = [];
  const add = (field: string, message: string) => issues.push({ field, message });
  if (!value || typeof value !== 'object' || Array.isArray(value)) {
    add('', `an experiment must be an object, got ${show(value)}`);
    return issues;
  }
  const c = value as Record<string, unknown>;
  const str = (field: string, v: unknown, required: boolean) => {
    if (v === undefined && !required) return;
    if (typeof v !== 'string' || v.trim() === '') add(field, `must be a non-empty string, got ${show(v)}`);
  };
  const int = (field: string, v: unknown, min: number, max = Number.MAX_SAFE_INTEGER) => {
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
      add(field, `must be an integer${max < Number.MAX_SAFE_INTEGER ? ` from ${min} to ${max}` : ` ≥ ${min}`}, got ${show(v)}`);
    }
  };
  const positive = (field: string, v: unknown, max = Infinity) => {
    if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0 || v > max) {
      add(field, `must be a number > 0${max < Infinity ? ` and ≤ ${max}` : ''}, got ${show(v)}`);
    }
  };
  const object = (field: string, v: unknown): Record<string, unknown> | null => {
    if (!v || typeof v !== 'object' || Array.isArray(v)) {
      add(field, `must be an object, got ${show(v)}`);
      return null;
    }
    return v as Record<string, unknown>;
  };

  str('data', c.data, true);
  str('validationData', c.validationData, false);
  str('out', c.out, true);
  str('base', c.base, true);
  if (typeof c.validationSplit !== 'number' || !(c.validationSplit >= 0 && c.validationSplit < 1)) {
    add('validationSplit', `must be a number from 0 to below 1, got ${show(c.validationSplit)}`);
  }
  int('fcUnits', c.fcUnits, 1, 65536);
  int('batchSize', c.batchSize, 1, 4096);
  int('seed', c.seed, 0, 2 ** 32 - 1);
  const transfer = object('transfer', c.transfer);
  if (transfer) {
    int('transfer.epochs', transfer.epochs, 0, 100000);
    positive('transfer.learningRate', transfer.learningRate, 10);
  }
  const fineTune = object('fineTune', c.fineTune);
  if (fineTune) {
    int('fineTune.epochs', fineTune.epochs, 0, 100000);
    positive('fineTune.learningRate', fineTune.learningRate, 10);
    if (typeof fineTune.momentum !== 'number' || !(fineTune.momentum >= 0 && fineTune.momentum < 1)) {
      add('fineTune.momentum', `must be a number from 0 to below 1, got ${show(fineTune.momentum)}`);
    }
  }
  if (transfer && fineTune && transfer.epochs === 0 && fineTune.epochs === 0) {
    add('transfer.epochs', 'transfer.epochs and fineTune.epochs are both 0: nothing to train');
  }
  if (!Array.isArray(c.freeze) || c.freeze.some((f) => typeof f !== 'string')) {
    add('freeze', `must be an array of range strings (e.g. ["up to mixed8"]), got ${show(c.freeze)}`);
  }
  if (c.augment !== null) {
    const a = object('augment', c.augment);
    if (a) {
      for (const [key, max] of Object.entries(AUGMENT_LIMITS)) {
        const v = a[key];
        if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || v > max) {
          add(`augment.${key}`, `must be a number ≥ 0${max < Infinity ? ` and ≤ ${max}` : ''}, got ${show(v)}`);
        }
      }
      if (typeof a.horizontalFlip !== 'boolean') add('augment.horizontalFlip', `must be true or false, got ${show(a.horizontalFlip)}`);
      if (a.fillMode !== 'nearest') add('augment.fillMode', `must be "nearest", got ${show(a.fillMode)}`);
    }
  }
  if (c.resize !== 'stretch' && c.resize !== 'center-crop') add('resize', `must be "stretch" or "center-crop", got ${show(c.resize)}`);
  if (c.earlyStopping !== null) {
    const e = object('earlyStopping', c.earlyStopping);
    if (e) {
      int('earlyStopping.patience', e.patience, 1, 100000);
      if (typeof e.restoreBest !== 'boolean') add('earlyStopping.restoreBest', `must be true or false, got ${show(e.restoreBest)}`);
    }
  }
  if (!isBackendChoice(c.backend)) {
    add('backend', `must be one of ${BACKEND_CHOICES.join(', ')}, got ${show(c.backend)}`);
  }
  return issues;
}

/** Throws one error listing every problem, each with its field, when `value` is not valid. */
export function assertValidExperiment(value: unknown): asserts value is ExperimentConfig {
  const issues = validateExperiment(value);
  if (issues.length === 0) return;
  const text = issues.map((i) => (i.field ? `${i.field} ${i.message}` : i.message)).join('; ');
  throw new Error(`invalid experiment: ${text}`);
}
