// The experiment file: what a training run is asked to do. Shared by the CLI, the engine, the
// VS Code wizard/freeze panel and the JSON schema contributed to the editor. Pure data, no I/O.
import type { BackendChoice } from './backends.ts';

/** A built-in base, a local model.json path, or an http(s) URL of a tfjs layers model. */
export type BaseModelRef =
  'efficientnet_lite0' | 'efficientnet_lite1' | 'efficientnet_lite2' | 'inception_v3' | 'mobilenet_v2' | (string & {});

export interface AugmentConfig {
  /** degrees, like Keras ImageDataGenerator rotation_range */
  rotationRange: number;
  /** fraction of width (< 1) like Keras width_shift_range */
  widthShiftRange: number;
  heightShiftRange: number;
  /** shear angle in degrees (Keras shear_range) */
  shearRange: number;
  /** [1 - z, 1 + z] like Keras zoom_range given a float */
  zoomRange: number;
  horizontalFlip: boolean;
  fillMode: 'nearest';
}

export interface PhaseConfig {
  epochs: number;
  learningRate: number;
}

export interface ExperimentConfig {
  /** folder with one subfolder per class */
  data: string;
  /** separate validation folder; otherwise validationSplit of data, stratified and seeded */
  validationData?: string;
  validationSplit: number;
  base: BaseModelRef;
  /** units of the Dense(relu) layer of the new head */
  fcUnits: number;
  batchSize: number;
  seed: number;
  /** phase 1: base frozen, RMSprop */
  transfer: PhaseConfig;
  /** phase 2: SGD momentum 0.9; layers matching `freeze` stay frozen. epochs 0 = skip. */
  fineTune: PhaseConfig & { momentum: number };
  /**
   * Layers of the base frozen during fine-tuning, as ranges: "0-248", "mixed9-", "-block_13_expand",
   * "first 249", "up to mixed8", "from block_13" (see src/core/freeze.ts).
   */
  freeze: string[];
  augment: AugmentConfig | null;
  /** resize like Keras target_size (stretch), or center-crop to the aspect ratio first */
  resize: 'stretch' | 'center-crop';
  earlyStopping: { patience: number; restoreBest: boolean } | null;
  backend: BackendChoice;
  /** where the model directory is written */
  out: string;
}
