// Inputs from issue 7 not covered by decode.test.ts / scan.test.ts: SVG, unreadable files and
// folders, names that are not valid UTF-8. Each has a defined outcome: skipped with a reason.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { decodeImage, ImageDecodeError } from '../../../../src/engine/data/decode-image.ts';
import { decodeBatches } from '../../../../src/engine/data/decode.ts';
import { scanDataset } from '../../../../src/engine/data/scan.ts';
import { makeTempDir, writeSolidPng } from './odd-files.ts';

const SVG =
  '<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="20000" height="20000"><rect width="10" height="10" fill="red"/></svg>\n';

async function reasonOf(input: string | Buffer, name?: string): Promise<string> {
  try {
    await decodeImage(input, { size: [8, 8], name });
  } catch (e) {
    assert.ok(e instanceof ImageDecodeError, `expected ImageDecodeError, got ${e}`);
    return e.reason;
  }
  return assert.fail('decoded, expected a failure');
}

describe('SVG, unreadable and non-UTF-8 inputs', () => {
  let tmp: ReturnType<typeof makeTempDir>;
  before(() => {
    tmp = makeTempDir('inputs');
  });
  after(() => {
    chmodSync(tmp.dir, 0o755);
    tmp.cleanup();
  });

  test('an SVG is refused whatever it is named, with what to do; as a file, as bytes, with a BOM', async () => {
    const asPng = join(tmp.dir, 'drawing.png');
    writeFileSync(asPng, SVG);
    assert.match(await reasonOf(asPng), /SVG \(vector\) image.*convert it to PNG/);
    assert.match(await reasonOf(Buffer.from('\uFEFF  ' + SVG.replace('<?xml version="1.0"?>\n', '')), 'https://h/x'), /SVG/);
  });

  test('a dataset with .svg files: ignored with a note; an SVG named .jpg is skipped with its reason', async () => {
    const root = join(tmp.dir, 'svgset');
    mkdirSync(join(root, 'a'), { recursive: true });
    mkdirSync(join(root, 'b'), { recursive: true });
    await writeSolidPng(join(root, 'a', 'ok.png'), 4, 4, [1, 2, 3]);
    await writeSolidPng(join(root, 'b', 'ok.png'), 4, 4, [3, 2, 1]);
    writeFileSync(join(root, 'a', 'logo.svg'), SVG);
    writeFileSync(join(root, 'b', 'fake.jpg'), SVG);
    const scan = await scanDataset(root);
    assert.ok(
      scan.notes.some((n) => n.includes('logo.svg') && /without an image extension/.test(n)),
      scan.notes.join('\n'),
    );
    const batches = [];
    for await (const b of decodeBatches(scan.files, { size: [4, 4], batchSize: 8, preprocessing: '0..1' })) batches.push(b);
    assert.deepEqual(
      batches.flatMap((b) => b.paths),
      [join(root, 'a', 'ok.png'), join(root, 'b', 'ok.png')],
    );
    assert.deepEqual(
      batches.flatMap((b) => b.skipped).map((s) => [s.path, /SVG/.test(s.reason)]),
      [[join(root, 'b', 'fake.jpg'), true]],
    );
  });

  test('names that are not valid UTF-8 are skipped with their bytes and a hint, not "file not found"', async () => {
    const root = join(tmp.dir, 'latin1');
    mkdirSync(join(root, 'a'), { recursive: true });
    mkdirSync(join(root, 'b'), { recursive: true });
    await writeSolidPng(join(root, 'a', 'ok.png'), 4, 4, [1, 2, 3]);
    await writeSolidPng(join(root, 'b', 'ok.png'), 4, 4, [3, 2, 1]);
    const latin1 = (dir: string, stem: number[], ext: string) =>
      Buffer.concat([Buffer.from(dir + '/'), Buffer.from(stem), Buffer.from(ext)]);
    writeFileSync(latin1(join(root, 'a'), [0x63, 0x61, 0x66, 0xe9], '.png'), 'x'); // "café" in Latin-1
    mkdirSync(latin1(join(root, 'b'), [0xff, 0xfe], ''));
    writeFileSync(latin1(join(root, 'b'), [0xff], '.txt'), 'ignored: not an image name');
    mkdirSync(latin1(root, [0xc0], '')); // a class folder with an invalid name
    const scan = await scanDataset(root);
    assert.deepEqual(scan.classes, ['a', 'b']);
    assert.deepEqual(
      scan.files.map((f) => f.path),
      [join(root, 'a', 'ok.png'), join(root, 'b', 'ok.png')],
    );
    const reasons = scan.skipped.map((s) => s.reason).sort();
    assert.equal(reasons.length, 3, JSON.stringify(scan.skipped));
    assert.ok(
      reasons.every((r) => /not valid UTF-8.*rename it/.test(r)),
      reasons.join('\n'),
    );
    assert.ok(
      reasons.some((r) => r.includes('bytes 63 61 66 e9 2e 70 6e 67')),
      reasons.join('\n'),
    );
  });

  test('an unreadable file and an unreadable folder are skipped with "permission denied"', () => {
    const root = join(tmp.dir, 'perm');
    mkdirSync(join(root, 'a', 'locked'), { recursive: true });
    mkdirSync(join(root, 'b'), { recursive: true });
    writeFileSync(join(root, 'a', 'ok.png'), 'x');
    writeFileSync(join(root, 'a', 'locked', 'inside.png'), 'x');
    writeFileSync(join(root, 'b', 'secret.png'), 'x');
    chmodSync(join(root, 'b', 'secret.png'), 0o000);
    chmodSync(join(root, 'a', 'locked'), 0o000);
    chmodSync(tmp.dir, 0o755); // mkdtemp makes it 0700: the unprivileged probe must get in
    const probe = join(__dirname, 'probes', 'unreadable.ts');
    // Root reads everything: the probe runs as "nobody" when we are root.
    const asNobody = process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : {};
    const r = spawnSync(process.execPath, ['--import', 'tsx', probe, join(root, 'b', 'secret.png'), root], {
      encoding: 'utf8',
      cwd: resolve(__dirname, '../../../..'),
      ...asNobody,
    });
    assert.equal(r.status, 0, r.stderr);
    const out = JSON.parse(r.stdout) as { decodeReason: string; files: string[]; skipped: { path: string; reason: string }[] };
    assert.match(out.decodeReason, /permission denied: the file cannot be read \(EACCES\)/);
    assert.deepEqual(out.files, [join(root, 'a', 'ok.png'), join(root, 'b', 'secret.png')], 'the scan lists the file; decoding reports it');
    assert.deepEqual(
      out.skipped.map((s) => s.path),
      [join(root, 'a', 'locked')],
    );
    assert.match(out.skipped[0].reason, /cannot read folder: EACCES/);
  });
});
