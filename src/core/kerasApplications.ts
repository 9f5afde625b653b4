// Keras Applications by name (`keras:inception_v3`, …): the ImageNet `*_notop.h5` weight files
// Keras itself downloads, from the URLs and with the file hashes pinned in tf_keras 2.21's source
// (tf_keras/src/applications/*.py; keras 3.15 pins the same). Pure data, shared by the engine (which
// downloads and loads the file) and the host (which validates experiment files and asks before a
// workspace file makes the engine download one).

export const KERAS_REF_PREFIX = 'keras:';

export interface KerasApplicationSpec {
  /** 'keras:inception_v3' */
  id: string;
  /** the Keras constructor this mirrors, `include_top=False` */
  keras: string;
  /** the file name Keras caches it as (~/.keras/models/<fileName>) */
  fileName: string;
  /** where Keras downloads it from */
  url: string;
  /**
   * The hash Keras checks (`get_file(file_hash=…)`: 64 hex digits are sha256, else md5), or null
   * where Keras pins none (MobileNetV2): that file is then checked only by its layers and shapes.
   */
  fileHash: { algorithm: 'md5' | 'sha256'; hex: string } | null;
  /** [height, width] of Keras' default input */
  inputSize: [number, number];
  /**
   * How pixels are scaled before the network, as Keras' `preprocess_input` does: 'tf' mode is
   * x/127.5 − 1; 'caffe' mode is RGB→BGR minus the ImageNet mean; EfficientNet scales inside the
   * network and takes raw 0..255 pixels.
   */
  preprocessing: '-1..1' | 'caffe' | '0..255';
  /** layers kept frozen while fine-tuning, as freeze ranges (the "top blocks" train) */
  defaultFreeze: string[];
  /** human-readable, honest provenance */
  label: string;
  /** parameters (Keras count_params) and the download's size, for the wizard */
  params: string;
  downloadMB: number;
}

const TF_APPS = 'https://storage.googleapis.com/tensorflow/keras-applications/';

function spec(s: Omit<KerasApplicationSpec, 'label'> & { display: string }): KerasApplicationSpec {
  const { display, ...rest } = s;
  return { ...rest, label: `${display}, ImageNet (Keras Applications weights ${s.fileName})` };
}

export const KERAS_APPLICATIONS: Record<string, KerasApplicationSpec> = {
  'keras:inception_v3': spec({
    id: 'keras:inception_v3',
    params: '21.8M',
    downloadMB: 88,
    display: 'InceptionV3',
    keras: 'InceptionV3',
    fileName: 'inception_v3_weights_tf_dim_ordering_tf_kernels_notop.h5',
    url: `${TF_APPS}inception_v3/inception_v3_weights_tf_dim_ordering_tf_kernels_notop.h5`,
    fileHash: { algorithm: 'md5', hex: 'bcbd6486424b2319ff4ef7d526e38f63' },
    inputSize: [299, 299],
    preprocessing: '-1..1',
    // the Keras fine-tuning example: the first 249 layers (up to mixed8) stay frozen
    defaultFreeze: ['up to mixed8'],
  }),
  'keras:mobilenet_v2': spec({
    id: 'keras:mobilenet_v2',
    params: '2.3M',
    downloadMB: 9,
    display: 'MobileNetV2 (alpha 1.0, 224)',
    keras: 'MobileNetV2',
    fileName: 'mobilenet_v2_weights_tf_dim_ordering_tf_kernels_1.0_224_no_top.h5',
    url: `${TF_APPS}mobilenet_v2/mobilenet_v2_weights_tf_dim_ordering_tf_kernels_1.0_224_no_top.h5`,
    fileHash: null,
    inputSize: [224, 224],
    preprocessing: '-1..1',
    defaultFreeze: ['from block_13'],
  }),
  'keras:resnet50': spec({
    id: 'keras:resnet50',
    params: '23.6M',
    downloadMB: 95,
    display: 'ResNet50',
    keras: 'ResNet50',
    fileName: 'resnet50_weights_tf_dim_ordering_tf_kernels_notop.h5',
    url: `${TF_APPS}resnet/resnet50_weights_tf_dim_ordering_tf_kernels_notop.h5`,
    fileHash: { algorithm: 'md5', hex: '4d473c1dd8becc155b73f8504c6f6626' },
    inputSize: [224, 224],
    preprocessing: 'caffe',
    defaultFreeze: ['from conv5_block1'],
  }),
  'keras:efficientnet_b0': spec({
    id: 'keras:efficientnet_b0',
    params: '4.0M',
    downloadMB: 17,
    display: 'EfficientNetB0',
    keras: 'EfficientNetB0',
    fileName: 'efficientnetb0_notop.h5',
    url: 'https://storage.googleapis.com/keras-applications/efficientnetb0_notop.h5',
    fileHash: { algorithm: 'md5', hex: '50bc09e76180e00e4465e1a485ddc09d' },
    inputSize: [224, 224],
    preprocessing: '0..255',
    defaultFreeze: ['from block7a'],
  }),
  'keras:vgg16': spec({
    id: 'keras:vgg16',
    params: '14.7M',
    downloadMB: 59,
    display: 'VGG16',
    keras: 'VGG16',
    fileName: 'vgg16_weights_tf_dim_ordering_tf_kernels_notop.h5',
    url: `${TF_APPS}vgg16/vgg16_weights_tf_dim_ordering_tf_kernels_notop.h5`,
    fileHash: { algorithm: 'md5', hex: '6d6bbae143d832006294945121d1f1fc' },
    inputSize: [224, 224],
    preprocessing: 'caffe',
    // the Keras blog's fine-tuning: only the last conv block trains
    defaultFreeze: ['from block5'],
  }),
};

export const KERAS_APPLICATION_IDS = Object.keys(KERAS_APPLICATIONS);

/** True for any `keras:` reference, known or not (an unknown name gets its own error). */
export function isKerasApplicationRef(ref: string): boolean {
  return ref.startsWith(KERAS_REF_PREFIX);
}

/** The spec of a known `keras:` reference; an unknown name throws one line listing the known ones. */
export function kerasApplication(ref: string): KerasApplicationSpec {
  const s = Object.hasOwn(KERAS_APPLICATIONS, ref) ? KERAS_APPLICATIONS[ref] : undefined;
  if (!s) throw new Error(`base "${ref}" is not a known Keras application; known: ${KERAS_APPLICATION_IDS.join(', ')}`);
  return s;
}

/**
 * The URL a Keras application's weights are fetched from: Keras' own, or the same path under
 * $CNN_LAB_KERAS_WEIGHTS_MIRROR (for tests and mirrors: a server holding the same files under the
 * same paths as https://storage.googleapis.com/). The pinned hash is checked either way.
 */
export function kerasWeightsUrl(s: KerasApplicationSpec, env: NodeJS.ProcessEnv = process.env): string {
  const mirror = env.CNN_LAB_KERAS_WEIGHTS_MIRROR;
  if (!mirror) return s.url;
  const path = new URL(s.url).pathname.replace(/^\//, '');
  return new URL(path, mirror.endsWith('/') ? mirror : `${mirror}/`).toString();
}
