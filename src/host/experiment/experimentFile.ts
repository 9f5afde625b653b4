// The experiment file (`NAME.cnnlab.json`) as the host reads and writes it: defaults for what the
// file leaves out, validation that names the field and the reason, and paths resolved relative to
// the file before the config is sent to the engine. No `vscode` import.
import { dirname, isAbsolute, resolve } from 'node:path';
import type { AugmentConfig, ExperimentConfig } from '../../core/experiment.ts';
import { AUGMENT_PRESETS, BUNDLED_BASE_IDS, withExperimentDefaults, type AugmentPreset } from '../../core/experimentDefaults.ts';
import { validateExperiment } from '../../core/experimentValidate.ts';
import { isObject } from '../../core/isObject.ts';
import { isKerasApplicationRef, KERAS_APPLICATION_IDS } from '../../core/kerasApplications.ts';

export const BUILTIN_BASES = BUNDLED_BASE_IDS;

export type WizardAugmentPreset = 'none' | AugmentPreset;

/** Augmentation choices of the wizard; "standard" is the ImageDataGenerator of the Keras transfer-learning recipe. */
export const WIZARD_AUGMENT_PRESETS: Record<WizardAugmentPreset, { label: string; detail: string; config: AugmentConfig | null }> = {
  none: { label: 'None', detail: 'Train on the images as they are.', config: null },
  light: { label: 'Light', detail: 'Flips, ±10° rotation, 10% shifts and zoom.', config: AUGMENT_PRESETS.light },
  standard: {
    label: 'Keras recipe',
    detail: "Like the Keras transfer-learning recipe's ImageDataGenerator: ±30° rotation, 20% shifts, shear and zoom, flips.",
    config: AUGMENT_PRESETS.standard,
  },
  strong: {
    label: 'Strong',
    detail: '±40° rotation, 25% shifts, shear, 30% zoom, flips: for very small datasets.',
    config: AUGMENT_PRESETS.strong,
  },
};

/** The experiment's fields in the order the file writes them. */
const FIELD_ORDER: (keyof ExperimentConfig)[] = [
  'data',
  'validationData',
  'validationSplit',
  'base',
  'fcUnits',
  'batchSize',
  'seed',
  'transfer',
  'fineTune',
  'freeze',
  'augment',
  'resize',
  'earlyStopping',
  'backend',
  'out',
];
/** Every key a file may hold: the fields and its `$schema`. */
const FIELDS = new Set<string>(['$schema', ...FIELD_ORDER]);

type Rec = Record<string, unknown>;

function parseJsonObject(text: string, file: string): Rec {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new Error(`${file}: not valid JSON (${(e as Error).message})`);
  }
  if (!isObject(raw)) throw new Error(`${file}: an experiment must be a JSON object`);
  return raw;
}

/**
 * Parses an experiment file's text into a complete config: core's defaults fill what the file
 * leaves out (`out` defaults to `defaultOut`), core's validator checks it. Throws one error naming
 * the file and every bad field with the reason.
 */
export function parseExperimentText(text: string, file: string, defaultOut = 'models/model'): ExperimentConfig {
  const raw = parseJsonObject(text, file);
  const problems: string[] = [];
  for (const k of Object.keys(raw)) if (!FIELDS.has(k)) problems.push(`"${k}" is not an experiment field`);
  if (typeof raw.data !== 'string' || raw.data.trim() === '') problems.push('"data" must name the dataset folder');
  const base = raw.base;
  if (typeof base === 'string' && isKerasApplicationRef(base)) {
    if (!KERAS_APPLICATION_IDS.includes(base))
      problems.push(`"base" "${base}" is not a known Keras application; known: ${KERAS_APPLICATION_IDS.join(', ')}`);
  } else if (
    typeof base === 'string' &&
    !(BUILTIN_BASES as readonly string[]).includes(base) &&
    !/^https?:\/\//.test(base) &&
    !base.endsWith('.json')
  ) {
    problems.push(
      `"base" must be one of ${BUILTIN_BASES.join(', ')}, keras:NAME (${KERAS_APPLICATION_IDS.join(', ')}), a model.json path or an http(s) URL, got "${base}"`,
    );
  }
  const { $schema: _schema, ...rest } = raw;
  const config = withExperimentDefaults({ ...(rest as object), out: typeof raw.out === 'string' ? raw.out : defaultOut });
  if (problems.length === 0) {
    for (const issue of validateExperiment(config)) problems.push(issue.field ? `"${issue.field}" ${issue.message}` : issue.message);
  }
  if (problems.length) throw new Error(`${file}: ${problems.join('; ')}`);
  return config;
}

function resolvePath(fromDir: string, p: string): string {
  return isAbsolute(p) ? p : resolve(fromDir, p);
}

/** The config the engine gets: local paths made absolute, relative to the experiment file. */
export function resolveExperimentPaths(config: ExperimentConfig, experimentFile: string): ExperimentConfig {
  const dir = dirname(experimentFile);
  const named =
    /^https?:\/\//.test(config.base) || (BUILTIN_BASES as readonly string[]).includes(config.base) || isKerasApplicationRef(config.base);
  const base = named ? config.base : resolvePath(dir, config.base);
  return {
    ...config,
    data: resolvePath(dir, config.data),
    validationData: config.validationData === undefined ? undefined : resolvePath(dir, config.validationData),
    base,
    out: resolvePath(dir, config.out),
  };
}

/** The file's text for a config (stable key order, 2-space indent, trailing newline). */
export function serializeExperiment(config: ExperimentConfig): string {
  const ordered: Rec = {};
  for (const k of FIELD_ORDER) if (config[k] !== undefined) ordered[k] = config[k];
  return JSON.stringify(ordered, null, 2) + '\n';
}

/**
 * The text of an experiment file with only `freeze` changed: the rest of the user's file (keys,
 * order, values) is kept; the Freeze panel applies it as one undoable edit.
 */
export function withFreeze(text: string, file: string, freeze: string[]): string {
  const raw = parseJsonObject(text, file);
  const next: Rec = {};
  let placed = false;
  for (const [k, v] of Object.entries(raw)) {
    if (k === 'freeze') {
      next.freeze = freeze;
      placed = true;
    } else next[k] = v;
    // a file without `freeze` gets it right after fineTune, where the schema documents it
    if (k === 'fineTune' && !('freeze' in raw)) {
      next.freeze = freeze;
      placed = true;
    }
  }
  if (!placed) next.freeze = freeze;
  return JSON.stringify(next, null, 2) + '\n';
}

/** A file name for a new experiment, e.g. "flowers-mobilenet_v2.cnnlab.json". */
export function experimentFileName(datasetName: string, base: string): string {
  const baseName = /^https?:|\.json$/.test(base) ? 'custom' : base.replace(':', '-'); // keras:vgg16 -> keras-vgg16
  const safe = datasetName.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^-+|-+$/g, '') || 'experiment';
  return `${safe}-${baseName}.cnnlab.json`;
}
