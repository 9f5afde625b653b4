import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import sharp from 'sharp';
import { main } from '../../../../src/cli.ts';
import { FIXTURES, makeTempDir } from './odd-files.ts';

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { out: (s: string) => out.push(s), err: (s: string) => err.push(s), isTTY: false }, out, err };
}

describe('cnn-lab augment', () => {
  let tmp: ReturnType<typeof makeTempDir>;
  before(() => {
    tmp = makeTempDir('augment-cli');
  });
  after(() => tmp.cleanup());

  test('writes --n PNG previews with the given transforms and reports each', async () => {
    const c = capture();
    const out = join(tmp.dir, 'previews');
    const code = await main(
      [
        'augment',
        '--image',
        join(FIXTURES, 'photos/chelsea-100.png'),
        '--n',
        '4',
        '--out',
        out,
        '--rotation',
        '30',
        '--zoom',
        '0.2',
        '--flip',
        '--seed',
        '3',
        '--json',
      ],
      c.io,
    );
    assert.equal(code, 0, c.err.join('\n'));
    assert.deepEqual(readdirSync(out).sort(), [
      'chelsea-100-aug-0.png',
      'chelsea-100-aug-1.png',
      'chelsea-100-aug-2.png',
      'chelsea-100-aug-3.png',
    ]);
    const lines = c.out.map((l) => JSON.parse(l));
    assert.equal(lines.length, 4);
    for (const { path, params } of lines) {
      assert.ok(Math.abs(params.rotation) <= 30 && params.rotation !== 0);
      assert.equal(params.shiftRows, 0);
      assert.equal(params.shear, 0);
      assert.equal((await sharp(path).metadata()).width, 100);
    }
  });

  test('running again into the same --out numbers the new set instead of overwriting the previous one', async () => {
    const out = join(tmp.dir, 'again');
    const image = join(FIXTURES, 'photos/chelsea-100.png');
    const first = capture();
    assert.equal(
      await main(['augment', '--image', image, '--n', '2', '--out', out, '--seed', '1', '--json'], first.io),
      0,
      first.err.join('\n'),
    );
    const before = Object.fromEntries(readdirSync(out).map((f) => [f, readFileSync(join(out, f)).toString('base64')]));
    const second = capture();
    assert.equal(
      await main(['augment', '--image', image, '--n', '2', '--out', out, '--seed', '2', '--json'], second.io),
      0,
      second.err.join('\n'),
    );
    assert.deepEqual(readdirSync(out).sort(), [
      'chelsea-100-aug-0-2.png',
      'chelsea-100-aug-0.png',
      'chelsea-100-aug-1-2.png',
      'chelsea-100-aug-1.png',
    ]);
    for (const [f, bytes] of Object.entries(before))
      assert.equal(readFileSync(join(out, f)).toString('base64'), bytes, `${f} was overwritten`);
    assert.deepEqual(
      second.out.map((l) => JSON.parse(l).path),
      [join(out, 'chelsea-100-aug-0-2.png'), join(out, 'chelsea-100-aug-1-2.png')],
    );
  });

  test('bad values are one-line errors naming the flag, exit code 2', async () => {
    for (const [args, pattern] of [
      [['--zoom', '1.5'], /--zoom must be a number in \[0, 1\), got 1\.5/],
      [['--rotation', 'lots'], /--rotation needs a number, got 'lots'/],
      [['--n', '0'], /--n must be an integer ≥ 1/],
      [['--bogus'], /unknown option --bogus/],
    ] as const) {
      const c = capture();
      const code = await main(['augment', '--image', join(FIXTURES, 'photos/chelsea-100.png'), '--out', tmp.dir, ...args], c.io);
      assert.equal(code, 2, `${args.join(' ')}: ${c.err.join('\n')}`);
      assert.equal(c.err.length, 1);
      assert.match(c.err[0], pattern);
    }
    const missing = capture();
    assert.equal(await main(['augment', '--out', tmp.dir], missing.io), 2);
    assert.match(missing.err[0], /--image FILE is required/);
  });

  test('a broken image is a one-line failure naming the file', async () => {
    const c = capture();
    const code = await main(['augment', '--image', join(FIXTURES, 'odd/truncated.jpg'), '--out', tmp.dir], c.io);
    assert.equal(code, 1);
    assert.equal(c.err.length, 1);
    assert.match(c.err[0], /^cnn-lab augment: .*truncated\.jpg: truncated or corrupt/);
  });
});
