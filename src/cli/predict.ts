// `cnn-lab predict`: top-k classes for image files or an image URL, like the Keras transfer-learning recipe's predict.py.
import type { BackendChoice, Prediction } from '../protocol/messages.ts';
import { CliError, parseArgs, parseNumberFlag, type CliIO } from './io.ts';

const HELP = `Usage: cnn-lab predict (--model DIR|FILE | --base NAME) (--image FILE... | --image-url URL) [--top K] [--backend NAME] [--json]
  --model DIR    a model trained by cnn-lab train
  --model FILE   a Keras model.keras / model.h5 (the exported train.py's), converted on load; labels,
                 input size and preprocessing from model.labels.json beside it
  --base NAME    efficientnet_lite0 | efficientnet_lite1 | efficientnet_lite2 with its own ImageNet
                 classifier (1000 ImageNet classes): a quick check that the base works`;

export function formatPrediction(p: Prediction): string {
  if (p.error) return `${p.source}: error: ${p.error}`;
  return `${p.source}: ${p.top.map((t) => `${t.label} ${(t.probability * 100).toFixed(1)}%`).join(', ')}`;
}

export async function run(argv: string[], io: CliIO): Promise<number> {
  const args = parseArgs(argv, { flags: ['json', 'help'], options: ['model', 'base', 'image-url', 'top', 'backend'], multi: ['image'] });
  if (args.flags.has('help')) {
    io.out(HELP);
    return 0;
  }
  const modelDir = args.options.get('model')?.at(-1);
  const base = args.options.get('base')?.at(-1);
  if (!modelDir === !base) throw new CliError(`give --model DIR|FILE or --base NAME (one of them)\n${HELP}`, 2);
  const images = args.options.get('image') ?? [];
  const url = args.options.get('image-url')?.at(-1);
  if (images.length === 0 && !url) throw new CliError(`give --image FILE... or --image-url URL\n${HELP}`, 2);
  const topRaw = args.options.get('top')?.at(-1) ?? '3';
  const topK = parseNumberFlag('top', topRaw, { integer: true });
  if (topK < 1) throw new CliError(`--top must be a positive integer, got '${topRaw}'`, 2);
  const backend = args.options.get('backend')?.at(-1) as BackendChoice | undefined;
  const { createEngine } = await import('../engine/engine.ts');
  const engine = createEngine((n) => {
    if (n.method === 'log' && n.params.level !== 'info') io.err(`${n.params.level}: ${n.params.message}`);
  });
  const result = await engine.handle('predict', { modelDir, base, images: images.length ? images : undefined, url, topK, backend });
  if (args.flags.has('json')) io.out(JSON.stringify(result));
  else for (const p of result.predictions) io.out(formatPrediction(p));
  // Some inputs failed: still print what worked, but say so in the exit code.
  return result.predictions.some((p) => p.error) ? 1 : 0;
}
