// Training progress for a terminal: one self-rewriting bar line on stderr for batches (TTY only),
// a permanent line per epoch, and JSON lines on stdout instead with --json (for scripts).
import type { EngineNotification } from '../protocol/messages.ts';
import type { CliIO } from './io.ts';
import { printable } from './printable.ts';

function bar(fraction: number, width = 24): string {
  const filled = Math.round(Math.max(0, Math.min(1, fraction)) * width);
  return '█'.repeat(filled) + '░'.repeat(width - filled);
}

const pct = (v: number | undefined) => (v === undefined || Number.isNaN(v) ? '   -  ' : `${(v * 100).toFixed(1).padStart(5)}%`);
const num = (v: number | undefined) => (v === undefined || Number.isNaN(v) ? '  -   ' : v.toFixed(4));

/** Formats one epochEnd as a log line. */
export function formatEpoch(p: Extract<EngineNotification, { method: 'epochEnd' }>['params']): string {
  return (
    `${p.phase} epoch ${String(p.epoch).padStart(String(p.epochs).length)}/${p.epochs}  ` +
    `loss ${num(p.loss)} acc ${pct(p.acc)}  val_loss ${num(p.valLoss)} val_acc ${pct(p.valAcc)}  ` +
    `lr ${p.lr}  ${p.seconds.toFixed(1)}s  ${p.imagesPerSecond.toFixed(0)} img/s`
  );
}

/** Returns a notification sink that renders progress on `io`. */
export function createProgress(io: CliIO, opts: { json: boolean; write?: (s: string) => void }): (n: EngineNotification) => void {
  const write = opts.write ?? ((s: string) => process.stderr.write(s));
  let barShown = false;
  const clearBar = () => {
    if (barShown) write('\r\x1b[2K');
    barShown = false;
  };
  return (n) => {
    if (opts.json) {
      io.out(JSON.stringify({ event: n.method, ...n.params }));
      return;
    }
    switch (n.method) {
      case 'log':
        clearBar();
        io.err(n.params.level === 'info' ? n.params.message : `${n.params.level}: ${n.params.message}`);
        break;
      case 'phase':
        if (io.isTTY && n.params.phase === 'features' && n.params.detail) {
          write(`\r\x1b[2K${printable(n.params.detail)}`); // detail names files: no raw escapes
          barShown = true;
        } else if (n.params.phase !== 'features') {
          clearBar();
          io.err(`— ${n.params.phase}${n.params.detail ? `: ${n.params.detail}` : ''}`);
        }
        break;
      case 'batchEnd':
        if (!io.isTTY) break;
        write(
          `\r\x1b[2K${n.params.phase} epoch ${n.params.epoch} ${bar(n.params.batch / n.params.batches)} ` +
            `${n.params.batch}/${n.params.batches}  loss ${num(n.params.loss)} acc ${pct(n.params.acc)}`,
        );
        barShown = true;
        break;
      case 'epochEnd':
        clearBar();
        io.err(formatEpoch(n.params));
        break;
      case 'done':
      case 'failed':
        clearBar();
        break;
      default: {
        const never: never = n;
        void never;
      }
    }
  };
}
