// `cnn-lab evaluate`: accuracy, per-class precision/recall, confusion matrix and the misclassified
// files of a saved model on a class-folder dataset.
import type { BackendChoice, EvaluationReport } from '../protocol/messages.ts';
import { CliError, parseArgs, type CliIO } from './io.ts';

const HELP = `Usage: cnn-lab evaluate --model DIR|FILE --data DIR [--backend NAME] [--json]
  --model FILE   a Keras model.keras / model.h5, converted on load (labels from model.labels.json beside it)`;

export function formatReport(r: EvaluationReport, maxMisclassified = 20): string[] {
  const total = r.confusion.flat().reduce((a, b) => a + b, 0);
  const width = Math.max(8, ...r.labels.map((l) => l.length));
  const lines = [`accuracy ${(r.accuracy * 100).toFixed(2)}% on ${total} images`, ''];
  lines.push(`${'class'.padEnd(width)}  precision  recall  support`);
  for (const c of r.perClass) {
    lines.push(
      `${c.label.padEnd(width)}  ${(c.precision * 100).toFixed(1).padStart(8)}%  ${(c.recall * 100).toFixed(1).padStart(5)}%  ${String(c.support).padStart(7)}`,
    );
  }
  lines.push('', `confusion (rows: actual, columns: predicted)`);
  lines.push(`${''.padEnd(width)}  ${r.labels.map((l) => l.slice(0, 8).padStart(8)).join(' ')}`);
  r.confusion.forEach((row, i) => lines.push(`${r.labels[i].padEnd(width)}  ${row.map((v) => String(v).padStart(8)).join(' ')}`));
  if (r.misclassified.length) {
    lines.push(
      '',
      `misclassified (${r.misclassified.length}${r.misclassified.length > maxMisclassified ? `, first ${maxMisclassified}` : ''}):`,
    );
    for (const m of r.misclassified.slice(0, maxMisclassified)) {
      lines.push(`  ${m.path}: ${m.actual} → ${m.predicted} (${(m.probability * 100).toFixed(1)}%)`);
    }
  }
  if (r.skipped.length) {
    lines.push('', `skipped (${r.skipped.length}):`);
    for (const s of r.skipped) lines.push(`  ${s.path}: ${s.reason}`);
  }
  return lines;
}

export async function run(argv: string[], io: CliIO): Promise<number> {
  const args = parseArgs(argv, { flags: ['json', 'help'], options: ['model', 'data', 'backend'] });
  if (args.flags.has('help')) {
    io.out(HELP);
    return 0;
  }
  const modelDir = args.options.get('model')?.at(-1);
  const data = args.options.get('data')?.at(-1);
  if (!modelDir || !data) throw new CliError(`--model DIR and --data DIR are required\n${HELP}`, 2);
  const backend = args.options.get('backend')?.at(-1) as BackendChoice | undefined;
  const { createEngine } = await import('../engine/engine.ts');
  const engine = createEngine(() => {});
  const report = await engine.handle('evaluate', { modelDir, data, backend });
  if (args.flags.has('json')) io.out(JSON.stringify(report));
  else for (const line of formatReport(report)) io.out(line);
  return 0;
}
