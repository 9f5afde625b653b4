// Every workaround for a TensorFlow.js bug, slowness or missing option, in one place. Each names
// the tfjs version it was written against — 4.22.0, the one package-lock.json pins, the last
// release as of this writing — and the upstream issue when there is one. On an upgrade, check each
// entry: the ones whose upstream fix has shipped can go.
//
// Not here, because they are optimisations of ours rather than repairs of tfjs, and the layers
// they change are ours for the length of one call: BatchNormalization folded into convolutions
// (models/foldBatchNorm.ts) and the frozen prefix run off the gradient tape
// (models/fineTuneGraph.ts). webgpu.ts gives Dawn's navigator.gpu to Node, not to tfjs.
//
// tf.ts imports this module for its side effect (the ReLU patch); the two are the only modules
// that import @tensorflow/tfjs itself, the same package and so the same tfjs-core instance.
import * as tf from '@tensorflow/tfjs';
import util from 'node:util';

// ---- 1. ReLU(maxValue 6) runs as one relu6 op (tfjs-layers 4.22.0) ----
// tfjs-layers' ReLU layer computes relu(x) and then clipByValue(·, 0, maxValue): on the native
// backend that is three ops (Relu, then ClipByValue as Minimum + Maximum), each a full pass over the
// activation. With maxValue 6 — every activation of MobileNetV2 — that is exactly tf.relu6, one op:
// about twice the MobileNetV2 forward throughput on the tensorflow backend (bench/README.md).
// Values are identical, and so are gradients (both pass dy where 0 < x ≤ 6). No upstream issue
// found: tensorflow/tfjs#4254 made the *converter's* Relu6 op use tf.relu6, not the layer.
type ReluLayer = tf.layers.Layer & { maxValue?: number };
type LayerCall = tf.layers.Layer['call'];
const reluPrototype = Object.getPrototypeOf(tf.layers.reLU({ maxValue: 6 })) as ReluLayer;
// eslint-disable-next-line @typescript-eslint/unbound-method -- re-bound with .call(this) below
const clipCall: LayerCall = reluPrototype.call;
reluPrototype.call = function (this: ReluLayer, inputs: Parameters<LayerCall>[0], kwargs: Parameters<LayerCall>[1]) {
  if (this.maxValue !== 6) return clipCall.call(this, inputs, kwargs);
  return tf.relu6(Array.isArray(inputs) ? inputs[0] : inputs);
};

// ---- 2. MomentumOptimizer.dispose() leaks a scalar (tfjs-core 4.22.0) ----
/**
 * Disposes an optimizer completely. tfjs 4.22's MomentumOptimizer.dispose() skips its parent
 * SGDOptimizer's, leaving SGD's −learningRate scalar `c` (a private field): one tensor per
 * fine-tuning run. Upstream: tensorflow/tfjs#4647 ("Memory leak in MomentumOptimizer", closed
 * stale, not fixed in 4.22.0). For other optimizers `c` is absent or already disposed.
 */
export function disposeOptimizer(optimizer: tf.Optimizer): void {
  optimizer.dispose();
  const c = (optimizer as unknown as { c?: tf.Tensor }).c;
  if (c && !c.isDisposed) c.dispose();
}

// ---- 3. BatchNormalization(scale=False) cannot be trained through (tfjs-core 4.22.0) ----
interface BatchNormLayer {
  getClassName(): string;
  gamma?: { read(): tf.Tensor } | null;
  movingMean?: { read(): tf.Tensor } | null;
}

/**
 * BatchNormalization with scale=False (every BN of Keras' InceptionV3) passes no gamma, and tfjs'
 * FusedBatchNorm gradient saves its `scale` input unconditionally: cloning the missing tensor
 * throws "Cannot read properties of undefined (reading 'dataId')" on the first training step.
 * Upstream: tensorflow/tfjs#2868 ("BatchNormalization does not work if scale=false while
 * training", open). Such layers among `layers` get a gamma of ones — the same output — that is
 * not one of the layer's weights, so it is neither trained nor saved. The returned function puts
 * the missing gamma back and frees the ones.
 */
export function lendUnitGammas(layers: readonly BatchNormLayer[]): () => void {
  const undo: (() => void)[] = [];
  for (const layer of layers) {
    if (layer.getClassName() !== 'BatchNormalization' || layer.gamma != null || !layer.movingMean) continue;
    const ones = tf.keep(tf.onesLike(layer.movingMean.read()));
    const missing = layer.gamma;
    layer.gamma = { read: () => ones };
    undo.push(() => {
      layer.gamma = missing;
      ones.dispose();
    });
  }
  return () => undo.reverse().forEach((u) => u());
}

// ---- 4. The cpu backend's "install tfjs-node" banner (tfjs-backend-cpu 4.22.0) ----
/**
 * The cpu backend's first tensor prints a banner telling Node users to install tfjs-node from the
 * internet; `cnn-lab backends` gives the advice that fits this machine instead. There is no option
 * for it: the backend's private `firstUse` flag is cleared. No upstream issue found.
 */
export function silenceCpuBackendBanner(): void {
  const backend = tf.findBackend('cpu') as unknown as { firstUse?: boolean } | undefined;
  if (backend) backend.firstUse = false;
}

// ---- 5. tfjs-node on Node ≥ 23 (tfjs-node 4.22.0) ----
/**
 * tfjs-node 4.22 calls util.isNullOrUndefined and util.isArray, which Node 23 removed: under a
 * newer Node (code-server 4.10x runs its extension host, and so the forked engine, on Node 24) its
 * kernels fail with "isNullOrUndefined is not a function". Put the two trivial helpers back, before
 * tfjs-node loads. Upstream: fixed by tensorflow/tfjs#8425 (merged), never released;
 * tensorflow/tfjs#8609 asks for the release.
 */
export function restoreRemovedUtilHelpers(): void {
  const u = util as unknown as Record<string, unknown>;
  u.isNullOrUndefined ??= (v: unknown) => v === null || v === undefined;
  u.isArray ??= Array.isArray;
}

// ---- 6. The backward pass holds every activation and every gradient to its end (tfjs-core 4.22.0) ----
// engine.gradients walks the tape backward and keeps, until the whole walk is over, each op's saved
// inputs (clones kept for its gradient) and the gradient of every intermediate tensor: its peak is
// all of the forward pass's activations plus all of their gradients. Each op's gradient is computed
// exactly once, so once the walk has moved past an op both are dead — TensorFlow's graph runtime
// frees them there, which is why Keras' fine-tuning step needed less memory than ours
// (bench/README.md, "Fine-tuning memory"). While `variableGradsFreeingTape` runs, every tape
// node's gradient function is wrapped: when the walk reaches the next op, the previous op's saved
// tensors and the gradients of its outputs are disposed. Nothing computed changes — the same ops
// on the same values — only when memory is given back. Upstream: tensorflow/tfjs-core#1604 (2019)
// made ops save only what their gradient needs, which bounds the forward pass; nothing frees
// during the backward walk in 4.22.0, and no upstream issue asking for it was found.
interface TapeNode {
  gradient?: (dys: (tf.Tensor | null)[]) => Record<string, () => tf.Tensor>;
  saved?: tf.Tensor[];
}
interface EngineTape {
  addTapeNode: (this: EngineTape, ...args: unknown[]) => void;
  state: { activeTape: TapeNode[] | null };
}

let freeingTape = false;
/** the op the backward walk left last: its saved inputs and output gradients, freed at the next op */
let passed: tf.Tensor[] = [];
/**
 * Every tensor a gradient function returned in this walk: one may be an op's own dy or saved input
 * handed on as-is, which then lives on as an input's gradient, so none of these is freed early
 * (the backward tidy frees them, as without this patch).
 */
const handedOn = new Set<tf.Tensor>();
let tapeWrapped = false;

function freePassed(): void {
  for (const t of passed) if (!handedOn.has(t)) t.dispose(); // a second dispose is a no-op
  passed = [];
}

function wrapTapeNodes(): void {
  if (tapeWrapped) return;
  tapeWrapped = true;
  const engine = tf.engine() as unknown as EngineTape;
  const addTapeNode = engine.addTapeNode;
  engine.addTapeNode = function (this: EngineTape, ...args: unknown[]) {
    addTapeNode.apply(this, args);
    const tape = this.state.activeTape;
    const node = tape?.[tape.length - 1];
    const gradient = node?.gradient;
    if (!freeingTape || !node || !gradient) return;
    node.gradient = (dys) => {
      freePassed(); // the walk has finished with the op before this one
      const grads = gradient(dys);
      passed = [...(node.saved ?? []), ...dys.filter((d): d is tf.Tensor => d != null)];
      return Object.fromEntries(
        Object.entries(grads).map(([input, grad]) => [
          input,
          () => {
            const g = grad();
            handedOn.add(g);
            return g;
          },
        ]),
      );
    };
  };
}

/**
 * tf.variableGrads(f, varList) — the same loss and gradients — freeing each op's saved inputs and
 * output gradients as soon as the backward walk is past it (first-order gradients only).
 */
export function variableGradsFreeingTape(f: () => tf.Scalar, varList?: tf.Variable[]): { value: tf.Scalar; grads: tf.NamedTensorMap } {
  wrapTapeNodes();
  freeingTape = true;
  try {
    return tf.variableGrads(f, varList);
  } finally {
    freeingTape = false;
    passed = []; // the last op's tensors: the engine and the backward tidy dispose them
    handedOn.clear();
  }
}
