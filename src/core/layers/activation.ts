// Activation layers: shape-keeping, no weights.
import { noParams } from './inference.ts';
import type { InferCall, LayerDef } from './types.ts';

const keepShape = ({ input, result }: InferCall) => result(input, noParams());

export const activationLayers = {
  Activation: {
    aliases: ['activation'],
    positional: ['activation'],
    readArgs({ raw, args: a }) {
      if (typeof raw.activation === 'string') a.activation = raw.activation;
    },
    infer: keepShape,
  },
  ReLU: { aliases: ['relu'], positional: ['max_value', 'negative_slope', 'threshold'], infer: keepShape },
  LeakyReLU: { aliases: ['leakyrelu'], infer: keepShape },
  Softmax: { aliases: ['softmax'], infer: keepShape },
} satisfies Record<string, LayerDef>;
