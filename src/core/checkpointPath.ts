// Where a run keeps its checkpoints: a sibling of the model folder, `<out>.checkpoint`. Checkpoints
// never overwrite `out`, so re-running an experiment keeps the previous complete model until the
// new run completes; a crash, a divergence or a cancel leaves it untouched beside the checkpoint.
// Used by the engine (writes, resumes) and the host (offers Resume); pure string work.

export const CHECKPOINT_SUFFIX = '.checkpoint';

export function checkpointDirOf(out: string): string {
  return out.replace(/[\\/]+$/, '') + CHECKPOINT_SUFFIX;
}
