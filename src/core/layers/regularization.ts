// Dropout layers: shape-keeping, no weights.
import { noParams } from './inference.ts';
import type { ArgsReader, InferCall, LayerDef } from './types.ts';

const readRate = ({ raw, args: a }: ArgsReader) => {
  if (typeof raw.rate === 'number') a.rate = raw.rate;
};
const keepShape = ({ input, result }: InferCall) => result(input, noParams());

export const regularizationLayers = {
  Dropout: { aliases: ['dropout'], positional: ['rate', 'noise_shape', 'seed'], readArgs: readRate, infer: keepShape },
  SpatialDropout2D: { aliases: ['spatialdropout2d'], positional: ['rate'], readArgs: readRate, infer: keepShape },
} satisfies Record<string, LayerDef>;
