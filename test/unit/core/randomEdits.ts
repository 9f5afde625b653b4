// Seeded random edits for the tests of re-analysis after an edit: the same sequence every run.

/** `steps` texts, each one random edit (an insertion from `insertions`, or a deleted span) after the one before; every `restartEvery` steps from `base` again. */
export function* randomEdits(
  base: string,
  insertions: readonly string[],
  { steps, restartEvery, seed }: { steps: number; restartEvery: number; seed: number },
): Generator<{ step: number; before: string; text: string; at: number; edit: string }> {
  const rand = (n: number) => (seed = (seed * 1103515245 + 12345) % 2 ** 31) % n;
  let text = base;
  for (let step = 0; step < steps; step++) {
    if (step % restartEvery === 0) text = base;
    const before = text;
    const at = rand(text.length);
    const edit = rand(insertions.length + 1) === 0 ? '' : insertions[rand(insertions.length)];
    text = edit === '' ? text.slice(0, at) + text.slice(at + 1 + rand(30)) : text.slice(0, at) + edit + text.slice(at);
    yield { step, before, text, at, edit };
  }
}
