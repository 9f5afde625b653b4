#!/usr/bin/env node
// Writes the bases bundled in npm `nsfwjs` (browserify-wrapped tfjs layers models) as standard
// tfjs layers models — model.json + binary weight shards — so the Keras peer can load the very
// same weights our engine uses. The uint8 quantization is kept as-is in the manifest; the
// Python loader dequantizes it exactly as tfjs does (q * scale + min).
//
// Usage: node bench/keras/export-nsfwjs.mjs [--out .cache/bench-models] [inception_v3] [mobilenet_v2]
import { createRequire } from 'node:module';
import { mkdirSync, writeFileSync, renameSync, existsSync } from 'node:fs';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const require = createRequire(join(repoRoot, 'package.json'));
const BASES = ['inception_v3', 'mobilenet_v2'];

function parseArgs(argv) {
  let out = join(repoRoot, '.cache', 'bench-models');
  const bases = [];
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--out') {
      out = resolve(argv[++i] ?? '');
    } else if (BASES.includes(argv[i])) {
      bases.push(argv[i]);
    } else {
      throw new Error(`unknown argument "${argv[i]}" (expected --out DIR or one of ${BASES.join(', ')})`);
    }
  }
  return { out, bases: bases.length > 0 ? bases : BASES };
}

function exportBase(base, outRoot) {
  const srcDir = join(repoRoot, 'node_modules', 'nsfwjs', 'dist', 'models', base);
  const { modelTopology, weightsManifest } = require(join(srcDir, 'model.min.js'));
  if (!modelTopology || !Array.isArray(weightsManifest)) {
    throw new Error(`${srcDir}/model.min.js: expected {modelTopology, weightsManifest}`);
  }
  const dir = join(outRoot, base);
  mkdirSync(dir, { recursive: true });
  let bytes = 0;
  for (const group of weightsManifest) {
    for (const path of group.paths) {
      const b64 = require(join(srcDir, `${path}.min.js`));
      if (typeof b64 !== 'string') throw new Error(`${srcDir}/${path}.min.js: expected a base64 string`);
      const buf = Buffer.from(b64, 'base64');
      bytes += buf.length;
      writeFileSync(join(dir, path), buf);
    }
  }
  const modelJson = {
    format: 'layers-model',
    generatedBy: `keras v${modelTopology.keras_version ?? 'unknown'}`,
    convertedBy: 'cnn-lab bench/keras/export-nsfwjs.mjs from npm nsfwjs',
    modelTopology,
    weightsManifest,
  };
  // Written last and atomically: its presence means the shards beside it are complete.
  const tmp = join(dir, 'model.json.tmp');
  writeFileSync(tmp, JSON.stringify(modelJson));
  renameSync(tmp, join(dir, 'model.json'));
  return { base, dir, bytes };
}

const { out, bases } = parseArgs(process.argv.slice(2));
for (const base of bases) {
  if (existsSync(join(out, base, 'model.json'))) {
    console.log(`${base}: already at ${join(out, base)}`);
    continue;
  }
  const r = exportBase(base, out);
  console.log(`${r.base}: ${r.bytes} weight bytes -> ${r.dir}`);
}
