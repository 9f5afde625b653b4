// How a model whose weights stay fixed for a while (prediction, evaluation, the frozen base of a
// transfer phase) runs its forward pass: as one native TensorFlow graph where the backend and its
// layers allow (nativeGraph.ts), otherwise eagerly with BatchNormalization folded into the
// convolutions (foldBatchNorm.ts). Both compute the same function (parity: test/unit/engine/graph).
import { tf } from '../tf.ts';
import { foldBatchNorms } from '../models/foldBatchNorm.ts';
import { compileNativeGraph } from './nativeGraph.ts';

export interface FrozenInference {
  /** 'graph' (native session) or 'eager' (layers op by op, BN folded), and why not the graph */
  path: 'graph' | 'eager';
  reason?: string;
  /** undoes the change: model.predict is the model's own again, the graph or folded weights freed */
  restore(): void;
}

type Predict = tf.LayersModel['predict'];

/**
 * Makes `model.predict` run the frozen forward pass until restore(). The weights must not change
 * in between (a graph holds a copy of them; the folded eager path reads them once too).
 */
export function freezeForInference(model: tf.LayersModel): FrozenInference {
  const graph = compileNativeGraph(model);
  if ('reason' in graph) {
    const unfold = foldBatchNorms(model);
    return { path: 'eager', reason: graph.reason, restore: unfold };
  }
  const own = Object.getOwnPropertyDescriptor(model, 'predict');
  // predict(x) on one 4-D batch: what every caller here passes (no config, one input).
  const predict: Predict = (x) => graph.run(Array.isArray(x) ? x[0] : x);
  Object.defineProperty(model, 'predict', { value: predict, configurable: true, writable: true });
  return {
    path: 'graph',
    restore() {
      if (own) Object.defineProperty(model, 'predict', own);
      else delete (model as Partial<tf.LayersModel>).predict;
      graph.dispose();
    },
  };
}
