// The C allocator settings for a process that runs libtensorflow (the engine, the CLI's train,
// predict and evaluate). glibc's malloc gives threads that allocate at the same time separate
// arenas, up to eight per core, and memory freed into one arena is only reused by the threads
// using that arena; libtensorflow allocates each tensor from whichever of its pool threads runs
// the op, so the freed activations of one step sit in arenas the next step's threads do not
// draw from and the resident size grows well above what is live. One arena makes every thread
// reuse the same freed memory. Measured on 2 cores (bench/README.md, "Fine-tuning memory: one
// malloc arena"): fine-tuning peaks 1299–1454 → 1100–1169 MiB (MobileNetV2), 1489–1625 →
// 1306–1404 (EfficientNet-Lite0), prediction 735–865 → 746–801, at the same speed. A fixed mmap
// threshold (MALLOC_MMAP_THRESHOLD_) saved more in fine-tuning but made prediction ~20 % slower,
// so it is not set.
//
// glibc reads these only when a process starts, hence an environment for a child or a re-exec
// rather than a call. Other platforms and C libraries ignore the names; they are only added on
// Linux. A value the user set is kept.

export const ENGINE_ALLOCATOR_ENV: Readonly<Record<string, string>> = { MALLOC_ARENA_MAX: '1' };

/** `env` with the allocator settings added where it has none of its own (Linux), else `env` itself. */
export function withEngineAllocator(env: NodeJS.ProcessEnv, platform: NodeJS.Platform = process.platform): NodeJS.ProcessEnv {
  if (!lacksEngineAllocator(env, platform)) return env;
  const added = Object.fromEntries(Object.entries(ENGINE_ALLOCATOR_ENV).filter(([name]) => env[name] === undefined));
  return { ...env, ...added };
}

/** Whether a process started with `env` would run without the settings (so it should be started with them). */
export function lacksEngineAllocator(env: NodeJS.ProcessEnv, platform: NodeJS.Platform = process.platform): boolean {
  return platform === 'linux' && Object.keys(ENGINE_ALLOCATOR_ENV).some((name) => env[name] === undefined);
}
