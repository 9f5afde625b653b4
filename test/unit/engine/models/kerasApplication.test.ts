// `keras:` bases: a Keras-written h5 (test/fixtures/keras-application, made by
// scripts/generate-keras-topologies.py: MobileNetV2 alpha 0.35 at 96×96 with random weights and
// BatchNormalization statistics) served by a real HTTP server on 127.0.0.1, downloaded into the
// URL cache, checked against its pinned md5 and loaded into the topology Keras wrote: the tfjs
// network must give Keras' own output. A wrong hash, a cut-off transfer and a refused connection
// each end in one line; the committed topologies of all five bases load in tfjs.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { KERAS_APPLICATION_IDS, KERAS_APPLICATIONS, kerasWeightsUrl } from '../../../../src/core/kerasApplications.ts';
import { parseFreezeSpec } from '../../../../src/core/freeze.ts';
import { pixelsToFloat32 } from '../../../../src/engine/data/decode-image.ts';
import { kerasApplicationTopology, kerasBaseFromFiles, loadKerasWeightsBase } from '../../../../src/engine/models/kerasApplication.ts';
import { assignLayerValues, pairLayers, readKerasH5Weights, type H5Layer } from '../../../../src/engine/models/kerasH5Weights.ts';
import { cachedModelDir } from '../../../../src/engine/models/urlCache.ts';
import { disposeBase, loadBase } from '../../../../src/engine/models/zoo.ts';
import { tf } from '../../../../src/engine/tf.ts';
import { createEngine } from '../../../../src/engine/engine.ts';
import { tempDir } from '../helpers/fixtures.ts';

const FIXTURE = join(__dirname, '..', '..', '..', 'fixtures', 'keras-application');
const H5 = join(FIXTURE, 'mobilenet_v2_0.35_96_no_top.h5');
const h5Bytes = readFileSync(H5);
const topology = JSON.parse(readFileSync(join(FIXTURE, 'mobilenet_v2_0.35_96.json'), 'utf8'));
const expected = JSON.parse(readFileSync(join(FIXTURE, 'expected.json'), 'utf8'));
const md5 = createHash('md5').update(h5Bytes).digest('hex');
const FILE = 'mobilenet_v2_0.35_96_no_top.h5';
const spec = (fileHash = { algorithm: 'md5' as const, hex: md5 }) => ({
  id: 'keras:test_mobilenet',
  fileName: FILE,
  fileHash,
  label: 'test MobileNetV2 0.35',
  preprocessing: '-1..1' as const,
});

let root: string;
let server: Server;
let base = '';
const hits: string[] = [];

before(async () => {
  await tf.setBackend('cpu');
  root = tempDir('cnnlab-keras-');
  process.env.CNN_LAB_CACHE = join(root, 'cache');
  server = createServer((req, res) => {
    hits.push(req.url ?? '');
    if (req.url?.startsWith('/ok/')) {
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': h5Bytes.length });
      res.end(h5Bytes);
    } else if (req.url?.startsWith('/cut/')) {
      // announces the whole file, sends a third of it, then drops the connection
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': h5Bytes.length });
      res.write(h5Bytes.subarray(0, 700_000), () => res.socket?.destroy());
    } else {
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('not here');
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(() => {
  server.close();
  delete process.env.CNN_LAB_CACHE;
  rmSync(root, { recursive: true, force: true });
});

/** The fixture's input, computed as the generator does: x[i] = ((i * 7919) % 255) / 127.5 − 1. */
function fixtureInput(): tf.Tensor4D {
  const x = new Float32Array(96 * 96 * 3);
  for (let i = 0; i < x.length; i++) x[i] = ((i * 7919) % 255) / 127.5 - 1;
  return tf.tensor4d(x, [1, 96, 96, 3]);
}

async function refusal(load: () => Promise<unknown>): Promise<string> {
  try {
    const b = await load();
    disposeBase(b as Parameters<typeof disposeBase>[0]);
  } catch (e) {
    return (e as Error).message;
  }
  return assert.fail('loaded, expected a refusal');
}

describe('a Keras h5 from a local server lands in the right layers', () => {
  test("downloaded once (one note), md5-checked, cached; the forward pass equals Keras'", async () => {
    const url = `${base}/ok/${FILE}`;
    const notes: string[] = [];
    hits.length = 0;
    const b = await loadKerasWeightsBase(spec(), topology, url, { askedBy: '/ws/x.cnnlab.json', onNote: (l) => notes.push(l) });
    try {
      assert.deepEqual(notes, [
        `downloading ${url}, the ImageNet weights of keras:test_mobilenet (checked against the md5 Keras pins) (asked by /ws/x.cnnlab.json)`,
      ]);
      assert.deepEqual(b.featureShape, expected.outputShape);
      assert.deepEqual(b.inputSize, [96, 96]);
      const kernel = b.layers!.getLayer('block_16_project').getWeights()[0];
      assert.deepEqual(kernel.shape, expected.block_16_project_kernel_shape);
      assert.deepEqual(Array.from(kernel.dataSync().slice(0, 8)), expected.block_16_project_kernel_first8.map(Math.fround));
      const y = tf.tidy(() => b.layers!.predict(fixtureInput()) as tf.Tensor);
      const v = Array.from(y.dataSync() as Float32Array);
      y.dispose();
      for (let i = 0; i < 64; i++)
        assert.ok(Math.abs(v[i] - expected.outputFirst64[i]) < 1e-4, `output[${i}] ${v[i]} vs Keras ${expected.outputFirst64[i]}`);
      const sum = v.reduce((a, q) => a + q, 0);
      const abs = v.reduce((a, q) => a + Math.abs(q), 0);
      assert.ok(Math.abs(abs - expected.outputAbsSum) < 1e-4 * expected.outputAbsSum, `|y| sum ${abs} vs Keras ${expected.outputAbsSum}`);
      assert.ok(Math.abs(sum - expected.outputSum) < 1e-4 * expected.outputAbsSum, `y sum ${sum} vs Keras ${expected.outputSum}`);
    } finally {
      disposeBase(b);
    }
    // the second load is from the cache: no request, no note
    notes.length = 0;
    disposeBase(await loadKerasWeightsBase(spec(), topology, url, { onNote: (l) => notes.push(l) }));
    assert.deepEqual(hits, [`/ok/${FILE}`]);
    assert.deepEqual(notes, []);
  });

  test('a damaged cache entry is discarded and downloaded again', async () => {
    const url = `${base}/ok/again/${FILE}`;
    disposeBase(await loadKerasWeightsBase(spec(), topology, url, { onNote: () => {} }));
    const cached = join(cachedModelDir(url), FILE);
    const bytes = readFileSync(cached);
    bytes[bytes.length - 10] ^= 0xff;
    writeFileSync(cached, bytes);
    const notes: string[] = [];
    disposeBase(await loadKerasWeightsBase(spec(), topology, url, { onNote: (l) => notes.push(l) }));
    assert.equal(notes.length, 2);
    assert.match(
      notes[0],
      new RegExp(
        `^discarded the cached copy of ${url} \\(its md5 is [0-9a-f]{32}, not the ${md5} Keras pins for ${FILE} \\(a damaged download, or another file at that address\\)\\); downloading it again$`,
      ),
    );
  });
});

describe("Keras' own cache", () => {
  test('a copy in $KERAS_HOME/models with the pinned hash is read in place: no download, no note; another file there is ignored', async () => {
    const home = join(root, 'keras-home');
    mkdirSync(join(home, 'models'), { recursive: true });
    process.env.KERAS_HOME = home;
    try {
      const url = `${base}/missing/${FILE}`; // 404: anything fetched would fail the load
      writeFileSync(join(home, 'models', FILE), h5Bytes);
      const notes: string[] = [];
      hits.length = 0;
      disposeBase(await loadKerasWeightsBase(spec(), topology, url, { onNote: (l) => notes.push(l) }));
      assert.deepEqual([hits, notes], [[], []]);
      assert.equal(existsSync(cachedModelDir(url)), false, 'nothing copied into our cache');
      writeFileSync(join(home, 'models', FILE), h5Bytes.subarray(0, 1000));
      assert.match(
        await refusal(() => loadKerasWeightsBase(spec(), topology, url, { onNote: () => {} })),
        /: HTTP 404 Not Found fetching /,
      );
    } finally {
      delete process.env.KERAS_HOME;
    }
  });
});

describe('a download that fails is one line and leaves nothing in the cache', () => {
  test('hash mismatch', async () => {
    const url = `${base}/ok/wrong-hash/${FILE}`;
    const wrong = '0'.repeat(32);
    const message = await refusal(() => loadKerasWeightsBase(spec({ algorithm: 'md5', hex: wrong }), topology, url, { onNote: () => {} }));
    assert.equal(
      message,
      `cannot download ${url}, the weights of keras:test_mobilenet: its md5 is ${md5}, not the ${wrong} Keras pins for ${FILE} (a damaged download, or another file at that address). They are cached after the first download; offline, use a bundled base or a local model.json`,
    );
    assert.equal(existsSync(cachedModelDir(url)), false);
  });

  test('a transfer cut off mid-file', async () => {
    const url = `${base}/cut/${FILE}`;
    const message = await refusal(() => loadKerasWeightsBase(spec(), topology, url, { onNote: () => {} }));
    assert.match(
      message,
      new RegExp(
        `^cannot download ${url}, the weights of keras:test_mobilenet: the download of ${url} broke off after \\d+ bytes of the ${h5Bytes.length} announced \\([^)]+\\)\\. They are cached after the first download; offline, use a bundled base or a local model\\.json$`,
      ),
    );
    assert.ok(!message.includes('\n'), message);
    assert.equal(existsSync(cachedModelDir(url)), false);
  });

  test('no network (connection refused)', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const url = `http://127.0.0.1:${port}/${FILE}`;
    const message = await refusal(() => loadKerasWeightsBase(spec(), topology, url, { onNote: () => {} }));
    assert.equal(
      message,
      `cannot download ${url}, the weights of keras:test_mobilenet: cannot reach 127.0.0.1:${port} for ${url}: ECONNREFUSED (offline?). They are cached after the first download; offline, use a bundled base or a local model.json`,
    );
  });
});

describe('keras: references through loadBase', () => {
  test("the URL is Keras' own, moved under $CNN_LAB_KERAS_WEIGHTS_MIRROR with the same path", () => {
    const s = KERAS_APPLICATIONS['keras:resnet50'];
    assert.equal(
      kerasWeightsUrl(s, {}),
      'https://storage.googleapis.com/tensorflow/keras-applications/resnet/resnet50_weights_tf_dim_ordering_tf_kernels_notop.h5',
    );
    assert.equal(
      kerasWeightsUrl(s, { CNN_LAB_KERAS_WEIGHTS_MIRROR: 'http://127.0.0.1:9/m' }),
      'http://127.0.0.1:9/m/tensorflow/keras-applications/resnet/resnet50_weights_tf_dim_ordering_tf_kernels_notop.h5',
    );
    assert.equal(
      kerasWeightsUrl(KERAS_APPLICATIONS['keras:efficientnet_b0'], {}),
      'https://storage.googleapis.com/keras-applications/efficientnetb0_notop.h5',
    );
  });

  test('an unknown name lists the known ones', async () => {
    assert.equal(
      await refusal(() => loadBase('keras:resnet18')),
      `base "keras:resnet18" is not a known Keras application; known: ${KERAS_APPLICATION_IDS.join(', ')}`,
    );
  });

  test('a file that does not fit the topology names the layer, and (no pinned hash) is not kept', async () => {
    // keras:mobilenet_v2 (alpha 1.0, Keras pins no hash) served the alpha-0.35 fixture by a "mirror"
    process.env.CNN_LAB_KERAS_WEIGHTS_MIRROR = `${base}/ok/mirror/`;
    try {
      const url = kerasWeightsUrl(KERAS_APPLICATIONS['keras:mobilenet_v2']);
      assert.equal(
        url,
        `${base}/ok/mirror/tensorflow/keras-applications/mobilenet_v2/mobilenet_v2_weights_tf_dim_ordering_tf_kernels_1.0_224_no_top.h5`,
      );
      const notes: string[] = [];
      const message = await refusal(() => loadBase('keras:mobilenet_v2', { onNote: (l) => notes.push(l) }));
      assert.deepEqual(notes, [
        `downloading ${url}, the ImageNet weights of keras:mobilenet_v2 (Keras pins no hash for it: checked by its layers and shapes)`,
      ]);
      assert.equal(message, `${url}: layer "Conv1": weight "kernel" has shape [3, 3, 3, 16] in the file, the model expects [3, 3, 3, 32]`);
      assert.equal(existsSync(cachedModelDir(url)), false, 'the unreadable download was dropped from the cache');
    } finally {
      delete process.env.CNN_LAB_KERAS_WEIGHTS_MIRROR;
    }
  });
});

describe('the h5 reader', () => {
  test('reads layer_names and weight_names as Keras wrote them', async () => {
    const layers = await readKerasH5Weights(H5, 'fixture.h5');
    const conv = layers.find((l) => l.name === 'Conv1')!;
    assert.deepEqual(
      conv.weights.map((w) => [w.name, w.shape]),
      [['Conv1/kernel:0', [3, 3, 3, 16]]],
    );
    const bn = layers.find((l) => l.name === 'bn_Conv1')!;
    assert.deepEqual(
      bn.weights.map((w) => w.name),
      ['bn_Conv1/gamma:0', 'bn_Conv1/beta:0', 'bn_Conv1/moving_mean:0', 'bn_Conv1/moving_variance:0'],
    );
  });

  test('a truncated or non-HDF5 file is one line naming it', async () => {
    const cut = join(root, 'cut.h5');
    writeFileSync(cut, h5Bytes.subarray(0, 500_000));
    assert.equal(
      await refusal(() => readKerasH5Weights(cut, 'cut.h5')),
      `cut.h5 is not a readable HDF5 file: truncated file: eof = 500000, sblock->base_addr = 0, stored_eof = ${h5Bytes.length}`,
    );
    const html = join(root, 'page.h5');
    writeFileSync(html, '<html>Service unavailable</html>');
    assert.equal(await refusal(() => readKerasH5Weights(html, 'page.h5')), 'page.h5 is not a readable HDF5 file: file signature not found');
  });

  test('layers are matched by name, else in model order as Keras does (older files number auto-named layers differently)', async () => {
    const model = await tf.models.modelFromJSON(topology);
    try {
      const order = topology.config.layers.map((l: { config: { name: string } }) => l.config.name);
      const file = await readKerasH5Weights(H5, 'f.h5');
      assert.equal(pairLayers(model, order, file, 'f.h5').byName, true);
      // every weighted layer renamed: paired by position, each with the layer at that position
      const renamed: H5Layer[] = file.map((l, i) => ({ ...l, name: `layer_${i + 1}` }));
      const { byName, pairs } = pairLayers(model, order, renamed, 'f.h5');
      assert.equal(byName, false);
      assert.deepEqual(
        pairs.slice(0, 2).map((p) => [p.layer.name, p.from]),
        [
          ['Conv1', renamed[1].name],
          ['bn_Conv1', renamed[2].name],
        ],
      );
      // Keras-1 weight names ("block1_conv1_W_1:0"): by position within the layer, shapes checked
      const keras1 = file.map((l) => ({ ...l, weights: l.weights.map((w, k) => ({ ...w, name: `${l.name}_W${k}_1:0` })) }));
      assignLayerValues(pairLayers(model, order, keras1, 'f.h5').pairs, 'f.h5');
      assert.deepEqual(
        Array.from(model.getLayer('Conv1').getWeights()[0].dataSync().slice(0, 4)),
        Array.from(file[1].weights[0].values.slice(0, 4)),
      );
      // but a weight in another's place is refused
      const swapped = file.map((l) => (l.name === 'bn_Conv1' ? { ...l, weights: [l.weights[1], l.weights[0], ...l.weights.slice(2)] } : l));
      assert.equal(
        await refusal(async () => assignLayerValues(pairLayers(model, order, swapped, 'f.h5').pairs, 'f.h5')),
        'f.h5: layer "bn_Conv1": weight 0 is "bn_Conv1/beta:0" in the file, the model expects "gamma"',
      );
      // one layer missing: named in the error
      const missing = file.filter((l) => l.name !== 'block_5_project');
      assert.equal(
        await refusal(async () => pairLayers(model, order, missing, 'f.h5')),
        'f.h5 does not fit the model: layer "block_5_project" is missing from it (the file has 103 layers with weights, the model 104)',
      );
      // a weight missing from a layer
      const short = file.map((l) => (l.name === 'bn_Conv1' ? { ...l, weights: l.weights.slice(0, 3) } : l));
      assert.equal(
        await refusal(async () => assignLayerValues(pairLayers(model, order, short, 'f.h5').pairs, 'f.h5')),
        'f.h5: layer "bn_Conv1" has 3 weights in the file but 4 in the model (gamma, beta, moving_mean, moving_variance)',
      );
    } finally {
      model.dispose();
    }
  });
});

describe("preprocessing as Keras' does it", () => {
  const small = JSON.parse(readFileSync(join(FIXTURE, 'expected-small.json'), 'utf8'));

  test("'caffe' (ResNet50, VGG16) equals Keras' preprocess_input", () => {
    const got = pixelsToFloat32(Uint8Array.from(small.caffeInput), 'caffe');
    assert.equal(got.length, small.caffeOutput.length);
    // Keras subtracts in float32, we in float64 then round: within one float32 step
    small.caffeOutput.forEach((want: number, i: number) => assert.ok(Math.abs(got[i] - want) < 1e-4, `[${i}] ${got[i]} vs Keras ${want}`));
  });

  test("EfficientNet's Normalization, rebuilt as a 1×1 depthwise conv, gives Keras' output with ImageNet weights", async () => {
    const b = await kerasBaseFromFiles({
      id: 'keras:normalization_fixture',
      label: 'fixture',
      topology: JSON.parse(readFileSync(join(FIXTURE, 'normalization_fixture.json'), 'utf8')),
      h5Path: join(FIXTURE, 'normalization_fixture.h5'),
      where: 'normalization_fixture.h5',
      preprocessing: '0..255',
    });
    try {
      const x = new Float32Array(4 * 4 * 3).map((_, i) => (i * 7919) % 255);
      const y = tf.tidy(() => (b.layers!.predict(tf.tensor4d(x, [1, 4, 4, 3])) as tf.Tensor).dataSync());
      small.normalizationOutput.forEach((want: number, i: number) =>
        assert.ok(Math.abs(y[i] - want) < 1e-5, `y[${i}] ${y[i]} vs Keras ${want}`),
      );
    } finally {
      disposeBase(b);
    }
  });
});

test("the engine describes a keras: base's layers (for the architecture and freeze views) without downloading", async () => {
  process.env.CNN_LAB_KERAS_WEIGHTS_MIRROR = `${base}/missing/`; // a download would be a 404
  hits.length = 0;
  try {
    const rows = await createEngine(() => {}).handle('describeModel', { path: 'keras:vgg16' });
    assert.deepEqual(
      rows.slice(0, 3).map((r) => r.name),
      ['input_1', 'block1_conv1', 'block1_conv2'],
    );
    assert.equal(rows.length, 19);
    assert.deepEqual(hits, []);
  } finally {
    delete process.env.CNN_LAB_KERAS_WEIGHTS_MIRROR;
  }
});

describe('the committed topologies (assets/keras-topologies) load in tfjs', () => {
  // layers and parameters as Keras counts them (scripts/generate-keras-topologies.py prints them);
  // EfficientNetB0's Normalization keeps a `count` that its depthwise stand-in does not: one less
  const KERAS = {
    'keras:inception_v3': { layers: 311, params: 21802784, out: [8, 8, 2048] },
    'keras:mobilenet_v2': { layers: 154, params: 2257984, out: [7, 7, 1280] },
    'keras:resnet50': { layers: 175, params: 23587712, out: [7, 7, 2048] },
    'keras:efficientnet_b0': { layers: 237, params: 4049571 - 1, out: [7, 7, 1280] },
    'keras:vgg16': { layers: 19, params: 14714688, out: [7, 7, 512] },
  } as Record<string, { layers: number; params: number; out: number[] }>;

  for (const id of KERAS_APPLICATION_IDS) {
    test(`${id}: layers, parameters, feature shape and its default freeze ranges`, async () => {
      const model = await kerasApplicationTopology(id);
      try {
        assert.deepEqual(
          [model.layers.length, model.countParams(), model.outputs[0].shape.slice(1)],
          [KERAS[id].layers, KERAS[id].params, KERAS[id].out],
        );
        assert.deepEqual(model.inputs[0].shape.slice(1, 3), KERAS_APPLICATIONS[id].inputSize);
        const frozen = parseFreezeSpec(
          KERAS_APPLICATIONS[id].defaultFreeze,
          model.layers.map((l) => l.name),
        );
        const trainable = frozen.filter((f) => !f).length;
        assert.ok(trainable > 0 && trainable < model.layers.length / 2, `${trainable} of ${model.layers.length} layers fine-tune`);
      } finally {
        model.dispose();
      }
    });
  }
});
