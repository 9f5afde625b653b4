// The frozen prefix's output, computed once per image for a whole fine-tuning phase.
//
// Fine-tuning trains the top of the base; the layers below the first trainable one (the "prefix")
// are frozen, their BatchNormalization folded and run in inference mode (fineTuneGraph.ts), so
// without augmentation the prefix maps an image to the same tensor in every epoch. For MobileNetV2
// from block_13_expand that prefix is most of the forward pass, and it was recomputed for every
// image in every epoch (and for every validation image after every epoch). Here the first epoch
// runs the prefix per batch (off the gradient tape) and keeps its output; every later epoch, and
// every validation pass after the first, gathers the rows it needs and runs only the rest of the
// model (the "suffix"). The numbers are the same ones the whole model computes — the same kernels
// on the same inputs — so training takes the same steps (test/unit/engine/train/prefixCache.test.ts).
//
// Used only when it pays and fits: no augmentation (augmented images differ every epoch), the
// prefix's output is one tensor (a cut between blocks; a cut inside a block with two live
// branches falls back to the whole model), and train + validation rows fit the memory budget.
import { tf } from '../tf.ts';
import type { Batch, BatchSource, PhaseModel } from './loop.ts';
import { compileNativeGraph, type NativeGraph } from '../graph/nativeGraph.ts';

type Symbolic = tf.SymbolicTensor;

/** Where a model splits into its frozen prefix and the trained rest, when it does. */
export interface PrefixSplit {
  /** the one prefix tensor the rest of the model reads */
  frontier: Symbolic;
  /** bytes of one image's frontier row (float32) */
  rowBytes: number;
  prefixLayers: number;
}

/**
 * The split of `model` as its trainable flags are now: the prefix is every layer before the first
 * one with trainable weights (layers are in topological order), as in prepareForFineTuning. Null
 * when there is no prefix worth caching or the rest reads more than one prefix tensor.
 */
export function findPrefixSplit(model: tf.LayersModel): PrefixSplit | null {
  const first = model.layers.findIndex((l) => l.trainable && l.trainableWeights.length > 0);
  if (first <= 1) return null; // nothing frozen below the trained layers but the input
  const prefix = new Set<tf.layers.Layer>(model.layers.slice(0, first));
  const read = new Map<number, Symbolic>();
  const visit = (t: Symbolic, seen: Set<number>) => {
    if (seen.has(t.id)) return;
    seen.add(t.id);
    if (prefix.has(t.sourceLayer)) {
      read.set(t.id, t);
      return;
    }
    for (const input of t.inputs) visit(input, seen);
  };
  const seen = new Set<number>();
  for (const out of model.outputs) visit(out, seen);
  if (read.size !== 1) return null;
  const frontier = [...read.values()][0];
  if (frontier.sourceLayer.getClassName() === 'InputLayer') return null;
  if (frontier.shape.slice(1).some((d) => d == null)) return null;
  const rowBytes = (frontier.shape.slice(1) as number[]).reduce((a, b) => a * b, 4);
  return { frontier, rowBytes, prefixLayers: first };
}

/**
 * Evaluates the symbolic tensor `target` from `feeds` (symbolic id → value), as tfjs-layers'
 * executor does for model.apply(x, { training: false }): each layer applied once to the values of
 * its node's inputs. Layers whose inputs are all fed are never reached.
 */
function evaluate(target: Symbolic, feeds: Map<number, tf.Tensor>): tf.Tensor {
  const values = new Map(feeds);
  const compute = (t: Symbolic): tf.Tensor => {
    const known = values.get(t.id);
    if (known) return known;
    if (t.sourceLayer.getClassName() === 'InputLayer') throw new Error(`prefix cache: ${t.name} is not fed`);
    const inputs = t.inputs.map(compute);
    const out = t.sourceLayer.apply(inputs.length === 1 ? inputs[0] : inputs, { training: false }) as tf.Tensor | tf.Tensor[];
    const outs = Array.isArray(out) ? out : [out];
    // A layer with several outputs: every output of this node becomes known at once.
    const node = (t.sourceLayer as unknown as { inboundNodes: { outputTensors: Symbolic[] }[] }).inboundNodes[t.nodeIndex];
    node.outputTensors.forEach((s, i) => values.set(s.id, outs[i]));
    return values.get(t.id) ?? outs[t.tensorIndex ?? 0];
  };
  return compute(target);
}

export interface PrefixCacheOptions {
  /** labels of the training set, by index (what the train source's `order` indexes) */
  trainLabels: Int32Array;
  /** labels of the validation set, in its stored order; omitted without validation */
  validationLabels?: Int32Array;
  classes: number;
  batchSize: number;
  /** the training set's order in an epoch, as the train source yields it */
  order(epoch: number): number[];
}

/**
 * A prefix cache over `model` for one fine-tuning phase: `model` and the two sources go to
 * runPhase in place of the whole model and the image sources. dispose() frees the cached rows.
 */
export class PrefixCache {
  /** runs the suffix only: its input is a batch of frontier rows */
  readonly model: PhaseModel;
  /** a first pass's rows so far, each part with the set indices of its rows */
  private readonly parts: Record<'train' | 'validation', { indices: number[]; rows: tf.Tensor }[]> = { train: [], validation: [] };
  private readonly rows: { train: tf.Tensor | null; validation: tf.Tensor | null } = { train: null, validation: null };
  /** the prefix as one native graph (its weights are frozen for the phase); null: run it eagerly */
  private prefixGraph: NativeGraph | null | undefined;

  constructor(
    private readonly whole: tf.LayersModel,
    private readonly split: PrefixSplit,
    private readonly o: PrefixCacheOptions,
  ) {
    const output = whole.outputs[0];
    this.model = {
      apply: (x: tf.Tensor | tf.Tensor[]) => tf.tidy(() => evaluate(output, new Map([[split.frontier.id, Array.isArray(x) ? x[0] : x]]))),
      get trainableWeights() {
        return whole.trainableWeights;
      },
    };
  }

  /**
   * A cache for `model` when one applies and fits in `budgetBytes` (train + validation rows), else
   * null: the caller keeps the whole model on images.
   */
  static create(model: tf.LayersModel, o: PrefixCacheOptions & { augment: boolean; budgetBytes: number }): PrefixCache | null {
    if (o.augment || model.outputs.length !== 1) return null;
    const split = findPrefixSplit(model);
    if (!split) return null;
    const images = o.trainLabels.length + (o.validationLabels?.length ?? 0);
    if (split.rowBytes * images > o.budgetBytes) return null;
    return new PrefixCache(model, split, o);
  }

  /** For the run's log: what is cached. */
  describe(): string {
    const images = this.o.trainLabels.length + (this.o.validationLabels?.length ?? 0);
    return `the frozen layers below the trained ones (${this.split.prefixLayers}, up to ${this.split.frontier.sourceLayer.name}) run once per image, in the first epoch; later epochs reuse their output (${Math.round((this.split.rowBytes * images) / 2 ** 20)} MiB for ${images} images)`;
  }

  /** The frontier rows of a batch of images: the prefix alone, off the tape. */
  prefixOf(x: tf.Tensor): tf.Tensor {
    if (this.prefixGraph === undefined) {
      const graph = compileNativeGraph(this.whole, this.split.frontier);
      this.prefixGraph = 'reason' in graph ? null : graph;
    }
    if (this.prefixGraph) return this.prefixGraph.run(x);
    const input = this.whole.inputs[0];
    return tf.tidy(() => evaluate(this.split.frontier, new Map([[input.id, x]])));
  }

  train(images: BatchSource): BatchSource {
    return (epoch) => this.source('train', () => images(epoch), this.o.order(epoch), this.o.trainLabels);
  }

  validation(images: BatchSource): BatchSource {
    const labels = this.o.validationLabels ?? new Int32Array(0);
    const order = Array.from(labels, (_, i) => i);
    return (epoch) => this.source('validation', () => images(epoch), order, labels);
  }

  private async *source(
    which: 'train' | 'validation',
    images: () => AsyncIterable<Batch>,
    order: number[],
    labels: Int32Array,
  ): AsyncGenerator<Batch> {
    const all = this.rows[which];
    if (all) {
      for (let start = 0; start < order.length; start += this.o.batchSize) {
        const idx = order.slice(start, start + this.o.batchSize);
        yield tf.tidy(() => {
          const i = tf.tensor1d(idx, 'int32');
          return {
            x: tf.gather(all, i),
            y: tf.oneHot(tf.gather(tf.tensor1d(labels, 'int32'), i), this.o.classes).toFloat() as tf.Tensor2D,
          };
        });
      }
      return;
    }
    // First pass: images through the prefix, each row kept under its index. A pass cut short
    // (cancel, divergence, early stop) left some rows: they are dropped and the pass starts over.
    const parts = this.parts[which];
    tf.dispose(parts.map((p) => p.rows));
    parts.length = 0;
    let position = 0;
    for await (const b of images()) {
      let x: tf.Tensor;
      try {
        x = this.prefixOf(b.x);
      } finally {
        b.x.dispose();
      }
      const n = x.shape[0];
      const idx = order.slice(position, position + n);
      if (idx.length !== n) throw new Error(`prefix cache: the ${which} source yielded more images than its order holds (${order.length})`);
      position += n;
      // keep a copy: the loop disposes the batch it is given
      parts.push({ indices: idx, rows: tf.keep(x.clone()) });
      yield { x, y: b.y };
    }
    if (position === order.length && order.length > 0) this.finish(which);
  }

  /** All rows seen: one tensor in index order, so later passes gather from it. */
  private finish(which: 'train' | 'validation'): void {
    const parts = this.parts[which];
    const indices = parts.flatMap((p) => p.indices);
    const inverse = new Int32Array(indices.length);
    indices.forEach((index, position) => {
      inverse[index] = position;
    });
    this.rows[which] = tf.tidy(() =>
      tf.gather(
        tf.concat(
          parts.map((p) => p.rows),
          0,
        ),
        tf.tensor1d(inverse, 'int32'),
      ),
    );
    tf.dispose(parts.map((p) => p.rows));
    parts.length = 0;
    const validationDone = this.rows.validation !== null || !this.o.validationLabels?.length;
    if (this.rows.train && validationDone) this.releasePrefixGraph();
  }

  /**
   * Every row is cached, so the prefix never runs again in this phase: its session (the graph,
   * its weight copies, what libtensorflow allocated for its activations) is freed now rather than
   * held through the remaining epochs. undefined, not null: a later call would compile it again.
   */
  private releasePrefixGraph(): void {
    this.prefixGraph?.dispose();
    this.prefixGraph = undefined;
  }

  dispose(): void {
    this.prefixGraph?.dispose();
    this.prefixGraph = null;
    for (const which of ['train', 'validation'] as const) {
      tf.dispose(this.parts[which].map((p) => p.rows));
      this.parts[which].length = 0;
      this.rows[which]?.dispose();
      this.rows[which] = null;
    }
  }
}
