// `cnn-lab train`: the whole transfer-learning recipe from a terminal, through the same engine the
// editor uses (in-process here). Flags build an ExperimentConfig (optionally starting from an
// experiment JSON file); Ctrl-C cancels at the next batch and keeps the best weights so far.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BACKEND_CHOICES } from '../core/backends.ts';
import { checkpointDirOf } from '../core/checkpointPath.ts';
import type { ExperimentConfig } from '../core/experiment.ts';
import { AUGMENT_PRESETS, withExperimentDefaults, type AugmentPreset } from '../core/experimentDefaults.ts';
import { assertValidExperiment } from '../core/experimentValidate.ts';
import type { TrainResult } from '../protocol/messages.ts';
import { CliError, parseArgs, parseNumberFlag, type CliIO } from './io.ts';
import { createProgress } from './progress.ts';

const HELP = `Usage: cnn-lab train --data DIR --out DIR [options]

  --data DIR                 one subfolder per class (Keras flow_from_directory layout)
  --val DIR                  separate validation folder (same class folders)
  --validation-split F       fraction of --data held out, stratified and seeded (default 0.2)
  --base NAME|PATH|URL       efficientnet_lite0 (default) | efficientnet_lite1 | efficientnet_lite2 |
                             mobilenet_v2 | inception_v3 (nsfwjs) | model.json | http(s) URL |
                             keras:inception_v3 | keras:mobilenet_v2 | keras:resnet50 | keras:efficientnet_b0 |
                             keras:vgg16 (Keras' ImageNet weights: downloaded once, cached, checked
                             against the file hash Keras pins, where it pins one)
  --epochs N                 transfer epochs, base frozen, RMSprop (default 10)
  --lr F                     transfer learning rate (default 0.001)
  --fine-tune-epochs M       fine-tune epochs, SGD momentum 0.9 (default 0: skip)
  --fine-tune-lr F           fine-tune learning rate (default 0.0001)
  --fine-tune-from LAYER     train the base from LAYER on (freeze everything before it)
  --freeze SPEC...           frozen layers while fine-tuning: "0-248", "up to mixed8", "first 249"
  --augment PRESET           ${Object.keys(AUGMENT_PRESETS).join(' | ')} (Keras ImageDataGenerator-style)
  --rotation DEG --width-shift F --height-shift F --shear DEG --zoom F --flip
                             individual augmentation settings
  --batch-size B             (default 32)      --fc-units N   head Dense units (default 1024)
  --seed N                   (default 42)      --resize stretch|center-crop
  --patience N               early stopping patience (default 5)   --no-early-stopping
  --backend NAME             ${BACKEND_CHOICES.join(' | ')}
  --config FILE              an experiment JSON file; flags override its fields
  --out DIR                  the model directory to write
  --resume                   continue an interrupted run: from DIR.checkpoint (kept beside --out DIR
                             after a crash or a divergence) or the model Ctrl-C saved in DIR; without
                             --config or --data, the experiment is read from that checkpoint
  --json                     JSON lines on stdout (events, then the result)`;

function number(args: ReturnType<typeof parseArgs>, name: string, opts: { integer?: boolean } = {}): number | undefined {
  const raw = args.options.get(name)?.at(-1);
  if (raw === undefined) return undefined;
  return parseNumberFlag(name, raw, opts);
}

const one = (args: ReturnType<typeof parseArgs>, name: string) => args.options.get(name)?.at(-1);

/** The experiment a checkpoint was trained with (its cnn-lab.json), for `--resume --out DIR`. */
function checkpointConfig(out: string): Partial<ExperimentConfig> {
  // the run's checkpoint folder, else a model "Stop, keep best" saved in out
  const inCheckpoint = join(checkpointDirOf(out), 'cnn-lab.json');
  const path = existsSync(inCheckpoint) ? inCheckpoint : join(out, 'cnn-lab.json');
  let meta: { config?: Partial<ExperimentConfig> };
  try {
    meta = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new CliError(
      `--resume: ${code === 'ENOENT' ? `no checkpoint for ${out} (neither ${inCheckpoint} nor ${path} exists)` : `${path}: ${code ?? (e as Error).message}`}`,
      2,
    );
  }
  if (!meta?.config || typeof meta.config !== 'object') throw new CliError(`--resume: ${path} holds no experiment config`, 2);
  return meta.config;
}

/** Builds the experiment from `--config` and flags; exported for tests. */
export function experimentFromArgs(argv: string[]): ExperimentConfig {
  const args = parseArgs(argv, {
    flags: ['json', 'flip', 'no-early-stopping', 'help', 'resume'],
    options: [
      'data',
      'val',
      'validation-split',
      'base',
      'epochs',
      'lr',
      'fine-tune-epochs',
      'fine-tune-lr',
      'fine-tune-from',
      'augment',
      'rotation',
      'width-shift',
      'height-shift',
      'shear',
      'zoom',
      'batch-size',
      'fc-units',
      'seed',
      'resize',
      'patience',
      'backend',
      'config',
      'out',
    ],
    multi: ['freeze'],
  });
  if (args.positional.length) throw new CliError(`unexpected argument '${args.positional[0]}'`, 2);
  let fromFile: Partial<ExperimentConfig> = {};
  const configPath = one(args, 'config');
  if (configPath) {
    try {
      fromFile = JSON.parse(readFileSync(configPath, 'utf8'));
    } catch (e) {
      throw new CliError(`--config ${configPath}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, 2);
    }
    if (!fromFile || typeof fromFile !== 'object' || Array.isArray(fromFile))
      throw new CliError(`--config ${configPath}: expected a JSON object`, 2);
  } else if (args.flags.has('resume') && one(args, 'out') && !one(args, 'data')) {
    fromFile = checkpointConfig(one(args, 'out')!);
  }
  const preset = one(args, 'augment');
  if (preset !== undefined && !(preset in AUGMENT_PRESETS)) {
    throw new CliError(`--augment must be one of ${Object.keys(AUGMENT_PRESETS).join(', ')}, got '${preset}'`, 2);
  }
  const custom = {
    rotationRange: number(args, 'rotation'),
    widthShiftRange: number(args, 'width-shift'),
    heightShiftRange: number(args, 'height-shift'),
    shearRange: number(args, 'shear'),
    zoomRange: number(args, 'zoom'),
    horizontalFlip: args.flags.has('flip') ? true : undefined,
  };
  const anyCustom = Object.values(custom).some((v) => v !== undefined);
  const defined = <T extends object>(o: T) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
  const augment =
    preset || anyCustom
      ? { ...(preset ? AUGMENT_PRESETS[preset as AugmentPreset] : (fromFile.augment ?? {})), ...defined(custom) }
      : fromFile.augment;
  const fineTuneFrom = one(args, 'fine-tune-from');
  const freeze = args.options.get('freeze') ?? (fineTuneFrom ? [`from ${fineTuneFrom}`] : undefined);
  const patience = number(args, 'patience', { integer: true });
  const val = one(args, 'val');
  const merged = withExperimentDefaults({
    ...fromFile,
    ...defined({
      data: one(args, 'data'),
      validationData: val,
      validationSplit: number(args, 'validation-split') ?? (val ? 0 : undefined),
      base: one(args, 'base'),
      fcUnits: number(args, 'fc-units', { integer: true }),
      batchSize: number(args, 'batch-size', { integer: true }),
      seed: number(args, 'seed', { integer: true }),
      resize: one(args, 'resize') as ExperimentConfig['resize'] | undefined,
      backend: one(args, 'backend') as ExperimentConfig['backend'] | undefined,
      out: one(args, 'out'),
      freeze,
    }),
    transfer: { ...fromFile.transfer, ...defined({ epochs: number(args, 'epochs', { integer: true }), learningRate: number(args, 'lr') }) },
    fineTune: {
      ...fromFile.fineTune,
      ...defined({ epochs: number(args, 'fine-tune-epochs', { integer: true }), learningRate: number(args, 'fine-tune-lr') }),
    },
    augment: augment ?? null,
    earlyStopping: args.flags.has('no-early-stopping') ? null : { ...(fromFile.earlyStopping ?? {}), ...defined({ patience }) },
  });
  if (!merged.data) throw new CliError('--data DIR is required (a folder with one subfolder per class)', 2);
  if (!merged.out) throw new CliError('--out DIR is required (where the model directory is written)', 2);
  try {
    assertValidExperiment(merged);
  } catch (e) {
    throw new CliError((e as Error).message, 2);
  }
  return merged;
}

function summary(result: TrainResult): string[] {
  const lines: string[] = [];
  if (result.cancelled)
    lines.push(
      result.saved
        ? `cancelled; the best epoch saved to ${result.modelDir}`
        : `cancelled; nothing saved, ${result.modelDir} is left as it was`,
    );
  else lines.push(`saved ${result.modelDir} (${result.labels.join(', ')}; backend ${result.backend})`);
  if (result.bestEpoch) {
    const b = result.bestEpoch;
    lines.push(
      `best: ${b.phase} epoch ${b.epoch}${b.valAcc !== undefined ? `, val_acc ${(b.valAcc * 100).toFixed(1)}%` : ''}${b.valLoss !== undefined ? `, val_loss ${b.valLoss.toFixed(4)}` : ''}`,
    );
  }
  if (result.evaluation) lines.push(`validation accuracy: ${(result.evaluation.accuracy * 100).toFixed(1)}%`);
  // Each was logged once as it was found ("warn: skipped PATH: REASON"); --json has them in the result.
  if (result.skipped.length) lines.push(`${result.skipped.length} file(s) skipped, each listed above with its reason`);
  return lines;
}

export async function run(argv: string[], io: CliIO): Promise<number> {
  if (argv.includes('--help')) {
    io.out(HELP);
    return 0;
  }
  const config = experimentFromArgs(argv);
  const json = argv.includes('--json');
  const { createEngine } = await import('../engine/engine.ts');
  const engine = createEngine(createProgress(io, { json }));
  const runId = `cli-${process.pid}`;
  let interrupted = 0;
  const onSigint = () => {
    interrupted++;
    if (interrupted > 1) process.exit(130);
    io.err('cancelling at the next batch (Ctrl-C again to quit now)…');
    void engine.handle('cancel', { runId, keepBest: true });
  };
  process.on('SIGINT', onSigint);
  try {
    const result = await engine.handle('train', { runId, config, resume: argv.includes('--resume') });
    if (json) io.out(JSON.stringify({ event: 'result', ...result }));
    else for (const line of summary(result)) io.out(line);
    return result.cancelled ? 130 : 0;
  } finally {
    process.off('SIGINT', onSigint);
  }
}
