// Run as an unprivileged user by unreadable-class.test.ts (root lists any folder): scans a dataset
// with training's own checks and prints the error training would fail with, as JSON.
import { assertEveryClassHasImages, loadDatasetSplit } from '../../../../../src/engine/data/scan.ts';

async function main(): Promise<void> {
  const [dataset] = process.argv.slice(2);
  let error = '';
  let notes: string[] = [];
  try {
    const split = await loadDatasetSplit({ data: dataset, validationSplit: 0, seed: 1 });
    notes = split.notes;
    assertEveryClassHasImages(split, dataset);
  } catch (e) {
    error = (e as Error).message;
  }
  process.stdout.write(JSON.stringify({ error, notes }));
}
void main();
