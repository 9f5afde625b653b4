// package.json `contributes` must match the command ids typed in src/host/commands.ts
// (after vscode-codeql's command-lint test): no command declared but not implemented, none
// implemented but not declared, every menu entry pointing at a declared command.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { COMMANDS, COMMAND_CATEGORY, IMAGE_PREVIEW_WHEN, IMAGE_WHEN, KERAS_MODEL_WHEN, PANELS, VIEWS } from '../../../src/host/commands.ts';

const root = join(__dirname, '..', '..', '..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const contributes = pkg.contributes;
const specs = Object.values(COMMANDS);

test('every command in code is declared in package.json with its title and category, and vice versa', () => {
  const declared = new Map<string, { title: string; category: string }>(
    contributes.commands.map((c: { command: string; title: string; category: string }) => [c.command, c]),
  );
  assert.deepEqual([...declared.keys()].sort(), specs.map((s) => s.id).sort());
  for (const s of specs) {
    assert.equal(declared.get(s.id)!.title, s.title, `title of ${s.id}`);
    assert.equal(declared.get(s.id)!.category, COMMAND_CATEGORY, `category of ${s.id}`);
  }
});

test('every menu entry refers to a declared command; palette visibility follows the table', () => {
  const ids = new Set(specs.map((s) => s.id));
  for (const [menu, entries] of Object.entries(contributes.menus as Record<string, { command: string; when?: string }[]>)) {
    for (const e of entries) assert.ok(ids.has(e.command as never), `${menu} refers to unknown command ${e.command}`);
  }
  const hidden = new Set(
    (contributes.menus.commandPalette ?? [])
      .filter((e: { when?: string }) => e.when === 'false')
      .map((e: { command: string }) => e.command),
  );
  for (const s of specs) assert.equal(!hidden.has(s.id), s.palette, `palette visibility of ${s.id}`);
});

test('Predict appears on image files in the explorer and in the image preview title bar', () => {
  const explorer = contributes.menus['explorer/context'].filter((e: { command: string }) => e.command === COMMANDS.predict.id);
  assert.equal(explorer.length, 1);
  assert.ok(explorer[0].when.includes(IMAGE_WHEN), `explorer when clause: ${explorer[0].when}`);
  const title = contributes.menus['editor/title'].filter((e: { command: string }) => e.command === COMMANDS.predict.id);
  assert.deepEqual(
    title.map((e: { when: string }) => e.when),
    [IMAGE_PREVIEW_WHEN],
  );
  // the regex in the when clause really matches image names and nothing else
  const pattern = /\/(.*)\/i$/.exec(IMAGE_WHEN)![1].replace(/\\\\/g, '\\');
  const re = new RegExp(pattern, 'i');
  for (const ok of ['.png', '.JPG', '.jpeg', '.webp']) assert.ok(re.test(ok), ok);
  for (const no of ['.json', '.py', '.pngx', '.svgz']) assert.ok(!re.test(no), no);
});

test('Open Model Architecture is offered on Keras .keras/.h5 files in the explorer', () => {
  const entries = contributes.menus['explorer/context'].filter(
    (e: { command: string; when: string }) => e.command === COMMANDS.openArchitecture.id && !e.when.includes('explorerResourceIsFolder'),
  );
  assert.equal(entries.length, 1);
  assert.ok(entries[0].when.includes(KERAS_MODEL_WHEN), `explorer when clause: ${entries[0].when}`);
  const re = new RegExp(/\/(.*)\/i$/.exec(KERAS_MODEL_WHEN)![1].replace(/\\\\/g, '\\'), 'i');
  for (const ok of ['.keras', '.h5', '.H5']) assert.ok(re.test(ok), ok);
  for (const no of ['.json', '.h5x', '.kerasx', '.hdf5']) assert.ok(!re.test(no), no);
});

test('Train Transfer Model is offered on explorer folders', () => {
  const entry = contributes.menus['explorer/context'].find((e: { command: string }) => e.command === COMMANDS.trainTransferModel.id);
  assert.equal(entry?.when, 'explorerResourceIsFolder');
});

test('views, panels, settings, schema and activation are contributed consistently', () => {
  assert.ok(contributes.viewsContainers.activitybar.some((c: { id: string }) => c.id === VIEWS.container));
  assert.ok(contributes.views[VIEWS.container].some((v: { id: string; type: string }) => v.id === VIEWS.freeze && v.type === 'webview'));
  for (const panel of Object.values(PANELS)) assert.ok(pkg.activationEvents.includes(`onWebviewPanel:${panel}`), panel);
  assert.ok(pkg.activationEvents.includes('workspaceContains:**/*.cnnlab.json'));
  assert.ok(!pkg.activationEvents.includes('*'), 'activation must stay lazy');
  assert.deepEqual(Object.keys(contributes.configuration.properties).sort(), [
    'cnnLab.backend',
    'cnnLab.defaultBase',
    'cnnLab.inlayHints.enabled',
    'cnnLab.modelsDir',
    'cnnLab.native.indexUrl',
  ]);
  // a workspace (an untrusted repository) must not choose where libraries are downloaded from
  assert.equal(contributes.configuration.properties['cnnLab.native.indexUrl'].scope, 'application');
  const schema = contributes.jsonValidation.find((j: { fileMatch: string }) => j.fileMatch === '*.cnnlab.json');
  const schemaJson = JSON.parse(readFileSync(join(root, schema.url), 'utf8'));
  assert.equal(schemaJson.type, 'object');
  assert.equal(pkg.capabilities.untrustedWorkspaces.supported, 'limited');
  for (const rel of [contributes.viewsContainers.activitybar[0].icon, pkg.icon]) {
    assert.ok(readFileSync(join(root, rel)).length > 0, `${rel} exists`);
  }
});
