// Preprocessing and noise layers: Rescaling and the random augmentations keep the shape;
// Resizing and CenterCrop set height and width.
import { expectRank, noParams } from './inference.ts';
import { readPositiveInt } from './readers.ts';
import type { ArgsReader, InferCall, LayerDef } from './types.ts';

const keepShape = ({ input, result }: InferCall) => result(input, noParams());

function readSize({ raw, args: a, problems }: ArgsReader): void {
  a.height = readPositiveInt(raw.height, 'height', problems);
  a.width = readPositiveInt(raw.width, 'width', problems);
}

function inferSize({ spec, args: a, input, diagnostics, result }: InferCall) {
  const s = expectRank(spec, input, 3, diagnostics);
  if (!s || a.height === undefined || a.width === undefined) return result(null, noParams());
  return result(a.channelsFirst ? [s[0], a.height, a.width] : [a.height, a.width, s[2]], noParams());
}

export const preprocessingLayers = {
  Rescaling: { aliases: ['rescaling'], positional: ['scale', 'offset'], infer: keepShape },
  RandomAugmentation: {
    aliases: [
      'randomflip',
      'randomrotation',
      'randomzoom',
      'randomtranslation',
      'randomcontrast',
      'randombrightness',
      'gaussiannoise',
      'gaussiandropout',
    ],
    showWrittenClassName: true,
    infer: keepShape,
  },
  Resizing: {
    aliases: ['resizing'],
    positional: ['height', 'width', 'interpolation', 'crop_to_aspect_ratio'],
    readArgs: readSize,
    infer: inferSize,
  },
  CenterCrop: { aliases: ['centercrop'], positional: ['height', 'width'], readArgs: readSize, infer: inferSize },
} satisfies Record<string, LayerDef>;
