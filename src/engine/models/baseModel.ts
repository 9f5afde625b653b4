// A pretrained base as the engine holds it once loaded: the cut model, what it expects and what it
// yields. Its own module so that the loaders zoo.ts dispatches to (kerasApplication.ts) can return
// one without importing zoo.ts back.
import type { Preprocessing } from '../data/decode-image.ts';
import type { tf } from '../tf.ts';

export interface BaseModel {
  /** 'inception_v3' | 'mobilenet_v2' | absolute model.json path | URL */
  id: string;
  /** honest, human-readable provenance */
  label: string;
  kind: 'layers' | 'graph';
  /** [height, width] the base expects */
  inputSize: [number, number];
  preprocessing: Preprocessing;
  /** the cut layers model (kind 'layers') */
  layers?: tf.LayersModel;
  /** the uncut model the cut shares layers with, disposed together */
  source?: tf.LayersModel;
  /** the graph model (kind 'graph'): features only */
  graph?: tf.GraphModel;
  /** output shape without batch: [h, w, c] (pooled by the head) or [c] */
  featureShape: number[];
  /** names of the base's layers in order (layers bases), for freeze ranges */
  layerNames: string[];
  fineTunable: boolean;
  /** why fine-tuning is impossible, when it is */
  notFineTunableReason?: string;
}
