// What every journey gets: the workbench it drives and where its run's files are.
import type { JourneyContext } from './journey.ts';
import type { Workbench } from './workbench.ts';
import type { LoopbackIndex } from '../../unit/host/native/loopbackIndex.ts';

export interface RunPaths {
  /** the workspace folder opened in code-server (a fresh copy of test/e2e/workspace-template) */
  workspace: string;
  /** where screenshots and the summary go */
  resultsDir: string;
  /** palette titles ("CNN Lab: Train Transfer Model") the installed extension must offer */
  expectedPaletteCommands: string[];
  /** the extension's globalStorage folder in the trusted user data (where Install Native Backend writes) */
  globalStorage: string;
}

/** Shared between journeys in one run, e.g. the model that journey 1 trained for journey 2. */
export interface RunState {
  trainedModelDir?: string;
  /** the experiment file journey 1's wizard wrote */
  experimentFile?: string;
  /** the loopback PEP 691 index serving the cached tensorflow-cpu wheel ("cnnLab.native.indexUrl") */
  nativeIndex?: LoopbackIndex;
  /** why there is none (no cached wheel) */
  nativeIndexMissing?: string;
}

export interface Journey {
  name: string;
  /** 'trusted' journeys run with Workspace Trust off; 'restricted' ones in Restricted Mode */
  mode: 'trusted' | 'restricted';
  run(ctx: JourneyContext, wb: Workbench, paths: RunPaths, state: RunState): Promise<void>;
}
