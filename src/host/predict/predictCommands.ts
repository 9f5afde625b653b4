// Predict (image files from the explorer, the image preview's title bar or a file dialog) and
// Predict from URL: the engine classifies, the prediction view shows top-k bars.
import * as vscode from 'vscode';
import { settings } from '../config.ts';
import type { EngineClient } from '../engineClient.ts';
import { IMAGE_EXTENSIONS, isImageFileName } from '../../core/datasetLayout.ts';
import { PredictionPanel } from '../panels/predictionPanel.ts';
import { ensureTrusted } from '../trust.ts';
import { locateModel } from './modelLocator.ts';
import { remoteBaseOfModelDir } from './remoteBase.ts';
import { confirmRemoteFetch } from '../consent.ts';

const TOP_K = 5;

/** The image the user is looking at in VS Code's image preview, if any. */
function activeImagePreview(): vscode.Uri | undefined {
  const input = vscode.window.tabGroups.activeTabGroup.activeTab?.input;
  if (input instanceof vscode.TabInputCustom && input.viewType === 'imagePreview.previewEditor') return input.uri;
  return undefined;
}

/** The images a Predict invocation is about: explorer selection, preview, or a file dialog. */
export async function imagesToPredict(uri?: vscode.Uri, uris?: vscode.Uri[]): Promise<vscode.Uri[] | undefined> {
  let chosen = uris?.length ? uris : uri ? [uri] : [];
  if (chosen.length === 0) {
    const preview = activeImagePreview();
    if (preview) chosen = [preview];
  }
  if (chosen.length === 0) {
    const picked = await vscode.window.showOpenDialog({
      canSelectMany: true,
      filters: { Images: [...IMAGE_EXTENSIONS] },
      openLabel: 'Predict',
      title: 'CNN Lab: images to classify',
    });
    if (!picked?.length) return undefined;
    chosen = picked;
  }
  const images = chosen.filter((u) => isImageFileName(u.fsPath));
  if (images.length < chosen.length) {
    void vscode.window.showWarningMessage(
      `Skipped ${chosen.length - images.length} file(s) that are not images (${IMAGE_EXTENSIONS.join(', ')}).`,
    );
  }
  return images.length ? images : undefined;
}

export async function predictFiles(
  context: vscode.ExtensionContext,
  engine: EngineClient,
  log: vscode.LogOutputChannel,
  uri?: vscode.Uri,
  uris?: vscode.Uri[],
): Promise<void> {
  if (!(await ensureTrusted('Prediction'))) return;
  const images = await imagesToPredict(uri, uris);
  if (!images) return;
  const modelDir = await locateModel(context);
  if (!modelDir) return;
  await runPrediction(context, engine, log, modelDir, { images: images.map((u) => u.fsPath) });
}

export async function predictFromUrl(context: vscode.ExtensionContext, engine: EngineClient, log: vscode.LogOutputChannel): Promise<void> {
  if (!(await ensureTrusted('Prediction'))) return;
  const url = await vscode.window.showInputBox({
    title: 'CNN Lab: Predict from URL',
    prompt: 'The http(s) address of an image',
    placeHolder: 'https://example.com/cat.jpg',
    ignoreFocusOut: true,
    validateInput: (v) => {
      try {
        const u = new URL(v.trim());
        return u.protocol === 'http:' || u.protocol === 'https:' ? undefined : 'only http and https addresses';
      } catch {
        return 'not a URL';
      }
    },
  });
  if (!url) return;
  const modelDir = await locateModel(context);
  if (!modelDir) return;
  await runPrediction(context, engine, log, modelDir, { url: url.trim() });
}

async function runPrediction(
  context: vscode.ExtensionContext,
  engine: EngineClient,
  log: vscode.LogOutputChannel,
  modelDir: string,
  what: { images?: string[]; url?: string },
): Promise<void> {
  // a model folder's cnn-lab.json can name a URL base that the engine downloads: asked first
  const remote = remoteBaseOfModelDir(modelDir);
  if (remote) {
    const why = `This model keeps only its classifier head; its base model is loaded from "base.id" in ${remote.file}.`;
    if (!(await confirmRemoteFetch(context, remote.url, remote.file, why))) {
      void vscode.window.showInformationMessage(`Prediction cancelled: the download of ${remote.url} was not allowed.`);
      return;
    }
    log.info(`predict: ${remote.file} asks for ${remote.url} (allowed)`);
  }
  const backend = settings.backend;
  try {
    const result = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: 'CNN Lab: predicting…' }, () =>
      engine.request('predict', { modelDir, ...what, topK: TOP_K, backend }),
    );
    for (const p of result.predictions) {
      if (p.error) log.warn(`predict ${p.source}: ${p.error}`);
      else log.info(`predict ${p.source}: ${p.top.map((t) => `${t.label} ${(t.probability * 100).toFixed(1)}%`).join(', ')}`);
    }
    PredictionPanel.show(context, log, modelDir, result.backend, result.predictions);
  } catch (e) {
    const message = `Prediction failed: ${(e as Error).message}`;
    log.error(message);
    void vscode.window.showErrorMessage(message);
  }
}
