// Peak memory of a frozen base run as a native graph (src/engine/graph/): the process' resident
// and peak resident size (VmRSS / VmHWM from /proc/self/status) after loading tfjs-node, after
// loading the base, after compiling its graph, and after each of a few session runs of one batch
// (the first run is when libtensorflow optimises the graph and builds its kernels). Linux only.
//
//   node --import tsx bench/profile/graph-memory.mts [base=inception_v3] [runs=3] [batch=16]
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { useBackend } from '../../src/engine/backends/index.ts';
import { compileNativeGraph } from '../../src/engine/graph/nativeGraph.ts';
import { loadBase } from '../../src/engine/models/zoo.ts';
import { tf } from '../../src/engine/tf.ts';

const [baseId = 'inception_v3', runsArg = '3', batchArg = '16'] = process.argv.slice(2);
const mib = (field: string, status: string) => Math.round(Number(status.match(new RegExp(`${field}:\\s+(\\d+)`))?.[1] ?? NaN) / 1024);
const rows: { stage: string; rssMiB: number; peakMiB: number }[] = [];
function mark(stage: string): void {
  const status = readFileSync('/proc/self/status', 'utf8');
  rows.push({ stage, rssMiB: mib('VmRSS', status), peakMiB: mib('VmHWM', status) });
}

await useBackend('tensorflow', {});
mark('tfjs-node loaded');
const base = await loadBase(baseId, {});
mark(`${baseId} loaded`);
const graph = compileNativeGraph(base.layers!);
if ('reason' in graph) throw new Error(`no native graph: ${graph.reason}`);
mark('graph compiled');
const [h, w] = base.inputSize;
for (let i = 1; i <= Number(runsArg); i++) {
  const x = tf.randomUniform([Number(batchArg), h, w, 3], -1, 1, 'float32', i);
  const y = graph.run(x);
  await y.data();
  tf.dispose([x, y]);
  mark(`session run ${i} (batch ${batchArg})`);
}
console.table(rows);
console.log(`load ${loadavg()[0].toFixed(2)}`);
