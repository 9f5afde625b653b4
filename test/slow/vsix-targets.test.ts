// Each platform VSIX (scripts/package-vsix.mjs) holds that platform's native parts and no other's,
// no libtensorflow and no development files. Packages every target (about a minute each: npm ci of
// the production tree per platform), or lists the ones already in out/vsix with VSIX_REUSE=1.
// Only linux-x64 is also installed and run (test/e2e); the other targets are packaged and listed.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import yauzl from 'yauzl';

const repo = resolve(__dirname, '../..');
const version = (JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8')) as { version: string }).version;
const NATIVE = /\.(node|so(\.\d+)*|dylib|dll)$/;

/** The native files each target must have (regexps over the VSIX paths), and what every native path must contain. */
const EXPECT: Record<string, { required: RegExp[]; platformTag: RegExp | null }> = {
  'linux-x64': {
    required: [
      /@img\/sharp-linux-x64\/lib\/sharp-linux-x64-[\d.]+\.node$/,
      /@img\/sharp-libvips-linux-x64\/lib\/libvips-cpp\.so\.[\d.]+$/,
      /webgpu\/dist\/linux-x64\/dawn\.node$/,
      /@tensorflow\/tfjs-node\/lib\/napi-v8\/tfjs_binding\.node$/,
    ],
    platformTag: /linux-x64|tfjs-node\/lib\/napi-v8/,
  },
  'linux-arm64': {
    required: [
      /@img\/sharp-linux-arm64\/lib\/.*\.node$/,
      /@img\/sharp-libvips-linux-arm64\/lib\/libvips-cpp\.so/,
      /webgpu\/dist\/linux-arm64\/dawn\.node$/,
    ],
    platformTag: /linux-arm64/,
  },
  'darwin-arm64': {
    required: [
      /@img\/sharp-darwin-arm64\/lib\/.*\.node$/,
      /@img\/sharp-libvips-darwin-arm64\/lib\/libvips-cpp\..*dylib$/,
      /webgpu\/dist\/darwin-universal\/dawn\.node$/,
    ],
    platformTag: /darwin-arm64|darwin-universal/,
  },
  'darwin-x64': {
    required: [
      /@img\/sharp-darwin-x64\/lib\/.*\.node$/,
      /@img\/sharp-libvips-darwin-x64\/lib\/libvips-cpp\..*dylib$/,
      /webgpu\/dist\/darwin-universal\/dawn\.node$/,
    ],
    platformTag: /darwin-x64|darwin-universal/,
  },
  'win32-x64': {
    required: [
      /@img\/sharp-win32-x64\/lib\/.*\.node$/,
      /@img\/sharp-win32-x64\/lib\/libvips-.*\.dll$/,
      /webgpu\/dist\/win32-x64\/dawn\.node$/,
    ],
    platformTag: /win32-x64/,
  },
  universal: { required: [], platformTag: null },
};

function list(vsix: string): Promise<Map<string, number>> {
  return new Promise((res, rej) =>
    yauzl.open(vsix, { lazyEntries: true }, (err, zip) => {
      if (err) return rej(err);
      const entries = new Map<string, number>();
      zip.on('entry', (e: yauzl.Entry) => {
        entries.set(e.fileName, e.uncompressedSize);
        zip.readEntry();
      });
      zip.on('end', () => res(entries));
      zip.on('error', rej);
      zip.readEntry();
    }),
  );
}

const sizes: string[] = [];

for (const target of Object.keys(EXPECT)) {
  test(`${target} VSIX: its own native files only, no libtensorflow, no development files`, { timeout: 900_000 }, async () => {
    const vsix = join(repo, 'out', 'vsix', `cnn-lab-${target}-${version}.vsix`);
    if (process.env.VSIX_REUSE !== '1' || !existsSync(vsix)) {
      const { packageTarget } = (await import(join(repo, 'scripts', 'package-vsix.mjs'))) as { packageTarget: (t: string) => unknown };
      packageTarget(target);
    }
    const entries = await list(vsix);
    const natives = [...entries.keys()].filter((p) => NATIVE.test(p));
    const spec = EXPECT[target];
    for (const r of spec.required)
      assert.ok(
        natives.some((n) => r.test(n)),
        `${target}: no native file matching ${r} in ${natives.join(', ')}`,
      );
    if (spec.platformTag) for (const n of natives) assert.match(n, spec.platformTag, `${target} carries another platform's native file`);
    else assert.deepEqual(natives, [], 'the universal package has no native parts');
    assert.deepEqual(
      natives.filter((n) => /libtensorflow/.test(n)),
      [],
    );
    const dev = [...entries.keys()].filter((p) =>
      /^extension\/(src|test|scripts|webview|bench|\.cache)\/|\.map$|\/@types\/|\/core-js\/|\.tsbuildinfo$|(^|\/)[^/]+(?<!\.d)\.ts$/.test(
        p,
      ),
    );
    assert.deepEqual(dev, [], 'development-only files');
    // offline after install: the EfficientNet-Lite ImageNet weights and the keras: topologies ride along
    const shipped = [
      'extension/dist/extension.js',
      'extension/dist/engine.js',
      'extension/package.json',
      'extension/assets/keras-topologies/inception_v3.json',
      'extension/templates/keras-script/train.py',
    ];
    for (const id of ['efficientnet_lite0', 'efficientnet_lite1', 'efficientnet_lite2'])
      shipped.push(...['weights.bin', 'weights.json', 'provenance.json', 'LICENSE', 'NOTICE'].map((f) => `extension/bases/${id}/${f}`));
    for (const needed of shipped) assert.ok(entries.has(needed), needed);
    const manifest = entries.has('extension.vsixmanifest');
    assert.ok(manifest);
    const unpacked = [...entries.values()].reduce((a, b) => a + b, 0);
    const { statSync } = await import('node:fs');
    sizes.push(
      `${target}: ${(statSync(vsix).size / 2 ** 20).toFixed(1)} MiB packed, ${(unpacked / 1e6).toFixed(0)} MB unpacked, ${entries.size} files, natives: ${natives.map((n) => n.replace(/^extension\/node_modules\//, '')).join(', ') || 'none'}`,
    );
    console.log(sizes.at(-1));
  });
}
