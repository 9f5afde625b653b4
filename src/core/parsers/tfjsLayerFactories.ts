// Every layer factory of `tf.layers` in tfjs-layers 4.22 and the class it makes (getClassName()),
// so each one written in a file gets a row under its own class name — a shape where the inference
// knows the kind, "not supported" (and unknown shapes after it) where it does not.
// `input` is not here: it makes a SymbolicTensor (the start of a functional graph), not a layer.
export const TFJS_LAYER_CLASSES: Readonly<Record<string, string>> = {
  activation: 'Activation', add: 'Add', alphaDropout: 'AlphaDropout', average: 'Average',
  averagePooling1d: 'AveragePooling1D', averagePooling2d: 'AveragePooling2D', averagePooling3d: 'AveragePooling3D',
  avgPool1d: 'AveragePooling1D', avgPool2d: 'AveragePooling2D', avgPool3d: 'AveragePooling3D',
  avgPooling1d: 'AveragePooling1D', avgPooling2d: 'AveragePooling2D', avgPooling3d: 'AveragePooling3D',
  batchNormalization: 'BatchNormalization', bidirectional: 'Bidirectional', categoryEncoding: 'CategoryEncoding',
  centerCrop: 'CenterCrop', concatenate: 'Concatenate', conv1d: 'Conv1D', conv2d: 'Conv2D', conv2dTranspose: 'Conv2DTranspose',
  conv3d: 'Conv3D', conv3dTranspose: 'Conv3DTranspose', convLstm2d: 'ConvLSTM2D', convLstm2dCell: 'ConvLSTM2DCell',
  cropping2D: 'Cropping2D', dense: 'Dense', depthwiseConv2d: 'DepthwiseConv2D', dot: 'Dot', dropout: 'Dropout', elu: 'ELU',
  embedding: 'Embedding', flatten: 'Flatten', gaussianDropout: 'GaussianDropout', gaussianNoise: 'GaussianNoise',
  globalAveragePooling1d: 'GlobalAveragePooling1D', globalAveragePooling2d: 'GlobalAveragePooling2D',
  globalMaxPool1d: 'GlobalMaxPooling1D', globalMaxPool2d: 'GlobalMaxPooling2D',
  globalMaxPooling1d: 'GlobalMaxPooling1D', globalMaxPooling2d: 'GlobalMaxPooling2D', gru: 'GRU', gruCell: 'GRUCell',
  inputLayer: 'InputLayer', layerNormalization: 'LayerNormalization', leakyReLU: 'LeakyReLU', lstm: 'LSTM', lstmCell: 'LSTMCell',
  masking: 'Masking', maxPool1d: 'MaxPooling1D', maxPool2d: 'MaxPooling2D', maxPooling1d: 'MaxPooling1D', maxPooling2d: 'MaxPooling2D',
  maxPooling3d: 'MaxPooling3D', maximum: 'Maximum', minimum: 'Minimum', multiply: 'Multiply', permute: 'Permute', prelu: 'PReLU',
  randomWidth: 'RandomWidth', reLU: 'ReLU', repeatVector: 'RepeatVector', rescaling: 'Rescaling', reshape: 'Reshape',
  resizing: 'Resizing', rnn: 'RNN', separableConv2d: 'SeparableConv2D', simpleRNN: 'SimpleRNN', simpleRNNCell: 'SimpleRNNCell',
  softmax: 'Softmax', spatialDropout1d: 'SpatialDropout1D', stackedRNNCells: 'StackedRNNCells', thresholdedReLU: 'ThresholdedReLU',
  timeDistributed: 'TimeDistributed', upSampling2d: 'UpSampling2D', zeroPadding2d: 'ZeroPadding2D',
};

/** Merge layers: `tf.layers.concatenate([a, b])` applies at once, like `concatenate().apply([a, b])`. */
export const TFJS_MERGE_FACTORIES = new Set(['add', 'average', 'concatenate', 'maximum', 'minimum', 'multiply', 'dot']);
