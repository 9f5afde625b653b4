// The one check for "a JSON object" (not null, not an array) that every reader of untrusted JSON
// starts with: model.json files, experiment files, engine and webview messages.

export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
