// Every command id of the extension, typed in one place. `package.json` `contributes.commands`
// and menus are checked against this table by test/unit/host/commandLint.test.ts.
// No `vscode` import: the lint test reads it in plain Node.
import { IMAGE_EXTENSIONS } from '../core/datasetLayout.ts';

export interface CommandSpec {
  readonly id: `cnnLab.${string}`;
  readonly title: string;
  /** shown in the command palette (false: only reachable from a menu, a view or the status bar) */
  readonly palette: boolean;
  /** runs the engine on workspace data: refused, with an explanation, in Restricted Mode */
  readonly needsTrust: boolean;
}

export const COMMANDS = {
  trainTransferModel: { id: 'cnnLab.trainTransferModel', title: 'Train Transfer Model', palette: true, needsTrust: true },
  runExperiment: { id: 'cnnLab.runExperiment', title: 'Run Experiment', palette: true, needsTrust: true },
  predict: { id: 'cnnLab.predict', title: 'Predict', palette: true, needsTrust: true },
  predictFromUrl: { id: 'cnnLab.predictFromUrl', title: 'Predict from URL', palette: true, needsTrust: true },
  exportModel: { id: 'cnnLab.exportModel', title: 'Export Model…', palette: true, needsTrust: true },
  selectBackend: { id: 'cnnLab.selectBackend', title: 'Select Compute Backend', palette: true, needsTrust: false },
  openArchitecture: { id: 'cnnLab.openArchitecture', title: 'Open Model Architecture', palette: true, needsTrust: false },
  cancelTraining: { id: 'cnnLab.cancelTraining', title: 'Cancel Training', palette: true, needsTrust: false },
  showLayerShapes: { id: 'cnnLab.showLayerShapes', title: 'Show Layer Shapes', palette: true, needsTrust: false },
  showDashboard: { id: 'cnnLab.showDashboard', title: 'Show Training Dashboard', palette: true, needsTrust: false },
  showEngineLog: { id: 'cnnLab.showEngineLog', title: 'Show Engine Log', palette: true, needsTrust: false },
  installNativeBackend: { id: 'cnnLab.installNativeBackend', title: 'Install Native Backend', palette: true, needsTrust: false },
  installNativeBackendGpu: {
    id: 'cnnLab.installNativeBackendGpu',
    title: 'Install Native GPU Backend (CUDA 12)',
    palette: true,
    needsTrust: false,
  },
  installNativeBackendFromFile: {
    id: 'cnnLab.installNativeBackendFromFile',
    title: 'Install Native Backend from File…',
    palette: true,
    needsTrust: false,
  },
  removeNativeBackend: { id: 'cnnLab.removeNativeBackend', title: 'Remove Native Backend', palette: true, needsTrust: false },
} as const satisfies Record<string, CommandSpec>;

export type CommandKey = keyof typeof COMMANDS;
export type CommandId = (typeof COMMANDS)[CommandKey]['id'];

export const COMMAND_CATEGORY = 'CNN Lab';

/** The `when` clause matching the image files the engine decodes (IMAGE_EXTENSIONS), as used in package.json menus: the explorer's Predict entry is limited to them. */
export const IMAGE_WHEN = `resourceExtname =~ /^\\.(${IMAGE_EXTENSIONS.join('|')})$/i`;

/** Keras model files (train.py's model.keras / model.h5): the architecture view opens them through the engine. */
export const KERAS_MODEL_WHEN = 'resourceExtname =~ /^\\.(keras|h5)$/i';

/** The built-in image preview's custom editor, whose title bar gets a Predict button. */
export const IMAGE_PREVIEW_WHEN = 'activeCustomEditorId == imagePreview.previewEditor';

export const EXPERIMENT_FILE_SUFFIX = '.cnnlab.json';

/** The view ids contributed in package.json. */
export const VIEWS = {
  container: 'cnnLab',
  freeze: 'cnnLab.freeze',
} as const;

/** Webview panel types (also the serializer ids restored after a reload). */
export const PANELS = {
  dashboard: 'cnnLab.dashboard',
  architecture: 'cnnLab.architecture',
  prediction: 'cnnLab.prediction',
} as const;
