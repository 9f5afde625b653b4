// The journeys, in the order they run: journey 2 predicts with the model journey 1 trained, so it
// comes right after it (and while that model is the only one in the workspace); journey 4 edits and
// runs its own experiment (workspace-template/freeze-demo.cnnlab.json).
import type { Journey } from '../lib/journeyTypes.ts';
import { backendPickerJourney } from './backendPicker.ts';
import { freezeJourney } from './freeze.ts';
import { layerShapesJourney } from './layerShapes.ts';
import { predictJourney } from './predict.ts';
import { restrictedModeJourney } from './restrictedMode.ts';
import { smokeJourney } from './smoke.ts';
import { trainJourney } from './train.ts';

export const JOURNEYS: Journey[] = [
  smokeJourney,
  trainJourney,
  predictJourney,
  layerShapesJourney,
  freezeJourney,
  backendPickerJourney,
  restrictedModeJourney,
];
