// `cnn-lab export --experiment X.cnnlab.json --format keras-script --out DIR`: the experiment as a
// Keras training script that runs under tf.distribute (MirroredStrategy; MultiWorkerMirroredStrategy
// with --multi-worker). The scripts are fixed files (templates/keras-script, shipped in the VSIX);
// what is this experiment's goes beside them as data: experiment.json (values, frozen layer names),
// split.json (CNN Lab's exact train/validation file lists) and base.keras (the base's features,
// exported as `--format keras` does: CNN Lab's bases are EfficientNet-Lite, which keras.applications
// does not have, and nsfwjs-trained MobileNetV2/InceptionV3, whose weights are not keras.applications'
// ImageNet ones; train.py --base keras.applications.NAME takes an ImageNet one instead).
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import type { ExperimentConfig } from '../../core/experiment.ts';
import { parseFreezeSpec } from '../../core/freeze.ts';
import { loadDatasetSplit, type DatasetFile } from '../data/scan.ts';
import { disposeBase, loadBase } from '../models/zoo.ts';
import { cnnLabVersion, packageRoot } from '../packageRoot.ts';
import { pythonPreprocessing, writeKerasFile } from './kerasExport.ts';

/** The TensorFlow and Keras the scripts were run with (the slow suite's export-keras-script test). */
export const TESTED_TENSORFLOW = '2.21.0';
export const TESTED_KERAS = '3.15.1';

export const SCRIPT_FILES = ['train.py', 'predict.py', 'cnnlab_common.py'];
/** Everything an export writes into its folder: a folder holding only these (or nothing) may be rewritten. */
export const WRITTEN_FILES = [...SCRIPT_FILES, 'experiment.json', 'split.json', 'base.keras', 'base.h5', 'requirements.txt', 'README.md'];

export interface ScriptExportResult {
  out: string;
  files: string[];
  train: number;
  validation: number;
  frozenLayers: number;
}

function templatesDir(): string {
  return join(packageRoot(), 'templates', 'keras-script');
}

export async function exportKerasScript(config: ExperimentConfig, experimentFile: string, outInput: string): Promise<ScriptExportResult> {
  const out = resolve(outInput);
  if (existsSync(out)) {
    const foreign = readdirSync(out).filter(
      (f) => !WRITTEN_FILES.includes(f) && f !== '__pycache__' && !/^model(\.checkpoint)?\.(keras|h5)$|\.labels\.json$/.test(f),
    );
    if (foreign.length)
      throw new Error(
        `${out} holds files CNN Lab did not write (${foreign.slice(0, 3).join(', ')}${foreign.length > 3 ? ', …' : ''}); give an empty or new folder`,
      );
  }
  const split = await loadDatasetSplit(config);
  if (split.train.length === 0) throw new Error(`${config.data}: no training images`);
  const base = await loadBase(config.base, { askedBy: experimentFile });
  try {
    if (base.kind !== 'layers' || !base.layers) throw new Error(`base ${config.base} is a graph model; only layers bases export to Keras`);
    // the same freeze ranges training applies, as the layer names the exported base keeps
    const frozen = parseFreezeSpec(config.freeze, base.layerNames);
    const frozenLayers = base.layerNames.filter((_, i) => frozen[i]);
    mkdirSync(out, { recursive: true });
    const baseMeta = { role: 'base', base: config.base, label: base.label, inputSize: base.inputSize, preprocessing: base.preprocessing };
    // .keras for Keras 3 (one machine); legacy h5 for tf_keras, which --multi-worker trains with
    await writeKerasFile(base.layers, join(out, 'base.keras'), 'keras', baseMeta);
    await writeKerasFile(base.layers, join(out, 'base.h5'), 'h5', baseMeta);
    const side = (root: string, files: DatasetFile[]) => ({ root, files: files.map((f) => [relative(root, f.path), f.label]) });
    writeFileSync(
      join(out, 'split.json'),
      JSON.stringify({
        classes: split.classes,
        seed: config.seed,
        train: side(config.data, split.train),
        validation: side(config.validationData ?? config.data, split.validation),
      }) + '\n',
    );
    const experiment = {
      exportedBy: `cnn-lab ${cnnLabVersion()}`,
      experimentFile: resolve(experimentFile),
      data: config.data,
      classes: split.classes,
      base: config.base,
      baseLabel: base.label,
      baseFile: 'base.keras',
      baseFileH5: 'base.h5',
      inputSize: base.inputSize,
      preprocessing: base.preprocessing,
      preprocessingPython: pythonPreprocessing(base.preprocessing),
      resize: config.resize,
      fcUnits: config.fcUnits,
      batchSize: config.batchSize,
      seed: config.seed,
      validationSplit: config.validationSplit,
      transfer: config.transfer,
      fineTune: config.fineTune,
      freeze: config.freeze,
      frozenLayers,
      augment: config.augment,
      earlyStopping: config.earlyStopping,
    };
    writeFileSync(join(out, 'experiment.json'), JSON.stringify(experiment, null, 2) + '\n');
    for (const f of SCRIPT_FILES) copyFileSync(join(templatesDir(), f), join(out, f));
    writeFileSync(
      join(out, 'requirements.txt'),
      `# the versions these scripts were tested with\ntensorflow==${TESTED_TENSORFLOW}\nkeras==${TESTED_KERAS}\n# Keras 2, for train.py --multi-worker (Keras 3 does not run MultiWorkerMirroredStrategy)\ntf_keras==${TESTED_TENSORFLOW}\n`,
    );
    writeFileSync(join(out, 'README.md'), readme(experiment.baseLabel, split.classes, experimentFile));
    return { out, files: WRITTEN_FILES, train: split.train.length, validation: split.validation.length, frozenLayers: frozenLayers.length };
  } finally {
    disposeBase(base);
  }
}

function readme(baseLabel: string, classes: string[], experimentFile: string): string {
  const template = readFileSync(join(templatesDir(), 'README.template.md'), 'utf8');
  return template
    .replaceAll('{{experiment}}', resolve(experimentFile))
    .replaceAll('{{base}}', baseLabel)
    .replaceAll('{{classes}}', classes.join(', '))
    .replaceAll('{{tensorflow}}', TESTED_TENSORFLOW)
    .replaceAll('{{keras}}', TESTED_KERAS);
}
