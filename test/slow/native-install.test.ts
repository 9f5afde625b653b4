// Install Native Backend end to end without the internet: the real tensorflow-cpu wheel that CI
// caches (.cache/libtensorflow, from scripts/provision-libtensorflow) served by a loopback PEP 691
// index, downloaded with its published sha256, the two libraries streamed out of it, and checked
// by a real engine (dist/engine.js) that loads them through LD_LIBRARY_PATH and computes a conv2d
// and its filter gradient; the check also proves the library mapped is the installed one, not the
// checkout's node_modules/@tensorflow/tfjs-node/deps. Then a real full disk (a small tmpfs, root).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, test } from 'node:test';
import { checkInEngine } from '../../src/host/native/engineCheck.ts';
import { NativeInstallError } from '../../src/host/native/errors.ts';
import { installFromIndex, readInstalled, removeInstalled, versionDir } from '../../src/host/native/installer.ts';
import { TF_VERSION } from '../../src/host/native/nativeTarget.ts';
import { startIndex } from '../unit/host/native/loopbackIndex.ts';

const repo = resolve(__dirname, '../..');
const cache = join(repo, '.cache/libtensorflow');
const realWheel = existsSync(cache)
  ? readdirSync(cache).find((f) => f.startsWith(`tensorflow_cpu-${TF_VERSION}-`) && f.endsWith('.whl'))
  : undefined;
const skip =
  process.platform !== 'linux' || process.arch !== 'x64'
    ? 'Linux x64 only'
    : !realWheel
      ? `no ${cache}/tensorflow_cpu-${TF_VERSION}-*.whl (run scripts/provision-libtensorflow)`
      : false;
const storage = mkdtempSync(join(tmpdir(), 'cnnlab-native-real-'));
after(() => rmSync(storage, { recursive: true, force: true }));

test(
  'the real wheel from a loopback index: downloaded, extracted, loaded and checked by the engine',
  { skip, timeout: 600_000 },
  async () => {
    const index = await startIndex(join(cache, realWheel!), realWheel);
    const times: Record<string, number> = {};
    try {
      const record = await installFromIndex({
        storage,
        indexUrl: index.indexUrl, // KNOWN_WHEELS applies: the index must serve the published bytes
        onStage: (stage) => (times[stage] = Date.now()),
        verify: (dir) => checkInEngine(dir, { enginePath: join(repo, 'dist/engine.js'), cwd: repo }),
      });
      const done = Date.now();
      const dl = ((times.extracting - times.downloading) / 1000).toFixed(1);
      const ex = ((times.checking - times.extracting) / 1000).toFixed(1);
      const ck = ((done - times.checking) / 1000).toFixed(1);
      console.log(
        `real wheel ${realWheel} (${(index.size / 1e6).toFixed(0)} MB): download+sha256 ${dl} s, extract 2 libraries ${ex} s, engine check ${ck} s`,
      );
      assert.match(
        record.check,
        new RegExp(
          `^libtensorflow 2\\.21\\.0 from ${versionDir(storage).replace(/\./g, '\\.')}/libtensorflow_cc\\.so\\.2: conv2d 6,8,12,14, filter gradient 12,16,24,28 \\(device: CPU\\)$`,
        ),
      );
      assert.deepEqual(readdirSync(versionDir(storage)).sort(), ['install.json', 'libtensorflow_cc.so.2', 'libtensorflow_framework.so.2']);
      assert.ok(await readInstalled(storage));
      assert.equal(index.requests.filter((r) => r.path.startsWith('/files/')).length, 1);
    } finally {
      await index.close();
    }
    await removeInstalled(storage);
    assert.deepEqual(readdirSync(storage), []);
  },
);

test(
  'a real full disk (tmpfs): refused after the lookup, before the download, in one line with the MB needed and the path, nothing left',
  { skip: skip || (process.getuid?.() !== 0 ? 'needs root (mount)' : false), timeout: 600_000 },
  async (t) => {
    // 300 MB: the 274 MB wheel fits, its 853 MB of libraries do not
    const small = mkdtempSync(join(tmpdir(), 'cnnlab-native-tmpfs-'));
    mkdirSync(join(small, 'storage'));
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=300m', 'tmpfs', join(small, 'storage')]);
    t.after(() => {
      execFileSync('umount', [join(small, 'storage')]);
      rmSync(small, { recursive: true, force: true });
    });
    const index = await startIndex(join(cache, realWheel!), realWheel);
    try {
      const e = await installFromIndex({ storage: join(small, 'storage'), indexUrl: index.indexUrl, verify: async () => 'unused' }).catch(
        (x: unknown) => x,
      );
      assert.ok(e instanceof NativeInstallError, String(e));
      assert.equal(e.kind, 'disk-full');
      assert.match(e.message, new RegExp(`^disk full: \\d+ MB are needed in ${join(small, 'storage', 'native').replace(/\./g, '\\.')}`));
      assert.equal(index.requests.length, 1, 'refused after looking the wheel up, before downloading 274 MB');
      assert.deepEqual(readdirSync(join(small, 'storage')), []);
    } finally {
      await index.close();
    }
  },
);
