// Dense: applied to the last axis (Keras applies it at every position of a higher-rank input).
import { formatShape } from '../shape.ts';
import { DOT } from './inference.ts';
import { readPositiveInt } from './readers.ts';
import type { LayerDef } from './types.ts';

export const denseLayers = {
  Dense: {
    aliases: ['dense'],
    positional: ['units', 'activation', 'use_bias'],
    readArgs({ raw, args: a, problems }) {
      a.units = readPositiveInt(raw.units, 'units', problems);
      a.useBias = raw.use_bias !== false;
      if (typeof raw.activation === 'string') a.activation = raw.activation;
    },
    infer({ args: a, input, diagnostics, result }) {
      if (!input) return result(null, null);
      if (input.length === 3) {
        diagnostics.push({
          severity: 'warning',
          message: `Dense on a 4-D tensor (batch, ${formatShape(input)}) without Flatten or global pooling: Keras applies it at every position, giving ${formatShape([...input.slice(0, -1), a.units ?? null])}`,
        });
      }
      const last = input[input.length - 1] ?? null;
      const out = [...input.slice(0, -1), a.units ?? null];
      if (last === null || a.units === undefined) return result(out, null);
      const w = last * a.units;
      const bias = a.useBias ? a.units : 0;
      return result(out, {
        total: w + bias,
        nonTrainable: 0,
        text: `${last}${DOT}${a.units} weights${bias ? ` + ${bias} bias` : ''} = ${w + bias}`,
      });
    },
  },
} satisfies Record<string, LayerDef>;
