// Prediction and evaluation with a saved model directory: image files (decoded in batches, a bad
// file becomes an error row, not a failure), an http(s) image URL, or a class-folder dataset.
import type { EvaluationReport, Prediction } from '../../protocol/messages.ts';
import { decodeBatches, decodeImage, pixelsToFloat32 } from '../data/decode.ts';
import { scanDataset, type DatasetFile } from '../data/scan.ts';
import type { Classifier } from '../save/load.ts';
import { tf } from '../tf.ts';
import { fetchWithLimits, IMAGE_FETCH_LIMITS, type FetchLimits } from './fetchUrl.ts';
import { buildEvaluationReport, topK } from './report.ts';

/**
 * A model whose weights hold NaN or Infinity (a diverged run, a corrupted file) outputs NaN for
 * every image; printed as "circle NaN%" that looks like an answer, so it is refused instead.
 */
function assertFinite(clf: Classifier, values: ArrayLike<number>, sourceOf: (row: number) => string): void {
  const k = clf.meta.labels.length;
  for (let i = 0; i < values.length; i++) {
    if (!Number.isFinite(values[i])) {
      throw new Error(
        `${clf.dir}: the model outputs ${values[i]} for ${sourceOf(Math.floor(i / k))}: its weights are not finite numbers (a diverged or corrupted model); retrain it or use another model directory`,
      );
    }
  }
}

export interface Probabilities {
  /** n × classes */
  values: Float32Array;
  labels: Int32Array;
  paths: string[];
  skipped: { path: string; reason: string }[];
}

/**
 * Decodes handed to libuv's pool at once while predicting, and decoded images held ahead. The
 * native graph's run blocks the event loop, so only decodes already queued make progress during
 * it: 16 queued (a whole batch) decode behind the graph where the default 4 left most of the next
 * batch to decode after it. EfficientNet-Lite0 predict +1–8 % in 6 of 6 alternated rounds on a
 * 2-core VM, InceptionV3 within the noise (bench/profile/predict-overlap.mts, bench/README.md).
 * Only 4 run at once either way (libuv's default pool size), so memory grows by the decoded images
 * held ahead alone.
 */
const PREDICT_DECODE = { concurrency: 16, readAhead: 32 } as const;

/** Runs the classifier over `files` in batches; failures are collected, not thrown. */
export async function predictFiles(
  clf: Classifier,
  files: readonly DatasetFile[],
  opts: { batchSize?: number; signal?: AbortSignal } = {},
): Promise<Probabilities> {
  const [h, w] = clf.meta.inputSize;
  const k = clf.meta.labels.length;
  const chunks: Float32Array[] = [];
  const labels: number[] = [];
  const paths: string[] = [];
  const skipped: Probabilities['skipped'] = [];
  for await (const batch of decodeBatches(files, {
    batchSize: opts.batchSize ?? 16,
    size: [h, w],
    resize: clf.meta.resize,
    preprocessing: clf.meta.preprocessing,
    ...PREDICT_DECODE,
    signal: opts.signal,
  })) {
    skipped.push(...batch.skipped);
    const n = batch.labels.length;
    if (n === 0) continue;
    const probs = tf.tidy(() => clf.predict(tf.tensor4d(batch.x, [n, h, w, 3])));
    const data = (await probs.data()) as Float32Array;
    probs.dispose();
    assertFinite(clf, data, (row) => batch.paths[row]);
    chunks.push(data);
    labels.push(...batch.labels);
    paths.push(...batch.paths);
  }
  const values = new Float32Array(labels.length * k);
  let offset = 0;
  for (const c of chunks) {
    values.set(c, offset);
    offset += c.length;
  }
  return { values, labels: Int32Array.from(labels), paths, skipped };
}

/** Top-k for image files, in the order given; unreadable files carry `error`. */
export async function predictImages(clf: Classifier, images: string[], top: number, signal?: AbortSignal): Promise<Prediction[]> {
  const probs = await predictFiles(
    clf,
    images.map((path) => ({ path, label: 0 })),
    { signal },
  );
  const k = clf.meta.labels.length;
  const rows = new Map<string, Prediction[]>();
  probs.paths.forEach((path, i) => {
    const p: Prediction = { source: path, top: topK(probs.values.subarray(i * k, (i + 1) * k), clf.meta.labels, top) };
    rows.set(path, [...(rows.get(path) ?? []), p]);
  });
  const errors = new Map<string, string[]>();
  for (const s of probs.skipped) errors.set(s.path, [...(errors.get(s.path) ?? []), s.reason]);
  return images.map((path) => rows.get(path)?.shift() ?? { source: path, top: [], error: errors.get(path)?.shift() ?? 'not predicted' });
}

/** Top-k for one image URL (http/https only, timeout, size cap, image content types only). */
export async function predictUrl(clf: Classifier, url: string, top: number, limits: Partial<FetchLimits> = {}): Promise<Prediction> {
  const body = await fetchWithLimits(url, { ...IMAGE_FETCH_LIMITS, ...limits });
  const [h, w] = clf.meta.inputSize;
  const image = await decodeImage(Buffer.from(body.bytes), { size: [h, w], resize: clf.meta.resize, name: url });
  const x = pixelsToFloat32(image.data, clf.meta.preprocessing);
  const probs = tf.tidy(() => clf.predict(tf.tensor4d(x, [1, h, w, 3])));
  const values = await probs.data();
  probs.dispose();
  assertFinite(clf, values, () => url);
  return { source: url, top: topK(values, clf.meta.labels, top) };
}

/** Evaluates on a class-folder dataset whose class names must be among the model's labels. */
export async function evaluateFolder(clf: Classifier, data: string, signal?: AbortSignal): Promise<EvaluationReport> {
  const scan = await scanDataset(data, 'evaluation folder');
  const labels = clf.meta.labels;
  const unknown = scan.classes.filter((c) => scan.counts[c] > 0 && !labels.includes(c));
  if (unknown.length > 0) {
    throw new Error(
      `evaluation folder ${scan.root} has class folder(s) the model does not know: ${unknown.join(', ')} (model labels: ${labels.join(', ')})`,
    );
  }
  // Map the folder's label indices onto the model's.
  const files = scan.files.map((f) => ({ path: f.path, label: labels.indexOf(scan.classes[f.label]) }));
  const probs = await predictFiles(clf, files, { signal });
  const skipped = [...scan.skipped, ...probs.skipped];
  if (probs.paths.length === 0) {
    // "accuracy 0.00% on 0 images" would read as a (bad) result; there is no result at all.
    const first = skipped[0];
    throw new Error(
      `no image in evaluation folder ${scan.root} could be decoded (${skipped.length} skipped${first ? `; e.g. ${first.path}: ${first.reason}` : ''})`,
    );
  }
  return buildEvaluationReport(labels, probs.values, probs.labels, probs.paths, skipped);
}
