// `cnn-lab` command line: dispatches to one module per sub-command under src/cli/.
// Sub-commands are imported lazily so `cnn-lab describe` never loads TensorFlow.js.
import { CliError, type CliIO } from './cli/io.ts';
import { printable } from './cli/printable.ts';
import { rerunWithEngineAllocator } from './cli/engineProcess.ts';

type SubCommand = { summary: string; load: () => Promise<{ run(argv: string[], io: CliIO): Promise<number> }> };

const commands: Record<string, SubCommand> = {
  describe: { summary: 'print the layer table of a model.json, .py, .ts or .js file', load: () => import('./cli/describe.ts') },
  train: { summary: 'train a transfer-learning classifier on a folder of class subfolders', load: () => import('./cli/train.ts') },
  predict: { summary: 'top-k classes for image files or an image URL', load: () => import('./cli/predict.ts') },
  evaluate: { summary: 'accuracy, per-class precision/recall and confusion matrix on a folder', load: () => import('./cli/evaluate.ts') },
  backends: { summary: 'list compute backends, available or not and why', load: () => import('./cli/backends.ts') },
  export: {
    summary: 'a model as a Keras .keras/.h5 file, or an experiment as a Keras tf.distribute script',
    load: () => import('./cli/export.ts'),
  },
  augment: { summary: 'render augmented previews of an image to PNG files', load: () => import('./cli/augment.ts') },
};

function usage(): string {
  const width = Math.max(...Object.keys(commands).map((c) => c.length));
  return [
    'Usage: cnn-lab <command> [options]   (cnn-lab <command> --help for its options)',
    '',
    ...Object.entries(commands).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`),
  ].join('\n');
}

export async function main(argv: string[], rawIo: CliIO): Promise<number> {
  // Every line the CLI prints can carry names read from files (or argv): made printable here,
  // once, rather than at each of the places that print a label, a class folder or a path.
  const io: CliIO = { out: (s) => rawIo.out(printable(s)), err: (s) => rawIo.err(printable(s)), isTTY: rawIo.isTTY };
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h') {
    io.out(usage());
    return name ? 0 : 2;
  }
  const command = commands[name];
  if (!command) {
    io.err(`cnn-lab: unknown command '${name}'\n\n${usage()}`);
    return 2;
  }
  try {
    const mod = await command.load();
    return await mod.run(rest, io);
  } catch (e) {
    // One line, never a bare stack trace (set CNN_LAB_DEBUG=1 for the stack).
    const message = e instanceof Error ? e.message : String(e);
    io.err(`cnn-lab ${name}: ${message}`);
    if (process.env.CNN_LAB_DEBUG && e instanceof Error && !(e instanceof CliError)) io.err(e.stack ?? '');
    return e instanceof CliError ? e.exitCode : 1;
  }
}

/** The sub-commands that load libtensorflow here, so want its allocator settings (cli/engineProcess.ts). */
const ENGINE_COMMANDS = new Set(['train', 'predict', 'evaluate']);

/** Runs the CLI on this process's arguments and sets its exit code (bin/cnn-lab.js calls this). */
export async function runFromProcess(): Promise<void> {
  const rerun = ENGINE_COMMANDS.has(process.argv[2] ?? '') ? rerunWithEngineAllocator() : null;
  if (rerun) {
    process.exitCode = await rerun;
    return;
  }
  return main(process.argv.slice(2), {
    out: (s) => process.stdout.write(s + '\n'),
    err: (s) => process.stderr.write(s + '\n'),
    isTTY: Boolean(process.stderr.isTTY),
  }).then((code) => {
    process.exitCode = code;
  });
}

// Run when executed directly (bundled dist/cli.js, or `tsx src/cli.ts`), not when imported by tests
// or by bin/cnn-lab.js (which calls runFromProcess itself).
const invokedDirectly = typeof require !== 'undefined' ? require.main === module : process.argv[1]?.endsWith('cli.ts');
if (invokedDirectly) void runFromProcess();
