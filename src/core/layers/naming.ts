// Layer and argument names: tfjs camelCase to Keras snake_case, and Keras' default layer names.
/** camelCase (tfjs) → snake_case (Keras): kernelSize → kernel_size. */
export function toSnakeCase(key: string): string {
  let snake = snakeCache.get(key);
  if (snake === undefined) {
    snake = key.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase();
    snakeCache.set(key, snake);
  }
  return snake;
}
// Argument names repeat across thousands of layers in big files: convert each once.
const snakeCache = new Map<string, string>();
const baseNameCache = new Map<string, string>();

/** Keras' default layer name for a class: Conv2D → conv2d, MaxPooling2D → max_pooling2d. */
export function defaultLayerBaseName(className: string): string {
  let base = baseNameCache.get(className);
  if (base === undefined) {
    base = className
      .replace(/([A-Z]+)([A-Z][a-z])/g, '$1_$2')
      .replace(/([a-z])([A-Z])/g, '$1_$2')
      .toLowerCase();
    baseNameCache.set(className, base);
  }
  return base;
}

/** Generates Keras-style unique names (conv2d, conv2d_1, …) within one naming scope. */
export class LayerNamer {
  private readonly used = new Map<string, number>();
  next(className: string): string {
    const base = defaultLayerBaseName(className);
    const n = this.used.get(base) ?? 0;
    this.used.set(base, n + 1);
    return n === 0 ? base : `${base}_${n}`;
  }
}
