// Which experiment paths leave the workspace folder (the decision behind Run Experiment's "Allow?"
// modal): a cloned repo's `"out": "../fakehome"` replaced files there. Real folders and symlinks
// in a temp dir; paths are resolved as the host resolves them for the engine.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { parseExperimentText, resolveExperimentPaths } from '../../../src/host/experiment/experimentFile.ts';
import { isInsideFolder, pathsOutsideWorkspace } from '../../../src/host/experiment/pathConfinement.ts';

const root = realpathSync(mkdtempSync(join(tmpdir(), 'cnnlab-confine-')));
const ws = join(root, 'repo');
const home = join(root, 'fakehome');
mkdirSync(join(ws, 'data', 'cats'), { recursive: true });
mkdirSync(home, { recursive: true });
// a folder in the repo that is a link out of it
symlinkSync(home, join(ws, 'linked'));
// the workspace opened through a symlink of its own (must not make everything "outside")
symlinkSync(ws, join(root, 'repo-link'));
after(() => rmSync(root, { recursive: true, force: true }));

function outside(fields: Record<string, unknown>, folder = ws, fileDir = ws) {
  const file = join(fileDir, 'x.cnnlab.json');
  const config = resolveExperimentPaths(parseExperimentText(JSON.stringify({ data: 'data', ...fields }), 'x.cnnlab.json'), file);
  return pathsOutsideWorkspace(config, folder).map((p) => `${p.field} ${p.real}`);
}

test('"out": "../fakehome", absolute paths and ../ data or base are outside; paths in the repo are not', () => {
  assert.deepEqual(outside({ out: 'models/pets' }), []);
  assert.deepEqual(outside({ out: '../fakehome' }), [`out ${home}`]);
  assert.deepEqual(outside({ out: home }), [`out ${home}`]);
  assert.deepEqual(outside({ data: '../fakehome/photos', validationData: '/etc', base: '../fakehome/m/model.json', out: 'models/a' }), [
    `data ${join(home, 'photos')}`,
    'validationData /etc',
    `base ${join(home, 'm', 'model.json')}`,
  ]);
});

test('a symlink in the repo pointing out of it is outside, also for a path that does not exist yet', () => {
  assert.deepEqual(outside({ out: 'linked/new-model' }), [`out ${join(home, 'new-model')}`]);
  assert.deepEqual(outside({ data: 'linked' }), [`data ${home}`]);
});

test('bundled and URL bases are not paths; a workspace opened through a symlink still contains its files', () => {
  assert.deepEqual(outside({ base: 'mobilenet_v2' }), []);
  assert.deepEqual(outside({ base: 'https://example.test/m/model.json' }), []);
  assert.deepEqual(outside({ base: 'keras:inception_v3' }), []);
  assert.deepEqual(outside({ out: 'models/a' }, join(root, 'repo-link'), join(root, 'repo-link')), []);
  // a sibling folder whose name starts like the workspace's is not inside it
  assert.equal(isInsideFolder(join(root, 'repo-other', 'x'), ws), false);
  assert.equal(isInsideFolder(ws, ws), true);
});

test('an experiment file in no workspace folder: every path asks', () => {
  const config = resolveExperimentPaths(
    parseExperimentText(JSON.stringify({ data: 'data', out: 'models/a' }), 'x.cnnlab.json'),
    join(ws, 'x.cnnlab.json'),
  );
  assert.deepEqual(
    pathsOutsideWorkspace(config, undefined).map((p) => p.field),
    ['data', 'out'],
  );
});
