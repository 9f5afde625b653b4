// `cnn-lab describe <model.json | file.py | file.ts | file.js> [--json] [--model NAME]`
// Prints a model.summary()-like table (and the conv/pool arithmetic), or the rows as JSON.
// Pure shape inference: never loads TensorFlow.js.
import { readFileSync, statSync, type Stats } from 'node:fs';
import { toLayerRow, type LayerRow } from '../core/layerRow.ts';
import { parseSource, sourceKindForPath, type ParsedModel } from '../core/parsers/index.ts';
import { modelReport } from '../core/summary.ts';
import { CliError, parseArgs, type CliIO } from './io.ts';

const HELP = `Usage: cnn-lab describe <model.json | file.py | file.ts | file.js> [--json] [--model NAME]

Prints each model's layers with output shapes and parameter counts, computed from the file
without running it (Keras Python, tfjs TypeScript/JavaScript, or a layers model.json).
  --json         print [{model, name, className, outputShape, params, trainable, problems?}]
                 instead (params null where not known)
Exits 1 when the model has an error (a shape that does not fit, an undefined input).
  --model NAME   only the model with this name (a file may define several)`;

/**
 * A layer row with the model it belongs to; `params` null where the count is not known (the text
 * says `?`); `problems` (warnings and errors, as in the text's Problems list) only where there are some.
 */
function toRow(model: ParsedModel, layer: ParsedModel['layers'][number]): DescribedRow {
  // overriding `params` keeps its place in the key order (model, name, className, outputShape, params, trainable)
  const row: DescribedRow = { model: model.name, ...toLayerRow(layer), params: layer.params?.total ?? null };
  const problems = layer.diagnostics
    .filter((d) => d.severity !== 'info')
    .map((d) => ({ severity: d.severity as 'error' | 'warning', message: d.message }));
  if (problems.length > 0) row.problems = problems;
  return row;
}

type DescribedRow = Omit<LayerRow, 'params'> & {
  model: string;
  params: number | null;
  problems?: { severity: 'error' | 'warning'; message: string }[];
};

export async function run(argv: string[], io: CliIO): Promise<number> {
  const args = parseArgs(argv, { flags: ['json', 'help'], options: ['model'] });
  if (args.flags.has('help')) {
    io.out(HELP);
    return 0;
  }
  if (args.positional.length !== 1) throw new CliError(`expected one file to describe, got ${args.positional.length}\n\n${HELP}`, 2);
  const file = args.positional[0];
  const kind = sourceKindForPath(file);
  if (!kind) throw new CliError(`${file}: not a .json, .py, .ts or .js file`, 2);
  let text: string;
  try {
    const info = statSync(file);
    if (info.isDirectory()) throw new CliError(`${file}: is a directory (give the model.json inside it)`);
    // A FIFO (or a device) named *.py would block the read forever, waiting for a writer.
    if (!info.isFile()) throw new CliError(`${file}: not a regular file (${kindOf(info)}); describe reads model files only`);
    text = readFileSync(file, 'utf8');
  } catch (e) {
    if (e instanceof CliError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    throw new CliError(`${file}: ${code === 'ENOENT' ? 'no such file' : `cannot read (${code ?? (e as Error).message})`}`);
  }
  if (kind === 'model.json') {
    try {
      JSON.parse(text);
    } catch (e) {
      throw new CliError(`${file}: not valid JSON (${(e as Error).message})`);
    }
  }
  let models = parseSource(text, kind).models;
  if (models.length === 0)
    throw new CliError(
      `${file}: no model found (looked for ${kind === 'model.json' ? 'a layers model topology' : kind === 'python' ? 'Keras Sequential/add()/functional layer calls' : 'tf.sequential/tf.layers/tf.conv2d calls'})`,
    );
  const wanted = args.options.get('model')?.[0];
  if (wanted !== undefined) {
    models = models.filter((m) => m.name === wanted);
    if (models.length === 0)
      throw new CliError(
        `${file}: no model named '${wanted}' (found: ${parseSource(text, kind)
          .models.map((m) => m.name)
          .join(', ')})`,
      );
  }
  const errors = models.flatMap((m) => m.layers.flatMap((l) => l.diagnostics.filter((d) => d.severity === 'error')));
  if (args.flags.has('json')) {
    io.out(
      JSON.stringify(
        models.flatMap((m) => m.layers.map((l) => toRow(m, l))),
        null,
        2,
      ),
    );
  } else {
    io.out(models.map(modelReport).join('\n\n'));
  }
  // The file describes a model that cannot be built: say so in the exit code, for scripts and CI.
  if (errors.length > 0) {
    io.err(
      `${file}: ${errors.length} error(s) in the model (listed ${args.flags.has('json') ? 'in each layer\'s "problems"' : 'under Problems'})`,
    );
    return 1;
  }
  return 0;
}

function kindOf(info: Stats): string {
  if (info.isFIFO()) return 'a FIFO';
  if (info.isSocket()) return 'a socket';
  if (info.isCharacterDevice() || info.isBlockDevice()) return 'a device';
  return 'not a file';
}
