// CNN Lab's settings, read in one typed place (like rust-analyzer's editors/code/src/config.ts):
// one getter per setting, each read fresh so a change applies at once, defaults from the
// manifest (src/host/settingDefaults.ts). Nothing else in the extension calls getConfiguration('cnnLab').
import * as vscode from 'vscode';
import type { BackendChoice } from '../core/backends.ts';
import { SETTINGS_SECTION, SETTING_DEFAULTS, type SettingKey } from './settingDefaults.ts';

function read<K extends SettingKey>(key: K): (typeof SETTING_DEFAULTS)[K] {
  return vscode.workspace.getConfiguration(SETTINGS_SECTION).get(key, SETTING_DEFAULTS[key]);
}

export const settings = {
  /** As written in settings.json: an unknown name is refused by the engine, with the valid ones. */
  get backend(): BackendChoice {
    return read('backend');
  },
  /** The base the Train wizard proposes first. */
  get defaultBase(): string {
    return read('defaultBase');
  },
  /** Where models are saved, relative to the workspace folder or absolute; empty means the default. */
  get modelsDir(): string {
    return read('modelsDir') || SETTING_DEFAULTS.modelsDir;
  },
  get inlayHintsEnabled(): boolean {
    return read('inlayHints.enabled');
  },
  /** The package index the native backend is installed from; empty means the default (pypi.org). */
  get nativeIndexUrl(): string {
    return read('native.indexUrl') || SETTING_DEFAULTS['native.indexUrl'];
  },

  setBackend(value: BackendChoice, target: vscode.ConfigurationTarget): Thenable<void> {
    return vscode.workspace.getConfiguration(SETTINGS_SECTION).update('backend', value, target);
  },

  /** Whether a configuration change touches `key`. */
  affects(event: vscode.ConfigurationChangeEvent, key: SettingKey): boolean {
    return event.affectsConfiguration(`${SETTINGS_SECTION}.${key}`);
  },
};
