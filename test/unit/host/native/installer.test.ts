// The native backend installer without `vscode` and without the internet: a loopback PEP 691 index
// serving a small wheel with the real member paths, one fault at a time.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, before, beforeEach, describe, test } from 'node:test';
import { InstallCancelledError, NativeInstallError } from '../../../../src/host/native/errors.ts';
import {
  installFromFile,
  installFromIndex,
  readInstalled,
  removeInstalled,
  versionDir,
  type InstallOptions,
} from '../../../../src/host/native/installer.ts';
import type { Machine } from '../../../../src/host/native/nativeTarget.ts';
import { WHEEL_NAME, buildWheel, startIndex, type LoopbackIndex } from './loopbackIndex.ts';

const LINUX: Machine = { platform: 'linux', arch: 'x64', glibc: '2.36' };
let wheel: Buffer;
before(async () => (wheel = await buildWheel()));

let storage: string;
let index: LoopbackIndex;
const verified: string[] = [];

/** The seam the extension fills with the engine's conv2d check; here it reads what was extracted. */
const verify = async (dir: string) => {
  verified.push(dir);
  return `read ${readdirSync(dir).sort().join(', ')}`;
};

function options(extra: Partial<InstallOptions> = {}): InstallOptions & { indexUrl: string } {
  return { storage, indexUrl: index.indexUrl, verify, machine: LINUX, known: {}, retryDelayMs: 10, idleTimeoutMs: 2000, ...extra };
}

async function failure(p: Promise<unknown>): Promise<NativeInstallError> {
  const e = await p.then(
    () => assert.fail('expected a failure'),
    (err: unknown) => err,
  );
  assert.ok(e instanceof NativeInstallError, `expected a NativeInstallError, got ${String(e)}`);
  assert.doesNotMatch(e.message, /\n/, 'one line');
  return e;
}

/** Nothing of the installer is left: no native/ folder at all in the storage. */
function assertNothingLeft(): void {
  assert.deepEqual(existsSync(storage) ? readdirSync(storage) : [], []);
}

beforeEach(async () => {
  storage = await mkdtemp(join(tmpdir(), 'cnnlab-native-'));
  index = await startIndex(wheel);
  verified.length = 0;
});
afterEach(async () => {
  await index.close();
  await rm(storage, { recursive: true, force: true });
});

describe('installFromIndex', () => {
  test('locates the wheel through PEP 691, downloads, extracts only the two libraries and writes install.json last', async () => {
    const progress: number[] = [];
    const stages: string[] = [];
    const record = await installFromIndex(options({ onProgress: (p) => progress.push(p.received), onStage: (s) => stages.push(s) }));
    const dir = versionDir(storage);
    assert.deepEqual(readdirSync(dir).sort(), ['install.json', 'libtensorflow_cc.so.2', 'libtensorflow_framework.so.2']);
    assert.equal((await stat(join(dir, 'libtensorflow_cc.so.2'))).size, 300_000);
    assert.deepEqual(stages, ['locating', 'downloading', 'extracting', 'checking']);
    assert.equal(progress.at(-1), wheel.length);
    assert.equal(record.wheel.filename, WHEEL_NAME, 'the manylinux wheel, not the win_amd64 one listed first');
    assert.equal(record.wheel.source, 'index');
    assert.match(record.check, /libtensorflow_cc\.so\.2/, 'verify ran on the folder in place, before install.json existed');
    assert.deepEqual(verified, [dir]);
    assert.deepEqual(await readInstalled(storage), record);
    // the wheel itself is not kept, nor temporaries or the lock
    assert.deepEqual(readdirSync(join(storage, 'native')), ['2.21.0']);
    assert.equal(index.requests.filter((r) => r.path.startsWith('/files/')).length, 1);
  });

  test('unsupported platform is refused before any request', async () => {
    const e = await failure(installFromIndex(options({ machine: { platform: 'darwin', arch: 'arm64' } })));
    assert.equal(e.kind, 'unsupported-platform');
    assert.match(e.message, /Linux x64 only.*darwin-arm64/);
    assert.equal(index.requests.length, 0);
    const musl = await failure(installFromIndex(options({ machine: { platform: 'linux', arch: 'x64' } })));
    assert.match(musl.message, /glibc/);
    assert.equal(index.requests.length, 0);
  });

  test('an old glibc finds no fitting wheel', async () => {
    const e = await failure(installFromIndex(options({ machine: { ...LINUX, glibc: '2.17' } })));
    assert.equal(e.kind, 'index');
    assert.match(e.message, /no tensorflow-cpu 2\.21\.0 wheel for Linux x86_64 with glibc 2\.17/);
    assertNothingLeft();
  });

  test('index unreachable names the host and the error code', async () => {
    await index.close();
    const e = await failure(installFromIndex(options({ retries: 0 })));
    assert.equal(e.kind, 'unreachable');
    assert.match(e.message, /127\.0\.0\.1:\d+ is unreachable \(ECONNREFUSED\)/);
    index = await startIndex(wheel); // for afterEach
    assertNothingLeft();
  });

  test('HTTP 407 from a proxy says how to give it credentials', async () => {
    index.fault = 'proxy-407';
    const e = await failure(installFromIndex(options()));
    assert.equal(e.kind, 'proxy');
    assert.match(e.message, /HTTP 407.*"http\.proxy"/);
    assertNothingLeft();
  });

  test('404 for the project page and for the wheel', async () => {
    index.fault = 'index-404';
    const e = await failure(installFromIndex(options()));
    assert.equal(e.kind, 'http');
    assert.match(e.message, /HTTP 404 .*\/simple\/tensorflow-cpu\//);
    index.fault = 'wheel-404';
    const w = await failure(installFromIndex(options()));
    assert.match(w.message, new RegExp(`HTTP 404 .*/files/${WHEEL_NAME.replace(/\./g, '\\.')}`));
    assertNothingLeft();
  });

  test('an index without the JSON API is named as such', async () => {
    index.fault = 'html-index';
    const e = await failure(installFromIndex(options()));
    assert.match(e.message, /answered \/simple\/tensorflow-cpu\/ with text\/html, not PEP 691 JSON/);
  });

  test('5xx is retried with backoff, then succeeds', async () => {
    index.fault = 'wheel-500';
    index.faultsLeft = 2;
    const retries: string[] = [];
    await installFromIndex(options({ onRetry: (r) => retries.push(r) }));
    assert.equal(retries.length, 2);
    assert.match(retries[0], /HTTP 503 Service Unavailable/);
    assert.ok(await readInstalled(storage));
  });

  test('5xx that does not stop gives up in one line', async () => {
    index.fault = 'wheel-500';
    index.faultsLeft = 100;
    const e = await failure(installFromIndex(options({ retries: 2 })));
    assert.match(e.message, /HTTP 503.*gave up after 3 attempts/);
    assertNothingLeft();
  });

  test('a connection dropped mid-body is resumed with Range from the .part', async () => {
    index.fault = 'drop';
    const retries: string[] = [];
    await installFromIndex(options({ onRetry: (r) => retries.push(r) }));
    const files = index.requests.filter((r) => r.path.startsWith('/files/'));
    assert.equal(files.length, 2);
    assert.equal(files[0].range, undefined);
    assert.match(files[1].range ?? '', /^bytes=\d+-$/);
    assert.equal(Number(/\d+/.exec(files[1].range!)![0]), Math.floor(wheel.length / 2), 'resumed from exactly what arrived');
    assert.match(retries[0], /dropped|ended/);
    assert.ok(await readInstalled(storage));
  });

  test('a server that ignores Range restarts from zero and still verifies', async () => {
    index.fault = 'drop';
    await installFromIndex(options({ onRetry: () => (index.fault = 'no-range') }));
    assert.ok(await readInstalled(storage));
  });

  test('a flipped byte is a sha256 mismatch: both hashes shown, .part deleted, nothing installed', async () => {
    index.fault = 'flip';
    const e = await failure(installFromIndex(options()));
    assert.equal(e.kind, 'integrity');
    assert.match(e.message, new RegExp(`the index says ${index.sha256}, the download is [0-9a-f]{64}; the download was deleted`));
    assert.equal(verified.length, 0);
    assertNothingLeft();
  });

  test('a short Content-Length is refused before the body is stored', async () => {
    index.fault = 'short-length';
    const e = await failure(installFromIndex(options()));
    assert.equal(e.kind, 'integrity');
    assert.match(
      e.message,
      new RegExp(`the index says ${wheel.length} bytes, 127\\.0\\.0\\.1:\\d+ sends Content-Length ${wheel.length - 100}`),
    );
    assertNothingLeft();
  });

  test('the index lying about the size is a size mismatch', async () => {
    index.claim.size = wheel.length + 5;
    const e = await failure(installFromIndex(options()));
    assert.match(e.message, /size mismatch/);
    assertNothingLeft();
  });

  test('a known wheel name with other bytes on a mirror is refused before downloading', async () => {
    const e = await failure(installFromIndex(options({ known: undefined })));
    assert.equal(e.kind, 'integrity');
    assert.match(e.message, /but the published wheel of that name is 2b847d21/);
    assert.equal(index.requests.filter((r) => r.path.startsWith('/files/')).length, 0);
  });

  test('cancel during a trickle is silent, keeps the .part, and the next install resumes from it', async () => {
    index.fault = 'trickle';
    const ac = new AbortController();
    let seen = 0;
    const p = installFromIndex(options({ signal: ac.signal, onProgress: (pr) => (seen = pr.received) }));
    while (seen < 4096) await new Promise((r) => setTimeout(r, 20));
    ac.abort();
    await assert.rejects(p, InstallCancelledError);
    const part = join(storage, 'native', 'downloads', `${WHEEL_NAME}.part`);
    const kept = (await stat(part)).size;
    assert.ok(kept >= 4096 && kept < wheel.length);
    index.fault = 'none';
    await installFromIndex(options());
    assert.equal(index.requests.at(-1)?.range, `bytes=${kept}-`);
    assert.ok(await readInstalled(storage));
    assert.ok(!existsSync(part));
  });

  test('disk full before the download names the MB needed and the path', async () => {
    const e = await failure(installFromIndex(options({ freeBytes: async () => 1000 })));
    assert.equal(e.kind, 'disk-full');
    assert.match(
      e.message,
      new RegExp(`disk full: [\\d.]+ MB are needed in ${join(storage, 'native', 'downloads').replace(/[.]/g, '\\.')}, 0\\.0 MB are free`),
    );
    assertNothingLeft();
  });

  test('a failing check leaves no install.json; readInstalled stays null and Remove clears it', async () => {
    const e = await installFromIndex(
      options({
        verify: async () => {
          throw new NativeInstallError('io', 'libtensorflow failed to load: boom');
        },
      }),
    ).catch((x: Error) => x);
    assert.ok(e instanceof Error, 'the install fails');
    assert.match(e.message, /boom/);
    assert.ok(existsSync(join(versionDir(storage), 'libtensorflow_cc.so.2')));
    assert.ok(!existsSync(join(versionDir(storage), 'install.json')));
    assert.equal(await readInstalled(storage), null);
    await removeInstalled(storage);
    assertNothingLeft();
  });

  test('two installs at once: the second is refused in one line naming the holder', async () => {
    index.fault = 'trickle';
    const ac = new AbortController();
    let started = false;
    const first = installFromIndex(options({ signal: ac.signal, onProgress: () => (started = true) }));
    while (!started) await new Promise((r) => setTimeout(r, 10));
    const e = await failure(installFromIndex(options()));
    assert.equal(e.kind, 'busy');
    assert.match(e.message, new RegExp(`another VS Code window \\(pid ${process.pid}, since .*\\) is installing`));
    ac.abort();
    await assert.rejects(first, InstallCancelledError);
  });

  test('a reinstall replaces the folder, and a library changed on disk makes the install incomplete', async () => {
    await installFromIndex(options());
    writeFileSync(join(versionDir(storage), 'stray-old-file'), 'x');
    await installFromIndex(options());
    assert.ok(!existsSync(join(versionDir(storage), 'stray-old-file')));
    writeFileSync(join(versionDir(storage), 'libtensorflow_framework.so.2'), 'truncated');
    assert.equal(await readInstalled(storage), null);
  });
});

describe('installFromFile', () => {
  let dir: string;
  beforeEach(async () => (dir = await mkdtemp(join(tmpdir(), 'cnnlab-wheelfile-'))));
  after(async () => rm(dir, { recursive: true, force: true }));

  test('installs from a wheel on disk and leaves the file alone', async () => {
    const file = join(dir, WHEEL_NAME);
    await writeFile(file, wheel);
    const record = await installFromFile({ storage, wheel: file, verify, machine: LINUX, known: {} });
    assert.equal(record.wheel.source, 'file');
    assert.ok(await readInstalled(storage));
    assert.deepEqual(await readFile(file), wheel);
  });

  test('a wheel whose library does not match its RECORD is refused, nothing installed', async () => {
    const file = join(dir, WHEEL_NAME);
    await writeFile(file, await buildWheel({ corruptRecord: true }));
    const e = await failure(installFromFile({ storage, wheel: file, verify, machine: LINUX, known: {} }));
    assert.match(
      e.message,
      /sha256 mismatch for tensorflow\/libtensorflow_cc\.so\.2 .*its RECORD says [0-9a-f]{64}, the extracted file is [0-9a-f]{64}/,
    );
    assertNothingLeft();
  });

  test('a published name with other bytes is refused with both hashes', async () => {
    const file = join(dir, WHEEL_NAME);
    await writeFile(file, wheel);
    const e = await failure(installFromFile({ storage, wheel: file, verify, machine: LINUX }));
    assert.match(e.message, /the published tensorflow_cpu-2\.21\.0-cp311.* is 2b847d21[0-9a-f]+, this file is [0-9a-f]{64}/);
    assertNothingLeft();
  });

  test('a wheel without the libraries, a non-zip and a wrong name each get one line', async () => {
    const missing = join(dir, WHEEL_NAME);
    await writeFile(missing, await buildWheel({ omit: 'tensorflow/libtensorflow_framework.so.2' }));
    assert.match(
      (await failure(installFromFile({ storage, wheel: missing, verify, machine: LINUX, known: {} }))).message,
      /does not contain tensorflow\/libtensorflow_framework\.so\.2/,
    );
    await writeFile(missing, 'not a zip');
    assert.match(
      (await failure(installFromFile({ storage, wheel: missing, verify, machine: LINUX, known: {} }))).message,
      /is not a readable wheel \(zip\)/,
    );
    const other = join(dir, 'numpy-2.0.0-cp311-cp311-manylinux_2_17_x86_64.whl');
    await writeFile(other, wheel);
    assert.match(
      (await failure(installFromFile({ storage, wheel: other, verify, machine: LINUX, known: {} }))).message,
      /expected a tensorflow_cpu-2\.21\.0-/,
    );
    assertNothingLeft();
  });
});

test('removeInstalled deletes only what the installer writes', async () => {
  storage = await mkdtemp(join(tmpdir(), 'cnnlab-native-'));
  const native = join(storage, 'native');
  await mkdir(join(native, '2.21.0'), { recursive: true });
  writeFileSync(join(native, 'README-of-someone-else.txt'), 'keep me');
  const removed = await removeInstalled(storage);
  assert.deepEqual(removed, [join(native, '2.21.0')]);
  assert.equal(readFileSync(join(native, 'README-of-someone-else.txt'), 'utf8'), 'keep me');
  await rm(storage, { recursive: true, force: true });
});

test('an index whose TLS certificate is not trusted says so, with the code', async () => {
  const fixtures = join(__dirname, '../../../fixtures/tls');
  // a self-signed certificate for 127.0.0.1 (test/fixtures/tls, made with openssl req -x509)
  const server = https.createServer(
    { key: readFileSync(join(fixtures, 'self-signed.key')), cert: readFileSync(join(fixtures, 'self-signed.crt')) },
    (_req, res) => res.end('{}'),
  );
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  storage = await mkdtemp(join(tmpdir(), 'cnnlab-native-'));
  try {
    const port = (server.address() as AddressInfo).port;
    const e = await failure(
      installFromIndex({ storage, indexUrl: `https://127.0.0.1:${port}/simple/`, verify, machine: LINUX, known: {} }),
    );
    assert.equal(e.kind, 'tls');
    assert.match(
      e.message,
      /^TLS: the certificate of 127\.0\.0\.1:\d+ is not trusted \(DEPTH_ZERO_SELF_SIGNED_CERT: .*NODE_EXTRA_CA_CERTS$/,
    );
    assertNothingLeft();
  } finally {
    server.close();
    await rm(storage, { recursive: true, force: true });
  }
});
