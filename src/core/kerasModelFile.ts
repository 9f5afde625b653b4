// Which paths are Keras model files (what the exported train.py saves): shared by the host (the
// architecture view sends them to the engine) and the engine (which converts them on load).

/** `model.keras` (Keras 3) or `model.h5` (Keras 2 / tf_keras), by extension. */
export function isKerasModelFile(path: string): boolean {
  return /\.(keras|h5)$/i.test(path);
}
