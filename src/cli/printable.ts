// Text from files (class folder names, labels in a model's metadata, layer names, paths) reaches
// the terminal through the CLI. A name holding an escape sequence would otherwise be executed by
// the terminal (clear the screen, rewrite earlier lines, set the window title), so every line
// the CLI prints passes through printable(): control characters become visible \uXXXX escapes.

// C0 controls except tab and newline, DEL, and the C1 controls (U+009B is a one-character CSI),
// plus the bidirectional overrides that reorder what a line appears to say.
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const UNPRINTABLE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;

/**
 * `text` with every control character written as \uXXXX. The escape is also a valid JSON string
 * escape, so a `--json` line stays valid JSON (and decodes to the original name).
 */
export function printable(text: string): string {
  return text.replace(UNPRINTABLE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
