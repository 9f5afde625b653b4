// On the native backend, the backward pass of BatchNormalization and of ReLU6 as
// one libtensorflow kernel each — FusedBatchNormGradV3 and Relu6Grad, what Keras' graph runs —
// instead of tfjs-core's generic gradients composed of element-wise ops. tfjs' FusedBatchNorm
// gradient makes about ten full passes over the activation (x − mean and dy·scale computed up
// front, a tiled rsqrt, the products and sums), its Relu6 gradient five (two comparisons, a cast,
// two products); in a fine-tuning step of MobileNetV2's top blocks they were the Add, Multiply and
// Step lines of the kernel profile (bench/README.md). The fine-tuned BN layers run in inference
// mode (moving statistics fixed, as their forward pass here), which is exactly what
// FusedBatchNormGradV3 with is_training=false differentiates. Other backends keep tfjs' own
// gradients (each override hands over to it). Same values within float rounding; TF's Relu6Grad
// passes dy where 0 < x < 6 and tfjs' where 0 < x ≤ 6, which differ only at x exactly 6.
import { tf } from '../tf.ts';

interface OpAttr {
  name: string;
  type: number;
  value: unknown;
}
interface NativeKernels {
  binding: { TF_ATTR_TYPE: number; TF_ATTR_FLOAT: number; TF_ATTR_STRING: number; TF_ATTR_BOOL: number; TF_FLOAT: number };
  executeSingleOutput(name: string, attrs: OpAttr[], inputs: tf.Tensor[]): tf.Tensor;
  executeMultipleOutputs(name: string, attrs: OpAttr[], inputs: tf.Tensor[], outputs: number): tf.Tensor[];
}

function nativeKernels(): NativeKernels | null {
  if (tf.getBackend() !== 'tensorflow') return null;
  const backend = tf.backend() as unknown as Partial<NativeKernels>;
  return typeof backend.executeMultipleOutputs === 'function' && backend.binding ? (backend as NativeKernels) : null;
}

type GradFunc = (dy: tf.Tensor, saved: tf.Tensor[], attrs: Record<string, unknown>) => Record<string, () => tf.Tensor>;
type GradConfig = { kernelName: string; inputsToSave?: string[]; outputsToSave?: boolean[]; gradFunc: GradFunc };

/** Replaces `kernel`'s gradient by `native` where it applies (it returns null elsewhere). */
function override(
  kernel: string,
  native: (
    native: NativeKernels,
    dy: tf.Tensor,
    saved: tf.Tensor[],
    attrs: Record<string, unknown>,
  ) => Record<string, () => tf.Tensor> | null,
) {
  const own = tf.getGradient(kernel) as unknown as GradConfig | undefined;
  if (!own) throw new Error(`tfjs has no gradient for ${kernel} to replace`);
  const config: GradConfig = {
    ...own,
    gradFunc: (dy, saved, attrs) => {
      const kernels = nativeKernels();
      return (kernels && native(kernels, dy, saved, attrs)) ?? own.gradFunc(dy, saved, attrs);
    },
  };
  // registerGradient warns when it replaces one: quiet for this deliberate replacement
  const warn = console.warn;
  console.warn = () => {};
  try {
    tf.registerGradient(config as unknown as tf.GradConfig);
  } finally {
    console.warn = warn;
  }
}

let installed = false;

/** Installs the two overrides once per process (the registry is global; every backend consults them). */
export function useNativeGradients(): void {
  if (installed) return;
  installed = true;

  override(tf.Relu6, (k, dy, [x]) => {
    if (dy.dtype !== 'float32') return null;
    const T = { name: 'T', type: k.binding.TF_ATTR_TYPE, value: k.binding.TF_FLOAT };
    return { x: () => k.executeSingleOutput('Relu6Grad', [T], [dy, x]) };
  });

  // saved: x, mean, variance, scale (inputsToSave of tfjs' FusedBatchNorm gradient)
  override(tf.FusedBatchNorm, (k, dy, saved, attrs) => {
    const [x, mean, variance, scale] = saved;
    if (x.rank !== 4 || mean.rank !== 1 || dy.dtype !== 'float32') return null;
    const epsilon = Number(attrs.varianceEpsilon);
    const channels = mean.shape[0];
    const type = (name: string) => ({ name, type: k.binding.TF_ATTR_TYPE, value: k.binding.TF_FLOAT });
    const opAttrs: OpAttr[] = [
      type('T'),
      type('U'),
      { name: 'epsilon', type: k.binding.TF_ATTR_FLOAT, value: epsilon },
      { name: 'data_format', type: k.binding.TF_ATTR_STRING, value: 'NHWC' },
      { name: 'is_training', type: k.binding.TF_ATTR_BOOL, value: false },
    ];
    // One kernel gives all three, computed now: the backward pass's scope frees what is unused.
    // (reserve_space_3 is unused on this path but must be a tensor.)
    const [dx, dScale, dOffset] = k.executeMultipleOutputs(
      'FusedBatchNormGradV3',
      opAttrs,
      [dy, x, scale ?? tf.ones([channels]), mean, variance, tf.zeros([0])],
      5,
    );
    const rsqrt = () => tf.rsqrt(tf.add(variance, epsilon));
    const perChannel = (t: tf.Tensor) => tf.sum(t, [0, 1, 2]);
    return {
      x: () => dx,
      scale: () => dScale,
      offset: () => dOffset,
      // mean and variance: pruned in inference mode (moving statistics, not trained); in training
      // mode they are the batch's moments, and x's gradient also flows through them
      mean: () => tf.mul(perChannel(dy), tf.neg(tf.mul(rsqrt(), scale ?? 1))),
      variance: () => perChannel(tf.mul(tf.mul(dy, tf.sub(x, mean)), tf.mul(tf.mul(tf.pow(rsqrt(), 3), -0.5), scale ?? 1))),
    };
  });
}
