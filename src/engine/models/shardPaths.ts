// Where a model.json's weight shards may come from: only inside the model's own folder (local) or
// URL prefix (remote). A model.json is untrusted input — a cloned repo, a web server — and its
// `paths` would otherwise let it read any local file (`../../../../etc/passwd`) or make us fetch
// from any host (`http://other.test/x`, `%2e%2e/`, `..%2f`). Each refusal is one line naming the
// model.json and the shard path.
import { existsSync, realpathSync } from 'node:fs';
import { dirname, resolve, sep } from 'node:path';

function refuse(modelJson: string, shard: string, where: string): Error {
  return new Error(`${modelJson}: weight path "${shard}" leaves the model's ${where}; refused`);
}

/**
 * The URL of shard `shard` of the model.json at `modelJsonUrl` (its final URL after redirects).
 * The shard must keep the model.json's origin and stay under its folder, also after decoding
 * percent-escapes (a server may decode `..%2f` itself).
 */
export function remoteShardUrl(modelJsonUrl: string, shard: string): string {
  const base = new URL(modelJsonUrl);
  const prefix = base.pathname.slice(0, base.pathname.lastIndexOf('/') + 1);
  let url: URL;
  try {
    url = new URL(shard, base);
  } catch {
    throw refuse(modelJsonUrl, shard, 'URL folder');
  }
  if (url.origin !== base.origin || !url.pathname.startsWith(prefix)) throw refuse(modelJsonUrl, shard, 'URL folder');
  let rest: string;
  try {
    rest = decodeURIComponent(url.pathname.slice(prefix.length));
  } catch {
    throw refuse(modelJsonUrl, shard, 'URL folder');
  }
  if (rest === '' || rest.split(/[/\\]/).some((s) => s === '..' || s === '.') || rest.startsWith('/') || rest.includes('\0')) {
    throw refuse(modelJsonUrl, shard, 'URL folder');
  }
  return url.toString();
}

/** `p` with symlinks resolved as far as it exists (the rest appended), so a link cannot point out. */
function realpathAsFarAsExists(p: string): string {
  let head = p;
  const tail: string[] = [];
  while (!existsSync(head)) {
    const up = dirname(head);
    if (up === head) return p;
    tail.unshift(head.slice(up.length).replace(/^[/\\]+/, ''));
    head = up;
  }
  return resolve(realpathSync(head), ...tail);
}

/** The file of shard `shard` of the local `modelJsonPath`: inside its folder after realpath. */
export function localShardPath(modelJsonPath: string, shard: string): string {
  const dir = dirname(resolve(modelJsonPath));
  const file = resolve(dir, shard);
  const realDir = realpathAsFarAsExists(dir);
  const realFile = realpathAsFarAsExists(file);
  if (!realFile.startsWith(realDir.endsWith(sep) ? realDir : realDir + sep)) throw refuse(modelJsonPath, shard, 'folder');
  return file;
}
