// Collapsible groups of the architecture view and the freeze panel: InceptionV3's inception blocks
// (a block ends at its `mixedN` concatenation; `mixed9_0`-style inner concats stay inside) and
// MobileNetV2's `block_N_*` / `expanded_conv_*` layers and EfficientNet's `block2a_*`. Other layers
// stand alone. Pure.
import type { LayerRow } from '../../core/layerRow.ts';
import type { ArchitectureRow, ArchitectureTotals } from '../../protocol/webview/architecture.ts';

const MIXED_END = /^mixed\d+$/;
const MOBILENET_BLOCK = /^(block_\d+)_/;
/** EfficientNet (Keras names): block2a_expand_conv … block2a_add */
const EFFICIENTNET_BLOCK = /^(block\d+[a-z])_/;

/** The group of each layer, by the naming conventions of the bundled bases. */
export function layerGroups(names: string[]): (string | null)[] {
  const groups: (string | null)[] = names.map(() => null);
  if (names.some((n) => MIXED_END.test(n))) {
    // layers after the previous mixedN up to and including the next one form that block; block
    // mixed0 starts after the stem's last max-pool (its own branch pool is an average pool)
    const firstMixed = names.findIndex((n) => MIXED_END.test(n));
    let start = 0;
    for (let i = 0; i < firstMixed; i++) if (/max_?pool/i.test(names[i])) start = i + 1;
    let blockStart = start;
    for (let i = start; i < names.length; i++) {
      if (MIXED_END.test(names[i])) {
        for (let j = blockStart; j <= i; j++) groups[j] = names[i];
        blockStart = i + 1;
      }
    }
    return groups;
  }
  return names.map((n) => {
    const m = MOBILENET_BLOCK.exec(n) ?? EFFICIENTNET_BLOCK.exec(n);
    if (m) return m[1];
    if (n.startsWith('expanded_conv')) return 'block_0';
    return null;
  });
}

export function toArchitectureRows(rows: LayerRow[], lines?: (number | undefined)[]): ArchitectureRow[] {
  const groups = layerGroups(rows.map((r) => r.name));
  return rows.map((r, i) => ({ index: i, ...r, group: groups[i], line: lines?.[i] }));
}

export function totalsOf(rows: { params: number; trainable: boolean }[]): ArchitectureTotals {
  let trainable = 0;
  let params = 0;
  for (const r of rows) {
    params += r.params;
    if (r.trainable) trainable += r.params;
  }
  return { layers: rows.length, params, trainable, nonTrainable: params - trainable };
}
