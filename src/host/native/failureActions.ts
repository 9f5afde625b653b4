// The buttons a failed install offers, by kind of failure (no `vscode` import: tested in Node).
import type { NativeFailureKind } from './errors.ts';

export type FailureAction = 'Retry' | 'Install from File…' | 'Proxy Settings' | 'Reinstall' | 'Remove' | 'Show Log';

export function failureActions(kind: NativeFailureKind): FailureAction[] {
  switch (kind) {
    case 'unreachable':
      return ['Retry', 'Install from File…', 'Proxy Settings'];
    case 'proxy':
    case 'tls':
      return ['Proxy Settings', 'Install from File…', 'Retry'];
    case 'http':
    case 'index':
      return ['Retry', 'Install from File…'];
    case 'integrity':
    case 'disk-full':
    case 'io':
      return ['Retry', 'Show Log'];
    case 'check':
      return ['Reinstall', 'Remove', 'Show Log'];
    case 'busy':
    case 'wheel':
      return ['Show Log'];
    case 'unsupported-platform':
      return [];
  }
}
