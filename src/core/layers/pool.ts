// Pooling: windowed (MaxPooling / AveragePooling, 2-D and 1-D) and global.
import { expectRank, noParams } from './inference.ts';
import { readPadding, readPair, readSingle } from './readers.ts';
import type { ArgsReader, InferCall, LayerDef } from './types.ts';
import { inferWindowed, inferWindowed1D } from './windowed.ts';

const POOL_POSITIONAL = ['pool_size', 'strides', 'padding', 'data_format'];
const GLOBAL_POSITIONAL = ['data_format', 'keepdims'];

function readPoolArgs({ kind, raw, args: a, problems, has }: ArgsReader): void {
  const window = kind.endsWith('1D') ? readSingle : readPair;
  a.poolSize = has('pool_size') ? window(raw.pool_size, 'pool_size', problems) : [2, 2];
  // Keras and tfjs: strides default to the pool size.
  a.strides = has('strides') ? window(raw.strides, 'strides', problems) : a.poolSize;
  a.padding = readPadding(raw.padding, problems);
}

function readGlobalArgs({ raw, args: a }: ArgsReader): void {
  a.keepdims = raw.keepdims === true;
}

function inferGlobal2D({ spec, args: a, input, diagnostics, result }: InferCall) {
  const s = expectRank(spec, input, 3, diagnostics);
  if (!s) return result(null, noParams());
  const c = a.channelsFirst ? s[0] : s[2];
  return result(a.keepdims ? (a.channelsFirst ? [c, 1, 1] : [1, 1, c]) : [c], noParams());
}

function inferGlobal1D({ spec, args: a, input, diagnostics, result }: InferCall) {
  const s = expectRank(spec, input, 2, diagnostics);
  if (!s) return result(null, noParams());
  const c = a.channelsFirst ? s[0] : s[1];
  return result(a.keepdims ? (a.channelsFirst ? [c, 1] : [1, c]) : [c], noParams());
}

const pool2d: LayerDef['infer'] = (c) => inferWindowed(c.spec, c.input, c.context, c.diagnostics);
const pool1d: LayerDef['infer'] = (c) => inferWindowed1D(c.spec, c.input, c.diagnostics);

export const poolLayers = {
  MaxPooling2D: { aliases: ['maxpooling2d', 'maxpool2d'], positional: POOL_POSITIONAL, readArgs: readPoolArgs, infer: pool2d },
  AveragePooling2D: {
    aliases: ['averagepooling2d', 'avgpool2d', 'avgpooling2d'],
    positional: POOL_POSITIONAL,
    readArgs: readPoolArgs,
    infer: pool2d,
  },
  GlobalAveragePooling2D: {
    aliases: ['globalaveragepooling2d', 'globalavgpool2d'],
    positional: GLOBAL_POSITIONAL,
    readArgs: readGlobalArgs,
    infer: inferGlobal2D,
  },
  GlobalMaxPooling2D: {
    aliases: ['globalmaxpooling2d', 'globalmaxpool2d'],
    positional: GLOBAL_POSITIONAL,
    readArgs: readGlobalArgs,
    infer: inferGlobal2D,
  },
  MaxPooling1D: { aliases: ['maxpooling1d', 'maxpool1d'], positional: POOL_POSITIONAL, readArgs: readPoolArgs, infer: pool1d },
  AveragePooling1D: { aliases: ['averagepooling1d', 'avgpool1d'], positional: POOL_POSITIONAL, readArgs: readPoolArgs, infer: pool1d },
  GlobalAveragePooling1D: {
    aliases: ['globalaveragepooling1d', 'globalavgpool1d'],
    positional: GLOBAL_POSITIONAL,
    readArgs: readGlobalArgs,
    infer: inferGlobal1D,
  },
  GlobalMaxPooling1D: {
    aliases: ['globalmaxpooling1d', 'globalmaxpool1d'],
    positional: GLOBAL_POSITIONAL,
    readArgs: readGlobalArgs,
    infer: inferGlobal1D,
  },
} satisfies Record<string, LayerDef>;
