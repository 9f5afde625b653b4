// What the native backend check (src/engine/backends/nativeCheck.ts) must compute: a conv2d of the
// 3x3 ramp 1..9 with the 2x2 diagonal kernel [1,0;0,1], and its gradient with respect to the filter.
// Shared by the engine and the editor (which must not import the engine).
export const EXPECTED_CONV2D = [6, 8, 12, 14];
export const EXPECTED_FILTER_GRADIENT = [12, 16, 24, 28];

/**
 * Whether a check's values (the fields of the engine's NativeCheckResult it reads) are the exact
 * known ones; the one-line problem otherwise.
 */
export function nativeCheckProblem(r: { backend: string; conv2d: number[]; filterGradient: number[] }): string | null {
  if (r.backend !== 'tensorflow') return `the engine computed on '${r.backend}', not 'tensorflow'`;
  if (r.conv2d.join() !== EXPECTED_CONV2D.join()) return `conv2d gave ${r.conv2d.join(',')}, expected ${EXPECTED_CONV2D.join(',')}`;
  if (r.filterGradient.join() !== EXPECTED_FILTER_GRADIENT.join())
    return `the filter gradient gave ${r.filterGradient.join(',')}, expected ${EXPECTED_FILTER_GRADIENT.join(',')}`;
  return null;
}
