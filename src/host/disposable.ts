// A small Disposable base: children are disposed in reverse order of registration, so a thing
// is torn down before whatever it was built on (after vscode-codeql's DisposableObject).
// No `vscode` import: the engine client and the stores use it in plain Node tests too.

export interface DisposableLike {
  dispose(): unknown;
}

export class DisposableStore implements DisposableLike {
  private readonly children: DisposableLike[] = [];
  private disposed = false;

  get isDisposed(): boolean {
    return this.disposed;
  }

  /** Registers `d` to be disposed with this store; disposes it at once if the store is gone. */
  track<T extends DisposableLike>(d: T): T {
    if (this.disposed) {
      d.dispose();
    } else {
      this.children.push(d);
    }
    return d;
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    const errors: unknown[] = [];
    while (this.children.length) {
      const child = this.children.pop()!;
      try {
        child.dispose();
      } catch (e) {
        errors.push(e);
      }
    }
    if (errors.length === 1) throw errors[0];
    if (errors.length > 1) throw new AggregateError(errors, 'several disposables failed');
  }
}

/** A minimal typed event emitter (vscode's EventEmitter is not available in plain Node tests). */
export class Emitter<T> implements DisposableLike {
  private listeners = new Set<(value: T) => void>();

  readonly event = (listener: (value: T) => void): DisposableLike => {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  };

  fire(value: T): void {
    for (const l of [...this.listeners]) l(value);
  }

  dispose(): void {
    this.listeners.clear();
  }
}
