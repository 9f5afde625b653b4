// The advice for a backend that cannot run names what can be done where the engine runs: npm and
// the provisioning script in a source checkout (the CLI, or the extension run from it), another
// backend in the installed extension, whose VSIX ships neither scripts nor libtensorflow.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import { detectInstallContext, nativeInstallHint, packageHint, type InstallContext } from '../../../../src/engine/backends/installHints.ts';

const repo = resolve(__dirname, '../../../..');
const TFJS = '4.22.0';
const cliInCheckout: InstallContext = { host: 'cli', checkout: repo };
const extensionInCheckout: InstallContext = { host: 'extension', checkout: repo };
const installedExtension: InstallContext = { host: 'extension', checkout: null };

test('context: a checkout has the provisioning script; an installed extension (like the VSIX) has none', (t) => {
  assert.deepEqual(detectInstallContext({}, join(repo, 'src/engine/backends')), cliInCheckout);
  // an installed extension's folder: package.json and dist/, no scripts/ (.vscodeignore drops it)
  const ext = mkdtempSync(join(tmpdir(), 'cnn-lab-ext-'));
  t.after(() => rmSync(ext, { recursive: true, force: true }));
  writeFileSync(join(ext, 'package.json'), JSON.stringify({ name: 'cnn-lab', version: '0.1.0' }));
  mkdirSync(join(ext, 'dist'));
  assert.deepEqual(detectInstallContext({ CNN_LAB_HOST: 'vscode' }, join(ext, 'dist')), installedExtension);
  assert.equal(detectInstallContext({ CNN_LAB_HOST: 'other' }, join(ext, 'dist')).host, 'cli');
});

test('tensorflow in the installed extension: the Install Native Backend command, or another backend; never npm install', () => {
  for (const problem of ['unavailable', 'not-built'] as const) {
    const hint = nativeInstallHint('tensorflow', '@tensorflow/tfjs-node', TFJS, problem, installedExtension, 'linux-x64');
    assert.doesNotMatch(hint, /npm install/, hint);
    assert.match(
      hint,
      /^run "CNN Lab: Install Native Backend" \(fetches libtensorflow from the tensorflow-cpu wheel on the Python package index/,
    );
    assert.match(hint, /"CNN Lab: Install Native Backend from File…" takes a wheel downloaded elsewhere/);
    assert.match(hint, /or choose wasm .* or cpu .* with "CNN Lab: Select Compute Backend"$/);
  }
  // where the binding is not built, installing cannot help: say so and name the platform
  const mac = nativeInstallHint('tensorflow', '@tensorflow/tfjs-node', TFJS, 'not-built', installedExtension, 'darwin-arm64');
  assert.match(mac, /Linux x64 only .* this is darwin-arm64: choose webgpu .* with "CNN Lab: Select Compute Backend"$/);
  assert.doesNotMatch(mac, /Install Native Backend/);
  const gpu = nativeInstallHint('tensorflow-gpu', '@tensorflow/tfjs-node-gpu', TFJS, 'unavailable', installedExtension);
  assert.match(
    gpu,
    /^the installed CNN Lab does not ship @tensorflow\/tfjs-node-gpu .*: choose webgpu .* with "CNN Lab: Select Compute Backend"/,
  );
});

test('tensorflow from the CLI in a checkout: npm install, or the provisioning script offline', () => {
  assert.equal(
    nativeInstallHint('tensorflow', '@tensorflow/tfjs-node', TFJS, 'unavailable', cliInCheckout),
    'npm install @tensorflow/tfjs-node@4.22.0 (its installer downloads libtensorflow); without internet: npm install --ignore-scripts @tensorflow/tfjs-node@4.22.0, then scripts/provision-libtensorflow (builds the binding from the tensorflow-cpu wheel)',
  );
  assert.equal(
    nativeInstallHint('tensorflow', '@tensorflow/tfjs-node', TFJS, 'not-built', cliInCheckout),
    'run scripts/provision-libtensorflow (builds it offline from the tensorflow-cpu wheel)',
  );
  assert.match(
    nativeInstallHint('tensorflow-gpu', '@tensorflow/tfjs-node-gpu', TFJS, 'unavailable', cliInCheckout),
    /^npm install @tensorflow\/tfjs-node-gpu@4\.22\.0 with CUDA 11\.2 and cuDNN 8\.1/,
  );
  // the same engine run by the extension from that checkout: where to run it, and to reload
  assert.equal(
    nativeInstallHint('tensorflow', '@tensorflow/tfjs-node', TFJS, 'not-built', extensionInCheckout),
    `run scripts/provision-libtensorflow in ${repo}, then run "Developer: Reload Window" (builds it offline from the tensorflow-cpu wheel)`,
  );
});

test('bundled packages: npm install in a checkout, reinstalling the extension otherwise', () => {
  assert.equal(packageHint(`@tensorflow/tfjs-backend-wasm@${TFJS}`, cliInCheckout), 'npm install @tensorflow/tfjs-backend-wasm@4.22.0');
  assert.equal(
    packageHint(`@tensorflow/tfjs-backend-wasm@${TFJS}`, installedExtension),
    'reinstall the CNN Lab extension (its VSIX ships @tensorflow/tfjs-backend-wasm), or choose cpu with "CNN Lab: Select Compute Backend"',
  );
  assert.match(packageHint('webgpu', { host: 'cli', checkout: null }), /ships webgpu\), or use --backend cpu$/);
});
