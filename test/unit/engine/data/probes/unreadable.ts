// Run as an unprivileged user by inputs-robustness.test.ts (root reads any file, so the test
// cannot see EACCES in its own process): decodes one file and scans one dataset, printing JSON.
import { decodeImage, ImageDecodeError } from '../../../../../src/engine/data/decode-image.ts';
import { scanDataset } from '../../../../../src/engine/data/scan.ts';

async function main(): Promise<void> {
  const [file, dataset] = process.argv.slice(2);
  let decodeReason: string;
  try {
    await decodeImage(file, { size: [8, 8] });
    decodeReason = 'decoded';
  } catch (e) {
    decodeReason = e instanceof ImageDecodeError ? e.reason : `not an ImageDecodeError: ${e}`;
  }
  const scan = await scanDataset(dataset);
  process.stdout.write(JSON.stringify({ decodeReason, files: scan.files.map((f) => f.path), skipped: scan.skipped }));
}
void main();
