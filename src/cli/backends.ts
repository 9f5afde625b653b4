// `cnn-lab backends [--json]`: which compute backends work on this machine, why the others do
// not and how to get them, and what `--backend auto` picks for inference and for fine-tuning.
import { BACKEND_NAMES, type BackendName } from '../core/backends.ts';
import type { BackendInfo } from '../protocol/messages.ts';
import { listBackends, useBackend } from '../engine/backends/index.ts';
import { CliError, parseArgs, type CliIO } from './io.ts';

const HELP = `Usage: cnn-lab backends [--json]

Lists the compute backends (${BACKEND_NAMES.join(', ')}): available or not and
why, how to install the missing ones, and which one --backend auto uses.
  --json   print {"backends": [{name, available, reason, install, canTrainConv}], "auto": {...}}`;

export interface BackendsReport {
  backends: BackendInfo[];
  /** what `auto` picks when only inference / a frozen base is trained, and when conv layers train */
  auto: { inference: BackendName; fineTune: BackendName };
}

export async function backendsReport(): Promise<BackendsReport> {
  const backends = await listBackends();
  const inference = await useBackend('auto', { needConvGradients: false });
  const fineTune = await useBackend('auto', { needConvGradients: true });
  return { backends, auto: { inference, fineTune } };
}

export function formatBackendsReport(report: BackendsReport): string {
  const width = Math.max(...report.backends.map((b) => b.name.length));
  const lines = report.backends.map((b) => {
    const status = b.available ? 'yes' : 'no ';
    const train = b.available && !b.canTrainConv ? ' (cannot fine-tune conv layers)' : '';
    return `  ${b.name.padEnd(width)}  ${status}  ${b.reason ?? ''}${train}`;
  });
  const missing = report.backends.filter((b) => !b.available && b.install);
  return [
    `  ${'backend'.padEnd(width)}  ok   notes`,
    ...lines,
    '',
    `auto: ${report.auto.inference} for prediction and frozen-base training, ${report.auto.fineTune} for fine-tuning`,
    ...(missing.length ? ['', 'To get the missing ones:', ...missing.map((b) => `  ${b.name}: ${b.install}`)] : []),
  ].join('\n');
}

export async function run(argv: string[], io: CliIO): Promise<number> {
  const args = parseArgs(argv, { flags: ['json', 'help'] });
  if (args.flags.has('help')) {
    io.out(HELP);
    return 0;
  }
  if (args.positional.length > 0) throw new CliError(`unexpected argument '${args.positional[0]}'\n\n${HELP}`, 2);
  const report = await backendsReport();
  io.out(args.flags.has('json') ? JSON.stringify(report) : formatBackendsReport(report));
  return 0;
}
