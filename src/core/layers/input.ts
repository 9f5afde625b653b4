// InputLayer: Input(shape=) / InputLayer(input_shape=); the shape itself is read for every kind.
import { noParams } from './inference.ts';
import type { LayerDef } from './types.ts';

export const inputLayers = {
  InputLayer: {
    aliases: ['inputlayer', 'input'],
    positional: ['input_shape'],
    neverTrainable: true,
    infer: ({ args, input, result }) => result(args.inputShape ?? input, noParams()),
  },
} satisfies Record<string, LayerDef>;
