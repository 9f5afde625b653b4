// BatchNormalization, LayerNormalization and the Normalization preprocessing layer: shape-keeping,
// with per-channel weights along `axis`.
import { DOT, normalizeAxis } from './inference.ts';
import type { ArgsReader, LayerDef } from './types.ts';

/** BatchNormalization / LayerNormalization: beta (center) and gamma (scale) are on unless turned off. */
const readCenterScale = ({ raw, args: a }: ArgsReader) => {
  a.center = raw.center !== false;
  a.scale = raw.scale !== false;
};

/** The size of the normalised axis (Keras counts the batch dimension), null when unknown. */
const axisSize = (input: (number | null)[], axis: number | undefined) => {
  const i = normalizeAxis(axis ?? -1, input.length + 1) - 1;
  return i >= 0 && i < input.length ? input[i] : null;
};

export const normalizationLayers = {
  BatchNormalization: {
    aliases: ['batchnormalization'],
    positional: ['axis', 'momentum', 'epsilon', 'center', 'scale'],
    readArgs(reader) {
      const { raw, args: a } = reader;
      a.axis = typeof raw.axis === 'number' ? raw.axis : Array.isArray(raw.axis) && typeof raw.axis[0] === 'number' ? raw.axis[0] : -1;
      readCenterScale(reader);
    },
    infer({ args: a, input, result }) {
      if (!input) return result(null, null);
      const c = axisSize(input, a.axis);
      if (c === null) return result(input, null);
      const perChannel = 2 + (a.center ? 1 : 0) + (a.scale ? 1 : 0);
      const parts = [a.scale ? 'gamma' : '', a.center ? 'beta' : '', 'moving mean', 'moving variance'].filter(Boolean);
      return result(input, {
        total: perChannel * c,
        nonTrainable: 2 * c,
        text: `${perChannel}${DOT}${c} = ${perChannel * c} (${parts.join(', ')}; the moving statistics are not trainable)`,
      });
    },
  },
  LayerNormalization: {
    aliases: ['layernormalization'],
    positional: ['axis', 'epsilon', 'center', 'scale'],
    readArgs(reader) {
      const { raw, args: a, problems } = reader;
      a.axis = typeof raw.axis === 'number' ? raw.axis : -1;
      if (Array.isArray(raw.axis)) problems.push('axis as a list is not supported by the shape inference');
      readCenterScale(reader);
    },
    infer({ args: a, input, result }) {
      if (!input) return result(null, null);
      const c = axisSize(input, a.axis);
      if (c === null) return result(input, null);
      const perChannel = (a.center ? 1 : 0) + (a.scale ? 1 : 0);
      return result(input, {
        total: perChannel * c,
        nonTrainable: 0,
        text: `${perChannel}${DOT}${c} = ${perChannel * c} (${[a.scale ? 'gamma' : '', a.center ? 'beta' : ''].filter(Boolean).join(', ')})`,
      });
    },
  },
  Normalization: {
    aliases: ['normalization'],
    positional: ['axis', 'mean', 'variance'],
    readArgs({ raw, args: a, problems }) {
      a.axis = typeof raw.axis === 'number' ? raw.axis : -1;
      if (raw.axis === null || Array.isArray(raw.axis))
        problems.push('axis other than one integer is not supported by the shape inference');
      a.statsGiven = raw.mean !== undefined && raw.mean !== null;
    },
    infer({ args: a, input, result }) {
      if (!input) return result(null, null);
      const c = axisSize(input, a.axis);
      if (c === null) return result(input, null);
      if (a.statsGiven) return result(input, { total: 0, nonTrainable: 0, text: '0 (mean and variance given as constants)' });
      return result(input, {
        total: 2 * c + 1,
        nonTrainable: 2 * c + 1,
        text: `2${DOT}${c} + 1 = ${2 * c + 1} (mean, variance, count; not trainable)`,
      });
    },
  },
} satisfies Record<string, LayerDef>;
