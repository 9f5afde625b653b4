// Convolutions: Conv2D, DepthwiseConv2D, SeparableConv2D, Conv2DTranspose and Conv1D.
import { readPadding, readPair, readPositiveInt, readSingle } from './readers.ts';
import type { ArgsReader, LayerDef } from './types.ts';
import { inferWindowed, inferWindowed1D } from './windowed.ts';

const CONV_POSITIONAL = [
  'filters',
  'kernel_size',
  'strides',
  'padding',
  'data_format',
  'dilation_rate',
  'groups',
  'activation',
  'use_bias',
];

function readConvArgs({ kind, raw, args: a, problems, has }: ArgsReader): void {
  // 1-D windows are kept as pairs with both entries equal
  const window = kind === 'Conv1D' ? readSingle : readPair;
  if (kind !== 'DepthwiseConv2D') a.filters = readPositiveInt(raw.filters, 'filters', problems);
  a.kernelSize = window(raw.kernel_size, 'kernel_size', problems);
  a.strides = has('strides') ? window(raw.strides, 'strides', problems) : [1, 1];
  a.dilation = has('dilation_rate') ? window(raw.dilation_rate, 'dilation_rate', problems) : [1, 1];
  // causal padding keeps the length, like same (it pads on the left only)
  a.padding = readPadding(kind === 'Conv1D' && raw.padding === 'causal' ? 'same' : raw.padding, problems);
  a.useBias = raw.use_bias !== false;
  if (kind === 'DepthwiseConv2D' || kind === 'SeparableConv2D')
    a.depthMultiplier = has('depth_multiplier') ? readPositiveInt(raw.depth_multiplier, 'depth_multiplier', problems) : 1;
  if (typeof raw.activation === 'string') a.activation = raw.activation;
  if (kind === 'Conv2D' || kind === 'Conv1D') a.groups = has('groups') ? readPositiveInt(raw.groups, 'groups', problems) : 1;
}

const conv2d: LayerDef['infer'] = (c) => inferWindowed(c.spec, c.input, c.context, c.diagnostics);

export const convLayers = {
  Conv2D: { aliases: ['conv2d', 'convolution2d'], positional: CONV_POSITIONAL, readArgs: readConvArgs, infer: conv2d },
  DepthwiseConv2D: {
    aliases: ['depthwiseconv2d'],
    positional: ['kernel_size', 'strides', 'padding', 'depth_multiplier', 'data_format', 'dilation_rate', 'activation', 'use_bias'],
    readArgs: readConvArgs,
    infer: conv2d,
  },
  SeparableConv2D: {
    aliases: ['separableconv2d', 'separableconvolution2d'],
    positional: [
      'filters',
      'kernel_size',
      'strides',
      'padding',
      'data_format',
      'dilation_rate',
      'depth_multiplier',
      'activation',
      'use_bias',
    ],
    readArgs: readConvArgs,
    infer: conv2d,
  },
  Conv2DTranspose: {
    aliases: ['conv2dtranspose', 'convolution2dtranspose'],
    positional: [
      'filters',
      'kernel_size',
      'strides',
      'padding',
      'output_padding',
      'data_format',
      'dilation_rate',
      'activation',
      'use_bias',
    ],
    readArgs: readConvArgs,
    infer: conv2d,
  },
  Conv1D: {
    aliases: ['conv1d', 'convolution1d'],
    positional: CONV_POSITIONAL,
    readArgs: readConvArgs,
    infer: (c) => inferWindowed1D(c.spec, c.input, c.diagnostics),
  },
} satisfies Record<string, LayerDef>;
