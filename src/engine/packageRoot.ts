// The folder of CNN Lab's own package.json, found from this file's location: src/engine under tsx,
// dist/ in the esbuild bundles and the installed extension. Things shipped beside it (bases/) are
// found from here.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

let cached: { root: string; version: string } | undefined;

function find(): { root: string; version: string } {
  if (cached) return cached;
  let dir = __dirname;
  for (let i = 0; i < 6; i++) {
    const p = join(dir, 'package.json');
    if (existsSync(p)) {
      try {
        const pkg = JSON.parse(readFileSync(p, 'utf8'));
        if (pkg.name === 'cnn-lab') return (cached = { root: dir, version: String(pkg.version) });
      } catch {
        /* keep walking up */
      }
    }
    dir = dirname(dir);
  }
  return (cached = { root: join(__dirname, '..', '..'), version: 'unknown' });
}

export const packageRoot = (): string => find().root;
/** cnn-lab's version from the nearest package.json named cnn-lab; 'unknown' when there is none. */
export const cnnLabVersion = (): string => find().version;
