// The URL a model folder's cnn-lab.json makes the engine download at prediction: a model trained on
// a graph base keeps only its head ("modelInput": "pooled-head") and loads the base from
// `base.id`, which can be an http(s) URL. Read here, without `vscode` or the engine, so the host
// can ask the user before the engine fetches it.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isUrl } from '../../core/modelRef.ts';

/** `{ url, file }` when predicting with `modelDir` downloads `url`, as `file` asks; else undefined. */
export function remoteBaseOfModelDir(modelDir: string): { url: string; file: string } | undefined {
  const file = join(modelDir, 'cnn-lab.json');
  let meta: unknown;
  try {
    meta = JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    return undefined; // no or broken metadata: the engine says what is wrong, and downloads nothing
  }
  const m = meta as { modelInput?: unknown; base?: { id?: unknown } };
  if (m?.modelInput !== 'pooled-head' || typeof m.base?.id !== 'string') return undefined;
  return isUrl(m.base.id) ? { url: m.base.id, file } : undefined;
}
