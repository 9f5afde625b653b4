// Test fixtures for the native installer: a small wheel with the real wheel's member paths and a
// PEP 376 RECORD, and a loopback HTTP server on 127.0.0.1 that serves a PEP 691 project page and
// the wheel (with Range), with one fault at a time injected.
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { createReadStream, statSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Transform } from 'node:stream';
import yazl from 'yazl';

export const WHEEL_NAME = 'tensorflow_cpu-2.21.0-cp311-cp311-manylinux_2_27_x86_64.whl';

const b64 = (buf: Buffer) => createHash('sha256').update(buf).digest('base64url');

/** A zip with the two libraries (pseudo-random bytes of the given sizes), some Python, and RECORD. */
export async function buildWheel(
  opts: { ccBytes?: number; frameworkBytes?: number; corruptRecord?: boolean; omit?: string; distInfo?: string; metadata?: string } = {},
): Promise<Buffer> {
  const seeded = (n: number, seed: number) => {
    const out = Buffer.alloc(n);
    let x = seed;
    for (let i = 0; i < n; i++) {
      x = (x * 1103515245 + 12345) >>> 0;
      out[i] = x >>> 24;
    }
    return out;
  };
  const members: [string, Buffer][] = [
    ['tensorflow/__init__.py', Buffer.from('# tensorflow\n')],
    ['tensorflow/libtensorflow_cc.so.2', seeded(opts.ccBytes ?? 300_000, 1)],
    ['tensorflow/libtensorflow_framework.so.2', seeded(opts.frameworkBytes ?? 50_000, 2)],
    ['tensorflow/python/_pywrap_tensorflow_internal.so', seeded(20_000, 3)],
  ].filter(([name]) => name !== opts.omit) as [string, Buffer][];
  const record = members.map(
    ([name, data]) => `${name},sha256=${opts.corruptRecord && name.endsWith('cc.so.2') ? b64(Buffer.from('x')) : b64(data)},${data.length}`,
  );
  const distInfo = opts.distInfo ?? 'tensorflow_cpu-2.21.0.dist-info';
  if (opts.metadata !== undefined) members.push([`${distInfo}/METADATA`, Buffer.from(opts.metadata)]);
  return zipWithRecord(members, distInfo, record);
}

async function zipWithRecord(
  members: [string, Buffer][],
  distInfo: string,
  record: string[] = members.map(([name, data]) => `${name},sha256=${b64(data)},${data.length}`),
): Promise<Buffer> {
  record.push(`${distInfo}/RECORD,,`);
  const zip = new yazl.ZipFile();
  for (const [name, data] of members) zip.addBuffer(data, name);
  zip.addBuffer(Buffer.from(record.join('\n') + '\n'), `${distInfo}/RECORD`);
  zip.end();
  const chunks: Buffer[] = [];
  for await (const c of zip.outputStream as AsyncIterable<Buffer>) chunks.push(c);
  return Buffer.concat(chunks);
}

/** An nvidia-*-cu12 wheel: nvidia/<dir>/lib/<libs> (small bytes) beside an __init__.py, with RECORD. */
export async function buildNvidiaWheel(
  project: string,
  version: string,
  dir: string,
  libs: string[],
): Promise<{ filename: string; data: Buffer }> {
  const stem = `${project.replace(/-/g, '_')}-${version}`;
  const members: [string, Buffer][] = [
    [`nvidia/${dir}/__init__.py`, Buffer.from('')],
    ...libs.map((l, i): [string, Buffer] => [`nvidia/${dir}/lib/${l}`, Buffer.alloc(1000 + i, l)]),
  ];
  return {
    filename: `${stem}-py3-none-manylinux2014_x86_64.manylinux_2_17_x86_64.whl`,
    data: await zipWithRecord(members, `${stem}.dist-info`),
  };
}

/** Extra projects the index serves beside the main one: PEP 691 name → its wheels. */
export type ExtraProjects = Record<string, { filename: string; data: Buffer }[]>;

export type Fault =
  'none' | 'index-404' | 'wheel-404' | 'wheel-500' | 'drop' | 'flip' | 'short-length' | 'trickle' | 'proxy-407' | 'no-range' | 'html-index';

export interface LoopbackIndex {
  indexUrl: string;
  wheelPath: string;
  sha256: string;
  size: number;
  fault: Fault;
  /** how many times a one-shot fault (wheel-500, drop) still fires */
  faultsLeft: number;
  /** what the index claims (defaults to the real sha256 and size) */
  claim: { sha256?: string; size?: number };
  requests: { path: string; range?: string }[];
  close(): Promise<void>;
}

/** Serves `wheel` (a Buffer, or a file path for the real 270 MB wheel) under /files/. */
export async function startIndex(wheel: Buffer | string, filename = WHEEL_NAME, extra: ExtraProjects = {}): Promise<LoopbackIndex> {
  const project = filename.split('-')[0].replace(/_/g, '-'); // tensorflow_cpu-2.21.0-… → tensorflow-cpu
  const extraFiles = new Map(
    Object.values(extra)
      .flat()
      .map((f) => [`/files/${f.filename}`, f.data]),
  );
  const size = typeof wheel === 'string' ? statSync(wheel).size : wheel.length;
  const sha256 =
    typeof wheel === 'string'
      ? await (async () => {
          const h = createHash('sha256');
          for await (const c of createReadStream(wheel)) h.update(c as Buffer);
          return h.digest('hex');
        })()
      : createHash('sha256').update(wheel).digest('hex');
  const state: Omit<LoopbackIndex, 'close' | 'indexUrl'> = {
    wheelPath: filename,
    sha256,
    size,
    fault: 'none',
    faultsLeft: 1,
    claim: {},
    requests: [],
  };
  const body = (start: number, end: number) => (typeof wheel === 'string' ? createReadStream(wheel, { start, end }) : null);
  const server = http.createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    state.requests.push({ path, range: req.headers.range });
    if (state.fault === 'proxy-407') {
      res.writeHead(407, { 'proxy-authenticate': 'Basic realm="corp"' }).end();
      return;
    }
    const extraPage = /^\/simple\/([^/]+)\/$/.exec(path);
    if (extraPage && extra[extraPage[1]]) {
      const files = extra[extraPage[1]].map((f) => ({
        filename: f.filename,
        url: `../../files/${f.filename}`,
        hashes: { sha256: createHash('sha256').update(f.data).digest('hex') },
        size: f.data.length,
      }));
      return void res
        .writeHead(200, { 'content-type': 'application/vnd.pypi.simple.v1+json' })
        .end(JSON.stringify({ meta: { 'api-version': '1.1' }, name: extraPage[1], files }));
    }
    const extraFile = extraFiles.get(path);
    if (extraFile)
      return void res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': extraFile.length }).end(extraFile);
    if (path === `/simple/${project}/`) {
      if (state.fault === 'index-404') return void res.writeHead(404).end('not found');
      if (state.fault === 'html-index') return void res.writeHead(200, { 'content-type': 'text/html' }).end('<html></html>');
      const page = {
        meta: { 'api-version': '1.1' },
        name: project,
        files: [
          {
            filename: filename.replace('cp311-cp311', 'cp311-cp311').replace('manylinux_2_27_x86_64', 'win_amd64'),
            url: `../../files/win.whl`,
            hashes: { sha256: '0'.repeat(64) },
            size: 1,
          },
          {
            filename,
            url: `../../files/${filename}#sha256=${sha256}`,
            hashes: { sha256: state.claim.sha256 ?? sha256 },
            size: state.claim.size ?? size,
            yanked: false,
          },
        ],
      };
      res.writeHead(200, { 'content-type': 'application/vnd.pypi.simple.v1+json' }).end(JSON.stringify(page));
      return;
    }
    if (path !== `/files/${filename}`) return void res.writeHead(404).end();
    if (state.fault === 'wheel-404') return void res.writeHead(404).end();
    if (state.fault === 'wheel-500' && state.faultsLeft > 0) {
      state.faultsLeft--;
      return void res.writeHead(503, 'Service Unavailable').end();
    }
    const m = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
    const start = m && state.fault !== 'no-range' ? Number(m[1]) : 0;
    const headers: http.OutgoingHttpHeaders = {
      'content-type': 'application/octet-stream',
      'accept-ranges': 'bytes',
      'content-length': size - start,
    };
    if (state.fault === 'short-length') headers['content-length'] = size - start - 100;
    if (start > 0) headers['content-range'] = `bytes ${start}-${size - 1}/${size}`;
    res.writeHead(start > 0 ? 206 : 200, headers);
    const stream = body(start, size - 1);
    if (state.fault === 'drop' && state.faultsLeft > 0) {
      state.faultsLeft--;
      // half of what is left, then (once the client has had time to store it) the connection is cut
      const cut = start + Math.floor((size - start) / 2);
      if (stream) {
        stream.destroy();
        createReadStream(wheel as string, { start, end: cut - 1 })
          .on('end', () => res.socket?.destroy())
          .pipe(res, { end: false });
      } else res.write((wheel as Buffer).subarray(start, cut), () => setTimeout(() => res.socket?.destroy(), 150));
      return;
    }
    if (state.fault === 'trickle') {
      const data = wheel as Buffer;
      let at = start;
      const timer = setInterval(() => {
        if (res.destroyed || at >= size) return clearInterval(timer);
        res.write(data.subarray(at, at + 1024));
        at += 1024;
      }, 20);
      res.on('close', () => clearInterval(timer));
      return;
    }
    if (stream && state.fault === 'flip') {
      // the real wheel with one byte in the middle inverted
      const at = Math.floor(size / 2);
      let pos = start;
      return void stream
        .pipe(
          new Transform({
            transform(chunk: Buffer, _e, done) {
              if (at >= pos && at < pos + chunk.length) {
                chunk = Buffer.from(chunk);
                chunk[at - pos] ^= 0xff;
              }
              pos += chunk.length;
              done(null, chunk);
            },
          }),
        )
        .pipe(res);
    }
    if (stream) return void stream.pipe(res);
    let data = (wheel as Buffer).subarray(start);
    if (state.fault === 'flip') {
      data = Buffer.from(data);
      data[Math.floor(data.length / 2)] ^= 0xff;
    }
    res.end(data);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  const index: LoopbackIndex = Object.assign(state, {
    indexUrl: `http://127.0.0.1:${port}/simple/`,
    close: async () => {
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    },
  });
  return index;
}
