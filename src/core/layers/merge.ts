// Merge layers: Concatenate along an axis, and the element-wise ones (Add, Subtract, …) that need
// equal shapes.
import { formatShape, shapesEqual, type Shape } from '../shape.ts';
import { noParams, normalizeAxis } from './inference.ts';
import type { InferCall, LayerDef, LayerInference } from './types.ts';

function inferConcatenate({ spec, inputs, diagnostics }: InferCall): LayerInference {
  const none = noParams();
  if (inputs.length < 2) diagnostics.push({ severity: 'warning', message: `Concatenate needs at least 2 inputs, got ${inputs.length}` });
  if (inputs.some((s) => s === null) || inputs.length === 0) return { outputShape: null, params: none, arithmetic: [], diagnostics };
  const shapes = inputs as Shape[];
  const rank = shapes[0].length;
  if (shapes.some((s) => s.length !== rank)) {
    diagnostics.push({ severity: 'error', message: `Concatenate: inputs have different ranks: ${shapes.map(formatShape).join(', ')}` });
    return { outputShape: null, params: none, arithmetic: [], diagnostics };
  }
  // Keras axis counts the batch dimension: -1 → last, 3 → channels of (batch, H, W, C).
  const axis = normalizeAxis(spec.args.axis ?? -1, rank + 1) - 1;
  if (axis < 0 || axis >= rank) {
    diagnostics.push({ severity: 'error', message: `Concatenate: axis ${spec.args.axis} is out of range for ${rank + 1}-D inputs` });
    return { outputShape: null, params: none, arithmetic: [], diagnostics };
  }
  const out = [...shapes[0]];
  for (let d = 0; d < rank; d++) {
    if (d === axis) continue;
    if (shapes.some((s) => s[d] !== shapes[0][d])) {
      diagnostics.push({
        severity: 'error',
        message: `Concatenate: shapes ${shapes.map(formatShape).join(', ')} differ outside the concatenation axis`,
      });
      return { outputShape: null, params: none, arithmetic: [], diagnostics };
    }
  }
  const parts = shapes.map((s) => s[axis]);
  out[axis] = parts.some((p) => p === null) ? null : (parts as number[]).reduce((x, y) => x + y, 0);
  return {
    outputShape: out,
    params: none,
    arithmetic: [`${parts.map((p) => p ?? '?').join(' + ')} = ${out[axis] ?? '?'} along axis ${axis + 1}`],
    diagnostics,
  };
}

function inferElementwise({ spec, inputs, diagnostics, result }: InferCall): LayerInference {
  const known = inputs.filter((s): s is Shape => s !== null);
  if (inputs.length < 2)
    diagnostics.push({ severity: 'warning', message: `${spec.className} needs at least 2 inputs, got ${inputs.length}` });
  if (known.length !== inputs.length || known.length === 0) return result(null, noParams());
  const mismatch = known.find((s) => !shapesEqual(s, known[0]));
  if (mismatch) {
    diagnostics.push({ severity: 'error', message: `${spec.className}: input shapes differ: ${known.map(formatShape).join(', ')}` });
    return result(null, noParams());
  }
  return result(known[0], noParams());
}

export const mergeLayers = {
  Concatenate: {
    aliases: ['concatenate'],
    positional: ['axis'],
    readArgs({ raw, args: a }) {
      a.axis = typeof raw.axis === 'number' ? raw.axis : -1;
    },
    infer: inferConcatenate,
  },
  Add: { aliases: ['add'], infer: inferElementwise },
  Subtract: { aliases: ['subtract'], infer: inferElementwise },
  Multiply: { aliases: ['multiply'], infer: inferElementwise },
  Average: { aliases: ['average'], infer: inferElementwise },
  Maximum: { aliases: ['maximum'], infer: inferElementwise },
  Minimum: { aliases: ['minimum'], infer: inferElementwise },
} satisfies Record<string, LayerDef>;
