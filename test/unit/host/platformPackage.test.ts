import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { missingPlatformPackage, sharpPackage, vsceTarget } from '../../../src/host/platformPackage.ts';

test("a package without this platform's sharp names the platform package to install; one with it says nothing", (t) => {
  const ext = mkdtempSync(join(tmpdir(), 'cnnlab-ext-'));
  t.after(() => rmSync(ext, { recursive: true, force: true }));
  const line = missingPlatformPackage(ext, '0.1.0', 'darwin', 'arm64');
  assert.match(
    line!,
    /^This CNN Lab package has no native parts for darwin-arm64 \(@img\/sharp-darwin-arm64, the image decoder\).*cnn-lab-darwin-arm64-0\.1\.0\.vsix/,
  );
  assert.doesNotMatch(line!, /\n/);
  mkdirSync(join(ext, 'node_modules/@img/sharp-darwin-arm64'), { recursive: true });
  writeFileSync(join(ext, 'node_modules/@img/sharp-darwin-arm64/package.json'), '{}');
  assert.equal(missingPlatformPackage(ext, '0.1.0', 'darwin', 'arm64'), null);
  // a darwin-arm64 package installed on Linux is still missing the Linux parts
  assert.match(missingPlatformPackage(ext, '0.1.0', 'linux', 'x64')!, /linux-x64/);
});

test("musl Linux maps to alpine packages and sharp's linuxmusl build", () => {
  assert.equal(vsceTarget('linux', 'x64', true), 'alpine-x64');
  assert.equal(sharpPackage('linux', 'x64', true), '@img/sharp-linuxmusl-x64');
  assert.equal(vsceTarget('win32', 'x64'), 'win32-x64');
});
