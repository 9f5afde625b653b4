// The frozen base's forward pass three ways on the native backend, on one batch of random input:
// eager layers (BatchNorm unfolded), eager with BatchNorm folded (what predict ran before), and
// the native graph (src/engine/graph/): median of `reps` after a warm-up, and the largest
// difference of the graph's features from the eager ones.
//
//   node --import tsx bench/profile/graph-tfjs.mts [base=mobilenet_v2] [reps=5] [batch=32]
import { loadavg } from 'node:os';
import { useBackend } from '../../src/engine/backends/index.ts';
import { compileNativeGraph } from '../../src/engine/graph/nativeGraph.ts';
import { foldBatchNorms } from '../../src/engine/models/foldBatchNorm.ts';
import { loadBase } from '../../src/engine/models/zoo.ts';
import { tf } from '../../src/engine/tf.ts';

const [baseId = 'mobilenet_v2', repsArg = '5', batchArg = '32'] = process.argv.slice(2);
const reps = Number(repsArg);
const n = Number(batchArg);
await useBackend('tensorflow', {});
const base = await loadBase(baseId, {});
const model = base.layers!;
const [h, w] = base.inputSize;
const x = tf.randomUniform([n, h, w, 3], -1, 1, 'float32', 7) as tf.Tensor4D;

async function time(fn: () => tf.Tensor): Promise<number> {
  const warm = fn();
  await warm.data();
  warm.dispose();
  const t: number[] = [];
  for (let i = 0; i < reps; i++) {
    const s = performance.now();
    const y = fn();
    await y.data();
    y.dispose();
    t.push(performance.now() - s);
  }
  return t.sort((a, b) => a - b)[Math.floor(t.length / 2)];
}
const load = () => loadavg()[0].toFixed(2);
console.log(`${baseId}, batch ${n}, ${reps} reps, load ${load()}`);
const eager = await time(() => model.predict(x) as tf.Tensor);
const unfold = foldBatchNorms(model);
const folded = await time(() => model.predict(x) as tf.Tensor);
const reference = model.predict(x) as tf.Tensor;
unfold();
const t0 = performance.now();
const graph = compileNativeGraph(model);
const compileMs = performance.now() - t0;
if ('reason' in graph) throw new Error(graph.reason);
const native = await time(() => graph.run(x));
const got = graph.run(x);
const diff = tf.max(tf.abs(tf.sub(got, reference))).dataSync()[0];
const scale = tf.max(tf.abs(reference)).dataSync()[0];
console.log(
  JSON.stringify({
    eagerMs: Math.round(eager),
    eagerFoldedMs: Math.round(folded),
    graphMs: Math.round(native),
    compileMs: Math.round(compileMs),
    imgPerS: { eagerFolded: +((n / folded) * 1000).toFixed(1), graph: +((n / native) * 1000).toFixed(1) },
    maxAbsDiff: diff,
    maxAbs: scale,
    loadAfter: load(),
  }),
);
graph.dispose();
