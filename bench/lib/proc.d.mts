// Types of proc.mjs for the TypeScript benchmarks (bench/profile/*.mts), matching its JSDoc.
import type { ChildProcess } from 'node:child_process';

export interface MeasuredRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  wallSeconds: number;
  peakRssBytes: number;
  rssSamples: [number, number][];
  lines: { t: number; line: string; rss?: number }[];
  stderr: string;
}

export declare function treeRssBytes(root: number): number;
export declare function runMeasured(
  cmd: string,
  args: string[],
  options?: {
    cwd?: string;
    env?: NodeJS.ProcessEnv;
    onLine?: (line: string, seconds: number, child: ChildProcess) => unknown;
    sampleMs?: number;
    timeoutS?: number;
    log?: (line: string) => void;
  },
): Promise<MeasuredRun>;
// a JSON line is whatever the process printed
export declare function jsonLines(run: MeasuredRun): { t: number; rss?: number; value: any }[];
export declare function median(xs: unknown[]): number | null;
