// A class folder that cannot be listed (chmod 000) was reported as "class folder(s) with no
// image", sending the user looking for missing pictures; the reason (EACCES) is now in the message.
// Root lists any folder, so when we are root the scan runs in a child process as "nobody".
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve, sep } from 'node:path';
import { after, before, test } from 'node:test';
import { makeTempDir } from './odd-files.ts';

let tmp: ReturnType<typeof makeTempDir>;
before(() => {
  tmp = makeTempDir('unreadable-class');
});
after(() => {
  chmodSync(join(tmp.dir, 'data', 'dogs'), 0o755);
  tmp.cleanup();
});

test('an unreadable class folder fails training with its reason, not "no image"', () => {
  const root = join(tmp.dir, 'data');
  mkdirSync(join(root, 'cats'), { recursive: true });
  mkdirSync(join(root, 'dogs'), { recursive: true });
  writeFileSync(join(root, 'cats', 'a.png'), 'x');
  writeFileSync(join(root, 'dogs', 'b.png'), 'x');
  chmodSync(join(root, 'dogs'), 0o000);
  chmodSync(tmp.dir, 0o755); // mkdtemp makes it 0700: the unprivileged probe must get in
  const asNobody = process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : {};
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(__dirname, 'probes', 'unreadableClass.ts'), root], {
    encoding: 'utf8',
    cwd: resolve(__dirname, '../../../..'),
    ...asNobody,
  });
  assert.equal(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout) as { error: string; notes: string[] };
  assert.match(
    out.error,
    new RegExp(
      `^class folder\\(s\\) with no image in ${root.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}: .*${sep}dogs \\(cannot read folder: EACCES: permission denied`,
    ),
  );
  assert.ok(
    out.notes.some((n) => /class folder\(s\) with no image: dogs \(cannot read folder: EACCES/.test(n)),
    out.notes.join('\n'),
  );
});
