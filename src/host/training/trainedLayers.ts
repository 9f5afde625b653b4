// What the CNN Lab log says after a run about which layers trained: one line per phase with the
// layer names, so a user can check that the freeze ranges of the experiment were honoured.
// No `vscode` import.
import type { TrainResult } from '../../protocol/messages.ts';

export function describeTrainedLayers(result: Pick<TrainResult, 'trainedLayers'>): string[] {
  return result.trainedLayers.map(
    (t) => `layers trained in ${t.phase}: ${t.layers.length ? `${t.layers.join(', ')} (${t.layers.length})` : 'none'}`,
  );
}
