// Turning probabilities into answers: top-k classes per image, and an evaluation report (accuracy,
// per-class precision/recall, confusion matrix, misclassified files).
import type { ClassScore, EvaluationReport, SkippedFile } from '../../protocol/messages.ts';

export function topK(probabilities: ArrayLike<number>, labels: string[], k: number): ClassScore[] {
  const scores = labels.map((label, index) => ({ label, index, probability: probabilities[index] }));
  scores.sort((a, b) => b.probability - a.probability || a.index - b.index);
  return scores.slice(0, Math.max(1, Math.min(k, labels.length)));
}

/**
 * `probabilities` is n × labels.length row-major; `actual[i]` the true class index of `paths[i]`.
 * Precision of a class nobody predicted is 0 (no correct predictions among none), as is recall of
 * a class with no images.
 */
export function buildEvaluationReport(
  labels: string[],
  probabilities: Float32Array | number[],
  actual: ArrayLike<number>,
  paths: string[],
  skipped: SkippedFile[],
): EvaluationReport {
  const k = labels.length;
  const n = actual.length;
  if (probabilities.length !== n * k) throw new Error(`evaluation: ${probabilities.length} probabilities for ${n} images × ${k} classes`);
  const confusion = labels.map(() => labels.map(() => 0));
  const misclassified: EvaluationReport['misclassified'] = [];
  let correct = 0;
  for (let i = 0; i < n; i++) {
    let best = 0;
    for (let j = 1; j < k; j++) if (probabilities[i * k + j] > probabilities[i * k + best]) best = j;
    confusion[actual[i]][best]++;
    if (best === actual[i]) correct++;
    else
      misclassified.push({ path: paths[i], actual: labels[actual[i]], predicted: labels[best], probability: probabilities[i * k + best] });
  }
  const perClass = labels.map((label, c) => {
    const tp = confusion[c][c];
    const predicted = confusion.reduce((s, row) => s + row[c], 0);
    const support = confusion[c].reduce((s, v) => s + v, 0);
    return { label, precision: predicted ? tp / predicted : 0, recall: support ? tp / support : 0, support };
  });
  misclassified.sort((a, b) => b.probability - a.probability);
  return { accuracy: n ? correct / n : 0, labels, perClass, confusion, misclassified, skipped };
}
