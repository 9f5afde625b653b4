// Entry of the engine process (`child_process.fork(dist/engine.js)`): IPC messages in, validated,
// handled by the engine, answered; notifications forwarded. Nothing fails silently: a malformed
// request gets an error response, an uncaught error fails the active run (or is logged), and the
// process exits when the host goes away.
import type { EngineNotification, EngineToHost } from '../protocol/messages.ts';
import { InvalidMessageError, isPing, validateHostMessage } from '../protocol/validate.ts';
import { createEngine } from './engine.ts';

function send(message: EngineToHost): void {
  if (process.send && process.connected) process.send(message);
}

const errorText = (e: unknown) => (e instanceof Error ? e.message : String(e));

if (!process.send) {
  process.stderr.write('cnn-lab engine: must be started with child_process.fork (no IPC channel)\n');
  process.exit(2);
}

// CNN_LAB_CHECKPOINT_INTERVAL_MS: least time between checkpoints (default 20 s); the crash tests
// set it to 0 so that every improving epoch is on disk before the engine is killed.
const checkpointEnv = Number(process.env.CNN_LAB_CHECKPOINT_INTERVAL_MS);
const engine = createEngine((n: EngineNotification) => send({ kind: 'notification', ...n }), {
  trainHooks: Number.isFinite(checkpointEnv) && checkpointEnv >= 0 ? { checkpointIntervalMs: checkpointEnv } : {},
});

process.on('message', (raw: unknown) => {
  // Answered at once: the host restarts an engine that stops answering while a request is pending.
  if (isPing(raw)) return send({ kind: 'pong', id: raw.id });
  let request;
  try {
    request = validateHostMessage(raw);
  } catch (e) {
    const id = e instanceof InvalidMessageError ? e.id : undefined;
    if (id !== undefined) send({ kind: 'response', id, ok: false, error: `invalid request: ${errorText(e)}` });
    else
      send({
        kind: 'notification',
        method: 'log',
        params: { level: 'error', message: `engine ignored an invalid message: ${errorText(e)}` },
      });
    return;
  }
  const { id, method, params } = request;
  engine.handle(method, params as never).then(
    (result) => send({ kind: 'response', id, ok: true, result }),
    (e) => send({ kind: 'response', id, ok: false, error: errorText(e) }),
  );
});

function reportUncaught(e: unknown): void {
  const message = `engine internal error: ${errorText(e)}`;
  process.stderr.write(`${e instanceof Error ? (e.stack ?? message) : message}\n`);
  const runId = engine.activeRunId();
  if (runId) send({ kind: 'notification', method: 'failed', params: { runId, error: message } });
  else send({ kind: 'notification', method: 'log', params: { level: 'error', message } });
}
process.on('uncaughtException', reportUncaught);
process.on('unhandledRejection', reportUncaught);
// The host closed the channel (window closed, extension deactivated): nothing left to serve.
process.on('disconnect', () => process.exit(0));
