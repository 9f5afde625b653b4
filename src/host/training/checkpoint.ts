// Whether a model folder holds a checkpoint that training can resume from. The host reads the
// metadata file itself (it never imports the engine); the engine checks it again when resuming.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { checkpointDirOf } from '../../core/checkpointPath.ts';

/**
 * The epoch a resumable checkpoint of the run writing `outDir` holds — in `<outDir>.checkpoint`, or
 * a model "Stop, keep best" left in `outDir` — or undefined when there is none.
 */
export function resumableCheckpoint(outDir: string): { phase: string; epoch: number } | undefined {
  return checkpointIn(checkpointDirOf(outDir)) ?? checkpointIn(outDir);
}

function checkpointIn(dir: string): { phase: string; epoch: number } | undefined {
  let meta: { status?: unknown; bestEpoch?: { phase?: unknown; epoch?: unknown } | null };
  try {
    meta = JSON.parse(readFileSync(join(dir, 'cnn-lab.json'), 'utf8'));
  } catch {
    return undefined;
  }
  if (meta?.status !== 'checkpoint' && meta?.status !== 'cancelled') return undefined;
  const b = meta.bestEpoch;
  if (!b || typeof b.phase !== 'string' || typeof b.epoch !== 'number') return undefined;
  return { phase: b.phase, epoch: b.epoch };
}
