// The freeze panel's logic, apart from the DOM: ranges text ↔ per-layer flags (core's parser and
// formatter, so the panel and the engine agree), shift-click ranges, presets and the trainable
// parameter count.
import { formatFreezeSpec, parseFreezeSpec } from '../src/core/freeze.ts';
import type { FreezeLayer } from '../src/protocol/webview/freeze.ts';

export interface FreezeParse {
  frozen: boolean[] | null;
  error?: string;
}

/** Splits the text field ("0-248, mixed9-") into spec items. */
export function rangesFromText(text: string): string[] {
  return text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

export function textFromRanges(ranges: string[]): string {
  return ranges.join(', ');
}

export function frozenFromRanges(ranges: string[], names: string[]): FreezeParse {
  try {
    return { frozen: parseFreezeSpec(ranges, names) };
  } catch (e) {
    return { frozen: null, error: e instanceof Error ? e.message : String(e) };
  }
}

/** The compact ranges for flags, by layer name (names survive edits of the base better than indices). */
export function rangesFromFrozen(frozen: boolean[], names: string[]): string[] {
  if (frozen.length && frozen.every(Boolean)) return ['0-'];
  return formatFreezeSpec(frozen, names);
}

/** Sets layers from..to (either order, inclusive) to `frozen` — a shift-click range. */
export function setRange(flags: boolean[], from: number, to: number, frozen: boolean): boolean[] {
  const out = flags.slice();
  const [a, b] = from <= to ? [from, to] : [to, from];
  for (let i = a; i <= b; i++) out[i] = frozen;
  return out;
}

export interface Preset {
  id: string;
  label: string;
  title: string;
  ranges: string[];
}

/** The block groups in order (mixed0…, block_0…), for "fine-tune from block N". */
export function blockNames(layers: FreezeLayer[]): string[] {
  const seen: string[] = [];
  for (const l of layers) if (l.group && !seen.includes(l.group)) seen.push(l.group);
  return seen;
}

/** Ranges that fine-tune from block `group` on (everything before its first layer stays frozen). */
export function fineTuneFromBlock(layers: FreezeLayer[], group: string): string[] {
  const start = layers.findIndex((l) => l.group === group);
  if (start < 0) throw new Error(`no block named ${group}`);
  if (start === 0) return [];
  const previous = layers[start - 1];
  // "up to mixed8" reads better than an index, and is what the Keras transfer-learning recipe means by "top blocks";
  // EfficientNet's "from block6a" likewise (its blocks' layers all start with the block's name)
  if (previous.group && /^mixed\d+$/.test(previous.name)) return [`up to ${previous.name}`];
  if (/^block\d+[a-z]$/.test(group)) return [`from ${group}`];
  return [`0-${start - 1}`];
}

export function presetsFor(layers: FreezeLayer[]): Preset[] {
  const presets: Preset[] = [
    { id: 'transfer', label: 'Freeze whole base', title: 'Transfer learning: only the new head trains', ranges: ['0-'] },
  ];
  const blocks = blockNames(layers);
  if (blocks.length >= 2 && blocks.some((b) => /^mixed\d+$/.test(b))) {
    presets.push({
      id: 'top2',
      label: 'Top 2 inception blocks',
      title: 'Fine-tune mixed9 and mixed10 (the Keras transfer-learning recipe)',
      ranges: fineTuneFromBlock(layers, blocks[blocks.length - 2]),
    });
  } else if (blocks.includes('block6a') && blocks.every((b) => /^block\d+[a-z]$/.test(b))) {
    // EfficientNet: the default fine-tuning point, the last two stages (block6a…, block7a) and the top
    presets.push({
      id: 'top2stages',
      label: 'From block6a',
      title: 'Fine-tune the last two stages and the top conv (the default for EfficientNet-Lite)',
      ranges: fineTuneFromBlock(layers, 'block6a'),
    });
  } else if (blocks.length >= 4) {
    presets.push({
      id: 'top4',
      label: `From ${blocks[blocks.length - 4]}`,
      title: `Fine-tune the last four blocks`,
      ranges: fineTuneFromBlock(layers, blocks[blocks.length - 4]),
    });
  }
  presets.push({ id: 'all', label: 'Fine-tune everything', title: 'Every base layer trains in phase 2', ranges: [] });
  return presets;
}

export interface TrainableCount {
  trainableParams: number;
  totalParams: number;
  trainableLayers: number;
  totalLayers: number;
}

export function countTrainable(layers: FreezeLayer[], frozen: boolean[]): TrainableCount {
  let trainableParams = 0;
  let totalParams = 0;
  let trainableLayers = 0;
  layers.forEach((l, i) => {
    totalParams += l.params;
    if (!frozen[i]) {
      trainableParams += l.params;
      trainableLayers++;
    }
  });
  return { trainableParams, totalParams, trainableLayers, totalLayers: layers.length };
}
