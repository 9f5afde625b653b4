// The journeys, in the order they run: later ones use what earlier ones made (journey 2 predicts
// with the model journey 1 trained; journey 4 edits and reruns journey 1's experiment).
import type { Journey } from '../lib/journeyTypes.ts';
import { backendPickerJourney } from './backendPicker.ts';
import { layerShapesJourney } from './layerShapes.ts';
import { restrictedModeJourney } from './restrictedMode.ts';
import { smokeJourney } from './smoke.ts';

export const JOURNEYS: Journey[] = [smokeJourney, layerShapesJourney, backendPickerJourney, restrictedModeJourney];
