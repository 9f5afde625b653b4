// Generates the demo dataset shipped in samples/: small PNGs of circles, squares and triangles in
// random colours, sizes, positions and rotations on random gradient backgrounds. Distractor strokes
// and speckle noise were tried: with the bundled (non-ImageNet) bases and 60 images they held the
// demo's validation accuracy near 70 %; 80 clean images per class reach about 95 %.
// Deterministic: the same seed gives the same drawings. Everything is drawn here (SVG rendered by
// sharp), so the images carry no third-party licence.
//
//   node scripts/make-sample-dataset.mjs [--per-class 80] [--size 96] [--seed 2024] [--out samples]
import { mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { tsImport } from 'tsx/esm/api';

// The engine's seeded PRNG, not a copy: plain `node` cannot import TypeScript, tsx (a dev
// dependency, like sharp here) can.
const { mulberry32 } = await tsImport('../src/engine/data/rng.ts', import.meta.url);

const args = process.argv.slice(2);
function option(name, fallback) {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] !== undefined ? args[i + 1] : fallback;
}
const perClass = Number(option('per-class', 80));
const size = Number(option('size', 96));
const seed = Number(option('seed', 2024));
const outRoot = option('out', 'samples');

const SHAPES = ['circle', 'square', 'triangle'];

/** @returns {[number, number, number]} an RGB triple */
function randomColour(rng) {
  return [Math.floor(rng() * 256), Math.floor(rng() * 256), Math.floor(rng() * 256)];
}
const hex = (rgb) => '#' + rgb.map((v) => v.toString(16).padStart(2, '0')).join('');
const luma = ([r, g, b]) => 0.299 * r + 0.587 * g + 0.114 * b;

/** A shape colour that stands out from both background colours (by brightness or hue). */
function contrastingColour(rng, backgrounds) {
  for (;;) {
    const c = randomColour(rng);
    const far = backgrounds.every((bg) => Math.abs(luma(c) - luma(bg)) > 60 || c.reduce((s, v, k) => s + Math.abs(v - bg[k]), 0) > 250);
    if (far) return c;
  }
}

function shapeSvg(shape, rng) {
  const bgA = randomColour(rng);
  const bgB = randomColour(rng);
  const fill = contrastingColour(rng, [bgA, bgB]);
  // Radius of the shape's circumscribed circle: 26–48 % of the side; it stays fully inside.
  const r = size * (0.26 + rng() * 0.22);
  const cx = r + rng() * (size - 2 * r);
  const cy = r + rng() * (size - 2 * r);
  const angle = rng() * 360;
  let body;
  if (shape === 'circle') {
    body = `<circle cx="${cx}" cy="${cy}" r="${r * 0.85}"/>`;
  } else if (shape === 'square') {
    const s = r * Math.SQRT2;
    body = `<rect x="${cx - s / 2}" y="${cy - s / 2}" width="${s}" height="${s}" transform="rotate(${angle} ${cx} ${cy})"/>`;
  } else {
    const points = [0, 120, 240]
      .map((a) => ((a + angle) * Math.PI) / 180)
      .map((a) => `${cx + r * Math.cos(a)},${cy + r * Math.sin(a)}`)
      .join(' ');
    body = `<polygon points="${points}"/>`;
  }
  const gradientAngle = Math.floor(rng() * 360);
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${size}" height="${size}">
  <defs><linearGradient id="bg" gradientTransform="rotate(${gradientAngle} 0.5 0.5)">
    <stop offset="0" stop-color="${hex(bgA)}"/><stop offset="1" stop-color="${hex(bgB)}"/>
  </linearGradient></defs>
  <rect width="${size}" height="${size}" fill="url(#bg)"/>
  <g fill="${hex(fill)}">${body}</g>
</svg>`;
}

/** Renders the SVG to an RGB PNG. */
async function renderPng(svg, path) {
  await sharp(Buffer.from(svg)).removeAlpha().png({ compressionLevel: 9, adaptiveFiltering: true }).toFile(path);
}

function folderBytes(dir) {
  return readdirSync(dir).reduce((sum, name) => {
    const p = join(dir, name);
    const s = statSync(p);
    return sum + (s.isDirectory() ? folderBytes(p) : s.size);
  }, 0);
}

const datasetDir = join(outRoot, 'shapes');
const imagesDir = join(outRoot, 'images');
for (const shape of SHAPES) {
  const dir = join(datasetDir, shape);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  // One stream per class, so changing --per-class keeps the first images the same.
  const rng = mulberry32(seed * 31 + SHAPES.indexOf(shape));
  for (let i = 0; i < perClass; i++) {
    await renderPng(shapeSvg(shape, rng), join(dir, `${shape}-${String(i).padStart(2, '0')}.png`));
  }
}
// Images the demo predicts: drawn from other seeds, so never part of the training set.
mkdirSync(imagesDir, { recursive: true });
for (const shape of SHAPES) {
  const rng = mulberry32(seed * 31 + 1000 + SHAPES.indexOf(shape));
  await renderPng(shapeSvg(shape, rng), join(imagesDir, `${shape}.png`));
}
const kb = (n) => `${(n / 1024).toFixed(0)} KB`;
console.log(
  `wrote ${SHAPES.length} × ${perClass} images of ${size}×${size} to ${datasetDir} (${kb(folderBytes(datasetDir))}) ` +
    `and ${SHAPES.length} to ${imagesDir} (${kb(folderBytes(imagesDir))})`,
);
