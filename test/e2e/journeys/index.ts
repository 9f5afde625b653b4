// The journeys, in the order they run: journey 1b reruns journey 1's experiment and cancels it,
// then journey 2 predicts with the model journey 1 trained (the cancel left it as it was, and it is
// still the only model in the workspace); journey 4 edits and runs its own experiment
// (workspace-template/freeze-demo.cnnlab.json) and opens the architecture of the model it trained.
import type { Journey } from '../lib/journeyTypes.ts';
import { backendPickerJourney } from './backendPicker.ts';
import { cancelJourney } from './cancel.ts';
import { freezeJourney } from './freeze.ts';
import { layerShapesJourney } from './layerShapes.ts';
import { nativeInstallJourney, nativeMismatchJourney } from './nativeInstall.ts';
import { predictJourney } from './predict.ts';
import { restrictedModeJourney } from './restrictedMode.ts';
import { smokeJourney } from './smoke.ts';
import { trainJourney } from './train.ts';

export const JOURNEYS: Journey[] = [
  smokeJourney,
  trainJourney,
  cancelJourney,
  predictJourney,
  layerShapesJourney,
  freezeJourney,
  backendPickerJourney,
  nativeMismatchJourney,
  nativeInstallJourney,
  restrictedModeJourney,
];
