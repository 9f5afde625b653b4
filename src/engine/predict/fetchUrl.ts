// Careful HTTP(S) download for user-supplied URLs (images to classify, models to use as a base):
// only http/https, a timeout over the whole transfer, a byte cap enforced while streaming (a lying
// or absent Content-Length cannot blow up memory), redirects followed by hand with a limit, and
// an optional content-type check. Errors are one sentence naming the URL.

export interface FetchLimits {
  timeoutMs: number;
  maxBytes: number;
  maxRedirects: number;
  /** reject responses whose Content-Type does not pass (e.g. images only) */
  acceptContentType?: (contentType: string) => boolean;
  /** what is expected, for the error message ("an image") */
  expected?: string;
  signal?: AbortSignal;
}

export interface FetchedBody {
  url: string;
  contentType: string;
  bytes: Uint8Array;
}

export const IMAGE_FETCH_LIMITS: FetchLimits = {
  timeoutMs: 20_000,
  maxBytes: 20 * 1024 * 1024,
  maxRedirects: 5,
  acceptContentType: (ct) => /^image\/(jpeg|jpg|png|webp|gif|tiff|avif|bmp)\b/i.test(ct),
  expected: 'an image (image/jpeg, png, webp, gif, tiff)',
};

export function checkHttpUrl(raw: string): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new Error(`not a valid URL: ${raw}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new Error(`only http and https URLs are fetched, not ${url.protocol.replace(/:$/, '')}: ${raw}`);
  }
  return url;
}

export async function fetchWithLimits(raw: string, limits: FetchLimits): Promise<FetchedBody> {
  let url = checkHttpUrl(raw);
  const timeout = AbortSignal.timeout(limits.timeoutMs);
  const signal = limits.signal ? AbortSignal.any([limits.signal, timeout]) : timeout;
  const describeAbort = () =>
    timeout.aborted ? `timed out after ${limits.timeoutMs / 1000} s fetching ${raw}` : `fetching ${raw} was cancelled`;
  for (let hop = 0; ; hop++) {
    let response: Response;
    try {
      response = await fetch(url, { redirect: 'manual', signal });
    } catch (e) {
      if (signal.aborted) throw new Error(describeAbort());
      const cause = (e as { cause?: { code?: string; message?: string } }).cause;
      throw new Error(`cannot reach ${url.host} for ${raw}: ${cause?.code ?? cause?.message ?? (e as Error).message} (offline?)`);
    }
    if (response.status >= 300 && response.status < 400 && response.headers.get('location')) {
      await response.body?.cancel();
      if (hop >= limits.maxRedirects) throw new Error(`too many redirects (more than ${limits.maxRedirects}) fetching ${raw}`);
      url = checkHttpUrl(new URL(response.headers.get('location')!, url).toString());
      continue;
    }
    if (!response.ok) {
      await response.body?.cancel();
      throw new Error(`HTTP ${response.status} ${response.statusText} fetching ${url}`);
    }
    const contentType = response.headers.get('content-type') ?? '';
    if (limits.acceptContentType && !limits.acceptContentType(contentType)) {
      await response.body?.cancel();
      throw new Error(`${url} is ${contentType || 'of unknown type'}, not ${limits.expected ?? 'an accepted type'}`);
    }
    const declared = Number(response.headers.get('content-length') ?? NaN);
    if (Number.isFinite(declared) && declared > limits.maxBytes) {
      await response.body?.cancel();
      throw new Error(`${url} is ${declared} bytes, over the ${limits.maxBytes}-byte limit`);
    }
    const chunks: Uint8Array[] = [];
    let received = 0;
    try {
      if (response.body) {
        for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
          received += chunk.byteLength;
          if (received > limits.maxBytes) break; // leaving the loop cancels the body
          chunks.push(chunk);
        }
      }
    } catch (e) {
      if (signal.aborted) throw new Error(describeAbort());
      // the server or the network closed the connection mid-body (undici says only "terminated")
      const cause = (e as { cause?: { code?: string; message?: string } }).cause;
      const of = Number.isFinite(declared) ? ` of the ${declared} announced` : '';
      throw new Error(`the download of ${url} broke off after ${received} bytes${of} (${cause?.message ?? (e as Error).message})`);
    }
    if (received > limits.maxBytes) throw new Error(`${url} sent more than the ${limits.maxBytes}-byte limit`);
    const bytes = new Uint8Array(received);
    let offset = 0;
    for (const c of chunks) {
      bytes.set(c, offset);
      offset += c.byteLength;
    }
    return { url: url.toString(), contentType, bytes };
  }
}
