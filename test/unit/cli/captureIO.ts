// A CliIO that keeps what a command prints, for the CLI tests (one copy; six test files had it).
import type { CliIO } from '../../../src/cli/io.ts';

export function capture(): CliIO & { stdout: string[]; stderr: string[] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return { stdout, stderr, out: (s) => stdout.push(s), err: (s) => stderr.push(s), isTTY: false };
}
