// Every skipped file is logged once, with its reason: the scan's (symlink loops, broken links,
// names that are not UTF-8) as well as decode failures found later. The scan's used to seed
// this map unlogged, so they were counted in the summary but listed nowhere.
import type { SkippedFile } from '../../protocol/messages.ts';

export class SkippedFiles {
  private readonly byPath = new Map<string, SkippedFile>();

  constructor(private readonly warn: (line: string) => void) {}

  add(list: readonly SkippedFile[]): void {
    for (const s of list) {
      if (!this.byPath.has(s.path)) this.warn(`skipped ${s.path}: ${s.reason}`);
      this.byPath.set(s.path, s);
    }
  }

  get size(): number {
    return this.byPath.size;
  }

  list(): SkippedFile[] {
    return [...this.byPath.values()];
  }
}
