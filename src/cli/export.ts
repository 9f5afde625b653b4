// `cnn-lab export`: a trained model as a Keras file (.keras / legacy .h5), or an experiment as a
// Keras training script (train.py, predict.py) that runs under tf.distribute.
import { CliError, parseArgs, type CliIO } from './io.ts';

const HELP = `Usage: cnn-lab export --model DIR --format keras|h5 --out FILE
       cnn-lab export --experiment FILE.cnnlab.json --format keras-script --out DIR
  --model DIR        a model trained by cnn-lab train (its cnn-lab.json gives labels and preprocessing)
  --format keras     Keras 3 .keras zip (config.json, metadata.json, model.weights.h5)
  --format h5        legacy Keras 2 .h5 (model_config + weights by layer name); tf_keras and Keras 3 load it
  --out FILE         model.keras / model.h5; the labels and preprocessing go beside it as model.labels.json`;

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
  throw new CliError(`--format must be keras, h5 or keras-script, got ${format === undefined ? 'nothing' : `'${format}'`}\n${HELP}`, 2);
}
