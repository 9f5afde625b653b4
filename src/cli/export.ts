// `cnn-lab export`: a trained model as a Keras file (.keras / legacy .h5), or an experiment as a
// Keras training script (train.py, predict.py) that runs under tf.distribute.
import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import type { ExperimentConfig } from '../core/experiment.ts';
import { withExperimentDefaults } from '../core/experimentDefaults.ts';
import { validateExperiment } from '../core/experimentValidate.ts';
import { CliError, parseArgs, type CliIO } from './io.ts';

/** The experiment file with its defaults, paths resolved against its folder as the editor does. */
function readExperiment(file: string): ExperimentConfig {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new CliError(`--experiment ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, 2);
  }
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) throw new CliError(`--experiment ${file}: expected a JSON object`, 2);
  const { $schema: _schema, ...fields } = raw as Record<string, unknown>;
  const config = withExperimentDefaults({ out: 'models/model', ...fields });
  const issues = validateExperiment(config);
  if (issues.length)
    throw new CliError(`--experiment ${file}: ${issues.map((i) => (i.field ? `${i.field} ${i.message}` : i.message)).join('; ')}`, 2);
  const dir = dirname(resolve(file));
  const local = (p: string) => (isAbsolute(p) ? p : resolve(dir, p));
  const base = /^https?:\/\//.test(config.base) || !/[\\/]|\.json$/.test(config.base) ? config.base : local(config.base);
  return {
    ...config,
    data: local(config.data),
    validationData: config.validationData && local(config.validationData),
    base,
    out: local(config.out),
  };
}

const HELP = `Usage: cnn-lab export --model DIR --format keras|h5 --out FILE
       cnn-lab export --experiment FILE.cnnlab.json --format keras-script --out DIR
  --model DIR        a model trained by cnn-lab train (its cnn-lab.json gives labels and preprocessing)
  --format keras     Keras 3 .keras zip (config.json, metadata.json, model.weights.h5)
  --format h5        legacy Keras 2 .h5 (model_config + weights by layer name); tf_keras and Keras 3 load it
  --out FILE         model.keras / model.h5; the labels and preprocessing go beside it as model.labels.json
  --format keras-script   train.py + predict.py (Keras, tf.distribute: MirroredStrategy, or
                     MultiWorkerMirroredStrategy with --multi-worker), requirements.txt, README.md,
                     the base as base.keras and CNN Lab's train/validation split, into --out DIR`;

export async function run(argv: string[], io: CliIO): Promise<number> {
  const args = parseArgs(argv, { flags: ['help'], options: ['model', 'experiment', 'format', 'out'] });
  if (args.flags.has('help')) {
    io.out(HELP);
    return 0;
  }
  const one = (name: string) => args.options.get(name)?.at(-1);
  const format = one('format');
  const out = one('out');
  if (!out) throw new CliError(`give --out\n${HELP}`, 2);
  if (format === 'keras' || format === 'h5') {
    const model = one('model');
    if (!model) throw new CliError(`--format ${format} needs --model DIR\n${HELP}`, 2);
    const { exportKerasModel } = await import('../engine/export/kerasExport.ts');
    const r = await exportKerasModel(model, out, format);
    io.out(`wrote ${r.out} (${r.layers} layers, ${r.weights} weight arrays) and ${r.labelsFile}`);
    return 0;
  }
  if (format === 'keras-script') {
    const experiment = one('experiment');
    if (!experiment) throw new CliError(`--format keras-script needs --experiment FILE.cnnlab.json\n${HELP}`, 2);
    const config = readExperiment(experiment);
    const { exportKerasScript } = await import('../engine/export/kerasScript.ts');
    const r = await exportKerasScript(config, experiment, out);
    io.out(
      `wrote ${r.out}: ${r.files.join(', ')} (${r.train} training, ${r.validation} validation images; ${r.frozenLayers} base layers frozen while fine-tuning)`,
    );
    io.out(`run: cd ${r.out} && pip install -r requirements.txt && python train.py`);
    return 0;
  }
  throw new CliError(`--format must be keras, h5 or keras-script, got ${format === undefined ? 'nothing' : `'${format}'`}\n${HELP}`, 2);
}
