// The backend list lives in src/core/backends.ts; the two JSON copies that cannot import it —
// package.json's `cnnLab.backend` setting and the experiment schema's `backend` — must list the
// same choices in the same order (the order the editor shows them in).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { BACKEND_CHOICES, BACKEND_NAMES, isBackendChoice, isBackendName } from '../../../src/core/backends.ts';

const root = join(__dirname, '..', '..', '..');
const readJson = (...p: string[]) => JSON.parse(readFileSync(join(root, ...p), 'utf8'));

test("package.json's cnnLab.backend enum is BACKEND_CHOICES", () => {
  const setting = readJson('package.json').contributes.configuration.properties['cnnLab.backend'];
  assert.deepEqual(setting.enum, [...BACKEND_CHOICES]);
  assert.equal(setting.enumDescriptions.length, BACKEND_CHOICES.length, 'one description per choice');
});

test("the experiment schema's backend enum is BACKEND_CHOICES", () => {
  assert.deepEqual(readJson('schemas', 'experiment.schema.json').properties.backend.enum, [...BACKEND_CHOICES]);
});

test('auto is a choice, not a backend', () => {
  assert.ok(isBackendChoice('auto') && !isBackendName('auto'));
  for (const name of BACKEND_NAMES) assert.ok(isBackendName(name) && isBackendChoice(name), name);
  for (const bad of ['cuda', '', 'AUTO', undefined, 3]) assert.ok(!isBackendChoice(bad), String(bad));
});
