// The compute backends, named once. The protocol's and the experiment's types, the validators, the
// engine's registry and the CLI help derive from these lists; package.json's `cnnLab.backend` enum
// and schemas/experiment.schema.json are JSON and cannot import them, so
// test/unit/core/backendLists.test.ts checks that their enums equal BACKEND_CHOICES.

/** Every backend the engine knows, in the order `cnn-lab backends` lists them. */
export const BACKEND_NAMES = ['tensorflow', 'tensorflow-gpu', 'webgpu', 'wasm', 'cpu'] as const;
export type BackendName = (typeof BACKEND_NAMES)[number];

/** What a setting, an experiment or a request may name: a backend, or `auto` (the fastest that works). */
export const BACKEND_CHOICES = ['auto', ...BACKEND_NAMES] as const;
export type BackendChoice = (typeof BACKEND_CHOICES)[number];

export function isBackendName(value: unknown): value is BackendName {
  return (BACKEND_NAMES as readonly unknown[]).includes(value);
}

export function isBackendChoice(value: unknown): value is BackendChoice {
  return (BACKEND_CHOICES as readonly unknown[]).includes(value);
}
