// Text renderings of parsed models shared by the CLI and the editor: a `model.summary()`-like
// table and the conv/pool arithmetic of each windowed layer.
import type { ParsedModel } from './parsers/index.ts';
import { formatKerasShape, formatShape } from './shape.ts';

export function modelTable(model: ParsedModel): string {
  // Raw tf ops take their filters as tensors: they have no parameters of their own ('-').
  const rows = model.layers.map((l) => [
    `${l.spec.name} (${l.spec.className})`,
    formatKerasShape(l.outputShape),
    l.params ? String(l.params.total) : model.kind === 'ops' ? '-' : '?',
  ]);
  const headers = ['Layer (type)', 'Output Shape', 'Param #'];
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)) + 2);
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === 2 ? c : c.padEnd(widths[i])))
      .join('')
      .trimEnd();
  const width = widths.reduce((a, b) => a + b, 0);
  let total = 0;
  let nonTrainable = 0;
  let unknown = false;
  for (const l of model.layers) {
    if (!l.params) {
      unknown ||= model.kind !== 'ops';
      continue;
    }
    total += l.params.total;
    nonTrainable += l.spec.trainable ? l.params.nonTrainable : l.params.total;
  }
  const q = unknown ? '+?' : '';
  return [
    `Model: "${model.name}"`,
    '_'.repeat(width),
    line(headers),
    '='.repeat(width),
    ...rows.map(line),
    '='.repeat(width),
    `Total params: ${total.toLocaleString('en-US')}${q}`,
    `Trainable params: ${(total - nonTrainable).toLocaleString('en-US')}${q}`,
    `Non-trainable params: ${nonTrainable.toLocaleString('en-US')}`,
    '_'.repeat(width),
  ].join('\n');
}

/** The arithmetic of every windowed layer, for the CLI under the table. */
export function arithmeticReport(model: ParsedModel): string[] {
  const out: string[] = [];
  for (const l of model.layers) {
    if (
      l.arithmetic.length === 0 ||
      !['Conv2D', 'DepthwiseConv2D', 'SeparableConv2D', 'Conv2DTranspose', 'MaxPooling2D', 'AveragePooling2D'].includes(l.spec.className)
    )
      continue;
    out.push(`${l.spec.name} (${l.spec.className}): ${formatShape(l.inputShape)} → ${formatShape(l.outputShape)}`);
    for (const a of l.arithmetic) out.push(`    ${a}`);
    if (l.params) out.push(`    params: ${l.params.text}`);
  }
  return out;
}

/** Table, then the arithmetic of each conv/pool layer, then the problems found. */
export function modelReport(model: ParsedModel): string {
  const lines = [modelTable(model)];
  const arithmetic = arithmeticReport(model);
  if (arithmetic.length > 0) lines.push('', 'Shape arithmetic:', ...arithmetic);
  const problems = model.layers.flatMap((l) =>
    l.diagnostics.filter((d) => d.severity !== 'info').map((d) => `  ${d.severity}: ${l.spec.name}: ${d.message}`),
  );
  if (problems.length > 0) lines.push('', 'Problems:', ...problems);
  return lines.join('\n');
}
