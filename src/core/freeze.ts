// Freeze ranges ↔ per-layer flags. A spec names the FROZEN layers, comma-separated, each item one of:
//   12            one layer by index            conv2d_5        one layer by name
//   0-248         an inclusive index range      mixed9-         from mixed9 to the last layer
//   -block_13_expand   from the first layer up to block_13_expand (inclusive)
//   first 249     layers 0..248                 up to mixed8    layers 0..mixed8 (inclusive)
//   from block_13 fine-tune from block_13: everything BEFORE the first layer whose name starts
//                 with block_13 is frozen (the Keras recipe's "train the top blocks" phrasing)
// Range ends may be indices or names (exact match, else the first layer whose name starts with it).
// Used by the engine (applying freezes) and the VS Code freeze panel (showing/editing them).

export class FreezeSpecError extends Error {}

/** Parses a freeze spec against the model's layer names; returns frozen[i] for every layer. */
export function parseFreezeSpec(spec: string | string[], layerNames: string[]): boolean[] {
  const frozen = layerNames.map(() => false);
  const items = (Array.isArray(spec) ? spec : [spec])
    .flatMap((s) => s.split(','))
    .map((s) => s.trim())
    .filter(Boolean);
  for (const item of items) {
    const [start, end] = parseItem(item, layerNames);
    for (let i = start; i <= end; i++) frozen[i] = true;
  }
  return frozen;
}

/** The inclusive [start, end] index range an item denotes; end < start means none. */
function parseItem(item: string, names: string[]): [number, number] {
  const last = names.length - 1;
  const words = item.split(/\s+/);
  const keyword = words[0].toLowerCase();
  if (keyword === 'first' && words.length === 2) {
    const n = parseCount(words[1], item);
    if (n > names.length) throw new FreezeSpecError(`freeze spec '${item}': the model has only ${names.length} layers`);
    return [0, n - 1];
  }
  if (keyword === 'up' && words[1]?.toLowerCase() === 'to' && words.length === 3) return [0, resolve(words[2], names, item, 'first')];
  if (keyword === 'from' && words.length === 2) {
    const start = resolve(words[1], names, item, 'first');
    return [0, start - 1];
  }
  if (words.length !== 1)
    throw new FreezeSpecError(`freeze spec '${item}': expected an index, a name, a range A-B, 'first N', 'up to NAME' or 'from NAME'`);
  if (names.includes(item) || /^\d+$/.test(item)) {
    const i = resolve(item, names, item, 'first');
    return [i, i];
  }
  // A range: split at a hyphen whose two sides are each empty, an index or a layer name (names
  // may themselves contain hyphens, so try every hyphen).
  let lastError: FreezeSpecError | null = null;
  for (let h = item.indexOf('-'); h >= 0; h = item.indexOf('-', h + 1)) {
    const left = item.slice(0, h);
    const right = item.slice(h + 1);
    try {
      const start = left === '' ? 0 : resolve(left, names, item, 'first');
      const end = right === '' ? last : resolve(right, names, item, 'last');
      if (end < start) throw new FreezeSpecError(`freeze spec '${item}': the range ends (${end}) before it starts (${start})`);
      return [start, end];
    } catch (e) {
      if (e instanceof FreezeSpecError) lastError = e;
      else throw e;
    }
  }
  if (lastError) throw lastError;
  // A single name must match exactly: freezing one layer by a prefix would be a surprise.
  throw new FreezeSpecError(`freeze spec '${item}': no layer named '${item}'${suggest(item, names)}`);
}

function parseCount(word: string, item: string): number {
  if (!/^\d+$/.test(word)) throw new FreezeSpecError(`freeze spec '${item}': '${word}' is not a layer count`);
  return Number(word);
}

/** Index of a layer given as an index or a name (exact, else by prefix). */
function resolve(ref: string, names: string[], item: string, which: 'first' | 'last'): number {
  if (/^\d+$/.test(ref)) {
    const i = Number(ref);
    if (i >= names.length)
      throw new FreezeSpecError(
        `freeze spec '${item}': layer index ${i} is out of range (the model has ${names.length} layers, 0-${names.length - 1})`,
      );
    return i;
  }
  const exact = names.indexOf(ref);
  if (exact >= 0) return exact;
  const matches = names.flatMap((n, i) => (n.startsWith(ref) ? [i] : []));
  if (matches.length === 0) throw new FreezeSpecError(`freeze spec '${item}': no layer named '${ref}'${suggest(ref, names)}`);
  return which === 'first' ? matches[0] : matches[matches.length - 1];
}

function suggest(ref: string, names: string[]): string {
  const lower = ref.toLowerCase();
  const close = names.filter((n) => n.toLowerCase().includes(lower) || lower.includes(n.toLowerCase())).slice(0, 3);
  return close.length ? ` (did you mean ${close.map((c) => `'${c}'`).join(', ')}?)` : '';
}

/**
 * The compact spec for per-layer flags: index ranges (`0-248`, `250`), or with `names`, layer
 * names (`input_1-mixed8`). parseFreezeSpec(formatFreezeSpec(f), names) gives f back.
 */
export function formatFreezeSpec(frozen: boolean[], names?: string[]): string[] {
  const label = (i: number) => (names ? names[i] : String(i));
  const out: string[] = [];
  for (let i = 0; i < frozen.length; i++) {
    if (!frozen[i]) continue;
    let j = i;
    while (j + 1 < frozen.length && frozen[j + 1]) j++;
    out.push(i === j ? label(i) : `${label(i)}-${label(j)}`);
    i = j;
  }
  return out;
}
