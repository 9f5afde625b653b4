import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import {
  EngineClient,
  EngineCrashedError,
  EngineRequestError,
  EngineUnresponsiveError,
  checkEnvelope,
} from '../../../src/host/engineClient.ts';
import type { EngineNotification } from '../../../src/protocol/messages.ts';

const fakeEngine = join(__dirname, 'fixtures', 'fakeEngine.cjs');

test('engine client: typed request/response, notifications in order, malformed messages ignored', async (t) => {
  const client = new EngineClient({ enginePath: fakeEngine });
  t.after(() => client.dispose());
  const backends = await client.request('listBackends', {});
  assert.deepEqual(
    backends.map((b) => [b.name, b.available]),
    [
      ['cpu', true],
      ['wasm', false],
    ],
  );

  const seen: EngineNotification[] = [];
  const stderr: string[] = [];
  client.onNotification((n) => seen.push(n));
  client.onOutput((o) => o.stream === 'stderr' && stderr.push(o.text));
  const result = await client.request('train', { runId: 'r1', config: {} as never });
  assert.equal(result.modelDir, '/tmp/m');
  assert.deepEqual(
    seen.map((n) => n.method),
    ['phase', 'batchEnd', 'batchEnd', 'batchEnd', 'done'],
  );
  const batches = seen.filter((n) => n.method === 'batchEnd').map((n) => (n.method === 'batchEnd' ? n.params.batch : -1));
  assert.deepEqual(batches, [0, 1, 2]);
  assert.match(stderr.join(''), /malformed engine message/);
});

test('engine client: an error response rejects with the engine message', async (t) => {
  const client = new EngineClient({ enginePath: fakeEngine });
  t.after(() => client.dispose());
  await assert.rejects(client.request('describeModel', { path: 'nope.json' }), (e: unknown) => {
    assert.ok(e instanceof EngineRequestError);
    assert.equal(e.message, 'cannot read nope.json');
    return true;
  });
});

test('engine client: a crash rejects pending requests clearly, and the next request restarts the engine', async (t) => {
  const client = new EngineClient({ enginePath: fakeEngine });
  t.after(() => client.dispose());
  const first = (await client.request('predict', { modelDir: 'm', topK: 1 })) as unknown as { pid: number };
  const exits: { expected: boolean; code: number | null }[] = [];
  client.onExit((e) => exits.push({ expected: e.expected, code: e.code }));
  await assert.rejects(client.request('describeModel', { path: 'crash' }), (e: unknown) => {
    assert.ok(e instanceof EngineCrashedError);
    assert.match(e.message, /exited with code 3 during 'describeModel'/);
    assert.match(e.message, /native backend aborted/);
    return true;
  });
  assert.deepEqual(exits, [{ expected: false, code: 3 }]);
  assert.equal(client.running, false);
  const second = (await client.request('predict', { modelDir: 'm', topK: 1 })) as unknown as { pid: number };
  assert.notEqual(second.pid, first.pid);
});

test('engine client: stop() rejects a hanging request as stopped (not crashed); dispose refuses new requests', async () => {
  const client = new EngineClient({ enginePath: fakeEngine });
  const hanging = client.request('describeModel', { path: 'hang' });
  const exits: boolean[] = [];
  client.onExit((e) => exits.push(e.expected));
  await client.request('listBackends', {}); // the process is up and answering
  await client.stop();
  await assert.rejects(hanging, /stopped during 'describeModel'/);
  assert.deepEqual(exits, [true]);
  client.dispose();
  await assert.rejects(client.request('listBackends', {}), /disposed/);
});

test('engine client: a missing engine file fails the request with a clear message', async (t) => {
  const client = new EngineClient({ enginePath: join(__dirname, 'fixtures', 'no-such-engine.cjs') });
  t.after(() => client.dispose());
  await assert.rejects(client.request('listBackends', {}), (e: unknown) => {
    assert.ok(e instanceof EngineCrashedError);
    assert.match(e.message, /no-such-engine\.cjs|Cannot find module/);
    return true;
  });
});

test('checkEnvelope: accepts the protocol envelopes and rejects anything else', () => {
  assert.ok(checkEnvelope({ kind: 'response', id: 1, ok: true, result: 1 }));
  assert.ok(checkEnvelope({ kind: 'response', id: 1, ok: false, error: 'x' }));
  assert.ok(checkEnvelope({ kind: 'pong', id: 7 }));
  assert.equal(checkEnvelope({ kind: 'pong' }), undefined);
  assert.ok(checkEnvelope({ kind: 'notification', method: 'log', params: { level: 'info', message: 'x' } }));
  assert.equal(checkEnvelope({ kind: 'response', id: '1', ok: true }), undefined);
  assert.equal(checkEnvelope({ kind: 'response', id: 1, ok: false }), undefined);
  assert.equal(checkEnvelope({ kind: 'notification', method: 'explode', params: {} }), undefined);
  assert.equal(checkEnvelope(null), undefined);
});

test('engine client: an engine stopped by SIGSTOP fails the pending request with a clear message, is killed, and the next request restarts it', async (t) => {
  const client = new EngineClient({ enginePath: fakeEngine, livenessTimeoutMs: 400, pingIntervalMs: 50 });
  const first = (await client.request('predict', { modelDir: 'm', topK: 1 })) as unknown as { pid: number };
  t.after(() => {
    // never leave a stopped process behind, whatever the assertions did
    try {
      process.kill(first.pid, 'SIGCONT');
      process.kill(first.pid, 'SIGKILL');
    } catch {
      /* already gone */
    }
    client.dispose();
  });
  const exited = new Promise<{ signal: NodeJS.Signals | null }>((resolve) => client.onExit((e) => resolve(e)));
  process.kill(first.pid, 'SIGSTOP');
  const started = Date.now();
  await assert.rejects(client.request('predict', { modelDir: 'm', topK: 1 }), (e: unknown) => {
    assert.ok(e instanceof EngineUnresponsiveError, String(e));
    assert.equal(e.pid, first.pid);
    assert.match(
      e.message,
      new RegExp(
        `^The CNN Lab engine \\(pid ${first.pid}\\) stopped answering for \\d+ s during 'predict'; it was ended and starts afresh with the next command — run the command again\\.$`,
      ),
    );
    return true;
  });
  assert.ok(Date.now() - started < 5000, 'rejected within the configured liveness timeout, not hanging');
  assert.equal((await exited).signal, 'SIGKILL');
  const second = (await client.request('predict', { modelDir: 'm', topK: 1 })) as unknown as { pid: number };
  assert.notEqual(second.pid, first.pid);
});

test('engine client: a long request in an engine that answers pings is not killed', async (t) => {
  const client = new EngineClient({ enginePath: fakeEngine, livenessTimeoutMs: 200, pingIntervalMs: 20 });
  t.after(() => client.dispose());
  const hanging = client.request('describeModel', { path: 'hang' });
  hanging.catch(() => {});
  const { pid } = (await client.request('predict', { modelDir: 'm', topK: 1 })) as unknown as { pid: number };
  // several liveness timeouts pass while the engine stays silent on the request but pongs
  let pongs = 0;
  await new Promise<void>((resolve) => {
    const orig = (client as unknown as { handleMessage(m: unknown): void }).handleMessage.bind(client);
    (client as unknown as { handleMessage(m: unknown): void }).handleMessage = (m) => {
      orig(m);
      if ((m as { kind?: string }).kind === 'pong' && ++pongs === 30) resolve();
    };
  });
  assert.equal(client.running, true);
  assert.equal(client.pid, pid);
  await client.stop();
  await assert.rejects(hanging, /stopped during 'describeModel'/);
});

test(
  'engine client: an engine computing on the CPU past the liveness timeout (no pong) is not killed',
  { skip: process.platform !== 'linux' && 'reads /proc' },
  async (t) => {
    const client = new EngineClient({ enginePath: fakeEngine, livenessTimeoutMs: 200, pingIntervalMs: 20 });
    t.after(() => client.dispose());
    const { pid } = (await client.request('predict', { modelDir: 'm', topK: 1 })) as unknown as { pid: number };
    // 1.5 s of a blocked event loop, over 7 liveness timeouts: the engine's own answer arrives
    await assert.rejects(
      client.request('describeModel', { path: 'busy' }),
      (e: Error) => e instanceof EngineRequestError && /busy finished/.test(e.message),
    );
    assert.equal(client.pid, pid, 'the same engine answered: it was not killed');
  },
);

test('the real engine answers a liveness ping with a pong', async (t) => {
  const { fork } = await import('node:child_process');
  const child = fork(join(__dirname, '..', '..', '..', 'src', 'engine', 'main.ts'), [], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'ignore', 'ignore', 'ipc'],
  });
  t.after(() => child.kill('SIGKILL'));
  const pong = new Promise((resolve) => child.on('message', (m) => (m as { kind?: string }).kind === 'pong' && resolve(m)));
  child.send({ kind: 'ping', id: 5 });
  assert.deepEqual(await pong, { kind: 'pong', id: 5 });
});
