// What a CLI sub-command may touch: two output streams, so tests can capture them.
export interface CliIO {
  out(line: string): void;
  err(line: string): void;
  /** true when stderr is a terminal: progress bars only then. */
  isTTY: boolean;
}

/** An error whose message is the whole story: printed as one line, no stack. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
  }
}

/** Minimal `--flag value` / `--flag` / positional parser with clear errors naming the flag. */
export function parseArgs(
  argv: string[],
  spec: { flags?: string[]; options?: string[]; multi?: string[] },
): { positional: string[]; flags: Set<string>; options: Map<string, string[]> } {
  const flags = new Set<string>();
  const options = new Map<string, string[]>();
  const positional: string[] = [];
  const knownFlags = new Set(spec.flags ?? []);
  const knownOptions = new Set([...(spec.options ?? []), ...(spec.multi ?? [])]);
  const multi = new Set(spec.multi ?? []);
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (!arg.startsWith('--')) {
      positional.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = eq > 0 ? arg.slice(2, eq) : arg.slice(2);
    if (knownFlags.has(name)) {
      flags.add(name);
      continue;
    }
    if (!knownOptions.has(name)) throw new CliError(`unknown option --${name}`, 2);
    const values: string[] = [];
    if (eq > 0) values.push(arg.slice(eq + 1));
    else {
      // Multi-valued options take every following non-option word (`--image a.jpg b.jpg`).
      while (i + 1 < argv.length && !argv[i + 1].startsWith('--')) {
        values.push(argv[++i]);
        if (!multi.has(name)) break;
      }
    }
    if (values.length === 0) throw new CliError(`option --${name} needs a value`, 2);
    options.set(name, [...(options.get(name) ?? []), ...values]);
  }
  return { positional, flags, options };
}

// Number() reads '0x10' as 16, '1e1' as 10, '0b11' as 3 and ' 7 ' as 7: `--epochs=0x10` trained
// 16 epochs. A flag value is what a person typed, so only plain decimal notation is accepted.
const DECIMAL_INTEGER = /^[-+]?\d+$/;
const DECIMAL_NUMBER = /^[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?$/;

/** The value of `--name` as a number written in decimal ('0.001', '1e-4'); CliError (exit 2) otherwise. */
export function parseNumberFlag(name: string, raw: string, opts: { integer?: boolean } = {}): number {
  const ok = opts.integer ? DECIMAL_INTEGER.test(raw) : DECIMAL_NUMBER.test(raw);
  const value = Number(raw);
  if (!ok || !Number.isFinite(value) || (opts.integer && !Number.isSafeInteger(value))) {
    throw new CliError(`--${name} must be ${opts.integer ? 'a whole number in decimal digits' : 'a decimal number'}, got '${raw}'`, 2);
  }
  return value;
}
