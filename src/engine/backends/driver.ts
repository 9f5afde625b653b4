// What every backend driver provides: a one-time load step that imports its packages and checks
// its prerequisites, answering either the tfjs backend name to activate or why it cannot run.
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import type { BackendName } from '../../protocol/messages.ts';

export type LoadOutcome =
  | {
      ok: true;
      /** the name tfjs registers it under (tensorflow-gpu registers 'tensorflow' too) */
      tfName: string;
      /** shown in `cnn-lab backends`, e.g. "libtensorflow 2.21.0" */
      note?: string;
      /** works but slowly (a software GPU adapter): `auto` passes over it */
      slow?: boolean;
    }
  | { ok: false; reason: string; install: string };

export interface BackendDriver {
  name: BackendName;
  /** false for WASM: it has no Conv2DBackpropFilter / DepthwiseConv2dNativeBackpropFilter kernels */
  canTrainConv: boolean;
  load(): Promise<LoadOutcome>;
  /** runs after tfjs switched to it, before the smoke test */
  onActivated?(): void;
}

// Resolves optional packages from this module's location (src/ under tsx, dist/ when bundled).
const requireHere = createRequire(__filename);

/** The folder of an installed package, or null when it is not installed. */
export function packageDir(name: string): string | null {
  try {
    return dirname(requireHere.resolve(`${name}/package.json`));
  } catch {
    return null;
  }
}

/** An installed package's version, or null. */
export function packageVersion(name: string): string | null {
  try {
    return String(requireHere(`${name}/package.json`).version);
  } catch {
    return null;
  }
}

/**
 * Imports a package whose types may not be installed (optional dependencies): the specifier is a
 * variable so neither tsc nor esbuild needs it at build time.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- an optional package's types may be absent: the caller narrows
export async function importOptional(name: string): Promise<any> {
  const mod = await import(name);
  return mod.default ?? mod;
}

/** The first line of an error's message: native loaders put long stacks after it. */
export function firstLine(e: unknown): string {
  const text = e instanceof Error ? e.message : String(e);
  return (
    text
      .split('\n')
      .find((l) => l.trim() !== '')
      ?.trim() ?? text
  );
}
