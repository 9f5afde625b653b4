// Reshaping layers (Keras' layers/reshaping): Flatten, Reshape, ZeroPadding2D, Cropping2D and
// UpSampling2D. None has weights.
import { formatShape, shapeSize } from '../shape.ts';
import { DOT, expectRank, MINUS, noParams } from './inference.ts';
import { readAmounts, readPair, readShape } from './readers.ts';
import type { InferCall, LayerDef, LayerInference } from './types.ts';

/** ZeroPadding2D adds its amounts to H and W, Cropping2D takes them away. */
function inferPadOrCrop({ spec, args: a, input, diagnostics, result }: InferCall): LayerInference {
  const s = expectRank(spec, input, 3, diagnostics);
  if (!s || !a.amounts) return result(null, noParams());
  const sign = spec.kind === 'ZeroPadding2D' ? 1 : -1;
  const [[t, b], [l, r]] = a.amounts;
  const [hi, wi] = a.channelsFirst ? [1, 2] : [0, 1];
  const out = [...s];
  const lines: string[] = [];
  const op = sign > 0 ? '+' : MINUS;
  for (const [axis, idx, before, after] of [
    ['H', hi, t, b],
    ['W', wi, l, r],
  ] as const) {
    const d = s[idx];
    const size = d === null ? null : d + sign * (before + after);
    out[idx] = size;
    lines.push(`${axis}2 = ${d ?? axis + '1'} ${op} ${before} ${op} ${after} = ${size ?? '?'}`);
    if (size !== null && size <= 0)
      diagnostics.push({
        severity: 'error',
        message: `${spec.className}: impossible geometry, output ${axis === 'H' ? 'height' : 'width'} ${size} ≤ 0`,
      });
  }
  return result(out.some((d) => d !== null && d <= 0) ? null : out, noParams(), lines);
}

/** ZeroPadding2D / Cropping2D: the amounts are read from `field`, `fallback` on every side when absent. */
const padOrCrop = (alias: string, field: 'padding' | 'cropping', fallback: number): LayerDef => ({
  aliases: [alias],
  positional: [field, 'data_format'],
  readArgs({ raw, args: a, problems }) {
    a.amounts = readAmounts(raw[field], field, fallback, problems);
  },
  infer: inferPadOrCrop,
});

function inferReshape({ args: a, input, diagnostics, result }: InferCall): LayerInference {
  if (!a.targetShape) return result(null, noParams());
  const target = a.targetShape;
  const unknown = target.filter((d) => d === -1).length;
  const total = input ? shapeSize(input) : null;
  const known = target.filter((d) => d !== -1).reduce((p, d) => p * d, 1);
  if (unknown > 1) {
    diagnostics.push({ severity: 'error', message: 'Reshape: at most one dimension of target_shape may be -1' });
    return result(null, noParams());
  }
  if (total === null)
    return result(
      target.map((d) => (d === -1 ? null : d)),
      noParams(),
    );
  if (unknown === 1) {
    if (total % known !== 0) {
      diagnostics.push({
        severity: 'error',
        message: `Reshape: ${total} elements cannot be reshaped to ${target.join('×').replace('-1', '?')}`,
      });
      return result(null, noParams());
    }
    return result(
      target.map((d) => (d === -1 ? total / known : d)),
      noParams(),
    );
  }
  if (known !== total) {
    diagnostics.push({
      severity: 'error',
      message: `Reshape: input ${formatShape(input)} has ${total} elements, target ${target.join('×')} has ${known}`,
    });
    return result(null, noParams());
  }
  return result(target, noParams());
}

export const reshapingLayers = {
  Flatten: {
    aliases: ['flatten'],
    positional: ['data_format'],
    infer({ input, result }) {
      if (!input) return result(null, noParams());
      const n = shapeSize(input);
      return result([n], noParams(), [`${formatShape(input)} = ${n ?? '?'}`]);
    },
  },
  Reshape: {
    aliases: ['reshape'],
    positional: ['target_shape'],
    readArgs({ raw, args: a, problems }) {
      const t = readShape(raw.target_shape, 'target_shape', problems);
      if (t) a.targetShape = t.map((d) => (d === null ? -1 : d));
    },
    infer: inferReshape,
  },
  ZeroPadding2D: padOrCrop('zeropadding2d', 'padding', 1),
  Cropping2D: padOrCrop('cropping2d', 'cropping', 0),
  UpSampling2D: {
    aliases: ['upsampling2d'],
    positional: ['size', 'data_format'],
    readArgs({ raw, args: a, problems, has }) {
      a.upSize = has('size') ? readPair(raw.size, 'size', problems) : [2, 2];
    },
    infer({ spec, args: a, input, diagnostics, result }) {
      const s = expectRank(spec, input, 3, diagnostics);
      if (!s || !a.upSize) return result(null, noParams());
      const [hi, wi] = a.channelsFirst ? [1, 2] : [0, 1];
      const out = [...s];
      out[hi] = s[hi] === null ? null : s[hi] * a.upSize[0];
      out[wi] = s[wi] === null ? null : s[wi] * a.upSize[1];
      return result(out, noParams(), [
        `H2 = ${s[hi] ?? 'H1'}${DOT}${a.upSize[0]} = ${out[hi] ?? '?'}`,
        `W2 = ${s[wi] ?? 'W1'}${DOT}${a.upSize[1]} = ${out[wi] ?? '?'}`,
      ]);
    },
  },
} satisfies Record<string, LayerDef>;
