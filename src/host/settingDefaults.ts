// The settings CNN Lab reads, by key under `cnnLab.`, with their defaults taken from package.json's
// `contributes.configuration` (the manifest is the one place a default is written: VS Code shows
// it in the Settings editor, and src/host/config.ts falls back to the same value). No `vscode`
// import: test/unit/host/settingsLint.test.ts reads it in plain Node.
import type { BackendChoice } from '../core/backends.ts';
// Only `contributes` is imported, so the host bundle carries that part of the manifest, not all of it.
import { contributes } from '../../package.json';

export const SETTINGS_SECTION = 'cnnLab';

const properties = contributes.configuration.properties;

/** Every setting the extension reads, by key under SETTINGS_SECTION, with its manifest default. */
export const SETTING_DEFAULTS = {
  // the manifest's enum is BACKEND_CHOICES (test/unit/core/backendLists.test.ts)
  backend: properties['cnnLab.backend'].default as BackendChoice,
  defaultBase: properties['cnnLab.defaultBase'].default,
  modelsDir: properties['cnnLab.modelsDir'].default,
  'inlayHints.enabled': properties['cnnLab.inlayHints.enabled'].default,
  'native.indexUrl': properties['cnnLab.native.indexUrl'].default,
};

export type SettingKey = keyof typeof SETTING_DEFAULTS;
