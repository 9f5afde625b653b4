// Reading a Keras-2 HDF5 weights file (`model.save_weights('x.h5')`, the format of the Keras
// Applications `*_notop.h5` files) and putting its values into a tfjs layers model. The format:
// the root attribute `layer_names` lists the layers in model order; each layer's group has the
// attribute `weight_names` (e.g. "conv1/kernel:0") naming its datasets, in the layer's weight order.
//
// HDF5 is read with h5wasm (npm `h5wasm`, from NIST): maintained, the reference HDF5 C library
// compiled to WebAssembly, so it runs in any Node with no native build (unlike the bindings to a
// system libhdf5) and reads the file straight from disk through Emscripten's NODERAWFS.
import { tf } from '../tf.ts';

type H5 = typeof import('h5wasm/node');
let h5: Promise<H5> | undefined;

/** h5wasm, loaded on first use (4 MB of WebAssembly that only Keras files need). */
export function loadH5wasm(): Promise<H5> {
  h5 ??= (async () => {
    const mod = await import('h5wasm/node');
    const module = await mod.ready;
    // HDF5 errors become exceptions instead of a diagnostic stack printed on stderr
    module.activate_throwing_error_handler();
    return mod;
  })();
  return h5;
}

export interface H5Weight {
  /** as the file names it, e.g. "conv1/kernel:0" */
  name: string;
  shape: number[];
  values: Float32Array;
}

export interface H5Layer {
  name: string;
  weights: H5Weight[];
}

/** The innermost reason of an HDF5 error stack ("truncated file: eof = …"), else the message. */
function hdf5Reason(e: unknown): string {
  const text = e instanceof Error ? e.message : String(e);
  const frames = text.split('\n').filter((l) => /^\s*#\d+:/.test(l));
  const last = frames
    .at(-1)
    ?.replace(/^.*?\(\):\s*/, '')
    .trim();
  return last || text.split('\n')[0];
}

function asStrings(value: unknown): string[] | undefined {
  const list = Array.isArray(value) ? value : typeof value === 'string' ? [value] : undefined;
  return list?.every((v) => typeof v === 'string') ? list : undefined;
}

/**
 * Every layer of the weights file at `path`, in the file's order, with its weights as float32.
 * `where` names the file in errors. Throws one line naming the file and what is wrong.
 */
export async function readKerasH5Weights(path: string, where: string): Promise<H5Layer[]> {
  const h5wasm = await loadH5wasm();
  let file: InstanceType<H5['File']>;
  try {
    file = new h5wasm.File(path, 'r');
  } catch (e) {
    throw new Error(`${where} is not a readable HDF5 file: ${hdf5Reason(e)}`);
  }
  try {
    const layerNames = asStrings(file.attrs['layer_names']?.value);
    if (!layerNames)
      throw new Error(`${where} has no "layer_names" attribute: not a Keras weights file (saved with model.save_weights(…h5))`);
    return layerNames.map((layer) => {
      const group = file.get(layer);
      if (!(group instanceof h5wasm.Group)) throw new Error(`${where}: layer "${layer}" is listed in layer_names but has no group`);
      const weightNames = asStrings(group.attrs['weight_names']?.value) ?? [];
      const weights = weightNames.map((name) => {
        const ds = group.get(name);
        if (!(ds instanceof h5wasm.Dataset)) throw new Error(`${where}: weight "${name}" of layer "${layer}" is missing`);
        return datasetWeight(
          ds,
          name,
          () => `${where}: weight "${name}" of layer "${layer}" is not a numeric array (dtype ${JSON.stringify(ds.dtype)})`,
        );
      });
      return { name: layer, weights };
    });
  } catch (e) {
    const message = (e as Error).message;
    throw new Error(message.startsWith(where) ? message : `${where}: ${hdf5Reason(e)}`);
  } finally {
    file.close();
  }
}

/** A numeric dataset as a float32 weight named `name`; `notNumeric` is the error when it is not one. */
export function datasetWeight(ds: InstanceType<H5['Dataset']>, name: string, notNumeric: () => string): H5Weight {
  const value = ds.value;
  // a scalar dataset (Normalization's `count`) comes back as a plain number or bigint
  const raw = typeof value === 'number' || typeof value === 'bigint' ? Float64Array.of(Number(value)) : value;
  if (!ArrayBuffer.isView(raw) || raw instanceof DataView) throw new Error(notNumeric());
  // float32 as stored; float64 and integers (Normalization's int64 `count`) converted
  const values =
    raw instanceof Float32Array
      ? raw
      : raw instanceof BigInt64Array || raw instanceof BigUint64Array
        ? Float32Array.from(raw, Number)
        : Float32Array.from(raw as ArrayLike<number>);
  return { name, shape: ds.shape ?? [], values };
}

/** "conv1/kernel:0" and tfjs "conv1/kernel" → "kernel" (the part a weight is matched by). */
export function shortWeightName(name: string): string {
  return name.replace(/:\d+$/, '').split('/').at(-1)!;
}

/** Values for one layer: one array per weight of the layer, in its weight order. */
export type LayerValues = { layer: tf.layers.Layer; values: H5Weight[]; from: string };

/**
 * Pairs the model's layers that own weights with the file's layers that hold some. By name, when
 * the two name sets are the same; otherwise in model order, as Keras' `load_weights` does for an
 * h5 file (by_name=False) — files written by older Keras versions number auto-named layers
 * differently ("conv2d_1" where tf_keras says "conv2d"), and Keras reads those by position too.
 * `order` is the model's layer order (the topology's), which Keras' position matching follows.
 */
export function pairLayers(
  model: tf.LayersModel,
  order: readonly string[],
  file: H5Layer[],
  where: string,
): { pairs: LayerValues[]; byName: boolean } {
  const withWeights = order.map((n) => model.getLayer(n)).filter((l) => l.weights.length > 0);
  const fileLayers = file.filter((l) => l.weights.length > 0);
  const fileByName = new Map(fileLayers.map((l) => [l.name, l]));
  const byName = withWeights.length === fileLayers.length && withWeights.every((l) => fileByName.has(l.name));
  if (byName)
    return { byName, pairs: withWeights.map((layer) => ({ layer, values: fileByName.get(layer.name)!.weights, from: layer.name })) };
  if (withWeights.length !== fileLayers.length) {
    const missing = withWeights.find((l) => !fileByName.has(l.name));
    const extra = fileLayers.find((l) => !withWeights.some((m) => m.name === l.name));
    const which = missing ? `layer "${missing.name}" is missing from it` : `it holds layer "${extra!.name}", which the model does not have`;
    throw new Error(
      `${where} does not fit the model: ${which} (the file has ${fileLayers.length} layers with weights, the model ${withWeights.length})`,
    );
  }
  return { byName, pairs: withWeights.map((layer, i) => ({ layer, values: fileLayers[i].weights, from: fileLayers[i].name })) };
}

/**
 * Checks every pair (same number of weights, same shapes, no weight in another weight's place)
 * and only then sets the values, so a file that does not fit leaves the model untouched. Errors
 * name the layer. Within a layer weights go by position, as in Keras: files written by Keras 1
 * (the VGG16 one) name them "block1_conv1_W_1:0", not ".../kernel:0".
 */
export function assignLayerValues(pairs: LayerValues[], where: string): void {
  const planned: [tf.LayerVariable, H5Weight][] = [];
  for (const { layer, values, from } of pairs) {
    const label = from === layer.name ? `layer "${layer.name}"` : `layer "${layer.name}" (file layer "${from}")`;
    if (values.length !== layer.weights.length) {
      throw new Error(
        `${where}: ${label} has ${values.length} weights in the file but ${layer.weights.length} in the model (${layer.weights.map((w) => shortWeightName(w.originalName)).join(', ')})`,
      );
    }
    layer.weights.forEach((w, i) => {
      const v = values[i];
      const want = shortWeightName(w.originalName);
      const got = shortWeightName(v.name);
      if (got !== want && layer.weights.some((m) => shortWeightName(m.originalName) === got))
        throw new Error(`${where}: ${label}: weight ${i} is "${v.name}" in the file, the model expects "${want}"`);
      if (v.shape.length !== w.shape.length || v.shape.some((d, k) => d !== w.shape[k])) {
        throw new Error(
          `${where}: ${label}: weight "${want}" has shape [${v.shape.join(', ')}] in the file, the model expects [${w.shape.join(', ')}]`,
        );
      }
      planned.push([w, v]);
    });
  }
  for (const [w, v] of planned) {
    const t = tf.tensor(v.values, v.shape, 'float32');
    w.write(t);
    t.dispose();
  }
}
