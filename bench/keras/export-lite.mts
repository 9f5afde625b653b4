// Writes the EfficientNet-Lite bases (src/engine/models/efficientnetLite.ts, ImageNet weights from
// bases/) as standard tfjs layers models — model.json + weights.bin — so the Keras peer
// (bench/keras/peer.py) builds the same network from the topology and loads the very same weights.
// Usage: npx tsx bench/keras/export-lite.mts [--out .cache/bench-models] [efficientnet_lite0 ...]
import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { EFFICIENTNET_LITE, isEfficientNetLite, loadEfficientNetLite } from '../../src/engine/models/efficientnetLite.ts';
import { tf } from '../../src/engine/tf.ts';

const argv = process.argv.slice(2);
let out = resolve('.cache', 'bench-models');
const ids: string[] = [];
for (let i = 0; i < argv.length; i++) {
  if (argv[i] === '--out') out = resolve(argv[++i] ?? '');
  else if (isEfficientNetLite(argv[i])) ids.push(argv[i]);
  else throw new Error(`unknown argument "${argv[i]}" (expected --out DIR or one of ${Object.keys(EFFICIENTNET_LITE).join(', ')})`);
}
for (const id of ids.length ? ids : ['efficientnet_lite0']) {
  if (!isEfficientNetLite(id)) continue;
  const { model } = loadEfficientNetLite(id);
  const dir = join(out, id);
  const tmp = `${dir}.tmp-${process.pid}`;
  mkdirSync(tmp, { recursive: true });
  await model.save(
    tf.io.withSaveHandler(async (a) => {
      writeFileSync(join(tmp, 'weights.bin'), Buffer.from(a.weightData as ArrayBuffer));
      writeFileSync(
        join(tmp, 'model.json'),
        JSON.stringify({
          format: 'layers-model',
          modelTopology: a.modelTopology,
          weightsManifest: [{ paths: ['weights.bin'], weights: a.weightSpecs }],
        }),
      );
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  mkdirSync(out, { recursive: true });
  try {
    renameSync(tmp, dir);
  } catch {
    // an earlier export is there (only ever written by this script): replace it
    rmSync(dir, { recursive: true, force: true });
    renameSync(tmp, dir);
  }
  console.log(`${id}: ${dir} (${model.layers.length} layers)`);
  model.dispose();
}
