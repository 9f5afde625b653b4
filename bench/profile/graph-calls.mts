// The frozen base's forward pass call by call on our side (the native graph, src/engine/graph/), with
// the machine's CPU ticks over each call from /proc/stat: busy (user, nice, system, irq, softirq),
// idle (with iowait) and steal. A slow call that used no more CPU but left a core idle is
// scheduling (a pool thread waiting), one that used more CPU is slower work. bench/profile/graph-calls-keras.py is Keras' side
// (predict_on_batch, its traced graph); alternate the two processes to compare.
//
//   node --import tsx bench/profile/graph-calls.mts [base=inception_v3] [calls=12] [batch=16]
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { useBackend } from '../../src/engine/backends/index.ts';
import { compileNativeGraph } from '../../src/engine/graph/nativeGraph.ts';
import { loadBase } from '../../src/engine/models/zoo.ts';
import { tf } from '../../src/engine/tf.ts';

const [baseId = 'inception_v3', callsArg = '12', batchArg = '16'] = process.argv.slice(2);
const n = Number(batchArg);

/** [busy, idle, steal] ticks since boot, all CPUs (the first line of /proc/stat). */
function cpuTicks(): number[] {
  const [user, nice, system, idle, iowait, irq, softirq, steal] = readFileSync('/proc/stat', 'utf8')
    .split('\n')[0]
    .trim()
    .split(/\s+/)
    .slice(1)
    .map(Number);
  return [user + nice + system + irq + softirq, idle + iowait, steal];
}

await useBackend('tensorflow', {});
const base = await loadBase(baseId, {});
const [h, w] = base.inputSize;
const x = tf.randomUniform([n, h, w, 3], -1, 1, 'float32', 7) as tf.Tensor4D;
const graph = compileNativeGraph(base.layers!);
if ('reason' in graph) throw new Error(`no native graph: ${graph.reason}`);
const calls: { imgPerS: number; busy: number; idle: number; steal: number }[] = [];
for (let i = 0; i <= Number(callsArg); i++) {
  const before = cpuTicks();
  const t0 = performance.now();
  const y = graph.run(x);
  await y.data();
  const ms = performance.now() - t0;
  y.dispose();
  const [busy, idle, steal] = cpuTicks().map((v, k) => v - before[k]);
  if (i > 0) calls.push({ imgPerS: +((n / ms) * 1000).toFixed(1), busy, idle, steal }); // call 0 warms up
}
graph.dispose();
console.log(JSON.stringify({ side: 'ours', base: baseId, batch: n, calls, load1: +loadavg()[0].toFixed(2) }));
