// The two bases that ship inside npm `nsfwjs` 4.4 as browserify bundles: model.min.js gives
// {modelTopology, weightsManifest}; each group1-shardNofM.min.js exports one base64 weight shard.
// Loaded fully offline from node_modules; the uint8-quantized weights are dequantized by tfjs.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { BUNDLED_BASE_LABELS } from '../../core/baseLabels.ts';
import { tf } from '../tf.ts';
import { concatBuffers } from '../save/modelFiles.ts';

export type BundledBaseId = 'inception_v3' | 'mobilenet_v2';

export interface BundledBaseSpec {
  id: BundledBaseId;
  /** where the conv features end, like Keras `include_top=False` */
  cutLayer: string;
  /** honest provenance, shown in output and saved in metadata */
  label: string;
}

export const BUNDLED_BASES: Record<BundledBaseId, BundledBaseSpec> = {
  inception_v3: {
    id: 'inception_v3',
    cutLayer: 'mixed10',
    label: BUNDLED_BASE_LABELS.inception_v3,
  },
  mobilenet_v2: {
    id: 'mobilenet_v2',
    cutLayer: 'out_relu',
    label: BUNDLED_BASE_LABELS.mobilenet_v2,
  },
};

export function isBundledBase(ref: string): ref is BundledBaseId {
  return Object.prototype.hasOwnProperty.call(BUNDLED_BASES, ref);
}

function nsfwjsModelsDir(): string {
  // `require.resolve` works both under tsx and in the esbuild bundle (nsfwjs stays external).
  // The package's `exports` hide package.json; its CommonJS entry is dist/cjs/index.js.
  const entry = require.resolve('nsfwjs');
  return join(dirname(entry), '..', 'models');
}

/** The browserify wrappers are UMD: evaluating them as CommonJS hands back module.exports. */
function loadUmd(file: string): unknown {
  let source: string;
  try {
    source = readFileSync(file, 'utf8');
  } catch (e) {
    throw new Error(`bundled base file missing: ${file} (is npm package nsfwjs 4.4 installed?)`);
  }
  const module = { exports: {} as unknown };
  // eslint-disable-next-line @typescript-eslint/no-implied-eval
  new Function('module', 'exports', 'require', 'define', source)(module, module.exports, require, undefined);
  return module.exports;
}

/** Loads the full nsfwjs model (with its own classifier top) as a tfjs LayersModel. */
export async function loadBundledFullModel(id: BundledBaseId): Promise<tf.LayersModel> {
  const dir = join(nsfwjsModelsDir(), id);
  const model = loadUmd(join(dir, 'model.min.js')) as {
    modelTopology: object;
    weightsManifest: { paths: string[]; weights: tf.io.WeightsManifestEntry[] }[];
  };
  if (!model || typeof model !== 'object' || !model.modelTopology || !Array.isArray(model.weightsManifest)) {
    throw new Error(`bundled base ${id}: ${dir}/model.min.js is not a tfjs model bundle`);
  }
  const shards: Uint8Array[] = [];
  for (const group of model.weightsManifest) {
    for (const path of group.paths) {
      // manifest paths name the original .bin shards: group1-shard1of6 → group1-shard1of6.min.js
      const file = join(dir, path.replace(/(\.bin)?$/, '.min.js'));
      const base64 = loadUmd(file);
      if (typeof base64 !== 'string') throw new Error(`bundled base ${id}: ${file} does not export a base64 string`);
      shards.push(Buffer.from(base64, 'base64'));
    }
  }
  return tf.loadLayersModel(
    tf.io.fromMemory({
      modelTopology: model.modelTopology,
      weightSpecs: model.weightsManifest.flatMap((g) => g.weights),
      weightData: concatBuffers(shards),
    }),
  );
}
