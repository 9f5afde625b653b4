// Where the architecture view and the freeze panel get their layers: a model directory or
// model.json (core's shape inference, no engine needed, works in Restricted Mode), an experiment's
// base (bundled bases come from the engine, cached), a Keras .keras/.h5 file (converted by the
// engine), or a model defined in Python/TS/JS code
// (core's parsers, with each layer's source line).
import { existsSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import * as vscode from 'vscode';
import { BUNDLED_BASE_LABELS } from '../../core/baseLabels.ts';
import { isBundledBaseId } from '../../core/experimentDefaults.ts';
import { parseFreezeSpec } from '../../core/freeze.ts';
import { describeModelJson } from '../../core/modelJson.ts';
import { isKerasApplicationRef } from '../../core/kerasApplications.ts';
import { isKerasModelFile } from '../../core/kerasModelFile.ts';
import { toLayerRow, type LayerRow } from '../../core/layerRow.ts';
import { parseSource, sourceKindFor, sourceKindForPath, type ParsedModel } from '../../core/parsers/index.ts';
import { EXPERIMENT_FILE_SUFFIX } from '../commands.ts';
import type { EngineClient } from '../engineClient.ts';
import { BUILTIN_BASES, parseExperimentText, resolveExperimentPaths } from '../experiment/experimentFile.ts';
import type { ArchitectureRow } from '../../protocol/webview/architecture.ts';
import { toArchitectureRows } from './layerGroups.ts';

export interface LoadedArchitecture {
  title: string;
  /** what the rows describe, one line */
  description: string;
  rows: ArchitectureRow[];
  /** the code file whose lines the rows point at */
  codeUri?: vscode.Uri;
}

const baseCache = new Map<string, Promise<LayerRow[]>>();

/** The layers of an experiment's base: bundled, URL and keras: bases via the engine (once), files via core. */
export function baseLayers(base: string, engine: EngineClient): Promise<LayerRow[]> {
  if ((BUILTIN_BASES as readonly string[]).includes(base) || /^https?:/.test(base) || isKerasApplicationRef(base)) {
    let cached = baseCache.get(base);
    if (!cached) {
      cached = engine.request('describeModel', { path: base });
      cached.catch(() => baseCache.delete(base));
      baseCache.set(base, cached);
    }
    return cached;
  }
  return modelJsonRows(base);
}

async function modelJsonRows(path: string): Promise<LayerRow[]> {
  const file = (await stat(path)).isDirectory() ? join(path, 'model.json') : path;
  if (!existsSync(file)) throw new Error(`${path} has no model.json`);
  let json: unknown;
  try {
    json = JSON.parse(await readFile(file, 'utf8'));
  } catch (e) {
    throw new Error(`${file}: cannot read as JSON (${(e as Error).message})`);
  }
  return describeModelJson(json);
}

function fromParsedModel(model: ParsedModel, uri: vscode.Uri): LoadedArchitecture {
  const rows = model.layers.map(toLayerRow);
  return {
    title: `${model.name} · ${basename(uri.fsPath)}`,
    description: `${model.kind} model defined in ${vscode.workspace.asRelativePath(uri)}: click a layer to reveal its source line`,
    rows: toArchitectureRows(
      rows,
      model.layers.map((l) => l.range.start.line),
    ),
    codeUri: uri,
  };
}

async function fromExperiment(uri: vscode.Uri, text: string, engine: EngineClient): Promise<LoadedArchitecture> {
  const config = resolveExperimentPaths(parseExperimentText(text, vscode.workspace.asRelativePath(uri)), uri.fsPath);
  const rows = await baseLayers(config.base, engine);
  // what fine-tuning will train: every layer not matched by the freeze ranges
  const frozen = parseFreezeSpec(
    config.freeze,
    rows.map((r) => r.name),
  );
  const shown = rows.map((r, i) => ({ ...r, trainable: config.fineTune.epochs > 0 ? !frozen[i] : false }));
  const phase =
    config.fineTune.epochs > 0
      ? `trainable flags as fine-tuning will use them (freeze: ${config.freeze.join(', ') || 'nothing'})`
      : 'the whole base stays frozen (no fine-tune phase)';
  return {
    title: `${basename(config.base)} · ${basename(uri.fsPath)}`,
    description: `Base of ${vscode.workspace.asRelativePath(uri)}${isBundledBaseId(config.base) ? ` (${BUNDLED_BASE_LABELS[config.base]})` : ''}: ${phase}`,
    rows: toArchitectureRows(shown),
  };
}

/** The base a model directory was trained on, as its cnn-lab.json says it; nothing when unsaid. */
async function savedBaseLabel(dir: string): Promise<string | undefined> {
  try {
    const label = JSON.parse(await readFile(join(dir, 'cnn-lab.json'), 'utf8'))?.base?.label;
    return typeof label === 'string' && label.length <= 300 ? label : undefined;
  } catch {
    return undefined;
  }
}

/** Loads what `target` (or the active editor) describes; throws a message naming the file. */
export async function loadArchitecture(target: vscode.Uri | undefined, engine: EngineClient): Promise<LoadedArchitecture> {
  const editor = vscode.window.activeTextEditor;
  const uri = target ?? editor?.document.uri;
  if (!uri)
    throw new Error(
      'Open a model directory, a model.json, a Keras .keras/.h5 file, an experiment file or a model in Python/TypeScript first.',
    );
  const path = uri.fsPath;
  const info = await stat(path).catch(() => undefined);
  if (info?.isDirectory()) {
    const rows = await modelJsonRows(path);
    const base = await savedBaseLabel(path);
    return {
      title: basename(path),
      description: `Model directory ${vscode.workspace.asRelativePath(path)}${base ? `, trained on ${base}` : ''}`,
      rows: toArchitectureRows(rows),
    };
  }
  if (info?.isFile() && isKerasModelFile(path)) {
    // a binary Keras file (train.py's model.keras / model.h5): the engine converts it as predict does
    const rows = await engine.request('describeModel', { path });
    return {
      title: basename(path),
      description: `Keras model ${vscode.workspace.asRelativePath(uri)}, converted on load`,
      rows: toArchitectureRows(rows),
    };
  }
  const open = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
  const text = open ? open.getText() : await readFile(path, 'utf8');
  if (path.endsWith(EXPERIMENT_FILE_SUFFIX)) return fromExperiment(uri, text, engine);
  const kind = open ? sourceKindFor(open.languageId, path) : sourceKindForPath(path);
  if (kind === 'model.json') {
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (e) {
      throw new Error(`${vscode.workspace.asRelativePath(uri)}: not valid JSON (${(e as Error).message})`);
    }
    return {
      title: basename(dirname(path)) + '/' + basename(path),
      description: vscode.workspace.asRelativePath(uri),
      rows: toArchitectureRows(describeModelJson(json)),
    };
  }
  if (kind === 'python' || kind === 'tfjs') {
    const models = parseSource(text, kind).models.filter((m) => m.layers.length > 0);
    if (models.length === 0) throw new Error(`No Keras or tfjs layers model found in ${vscode.workspace.asRelativePath(uri)}.`);
    // the model around the cursor when the file is the active one, else the first
    const line = editor?.document.uri.toString() === uri.toString() ? editor.selection.active.line : -1;
    const here = models.find((m) => m.layers.some((l) => l.range.start.line <= line && line <= l.range.end.line)) ?? models[0];
    return fromParsedModel(here, uri);
  }
  throw new Error(
    `${vscode.workspace.asRelativePath(uri)} is not a model directory, model.json, Keras .keras/.h5 file, experiment or model code.`,
  );
}
