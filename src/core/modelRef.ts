// What kind of reference a base or model id is. Pure string work, shared by the engine (which
// loads it) and the host (which asks before a workspace file makes the engine download it).

/** True for a URL (`http://…`, `https://…`, any `scheme://`), as opposed to a path or a bundled id. */
export function isUrl(ref: string): boolean {
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(ref);
}
