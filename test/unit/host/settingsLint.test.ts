// Settings are read in one place (src/host/config.ts) from one table (src/host/settingDefaults.ts)
// whose defaults are package.json's: every setting read is contributed with that default, every
// contributed setting is read, and nothing else in src/ reads the configuration on its own.
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { test } from 'node:test';
import { SETTINGS_SECTION, SETTING_DEFAULTS } from '../../../src/host/settingDefaults.ts';

const repo = join(__dirname, '..', '..', '..');
const manifest = JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8'));
const contributed: Record<string, { default?: unknown }> = manifest.contributes.configuration.properties;

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? sources(p) : p.endsWith('.ts') ? [p] : [];
  });
}

test('every setting read is contributed in package.json, with the same default', () => {
  for (const [key, value] of Object.entries(SETTING_DEFAULTS)) {
    const property = contributed[`${SETTINGS_SECTION}.${key}`];
    assert.ok(property, `${SETTINGS_SECTION}.${key} is read but not in package.json contributes.configuration`);
    assert.deepEqual(value, property.default, `${SETTINGS_SECTION}.${key}`);
  }
});

test('every contributed setting is read, and every restricted one is contributed', () => {
  const read = new Set(Object.keys(SETTING_DEFAULTS).map((k) => `${SETTINGS_SECTION}.${k}`));
  assert.deepEqual(
    Object.keys(contributed).filter((k) => !read.has(k)),
    [],
  );
  assert.deepEqual(
    manifest.capabilities.untrustedWorkspaces.restrictedConfigurations.filter((k: string) => !(k in contributed)),
    [],
  );
});

test('only src/host/config.ts reads or watches the cnnLab settings', () => {
  const offenders = sources(join(repo, 'src'))
    .filter((p) => relative(repo, p).split(/[\\/]/).join('/') !== 'src/host/config.ts')
    .filter((p) => /getConfiguration\(|affectsConfiguration\(\s*['"`]cnnLab/.test(readFileSync(p, 'utf8')))
    .map((p) => relative(repo, p));
  assert.deepEqual(offenders, []);
});
