// One GET over node:http/https, redirects followed, every failure turned into one NativeInstallError
// line. Deliberately node's own http/https and not fetch: in the extension host VS Code patches these
// modules to honour its `http.proxy`, `http.proxyAuthorization` and system certificates settings.
// Bare 'http'/'https' on purpose: VS Code's proxy support hooks the extension host's module loader
// for these names, and older versions did not also hook the 'node:' spellings.
import http, { type IncomingMessage } from 'http';
import https from 'https';
import { InstallCancelledError, NativeInstallError } from './errors.ts';

const TLS_CODES = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_UNTRUSTED',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'ERR_SSL_WRONG_VERSION_NUMBER',
  'EPROTO',
]);

const UNREACHABLE_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ECONNRESET',
  'EPIPE',
]);

/** A failure worth trying again after a pause: 5xx answers and connections that dropped. */
export class RetriableError extends NativeInstallError {}

function errorCode(e: unknown): string {
  const code = (e as { code?: unknown })?.code;
  return typeof code === 'string' ? code : 'ERROR';
}

/** The one line for a request that never got an answer (no HTTP status). */
export function describeRequestError(url: URL, e: unknown): NativeInstallError {
  const code = errorCode(e);
  const message = e instanceof Error ? e.message : String(e);
  if (TLS_CODES.has(code)) {
    return new NativeInstallError(
      'tls',
      `TLS: the certificate of ${url.host} is not trusted (${code}: ${message}); a proxy or private index with its own certificate authority needs it in the system store (VS Code setting "http.systemCertificates") or in NODE_EXTRA_CA_CERTS`,
    );
  }
  if (UNREACHABLE_CODES.has(code)) {
    return new RetriableError(
      'unreachable',
      `the package index host ${url.host} is unreachable (${code}); check the network or VS Code's "http.proxy" setting, or use "Install from file…" with a wheel downloaded elsewhere`,
    );
  }
  return new NativeInstallError('unreachable', `request to ${url.host} failed (${code}: ${message})`);
}

/** The one line for an HTTP answer that is not what was asked for. */
export function describeStatus(url: URL, status: number, statusMessage: string | undefined): NativeInstallError {
  const what = `HTTP ${status}${statusMessage ? ` ${statusMessage}` : ''} from ${url.host} for ${url.pathname}`;
  if (status === 407) {
    return new NativeInstallError(
      'proxy',
      `${what}: the proxy wants credentials; set them in VS Code's "http.proxy" (http://user:password@host:port) or "http.proxyAuthorization"`,
    );
  }
  if (status >= 500) return new RetriableError('http', `${what} (the server failed; tried again with pauses)`);
  if (status === 404)
    return new NativeInstallError(
      'http',
      `${what}: not found (is "cnnLab.native.indexUrl" a PEP 503/691 simple index that has ${'tensorflow-cpu'}?)`,
    );
  return new NativeInstallError('http', what);
}

export interface GetOptions {
  headers?: Record<string, string>;
  signal?: AbortSignal;
  /** a socket silent this long counts as a dropped connection (default 30 s) */
  idleTimeoutMs?: number;
}

export interface GetResponse {
  res: IncomingMessage;
  /** the URL that answered, after redirects (relative links resolve against it) */
  url: URL;
}

/**
 * GET `url` and resolve once the status line of the final answer (after up to 5 redirects) is in;
 * the caller reads or discards the body. Any 2xx resolves, as does 416 (the resume logic handles it);
 * other statuses reject with describeStatus's line.
 */
export async function get(url: URL, opts: GetOptions = {}): Promise<GetResponse> {
  let current = url;
  for (let hop = 0; hop <= 5; hop++) {
    const { res } = await once(current, opts);
    const status = res.statusCode ?? 0;
    if ([301, 302, 303, 307, 308].includes(status) && res.headers.location) {
      res.resume();
      current = new URL(res.headers.location, current);
      continue;
    }
    if ((status >= 200 && status < 300) || status === 416) return { res, url: current };
    res.resume();
    throw describeStatus(current, status, res.statusMessage);
  }
  throw new NativeInstallError('http', `too many redirects from ${url.host} (last: ${current.href})`);
}

function once(url: URL, opts: GetOptions): Promise<{ res: IncomingMessage }> {
  if (opts.signal?.aborted) return Promise.reject(new InstallCancelledError());
  const lib = url.protocol === 'https:' ? https : url.protocol === 'http:' ? http : null;
  if (!lib) return Promise.reject(new NativeInstallError('index', `${url.href}: only http and https URLs can be downloaded`));
  return new Promise((resolve, reject) => {
    const req = lib.get(url, { headers: { 'user-agent': 'cnn-lab', ...opts.headers }, signal: opts.signal }, (res) => {
      // from here on the body's reader owns the request's fate; idle sockets still time out
      resolve({ res });
    });
    req.setTimeout(opts.idleTimeoutMs ?? 30_000, () =>
      req.destroy(
        Object.assign(new Error(`no data from ${url.host} for ${Math.round((opts.idleTimeoutMs ?? 30_000) / 1000)} s`), {
          code: 'ETIMEDOUT',
        }),
      ),
    );
    req.on('error', (e) => {
      if (opts.signal?.aborted) reject(new InstallCancelledError());
      else reject(describeRequestError(url, e));
    });
  });
}
