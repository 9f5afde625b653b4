// The host's side of the engine protocol: forks the engine process (dist/engine.js), sends typed
// requests, resolves their responses and re-emits notifications. A crash rejects every pending
// request with a clear message; the next request starts a fresh process. No `vscode` import, so
// the client is tested in plain Node against a real forked process.
import { fork, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import type { EngineNotification, EngineToHost, HostToEngine, RequestMethod, RequestParams, RequestResult } from '../protocol/messages.ts';
import { withEngineAllocator } from '../node/engineAllocator.ts';
import { Emitter, type DisposableLike } from './disposable.ts';

export interface EngineClientOptions {
  /** absolute path of the engine entry script (dist/engine.js) */
  enginePath: string;
  env?: NodeJS.ProcessEnv;
  execArgv?: string[];
  /** working directory of the engine process */
  cwd?: string;
  /**
   * While a request is pending, how long the engine may stay silent (no pong, notification or
   * response) before it is declared stopped and killed (default 60 s). Not a per-request deadline:
   * a training run may take hours but sends batch notifications and answers pings throughout. The
   * default is generous because one synchronous batch on the pure-JS backends can hold the
   * engine's event loop (and so its pong) for tens of seconds; an engine that is running on the
   * CPU past it (a longer batch) is left alone, see `computing`.
   */
  livenessTimeoutMs?: number;
  /** how often to ping while a request is pending (default a quarter of livenessTimeoutMs) */
  pingIntervalMs?: number;
}

export const DEFAULT_LIVENESS_TIMEOUT_MS = 60_000;

/**
 * True while the engine is on the CPU (Linux /proc state R). One fine-tuning step on the pure-JS
 * cpu backend can hold the engine's event loop, and so its pong, for minutes: that engine is busy,
 * not stopped, and killing it would end a healthy run. A stopped (T) or sleeping-and-silent (S, D)
 * engine is not computing. Where /proc is missing the silence alone decides.
 */
function computing(pid: number | undefined): boolean {
  if (pid === undefined) return false;
  try {
    return /^\d+ \(.*\) R/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

export interface EngineExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** true when the client stopped the process itself (dispose/stop) */
  expected: boolean;
  /** the last lines the process wrote to stderr, for the crash message */
  stderrTail: string;
}

/** A request failed because the engine process went away while it was pending. */
export class EngineCrashedError extends Error {
  constructor(
    readonly method: string,
    readonly exit: EngineExit,
  ) {
    super(describeCrash(method, exit));
    this.name = 'EngineCrashedError';
  }
}

/** A request failed because the engine stopped answering (e.g. SIGSTOP, a wedged native call); it was killed. */
export class EngineUnresponsiveError extends Error {
  constructor(
    readonly method: string,
    readonly pid: number | undefined,
    readonly silentMs: number,
  ) {
    super(
      `The CNN Lab engine (pid ${pid ?? '?'}) stopped answering for ${Math.round(silentMs / 1000)} s during '${method}'; it was ended and starts afresh with the next command — run the command again.`,
    );
    this.name = 'EngineUnresponsiveError';
  }
}

/** A request the engine answered with an error. */
export class EngineRequestError extends Error {
  constructor(
    readonly method: string,
    message: string,
  ) {
    super(message);
    this.name = 'EngineRequestError';
  }
}

function describeCrash(method: string, exit: EngineExit): string {
  const how = exit.signal ? `was killed by ${exit.signal}` : `exited with code ${exit.code}`;
  const tail = exit.stderrTail.trim();
  return `The CNN Lab engine process ${how} during '${method}'.` + (tail ? ` Last output: ${tail}` : '');
}

interface Pending {
  method: string;
  resolve: (value: unknown) => void;
  reject: (error: Error) => void;
}

const STDERR_TAIL_CHARS = 2000;

export class EngineClient implements DisposableLike {
  private child: ChildProcess | undefined;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private stopping = false;
  private disposed = false;
  private stderrTail = '';
  /** when the engine last sent anything (liveness), and the timer that pings it */
  private lastHeard = 0;
  private pingTimer: NodeJS.Timeout | undefined;
  private nextPingId = 1;

  private readonly notificationEmitter = new Emitter<EngineNotification>();
  private readonly exitEmitter = new Emitter<EngineExit>();
  private readonly outputEmitter = new Emitter<{ stream: 'stdout' | 'stderr'; text: string }>();
  private readonly startEmitter = new Emitter<number>();

  /** every notification (log, phase, batchEnd, epochEnd, done, failed) */
  readonly onNotification = this.notificationEmitter.event;
  /** the process ended; `expected` is false for a crash */
  readonly onExit = this.exitEmitter.event;
  /** raw stdout/stderr of the engine process (native libraries write there) */
  readonly onOutput = this.outputEmitter.event;
  /** a process was started (pid) */
  readonly onStart = this.startEmitter.event;

  constructor(private readonly options: EngineClientOptions) {}

  get running(): boolean {
    return this.child !== undefined;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** Sends one request, starting the engine if needed. */
  request<M extends RequestMethod>(method: M, params: RequestParams<M>): Promise<RequestResult<M>> {
    if (this.disposed) return Promise.reject(new Error('The CNN Lab engine client was disposed.'));
    const child = this.ensureStarted();
    const id = this.nextId++;
    const message = { kind: 'request', id, method, params } as HostToEngine;
    return new Promise<RequestResult<M>>((resolve, reject) => {
      if (this.pending.size === 0) this.lastHeard = Date.now();
      this.pending.set(id, { method, resolve: resolve as (v: unknown) => void, reject });
      this.watchLiveness();
      child.send(message, (error) => {
        if (error && this.pending.has(id)) {
          this.pending.delete(id);
          reject(new Error(`Could not send '${method}' to the CNN Lab engine: ${error.message}`));
        }
      });
    });
  }

  /**
   * Stops the engine and starts the next one with `env` (after Install/Remove Native Backend: the
   * loader reads LD_LIBRARY_PATH once, at process start).
   */
  async restartWithEnv(env: NodeJS.ProcessEnv): Promise<void> {
    await this.stop();
    this.options.env = env;
  }

  /** Stops the engine process (pending requests are rejected); the next request starts a new one. */
  async stop(): Promise<void> {
    const child = this.child;
    if (!child) return;
    this.stopping = true;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill();
    // A native backend can ignore SIGTERM while inside a kernel; do not wait forever.
    const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
    await exited;
    clearTimeout(timer);
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.unwatchLiveness();
    if (this.child) {
      this.stopping = true;
      this.child.kill();
    }
    this.notificationEmitter.dispose();
    this.exitEmitter.dispose();
    this.outputEmitter.dispose();
    this.startEmitter.dispose();
  }

  private ensureStarted(): ChildProcess {
    if (this.child) return this.child;
    this.stopping = false;
    this.stderrTail = '';
    const child = fork(this.options.enginePath, [], {
      cwd: this.options.cwd,
      env: withEngineAllocator(this.options.env ?? process.env),
      execArgv: this.options.execArgv ?? [],
      serialization: 'advanced',
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    });
    this.child = child;
    child.stdout?.setEncoding('utf8');
    child.stderr?.setEncoding('utf8');
    child.stdout?.on('data', (text: string) => this.outputEmitter.fire({ stream: 'stdout', text }));
    child.stderr?.on('data', (text: string) => {
      this.stderrTail = (this.stderrTail + text).slice(-STDERR_TAIL_CHARS);
      this.outputEmitter.fire({ stream: 'stderr', text });
    });
    child.on('message', (message) => this.handleMessage(message));
    child.on('error', (error) => {
      // spawn failure (e.g. the engine file is missing): no 'exit' may follow
      if (this.child === child && child.exitCode === null && child.pid === undefined) {
        this.handleExit(child, null, null, `could not start: ${error.message}`);
      }
    });
    child.on('exit', (code, signal) => this.handleExit(child, code, signal));
    if (child.pid !== undefined) this.startEmitter.fire(child.pid);
    return child;
  }

  /** Pings while requests are pending; kills an engine that stays silent past the timeout. */
  private watchLiveness(): void {
    if (this.pingTimer) return;
    const timeout = this.options.livenessTimeoutMs ?? DEFAULT_LIVENESS_TIMEOUT_MS;
    const interval = this.options.pingIntervalMs ?? Math.max(10, Math.floor(timeout / 4));
    this.pingTimer = setInterval(() => {
      const child = this.child;
      if (!child || this.pending.size === 0) return this.unwatchLiveness();
      const silent = Date.now() - this.lastHeard;
      if (silent >= timeout && !computing(child.pid)) return this.declareUnresponsive(child, silent);
      if (child.connected) child.send({ kind: 'ping', id: this.nextPingId++ }, () => {});
    }, interval);
    this.pingTimer.unref(); // never keeps the host (or a test) alive by itself
  }

  private unwatchLiveness(): void {
    clearInterval(this.pingTimer);
    this.pingTimer = undefined;
  }

  private declareUnresponsive(child: ChildProcess, silentMs: number): void {
    this.unwatchLiveness();
    const pending = [...this.pending.values()];
    this.pending.clear();
    for (const p of pending) p.reject(new EngineUnresponsiveError(p.method, child.pid, silentMs));
    // SIGKILL: a stopped process cannot act on SIGTERM. Its exit event clears `child`; a request
    // sent before then would go to the dead process, so forget it now and start afresh next time.
    this.child = undefined;
    child.kill('SIGKILL');
    this.exitEmitter.fire({
      code: null,
      signal: 'SIGKILL',
      expected: false,
      stderrTail: `stopped answering for ${Math.round(silentMs / 1000)} s; killed`,
    });
  }

  private handleExit(child: ChildProcess, code: number | null, signal: NodeJS.Signals | null, extra = ''): void {
    if (this.child !== child) return;
    this.child = undefined;
    this.unwatchLiveness();
    const exit: EngineExit = {
      code,
      signal,
      expected: this.stopping || this.disposed,
      stderrTail: (this.stderrTail + (extra ? `\n${extra}` : '')).trim(),
    };
    const pending = [...this.pending.values()];
    this.pending.clear();
    for (const p of pending) {
      p.reject(exit.expected ? new Error(`The CNN Lab engine was stopped during '${p.method}'.`) : new EngineCrashedError(p.method, exit));
    }
    this.exitEmitter.fire(exit);
  }

  private handleMessage(raw: unknown): void {
    this.lastHeard = Date.now(); // any message, even a malformed one, shows the engine is running
    const message = checkEnvelope(raw);
    if (message?.kind === 'pong') return;
    if (!message) {
      this.outputEmitter.fire({ stream: 'stderr', text: `ignored a malformed engine message: ${safeJson(raw)}\n` });
      return;
    }
    if (message.kind === 'response') {
      const p = this.pending.get(message.id);
      if (!p) return; // answer to a request rejected earlier (e.g. send failure)
      this.pending.delete(message.id);
      if (message.ok) p.resolve(message.result);
      else p.reject(new EngineRequestError(p.method, message.error));
      return;
    }
    const { kind: _kind, ...notification } = message;
    this.notificationEmitter.fire(notification);
  }
}

const NOTIFICATION_METHODS = new Set(['log', 'phase', 'batchEnd', 'epochEnd', 'done', 'failed']);

/** Shape check of an envelope at the process boundary; payload fields are the engine's contract. */
export function checkEnvelope(raw: unknown): EngineToHost | undefined {
  if (typeof raw !== 'object' || raw === null) return undefined;
  const m = raw as Record<string, unknown>;
  if (m.kind === 'response') {
    if (typeof m.id !== 'number') return undefined;
    if (m.ok === true) return m as EngineToHost;
    if (m.ok === false && typeof m.error === 'string') return m as EngineToHost;
    return undefined;
  }
  if (m.kind === 'pong') return typeof m.id === 'number' ? (m as EngineToHost) : undefined;
  if (m.kind === 'notification') {
    if (typeof m.method !== 'string' || !NOTIFICATION_METHODS.has(m.method)) return undefined;
    if (typeof m.params !== 'object' || m.params === null) return undefined;
    return m as EngineToHost;
  }
  return undefined;
}

function safeJson(v: unknown): string {
  try {
    return JSON.stringify(v).slice(0, 200);
  } catch {
    return String(v);
  }
}
