// GPU check: predict and full fine-tuning throughput of the bundled MobileNetV2 and InceptionV3
// (base + the CNN Lab head) on one backend, and parity of its probabilities with the pure-JS CPU
// backend on the same weights and inputs. Where PyTorch + torchvision are importable on the host,
// it runs torchvision's MobileNetV2 (fp32, same batch, random weights — throughput only) beside it
// and prints the ratio ours/PyTorch.
//
// Here (a CPU check of the script itself):   npx tsx bench/gpu-check/check.ts --backend tensorflow --iters 2
// On an offline GPU host: bash bench/gpu-check/bundle.sh, then see the command it prints.
//   --backend NAME     webgpu (default) | tensorflow | tensorflow-gpu | wasm | cpu
//   --bases LIST       mobilenet_v2,inception_v3 (default both)
//   --batch N          images per step (default 32)
//   --iters N          timed steps per figure after 2 warm-up steps (default 10)
//   --no-parity        skip the CPU comparison (it runs one batch of 2 images on the cpu backend)
//   --no-torch         skip the PyTorch peer
import { spawnSync } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { currentBackend, listBackends, useBackend } from '../../src/engine/backends/index.ts';
import { buildClassifier } from '../../src/engine/models/head.ts';
import { disposeBase, loadBase } from '../../src/engine/models/zoo.ts';
import { tf } from '../../src/engine/tf.ts';
import type { BackendName } from '../../src/protocol/messages.ts';

interface Options {
  backend: BackendName;
  bases: string[];
  batch: number;
  iters: number;
  parity: boolean;
  torch: boolean;
}

function parseArgs(argv: string[]): Options {
  const o: Options = { backend: 'webgpu', bases: ['mobilenet_v2', 'inception_v3'], batch: 32, iters: 10, parity: true, torch: true };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--backend') o.backend = argv[++i] as BackendName;
    else if (a === '--bases') o.bases = argv[++i].split(',');
    else if (a === '--batch') o.batch = Number(argv[++i]);
    else if (a === '--iters') o.iters = Number(argv[++i]);
    else if (a === '--no-parity') o.parity = false;
    else if (a === '--no-torch') o.torch = false;
    else throw new Error(`unknown argument ${a}`);
  }
  return o;
}

/** A deterministic batch in 0..1 (the bundled bases' scaling), made in JS so every backend gets the same bits. */
function inputBatch(n: number, size: [number, number]): tf.Tensor4D {
  const [h, w] = size;
  const values = new Float32Array(n * h * w * 3);
  let state = 12345;
  for (let i = 0; i < values.length; i++) {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    values[i] = (state >>> 8) / 16777216;
  }
  return tf.tensor4d(values, [n, h, w, 3]);
}

/** Median seconds of `iters` calls of `step` after 2 warm-up calls; `step` must wait for its result. */
async function timeSteps(iters: number, step: () => Promise<void>): Promise<number> {
  for (let i = 0; i < 2; i++) await step();
  const times: number[] = [];
  for (let i = 0; i < iters; i++) {
    const t0 = performance.now();
    await step();
    times.push((performance.now() - t0) / 1000);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)];
}

async function measure(baseId: string, o: Options): Promise<{ predict: number; train: number }> {
  const base = await loadBase(baseId);
  try {
    const { classifier } = buildClassifier(base, 2, 1024, 7);
    const model = classifier!;
    const x = inputBatch(o.batch, base.inputSize);
    const predictSeconds = await timeSteps(o.iters, async () => {
      const y = model.predict(x) as tf.Tensor;
      await y.data();
      y.dispose();
    });
    // Full fine-tuning: every layer trainable (frozen BatchNormalization would stay in inference mode).
    for (const layer of model.layers) layer.trainable = true;
    model.compile({ optimizer: tf.train.momentum(1e-4, 0.9), loss: 'categoricalCrossentropy' });
    const labels = tf.oneHot(
      tf.tensor1d(
        Array.from({ length: o.batch }, (_, i) => i % 2),
        'int32',
      ),
      2,
    );
    const trainSeconds = await timeSteps(Math.max(2, Math.round(o.iters / 2)), async () => {
      const loss = (await model.trainOnBatch(x, labels)) as number;
      if (!Number.isFinite(loss)) throw new Error(`${baseId}: training loss is ${loss}`);
    });
    tf.dispose([labels, x]);
    return { predict: o.batch / predictSeconds, train: o.batch / trainSeconds };
  } finally {
    disposeBase(base);
  }
}

/**
 * Probabilities of 2 fixed images on the current backend. The head's initial weights come from
 * `headWeights` when given (a backend's own random kernels differ for the same seed), else they
 * are returned so the other backend can use exactly the same ones.
 */
async function probabilities(
  baseId: string,
  headWeights?: { values: Float32Array; shape: number[] }[],
): Promise<{ probs: Float32Array; head: { values: Float32Array; shape: number[] }[] }> {
  const base = await loadBase(baseId);
  try {
    const { pooledHead, classifier } = buildClassifier(base, 2, 1024, 7);
    if (headWeights) pooledHead.setWeights(headWeights.map((w) => tf.tensor(w.values, w.shape)));
    const head = pooledHead.getWeights().map((w) => ({ values: w.dataSync() as Float32Array, shape: w.shape }));
    const x = inputBatch(2, base.inputSize);
    const y = classifier!.predict(x) as tf.Tensor;
    const probs = (await y.data()) as Float32Array;
    tf.dispose([x, y]);
    return { probs, head };
  } finally {
    disposeBase(base);
  }
}

function torchPeer(batch: number, iters: number): { predict: number; train: number; device: string } | { skipped: string } {
  const script = `
import json, time, sys
try:
    import torch, torchvision
except Exception as e:
    print(json.dumps({"skipped": "PyTorch/torchvision not importable: %s" % e})); sys.exit(0)
dev = "cuda" if torch.cuda.is_available() else "cpu"
m = torchvision.models.mobilenet_v2(weights=None).to(dev)
x = torch.rand(${batch}, 3, 224, 224, device=dev)
y = torch.randint(0, 1000, (${batch},), device=dev)
def sync():
    if dev == "cuda": torch.cuda.synchronize()
def timed(step, n):
    for _ in range(2): step()
    sync(); ts = []
    for _ in range(n):
        t0 = time.perf_counter(); step(); sync(); ts.append(time.perf_counter() - t0)
    ts.sort(); return ts[len(ts) // 2]
m.eval()
with torch.no_grad(): p = timed(lambda: m(x), ${iters})
m.train(); opt = torch.optim.SGD(m.parameters(), lr=1e-4, momentum=0.9); lossf = torch.nn.CrossEntropyLoss()
def train_step():
    opt.zero_grad(); loss = lossf(m(x), y); loss.backward(); opt.step()
t = timed(train_step, max(2, ${iters} // 2))
print(json.dumps({"predict": ${batch} / p, "train": ${batch} / t, "device": dev + (" " + torch.cuda.get_device_name(0) if dev == "cuda" else "")}))
`;
  const r = spawnSync('python3', ['-c', script], { encoding: 'utf8', timeout: 600_000 });
  if (r.error) return { skipped: `python3 not runnable: ${r.error.message}` };
  const line = r.stdout.trim().split('\n').pop() ?? '';
  try {
    return JSON.parse(line);
  } catch {
    return { skipped: `PyTorch peer failed: ${(r.stderr || r.stdout).trim().split('\n').slice(-2).join(' | ')}` };
  }
}

async function main(): Promise<void> {
  const o = parseArgs(process.argv.slice(2));
  const backends = await listBackends();
  for (const b of backends) console.log(`backend ${b.name.padEnd(14)} ${b.available ? 'yes' : 'no '}  ${b.reason ?? ''}`);
  await useBackend(o.backend, { needConvGradients: true });
  console.log(`\nmeasuring on ${currentBackend()}, batch ${o.batch}, ${o.iters} timed steps (median)`);
  const rows: { base: string; predict: number; train: number; maxDiff?: number; top1Same?: boolean }[] = [];
  for (const baseId of o.bases) {
    const m = await measure(baseId, o);
    const row: (typeof rows)[number] = { base: baseId, predict: m.predict, train: m.train };
    if (o.parity) {
      const { probs: ours, head } = await probabilities(baseId);
      await useBackend('cpu');
      const { probs: reference } = await probabilities(baseId, head);
      await useBackend(o.backend, { needConvGradients: true });
      row.maxDiff = Math.max(...Array.from(ours, (v, i) => Math.abs(v - reference[i])));
      row.top1Same = [0, 1].every((k) => Math.sign(ours[2 * k] - ours[2 * k + 1]) === Math.sign(reference[2 * k] - reference[2 * k + 1]));
    }
    rows.push(row);
    console.log(
      `${baseId}: predict ${row.predict.toFixed(1)} img/s, full fine-tuning ${row.train.toFixed(1)} img/s${row.maxDiff !== undefined ? `; vs cpu: max |Δp| ${row.maxDiff.toExponential(2)}, top-1 ${row.top1Same ? 'same' : 'DIFFERENT'}` : ''}`,
    );
  }
  if (o.torch && o.bases.includes('mobilenet_v2')) {
    const t = torchPeer(o.batch, o.iters);
    const ours = rows.find((r) => r.base === 'mobilenet_v2')!;
    if ('skipped' in t) console.log(`\nPyTorch peer skipped: ${t.skipped}`);
    else {
      console.log(`\n| MobileNetV2, batch ${o.batch} | CNN Lab (${currentBackend()}) | PyTorch (${t.device}) | ours / PyTorch |`);
      console.log('| --- | --- | --- | --- |');
      console.log(`| predict img/s | ${ours.predict.toFixed(1)} | ${t.predict.toFixed(1)} | ${(ours.predict / t.predict).toFixed(3)} |`);
      console.log(`| full fine-tuning img/s | ${ours.train.toFixed(1)} | ${t.train.toFixed(1)} | ${(ours.train / t.train).toFixed(3)} |`);
    }
  }
  const bad = rows.filter((r) => r.maxDiff !== undefined && (r.maxDiff > 1e-3 || !r.top1Same));
  if (bad.length) {
    console.log(`\nPARITY FAILED for ${bad.map((r) => r.base).join(', ')} (tolerance 1e-3)`);
    process.exitCode = 1;
  }
}

main().catch((e) => {
  console.error(`gpu-check: ${e instanceof Error ? e.message : String(e)}`);
  process.exitCode = 1;
});
