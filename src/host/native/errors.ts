// The failures of acquiring libtensorflow, each one line a user can act on. `kind` lets the UI
// choose its buttons (Retry, Install from file, proxy settings) without parsing the text.

export type NativeFailureKind =
  | 'unsupported-platform'
  | 'unreachable'
  | 'proxy'
  | 'tls'
  | 'http'
  | 'index'
  | 'integrity'
  | 'disk-full'
  | 'busy'
  | 'wheel'
  | 'check'
  | 'io';

export class NativeInstallError extends Error {
  constructor(
    readonly kind: NativeFailureKind,
    message: string,
  ) {
    super(message);
    this.name = 'NativeInstallError';
  }
}

/** The user cancelled: nothing to show (the `.part` file is kept for a later resume). */
export class InstallCancelledError extends Error {
  constructor() {
    super('cancelled');
    this.name = 'InstallCancelledError';
  }
}

export function isCancelled(e: unknown): e is InstallCancelledError {
  return e instanceof InstallCancelledError;
}

export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new InstallCancelledError();
}

/** "1.5 MB" with one decimal below 10 MB, none above (what a progress line needs). */
export function formatMB(bytes: number): string {
  const mb = bytes / 1e6;
  return `${mb < 10 ? mb.toFixed(1) : Math.round(mb)} MB`;
}
