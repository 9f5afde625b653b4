// Runs after bench/keras/applications-parity.py: the tfjs network built from each committed topology
// with each Keras-written h5 must give Keras' output.
//   node --import tsx bench/keras/applications-parity.ts OUT_DIR [NAME...]
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { tf } from '../../src/engine/tf.ts';
import { kerasBaseFromFiles } from '../../src/engine/models/kerasApplication.ts';
async function main() {
  const dir = process.argv[2];
  const expected = JSON.parse(readFileSync(join(dir, 'expected.json'), 'utf8'));
  for (const name of process.argv.slice(3).length ? process.argv.slice(3) : Object.keys(expected)) {
    const t0 = Date.now();
    const topology = JSON.parse(readFileSync(join(__dirname, '..', '..', 'assets', 'keras-topologies', `${name}.json`), 'utf8'));
    const base = await kerasBaseFromFiles({
      id: `keras:${name}`,
      label: name,
      topology,
      h5Path: join(dir, `${name}.h5`),
      where: name,
      preprocessing: '-1..1',
    });
    const t1 = Date.now();
    const [h, w] = base.inputSize;
    const x = new Float32Array(h * w * 3).map((_, i) => (i * 7919) % 255);
    const xin = name === 'efficientnet_b0' ? x : x.map((v) => v / 127.5 - 1);
    const y = base.layers!.predict(tf.tensor(xin, [1, h, w, 3])) as tf.Tensor;
    const v = y.dataSync();
    const e = expected[name];
    let maxd = 0;
    for (let i = 0; i < e.first.length; i++) maxd = Math.max(maxd, Math.abs(v[i] - e.first[i]));
    let abs = 0;
    for (const q of v) abs += Math.abs(q);
    console.log(
      name,
      JSON.stringify(y.shape.slice(1)),
      'load',
      t1 - t0,
      'ms; max|diff| first256',
      maxd.toExponential(2),
      'max|y|',
      e.max.toFixed(3),
      'abs sum',
      abs.toFixed(2),
      'keras',
      e.abs.toFixed(2),
    );
  }
}
// a script: an unhandled rejection already exits non-zero with its stack
void main();
