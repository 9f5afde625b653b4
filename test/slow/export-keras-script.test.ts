// Export → Keras script, run for real: an experiment (tiny base, augmentation, a fine-tune phase
// with a freeze range) exported as train.py/predict.py is trained by TensorFlow for one epoch per
// phase under MirroredStrategy on the CPU, predict.py classifies an image, and the same script runs
// as two MultiWorkerMirroredStrategy workers on 127.0.0.1 (two processes, TF_CONFIG on loopback
// ports) through an epoch. Skipped, with the reason, where the bench venv's TensorFlow is missing.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { main } from '../../src/cli.ts';
import { tf } from '../../src/engine/tf.ts';
import { tempDir, writeShapesDataset, writeTinyBase } from '../unit/engine/helpers/fixtures.ts';
import { kerasPython, runPython } from './helpers/kerasVenv.ts';

const venv = kerasPython();
const skip = 'skip' in venv ? venv.skip : false;
let root: string;
let script: string;

/** A port free on 127.0.0.1 right now (the OS picks it; closed again before the workers bind it). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

function runWorker(python: string, args: string[], cwd: string, tfConfig: object): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(python, args, {
      cwd,
      env: { ...process.env, TF_CPP_MIN_LOG_LEVEL: '3', CUDA_VISIBLE_DEVICES: '', TF_CONFIG: JSON.stringify(tfConfig) },
    });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 300_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

before(async () => {
  await tf.setBackend('cpu');
  root = tempDir('cnnlab-export-script-');
  if (skip) return;
  await writeShapesDataset(join(root, 'data'), 8, 32);
  await writeTinyBase(join(root, 'base'), 32);
  const experiment = join(root, 'shapes.cnnlab.json');
  writeFileSync(
    experiment,
    JSON.stringify({
      data: 'data',
      base: 'base/model.json',
      fcUnits: 16,
      batchSize: 4,
      validationSplit: 0.25,
      transfer: { epochs: 1, learningRate: 0.001 },
      fineTune: { epochs: 1, learningRate: 0.0001, momentum: 0.9 },
      freeze: ['first 2'],
      augment: {
        rotationRange: 30,
        widthShiftRange: 0.2,
        heightShiftRange: 0.2,
        shearRange: 10,
        zoomRange: 0.2,
        horizontalFlip: true,
        fillMode: 'nearest',
      },
    }),
  );
  script = join(root, 'keras');
  const out: string[] = [];
  const code = await main(['export', '--experiment', experiment, '--format', 'keras-script', '--out', script], {
    out: (s) => out.push(s),
    err: (s) => out.push(s),
    isTTY: false,
  });
  assert.equal(code, 0, out.join('\n'));
});
after(() => rmSync(root, { recursive: true, force: true }));

test(
  'train.py trains an epoch per phase under MirroredStrategy on CPU; predict.py classifies an image, from a file and a URL',
  { skip, timeout: 600_000 },
  async (t) => {
    const python = (venv as { python: string }).python;
    const trained = runPython(python, ['train.py'], { cwd: script });
    const lines = trained.stdout.trim().split('\n');
    t.diagnostic(lines.filter((l) => /replica|transfer:|fine-tune:|saved/.test(l)).join('\n'));
    assert.match(
      trained.stdout,
      /^MirroredStrategy \(Keras 3\.[\d.]+\): 1 replica\(s\); 12 training and 4 validation images; classes blobs, stripes$/m,
    );
    // freeze "first 2" keeps image and conv1: bn1 and conv2 train
    assert.match(trained.stdout, /^fine-tune: 1 epoch\(s\), 2 base layer\(s\) with weights trainable, SGD lr 0\.0001 momentum 0\.9$/m);
    const saved = JSON.parse(lines.at(-1)!.replace(/^saved .*; last epoch: /, ''));
    for (const phase of ['transfer', 'fine-tune']) assert.ok(Number.isFinite(saved[phase].val_loss), `${phase}: ${JSON.stringify(saved)}`);
    assert.ok(existsSync(join(script, 'model.keras')) && existsSync(join(script, 'model.checkpoint.keras')));
    assert.deepEqual(JSON.parse(readFileSync(join(script, 'model.labels.json'), 'utf8')).labels, ['blobs', 'stripes']);
    const image = join(root, 'data', 'stripes', '003.png');
    const predicted = runPython(python, ['predict.py', '--image', image, '--model', join(script, 'model.keras')], { cwd: script });
    t.diagnostic(predicted.stdout.trim());
    // both classes, most likely first, percentages summing to 100
    const m = predicted.stdout.trim().match(/: (blobs|stripes) ([\d.]+)%, (blobs|stripes) ([\d.]+)%$/);
    assert.ok(m && m[1] !== m[3], predicted.stdout);
    assert.ok(Number(m[2]) >= Number(m[4]) && Math.abs(Number(m[2]) + Number(m[4]) - 100) < 0.2, predicted.stdout);
    // --image_url: the same image from a real HTTP server on 127.0.0.1 gives the same answer
    const server = createHttpServer((_req, res) => res.writeHead(200, { 'content-type': 'image/png' }).end(readFileSync(image)));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(server.address() as { port: number }).port}/stripes.png`;
      const fromUrl = await runWorker(python, ['predict.py', '--image_url', url, '--model', join(script, 'model.keras')], script, {});
      assert.equal(fromUrl.code, 0, fromUrl.output.slice(-2000));
      assert.ok(fromUrl.output.includes(`${url}: ${m[0].slice(2)}`), fromUrl.output.slice(-2000));
    } finally {
      server.close();
    }
    // back into CNN Lab: the same model.keras, converted on load, gives predict.py's numbers (the
    // 32x32 PNG needs no resize, so sharp and TensorFlow decode the same pixels)
    assertCnnLabAgrees(join(script, 'model.keras'), image, predicted.stdout, await cnnLabPredict(join(script, 'model.keras'), image));
  },
);

test(
  'two MultiWorkerMirroredStrategy workers on 127.0.0.1 (TF_CONFIG, loopback ports) complete an epoch',
  { skip, timeout: 600_000 },
  async (t) => {
    const python = (venv as { python: string }).python;
    const ports = [await freePort(), await freePort()];
    const cluster = { worker: ports.map((p) => `127.0.0.1:${p}`) };
    const args = ['train.py', '--multi-worker', '--fine-tune-epochs', '0', '--out', join(script, 'mw.h5')];
    const workers = await Promise.all([0, 1].map((index) => runWorker(python, args, script, { cluster, task: { type: 'worker', index } })));
    for (const [i, w] of workers.entries()) {
      assert.equal(w.code, 0, `worker ${i} exited ${w.code}: ${w.output.slice(-3000)}`);
      // both processes are one strategy of two replicas, and both ran the epoch
      assert.match(w.output, /^MultiWorkerMirroredStrategy \(Keras 2\.[\d.]+\): 2 replica\(s\)/m, w.output.slice(-2000));
      assert.match(w.output, /val_loss: [\d.]+/);
    }
    t.diagnostic(
      workers[0].output
        .split('\n')
        .filter((l) => /replica|val_loss|saved/.test(l))
        .join('\n'),
    );
    assert.match(workers[0].output, /^saved .*mw\.h5/m);
    assert.doesNotMatch(workers[1].output, /^saved /m);
    const blob = join(root, 'data', 'blobs', '000.png');
    const predicted = runPython(python, ['predict.py', '--image', blob, '--model', join(script, 'mw.h5')], { cwd: script });
    assert.match(predicted.stdout, /000\.png: (blobs|stripes) [\d.]+%, (blobs|stripes) [\d.]+%/);
    // the Keras 2 h5 back into CNN Lab
    assertCnnLabAgrees(join(script, 'mw.h5'), blob, predicted.stdout, await cnnLabPredict(join(script, 'mw.h5'), blob));
  },
);

/** `cnn-lab predict --model FILE --image IMAGE --json`: label → percent. */
async function cnnLabPredict(model: string, image: string): Promise<Map<string, number>> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(['predict', '--model', model, '--image', image, '--json', '--backend', 'cpu'], {
    out: (s) => out.push(s),
    err: (s) => err.push(s),
    isTTY: false,
  });
  assert.equal(code, 0, err.join('\n'));
  const top = (JSON.parse(out.join('\n')) as { predictions: { top: { label: string; probability: number }[] }[] }).predictions[0].top;
  return new Map(top.map((t) => [t.label, t.probability * 100]));
}

/** predict.py prints percentages to 0.1: CNN Lab's must round to within that. */
function assertCnnLabAgrees(model: string, image: string, pythonOut: string, ours: Map<string, number>): void {
  const theirs = [...pythonOut.matchAll(/(blobs|stripes) ([\d.]+)%/g)].map((m) => [m[1], Number(m[2])] as const);
  assert.equal(theirs.length, 2, pythonOut);
  for (const [label, pct] of theirs) {
    const got = ours.get(label);
    assert.ok(
      got !== undefined && Math.abs(got - pct) <= 0.051,
      `${model} on ${image}: ${label} ${got}% in CNN Lab, ${pct}% in predict.py`,
    );
  }
}
