// `npm run demo` (after `node esbuild.mjs` and the EfficientNet-Lite0 weights): trains a shape
// classifier on samples/shapes with the default base, EfficientNet-Lite0 (ImageNet), frozen
// (bottleneck features, then a few head epochs), evaluates it, says its validation accuracy, and
// predicts the images in samples/images — the whole recipe in about a minute on 2 CPU cores.
// Uses the built CLI exactly as a user would: node dist/cli.js train|predict.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const cli = join(root, 'dist', 'cli.js');
if (!existsSync(cli)) {
  console.error('demo: dist/cli.js is missing; run `node esbuild.mjs` first (npm run demo does)');
  process.exit(1);
}
const out = process.env.CNN_LAB_DEMO_OUT ?? join(tmpdir(), 'cnn-lab-demo-model');

function step(title, args) {
  console.log(`\n$ cnn-lab ${args.join(' ')}`);
  const started = Date.now();
  const r = spawnSync(process.execPath, [cli, ...args], { stdio: 'inherit', cwd: root });
  console.log(`(${title}: ${((Date.now() - started) / 1000).toFixed(1)} s)`);
  if (r.status !== 0) {
    console.error(`demo: ${title} failed (exit ${r.status ?? r.signal})`);
    process.exit(r.status ?? 1);
  }
}

step('train', [
  'train',
  '--data',
  'samples/shapes',
  '--base',
  'efficientnet_lite0',
  '--epochs',
  '30',
  '--lr',
  '0.001',
  '--batch-size',
  '16',
  '--fc-units',
  '256',
  '--patience',
  '10',
  '--out',
  out,
]);
const meta = JSON.parse(readFileSync(join(out, 'cnn-lab.json'), 'utf8'));
if (meta.validation) {
  console.log(
    `\nValidation accuracy of the saved model: ${(meta.validation.accuracy * 100).toFixed(1)} % on ${meta.validation.images} held-out images (base: ${meta.base.label}).`,
  );
}
const images = readdirSync(join(root, 'samples', 'images'))
  .filter((f) => /\.(png|jpe?g|webp)$/i.test(f))
  .map((f) => join('samples', 'images', f));
step('predict', ['predict', '--model', out, '--image', ...images, '--top', '2']);
console.log(`\nThe model is in ${out} (model.json, weights.bin, cnn-lab.json).`);
