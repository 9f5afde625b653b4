// JavaScript / TypeScript statements as the same tree the Python interpreter runs (pythonSyntax.ts
// Stmt), so the tfjs front end reuses its scopes, calls, loops and branch joins:
// - `function f(a, b = 1, { units = 64 } = {})`, `const f = (x) => …` and methods → def (a
//   destructured parameter is a hidden name unpacked at the top of the body);
// - arrow functions and function expressions inside expressions (`tf.tidy(() => {…})`,
//   `[32, 64].map((f) => …)`) → a def of a hidden name just before the statement, the name in
//   their place (the closure is the scope the statement runs in, as in JavaScript);
// - `for (const x of xs)`, `for (const k in o)`, `for (let i = A; i < B; i += S)` whose body does
//   not assign i → for over a range; other loops → while (the interpreter havocs what they change);
// - if / else, switch (an if chain on ===), try / catch / finally, return, break, continue;
// - import / require forms, with the tfjs packages all named `tf` (the interpreter's namespace).
// Type annotations, `as` casts, `export`, `async` / `await` are skipped. Tolerant: what it cannot
// read becomes a `skip` statement; half-typed code ends a statement at a line that starts one.
import { ExprParser, type Expr, type SourceRange } from './expr.ts';
import type { Param, Stmt } from './pythonSyntax.ts';
import type { Token } from './tokenizer.ts';

/** Packages whose exports are tfjs' `tf` namespace (or the part of it with layers and models). */
const TFJS_PACKAGES = /^@tensorflow\/tfjs(-node(-gpu)?|-layers|-core)?$/;
/** The hidden name the interpreter gives `range` (a file's own `range` must not shadow it). */
export const RANGE_BUILTIN = '$range';
/** The hidden name of the keys of an object or the indices of an array (for … in). */
export const KEYS_BUILTIN = '$keys';

const OPENERS: Record<string, string> = { '(': ')', '[': ']', '{': '}' };
const CLOSERS = new Set([')', ']', '}']);
/** A line starting with one of these continues the expression of the line before (no ASI). */
const CONTINUES = new Set([
  '.',
  '?.',
  '?',
  ':',
  '=>',
  '&&',
  '||',
  '??',
  '+',
  '-',
  '*',
  '/',
  '%',
  '**',
  '=',
  '==',
  '===',
  '!=',
  '!==',
  '<',
  '>',
  '<=',
  '>=',
  ',',
  '+=',
  '-=',
  '*=',
  '/=',
  '|',
  '&',
  '^',
  ')',
  ']',
  '}',
]);
const STATEMENT_STARTS = new Set([
  'const',
  'let',
  'var',
  'function',
  'return',
  'if',
  'for',
  'while',
  'class',
  'export',
  'import',
  'do',
  'switch',
  'try',
  'throw',
  'async',
]);
const AUG_OPS = new Set(['+=', '-=', '*=', '/=', '%=', '**=']);

const isOp = (t: Token | undefined, v: string) => t !== undefined && t.type === 'op' && t.value === v;
const isName = (t: Token | undefined, v: string) => t !== undefined && t.type === 'name' && t.value === v;
const EOF: Token = { type: 'eof', value: '', line: 0, col: 0, endLine: 0, endCol: 0 };

export function parseJsStatements(tokens: Token[]): Stmt[] {
  return parseJsStatementsFrom(tokens, 0).stmts;
}

/**
 * The statements of one piece of a file whose hidden names ($fn…, $arg…) continue from `firstId`,
 * and the next free id: pieces parsed one after the other name them as the whole file would.
 */
export function parseJsStatementsFrom(tokens: Token[], firstId: number): { stmts: Stmt[]; nextId: number } {
  const toks = tokens.filter((t) => t.type !== 'eof' && t.type !== 'newline');
  const ids = { n: firstId };
  const stmts = new JsStatements(toks, ids).all();
  return { stmts, nextId: ids.n };
}

class JsStatements {
  private pos = 0;
  constructor(
    private readonly toks: Token[],
    /** hidden-name counter shared by nested bodies */
    private readonly ids: { n: number },
  ) {}

  private peek(o = 0): Token | undefined {
    return this.toks[this.pos + o];
  }
  private at(v: string, o = 0): boolean {
    return isOp(this.peek(o), v);
  }
  private atName(v: string, o = 0): boolean {
    return isName(this.peek(o), v);
  }
  private range(from: number, to = this.pos): SourceRange {
    const a = this.toks[Math.min(from, this.toks.length - 1)] ?? EOF;
    const b = this.toks[Math.max(Math.min(to, this.toks.length) - 1, 0)] ?? EOF;
    return { start: { line: a.line, col: a.col }, end: { line: b.endLine, col: b.endCol } };
  }
  private done(): boolean {
    return this.pos >= this.toks.length;
  }

  /** Index just past the bracket group opening at i (or the end when it is not closed). */
  private matching(i: number): number {
    const open = this.toks[i];
    if (!open || open.type !== 'op' || !OPENERS[open.value]) return i + 1;
    let depth = 0;
    for (let j = i; j < this.toks.length; j++) {
      const t = this.toks[j];
      if (t.type !== 'op') continue;
      if (OPENERS[t.value]) depth++;
      else if (CLOSERS.has(t.value) && --depth === 0) return j + 1;
    }
    return this.toks.length;
  }

  /**
   * Where the expression starting at `from` ends: a `;`, a `,` (when `commas`), an unbalanced
   * closer, or a line break where JavaScript would insert a semicolon.
   */
  private exprEnd(from: number, commas: boolean): number {
    let depth = 0;
    const startCol = this.toks[from]?.col ?? 0;
    for (let j = from; j < this.toks.length; j++) {
      const t = this.toks[j];
      const prev = this.toks[j - 1];
      if (j > from && prev && t.line > prev.endLine) {
        const prevContinues = prev.type === 'op' && !CLOSERS.has(prev.value);
        const nextContinues = (t.type === 'op' && CONTINUES.has(t.value)) || isName(t, 'as');
        if (depth === 0 && !prevContinues && !nextContinues) return j;
        // half-typed code leaves a bracket open: a statement keyword at or left of this one's column ends it
        if (depth > 0 && t.type === 'name' && STATEMENT_STARTS.has(t.value) && t.col <= startCol && !prevContinues) return j;
      }
      if (t.type !== 'op') continue;
      if (OPENERS[t.value]) depth++;
      else if (CLOSERS.has(t.value)) {
        if (depth === 0) return j;
        depth--;
      } else if (depth === 0 && (t.value === ';' || (commas && t.value === ','))) return j;
    }
    return this.toks.length;
  }

  all(): Stmt[] {
    const out: Stmt[] = [];
    while (!this.done()) {
      const before = this.pos;
      if (this.at('}') || this.at(')') || this.at(']')) {
        this.pos++; // a stray closer (half-typed code)
        continue;
      }
      out.push(...this.statement());
      if (this.pos === before) this.pos++;
    }
    return out;
  }

  /** The statements of the `{ … }` block at pos (or the single statement there). */
  private body(): Stmt[] {
    if (this.at('{')) {
      const end = this.matching(this.pos);
      const inner = new JsStatements(this.toks.slice(this.pos + 1, this.at('}', end - this.pos - 1) ? end - 1 : end), this.ids).all();
      this.pos = end;
      return inner;
    }
    return this.statement();
  }

  private statement(): Stmt[] {
    const start = this.pos;
    const t = this.peek()!;
    if (isOp(t, ';')) {
      this.pos++;
      return [];
    }
    if (isOp(t, '{')) return this.body();
    if (t.type === 'name') {
      switch (t.value) {
        case 'export':
          this.pos++;
          if (this.atName('default')) this.pos++;
          if (this.at('{') || this.at('*')) return this.skipStatement(start);
          return [];
        case 'async':
          if (this.atName('function', 1)) {
            this.pos++;
            return [];
          }
          break;
        case 'declare':
        case 'interface':
        case 'type':
          if (this.peek(1)?.type === 'name') return this.skipDeclaration(start);
          break;
        case 'import':
          if (!this.at('(', 1)) return this.importStatement(start);
          break;
        case 'const':
        case 'let':
        case 'var':
          this.pos++;
          return this.declarations(start);
        case 'function': {
          const def = this.functionDef(true);
          return def ? [def] : [];
        }
        case 'class':
          return this.classStatement(start);
        case 'if':
          return [this.ifStatement(start)];
        case 'for':
          return this.forStatement(start);
        case 'while': {
          this.pos++;
          const test = this.parenExpr();
          return [{ kind: 'while', test, body: this.body(), range: this.range(start) }];
        }
        case 'do': {
          this.pos++;
          const body = this.body();
          if (this.atName('while')) this.pos++;
          const test = this.parenExpr();
          return [{ kind: 'while', test: { kind: 'other', range: test.range }, body, range: this.range(start) }];
        }
        case 'switch':
          return this.switchStatement(start);
        case 'try':
          return [this.tryStatement(start)];
        case 'return': {
          this.pos++;
          const r = this.range(start);
          if (this.done() || this.at(';') || this.at('}') || this.peek()!.line > t.endLine) return [{ kind: 'return', range: r }];
          const { pre, value } = this.expression(false);
          return [...pre, { kind: 'return', value, range: this.range(start) }];
        }
        case 'break':
        case 'continue': {
          this.pos++;
          if (this.peek()?.type === 'name' && this.peek()!.line === t.line) this.pos++; // label
          return [{ kind: t.value, range: this.range(start) }];
        }
        case 'throw':
        case 'debugger':
          return this.skipStatement(start);
      }
      // label: statement
      if (this.at(':', 1) && !this.at('?', -1)) {
        this.pos += 2;
        return [];
      }
    }
    return this.expressionStatement(start);
  }

  private skipStatement(start: number): Stmt[] {
    this.pos = Math.max(this.exprEnd(this.pos + 1, false), this.pos + 1);
    if (this.at(';')) this.pos++;
    return [{ kind: 'skip', range: this.range(start) }];
  }

  /** `interface X {…}`, `type X = …`, `declare …`: types only. */
  private skipDeclaration(start: number): Stmt[] {
    if (this.atName('interface')) {
      while (!this.done() && !this.at('{')) this.pos++;
      this.pos = this.matching(this.pos);
      return [{ kind: 'skip', range: this.range(start) }];
    }
    return this.skipStatement(start);
  }

  /** The expression at pos up to its end, with its arrow functions lifted into defs (`pre`). */
  private expression(commas: boolean): { pre: Stmt[]; value: Expr } {
    const end = this.exprEnd(this.pos, commas);
    const slice = this.toks.slice(this.pos, end);
    this.pos = end;
    if (this.at(';')) this.pos++;
    return this.parseExpr(slice);
  }

  private parseExpr(slice: Token[]): { pre: Stmt[]; value: Expr } {
    const pre: Stmt[] = [];
    const lifted = this.liftFunctions(slice, pre);
    if (lifted.length === 0) return { pre, value: { kind: 'other', range: this.range(this.pos, this.pos) } };
    const last = lifted[lifted.length - 1];
    const p = new ExprParser([...lifted, { ...EOF, line: last.endLine, col: last.endCol }], 'javascript');
    return { pre, value: p.expression() };
  }

  /** `( expr )` at pos (a condition); its arrow functions are lifted too. */
  private parenExpr(): Expr {
    if (!this.at('(')) return { kind: 'other', range: this.range(this.pos, this.pos + 1) };
    const end = this.matching(this.pos);
    const slice = this.toks.slice(this.pos + 1, end - 1);
    this.pos = end;
    return this.parseExpr(slice).value;
  }

  /**
   * Replaces each arrow function and function expression in `slice` by a hidden name, whose def
   * goes to `pre`. Their bodies are parsed as statements (recursively lifting their own).
   */
  private liftFunctions(slice: Token[], pre: Stmt[]): Token[] {
    const out: Token[] = [];
    for (let i = 0; i < slice.length; i++) {
      const t = slice[i];
      // `this.model` is a variable of the method it is used in (`this.model = tf.sequential()`
      // then `this.model.add(…)`); another method's `this.model` is not known there
      if (isName(t, 'this') && isOp(slice[i + 1], '.') && slice[i + 2]?.type === 'name' && !isOp(out[out.length - 1], '.')) {
        const n = slice[i + 2];
        out.push({ type: 'name', value: `this.${n.value}`, line: t.line, col: t.col, endLine: n.endLine, endCol: n.endCol });
        i += 2;
        continue;
      }
      if (isName(t, 'function')) {
        const sub = new JsStatements(slice.slice(i), this.ids);
        const def = sub.functionDef(false);
        if (def) {
          pre.push(def);
          out.push(this.hiddenName(def.name, t));
          i += Math.max(sub.pos - 1, 0);
          continue;
        }
      }
      if (isOp(t, '=>')) {
        // parameters: one name, or the bracket group before (a return type annotation skipped)
        let j = out.length - 1;
        let params: Token[] | null = null;
        let from = j;
        if (out[j]?.type === 'name' && !isOp(out[j - 1], ':') && !isOp(out[j - 1], '.')) {
          params = [out[j]];
          from = j;
        } else {
          while (j >= 0 && !isOp(out[j], ')') && j > out.length - 12 && !isOp(out[j], '(')) j--;
          if (isOp(out[j], ')')) {
            let depth = 0;
            let k = j;
            for (; k >= 0; k--) {
              if (isOp(out[k], ')')) depth++;
              else if (isOp(out[k], '(') && --depth === 0) break;
            }
            if (k >= 0) {
              params = out.slice(k + 1, j);
              from = k;
            }
          }
        }
        if (params) {
          if (isName(out[from - 1], 'async')) from--;
          const bodyStart = i + 1;
          let bodyEnd: number;
          let bodyStmts: Stmt[];
          if (isOp(slice[bodyStart], '{')) {
            const sub = new JsStatements(slice, this.ids);
            bodyEnd = sub.matching(bodyStart);
            bodyStmts = new JsStatements(slice.slice(bodyStart + 1, isOp(slice[bodyEnd - 1], '}') ? bodyEnd - 1 : bodyEnd), this.ids).all();
          } else {
            // an expression body: up to the `,` or closer at its own level
            let depth = 0;
            bodyEnd = bodyStart;
            for (; bodyEnd < slice.length; bodyEnd++) {
              const b = slice[bodyEnd];
              if (b.type !== 'op') continue;
              if (OPENERS[b.value]) depth++;
              else if (CLOSERS.has(b.value)) {
                if (depth === 0) break;
                depth--;
              } else if (depth === 0 && (b.value === ',' || b.value === ';')) break;
            }
            const sub = new JsStatements([], this.ids);
            const { pre: inner, value } = sub.parseExpr(slice.slice(bodyStart, bodyEnd));
            bodyStmts = [...inner, { kind: 'return', value, range: value.range }];
          }
          const name = `$fn${this.ids.n++}`;
          const { params: ps, prologue } = this.params(params);
          const r = {
            start: { line: out[from].line, col: out[from].col },
            end: { line: slice[bodyEnd - 1]?.endLine ?? t.endLine, col: slice[bodyEnd - 1]?.endCol ?? t.endCol },
          };
          pre.push(defStmt(name, ps, [...prologue, ...bodyStmts], r));
          const anchor = out[from];
          out.length = from;
          out.push(this.hiddenName(name, anchor));
          i = bodyEnd - 1;
          continue;
        }
      }
      out.push(t);
    }
    return out;
  }

  private hiddenName(name: string, at: Token): Token {
    return { type: 'name', value: name, line: at.line, col: at.col, endLine: at.endLine, endCol: at.endCol };
  }

  /** `function [name](params) [: T] { body }` at pos; a declaration needs a name. */
  functionDef(declaration: boolean): Extract<Stmt, { kind: 'def' }> | null {
    const start = this.pos;
    this.pos++; // function
    if (this.at('*')) this.pos++;
    let name: string;
    if (this.peek()?.type === 'name' && !this.at('(')) name = this.toks[this.pos++].value;
    else if (declaration) return null;
    else name = `$fn${this.ids.n++}`;
    if (this.at('<')) this.skipTypeParams();
    if (!this.at('(')) return null;
    const close = this.matching(this.pos);
    const { params, prologue } = this.params(this.toks.slice(this.pos + 1, close - 1));
    this.pos = close;
    this.skipAnnotationTo('{');
    if (!this.at('{')) return null;
    const body = this.body();
    return defStmt(name, params, [...prologue, ...body], this.range(start));
  }

  private skipTypeParams(): void {
    let depth = 0;
    do {
      const t = this.peek();
      if (!t) return;
      if (isOp(t, '<')) depth++;
      else if (isOp(t, '>')) depth--;
      else if (isOp(t, '>>')) depth -= 2;
      this.pos++;
    } while (depth > 0 && !this.done());
  }

  /** A `: Type` annotation up to the token `stop` (a body brace, `=`), brackets skipped. */
  private skipAnnotationTo(stop: string): void {
    if (!this.at(':')) return;
    this.pos++;
    let guard = 0;
    while (!this.done() && !this.at(stop) && !this.at(';') && guard++ < 200) {
      if (this.at('{') && stop === '{' && !this.at(':', -1) && !this.at('|', -1) && !this.at('<', -1) && !this.at(',', -1)) break;
      if (this.at('(') || this.at('[') || (this.at('{') && stop !== '{')) this.pos = this.matching(this.pos);
      else if (this.at('{')) this.pos = this.matching(this.pos);
      else this.pos++;
    }
  }

  /** Parameters: names with defaults; a destructured one is a hidden name unpacked in `prologue`. */
  private params(tokens: Token[]): { params: Param[]; prologue: Stmt[] } {
    const params: Param[] = [];
    const prologue: Stmt[] = [];
    for (const part of splitTop(tokens, ',')) {
      if (part.length === 0) continue;
      const sub = new JsStatements(part, this.ids);
      if (sub.at('...')) {
        sub.pos++;
        const n = sub.peek();
        if (n?.type === 'name') params.push({ name: n.value, star: 'star' });
        continue;
      }
      while (
        sub.peek()?.type === 'name' &&
        ['public', 'private', 'protected', 'readonly'].includes(sub.peek()!.value) &&
        sub.peek(1)?.type === 'name'
      )
        sub.pos++;
      const first = sub.peek()!;
      let name: string;
      let pattern: Token[] | null = null;
      if (isOp(first, '{') || isOp(first, '[')) {
        const end = sub.matching(sub.pos);
        pattern = part.slice(sub.pos, end);
        sub.pos = end;
        name = `$arg${this.ids.n++}`;
      } else if (first.type === 'name') {
        name = first.value;
        sub.pos++;
      } else continue;
      if (sub.at('?')) sub.pos++;
      sub.skipAnnotationTo('=');
      let def: Expr | undefined;
      if (sub.at('=')) {
        sub.pos++;
        const { pre, value } = sub.parseExpr(part.slice(sub.pos));
        prologue.push(...pre);
        def = value;
      }
      params.push(def ? { name, default: def } : { name });
      if (pattern) prologue.push(...this.pattern(pattern, { kind: 'name', value: name, range: rangeOfTokens(pattern) }));
    }
    return { params, prologue };
  }

  /** `{ a, b: c, d = 1, ...rest }` / `[a, b]` bound from `value`. */
  private pattern(tokens: Token[], value: Expr): Stmt[] {
    const r = rangeOfTokens(tokens);
    const inner = tokens.slice(1, isOp(tokens[tokens.length - 1], isOp(tokens[0], '{') ? '}' : ']') ? -1 : undefined);
    if (isOp(tokens[0], '[')) {
      const items: Expr[] = splitTop(inner, ',').map((p) => {
        const n = p.find((x) => x.type === 'name' && !isOp(p[0], '...'));
        return n ? { kind: 'name', value: n.value, range: r } : { kind: 'name', value: `$hole${this.ids.n++}`, range: r };
      });
      return [{ kind: 'assign', targets: [{ kind: 'list', items, range: r }], value, range: r }];
    }
    const props: Extract<Stmt, { kind: 'unpack' }>['props'] = [];
    const nested: Stmt[] = [];
    for (const part of splitTop(inner, ',')) {
      if (part.length === 0) continue;
      if (isOp(part[0], '...')) {
        if (part[1]?.type === 'name') props.push({ key: '', target: part[1].value, rest: true });
        continue;
      }
      const key = part[0];
      if (key.type !== 'name' && key.type !== 'string') continue;
      let i = 1;
      let target = key.value;
      if (isOp(part[1], ':')) {
        const t = part[2];
        if (isOp(t, '{') || isOp(t, '[')) {
          const sub = new JsStatements(part, this.ids);
          const end = sub.matching(2);
          const hidden = `$arg${this.ids.n++}`;
          props.push({ key: key.value, target: hidden });
          nested.push(...this.pattern(part.slice(2, end), { kind: 'name', value: hidden, range: r }));
          continue;
        }
        if (t?.type !== 'name') continue;
        target = t.value;
        i = 3;
      }
      let def: Expr | undefined;
      if (isOp(part[i], '=')) {
        const { pre, value: d } = this.parseExpr(part.slice(i + 1));
        nested.unshift(...pre);
        def = d;
      }
      props.push(def ? { key: key.value, target, default: def } : { key: key.value, target });
    }
    return [{ kind: 'unpack', props, value, range: r }, ...nested];
  }

  private declarations(start: number): Stmt[] {
    const out: Stmt[] = [];
    for (let guard = 0; !this.done() && guard < 1000; guard++) {
      const t = this.peek()!;
      let target: Token[] | null = null;
      let name: string | null = null;
      if (isOp(t, '{') || isOp(t, '[')) {
        const end = this.matching(this.pos);
        target = this.toks.slice(this.pos, end);
        this.pos = end;
      } else if (t.type === 'name') {
        name = t.value;
        this.pos++;
      } else break;
      if (this.at('!')) this.pos++;
      this.skipAnnotationTo('=');
      if (this.at('=')) {
        this.pos++;
        const declStart = this.pos;
        // `const f = function …` / `const f = (…) => …`: a def with the variable's name
        const { pre, value } = this.expression(true);
        const r = this.range(start);
        const lastPre = pre[pre.length - 1];
        if (
          name &&
          value.kind === 'name' &&
          lastPre?.kind === 'def' &&
          value.value === lastPre.name &&
          /^\$fn/.test(value.value) &&
          declStart < this.pos
        ) {
          out.push(...pre.slice(0, -1), { ...lastPre, name });
        } else {
          out.push(...pre);
          if (name) out.push({ kind: 'assign', targets: [{ kind: 'name', value: name, range: rangeOfTokens([t]) }], value, range: r });
          else if (target) out.push(...this.pattern(target, value));
        }
      } else if (name) {
        out.push({
          kind: 'assign',
          targets: [{ kind: 'name', value: name, range: rangeOfTokens([t]) }],
          value: { kind: 'name', value: 'undefined', range: rangeOfTokens([t]) },
          range: this.range(start),
        });
        if (this.at(';')) this.pos++;
      }
      if (this.at(',')) {
        this.pos++;
        continue;
      }
      if (this.at(';')) this.pos++;
      break;
    }
    return out;
  }

  private expressionStatement(start: number): Stmt[] {
    const end = this.exprEnd(this.pos, false);
    const slice = this.toks.slice(this.pos, end);
    this.pos = end;
    if (this.at(';')) this.pos++;
    if (slice.length === 0) return [];
    const r = rangeOfTokens(slice);
    // `a = b`, `[a, b] = c`, `({ a } = c)`, `a += b`, `i++`
    let depth = 0;
    for (let i = 0; i < slice.length; i++) {
      const t = slice[i];
      if (t.type !== 'op') continue;
      if (OPENERS[t.value]) depth++;
      else if (CLOSERS.has(t.value)) depth--;
      else if (depth === 0 && (t.value === '=' || AUG_OPS.has(t.value))) {
        const left = slice.slice(0, i);
        const { pre, value } = this.parseExpr(slice.slice(i + 1));
        if (isOp(left[0], '{') && t.value === '=') return [...pre, ...this.pattern(left, value)];
        const target = this.parseExpr(left).value;
        if (t.value === '=') return [...pre, { kind: 'assign', targets: [target], value, range: r }];
        return [...pre, { kind: 'augassign', target, op: t.value.slice(0, -1), value, range: r }];
      } else if (depth === 0 && t.value === '=>') break;
    }
    const n = slice.length;
    if (n >= 3 && isOp(slice[n - 1], slice[n - 2].value) && (isOp(slice[n - 1], '+') || isOp(slice[n - 1], '-'))) {
      const target = this.parseExpr(slice.slice(0, n - 2)).value;
      return [{ kind: 'augassign', target, op: slice[n - 1].value, value: { kind: 'num', value: 1, range: r }, range: r }];
    }
    void start;
    const { pre, value } = this.parseExpr(slice);
    if (value.kind === 'other') return pre;
    return [...pre, { kind: 'expr', value, range: r }];
  }

  private importStatement(start: number): Stmt[] {
    const end = this.exprEnd(this.pos, false);
    const slice = this.toks.slice(this.pos + 1, end);
    this.pos = end;
    if (this.at(';')) this.pos++;
    const r = this.range(start);
    const fromAt = slice.findIndex((t) => isName(t, 'from'));
    const moduleTok = fromAt >= 0 ? slice[fromAt + 1] : slice[0];
    if (!moduleTok || moduleTok.type !== 'string') return [{ kind: 'skip', range: r }];
    const root = moduleRoot(moduleTok.value);
    const clause = fromAt >= 0 ? slice.slice(0, fromAt).filter((t) => !isName(t, 'type')) : [];
    const names: { name: string; as: string }[] = [];
    const binds: Stmt[] = [];
    for (let i = 0; i < clause.length; i++) {
      const t = clause[i];
      if (isOp(t, '*') && isName(clause[i + 1], 'as') && clause[i + 2]?.type === 'name') {
        binds.push(moduleBinding(clause[i + 2].value, root, r));
        i += 2;
      } else if (isOp(t, '{')) {
        for (i++; i < clause.length && !isOp(clause[i], '}'); i++) {
          const n = clause[i];
          if (n.type !== 'name' && n.type !== 'string') continue;
          if (isName(clause[i + 1], 'as') && clause[i + 2]?.type === 'name') {
            names.push({ name: n.value, as: clause[i + 2].value });
            i += 2;
          } else names.push({ name: n.value, as: n.value });
        }
      } else if (t.type === 'name') binds.push(moduleBinding(t.value, root, r)); // default import
    }
    return [...binds, { kind: 'import', module: root, names, range: r }];
  }

  private classStatement(start: number): Stmt[] {
    this.pos++; // class
    const name = this.peek()?.type === 'name' ? this.toks[this.pos++].value : `$class${this.ids.n++}`;
    while (!this.done() && !this.at('{')) this.pos++;
    const end = this.matching(this.pos);
    const members = this.toks.slice(this.pos + 1, end - 1);
    this.pos = end;
    const body: Stmt[] = [];
    const sub = new JsStatements(members, this.ids);
    while (!sub.done()) {
      const before = sub.pos;
      while (
        sub.peek()?.type === 'name' &&
        ['static', 'async', 'public', 'private', 'protected', 'readonly', 'get', 'set', 'override'].includes(sub.peek()!.value) &&
        (sub.peek(1)?.type === 'name' || sub.at('(', 1) === false)
      ) {
        if (sub.at('(', 1) || sub.at('=', 1) || sub.at(':', 1)) break;
        sub.pos++;
      }
      const t = sub.peek();
      if (t?.type === 'name' && sub.at('(', 1)) {
        const mStart = sub.pos;
        sub.pos++;
        const close = sub.matching(sub.pos);
        const { params, prologue } = sub.params(members.slice(sub.pos + 1, close - 1));
        sub.pos = close;
        sub.skipAnnotationTo('{');
        if (sub.at('{')) body.push(defStmt(t.value, params, [...prologue, ...sub.body()], sub.range(mStart)));
      } else {
        // a field (`x = 1;`, `y: T;`): skipped
        sub.pos = Math.max(sub.exprEnd(sub.pos + 1, false), sub.pos + 1);
        if (sub.at(';')) sub.pos++;
      }
      if (sub.pos === before) sub.pos++;
    }
    return [{ kind: 'class', name, body, range: this.range(start) }];
  }

  private ifStatement(start: number): Stmt {
    this.pos++; // if
    const test = this.parenExpr();
    const body = this.body();
    let orelse: Stmt[] = [];
    if (this.atName('else')) {
      this.pos++;
      orelse = this.atName('if') ? [this.ifStatement(this.pos)] : this.body();
    }
    return { kind: 'if', test, body, orelse, range: this.range(start) };
  }

  private forStatement(start: number): Stmt[] {
    this.pos++; // for
    if (this.atName('await')) this.pos++;
    if (!this.at('(')) return [{ kind: 'skip', range: this.range(start) }];
    const close = this.matching(this.pos);
    const header = this.toks.slice(this.pos + 1, close - 1);
    this.pos = close;
    const body = this.body();
    const r = this.range(start);
    let h = header;
    if (isName(h[0], 'const') || isName(h[0], 'let') || isName(h[0], 'var')) h = h.slice(1);
    // for (x of xs) / for (k in o)
    let depth = 0;
    for (let i = 0; i < h.length; i++) {
      const t = h[i];
      if (t.type === 'op' && OPENERS[t.value]) depth++;
      else if (t.type === 'op' && CLOSERS.has(t.value)) depth--;
      else if (depth === 0 && (isName(t, 'of') || isName(t, 'in')) && i > 0) {
        const left = h.slice(0, i);
        const { pre, value } = this.parseExpr(h.slice(i + 1));
        const iter: Expr = isName(t, 'in')
          ? {
              kind: 'call',
              callee: { kind: 'name', value: KEYS_BUILTIN, range: value.range },
              args: [value],
              kwargs: [],
              range: value.range,
            }
          : value;
        if (left.length === 1 && left[0].type === 'name')
          return [
            ...pre,
            { kind: 'for', target: { kind: 'name', value: left[0].value, range: rangeOfTokens(left) }, iter, body, orelse: [], range: r },
          ];
        // a destructuring loop variable: bound from a hidden one at the top of the body
        const hidden = `$item${this.ids.n++}`;
        return [
          ...pre,
          {
            kind: 'for',
            target: { kind: 'name', value: hidden, range: r },
            iter,
            body: [...this.pattern(left, { kind: 'name', value: hidden, range: r }), ...body],
            orelse: [],
            range: r,
          },
        ];
      }
    }
    const [init, test, update] = splitTop(header, ';');
    const counted = countedLoop(init ?? [], test ?? [], update ?? [], body, this);
    if (counted) return [...counted.pre, { kind: 'for', target: counted.target, iter: counted.iter, body, orelse: [], range: r }];
    const initStmts = init && init.length > 0 ? new JsStatements(init, this.ids).all() : [];
    const testExpr = test && test.length > 0 ? this.parseExpr(test).value : ({ kind: 'name', value: 'true', range: r } as Expr);
    const updateStmts = update && update.length > 0 ? new JsStatements(update, this.ids).all() : [];
    return [...initStmts, { kind: 'while', test: testExpr, body: [...body, ...updateStmts], range: r }];
  }

  private switchStatement(start: number): Stmt[] {
    this.pos++; // switch
    const subject = this.parenExpr();
    if (!this.at('{')) return [{ kind: 'skip', range: this.range(start) }];
    const end = this.matching(this.pos);
    const inner = this.toks.slice(this.pos + 1, end - 1);
    this.pos = end;
    // cases: their tests and bodies; a case that falls through shares the next one's body
    const cases: { tests: Expr[] | null; body: Stmt[]; ends: boolean }[] = [];
    const sub = new JsStatements(inner, this.ids);
    let cur: { tests: Expr[] | null; body: Stmt[]; ends: boolean } | null = null;
    while (!sub.done()) {
      const before = sub.pos;
      if (sub.atName('case') || (sub.atName('default') && sub.at(':', 1))) {
        const isDefault = sub.atName('default');
        sub.pos++;
        let test: Expr | null = null;
        if (!isDefault) {
          let depth = 0;
          let j = sub.pos;
          for (; j < inner.length; j++) {
            const t = inner[j];
            if (t.type === 'op' && OPENERS[t.value]) depth++;
            else if (t.type === 'op' && CLOSERS.has(t.value)) depth--;
            else if (depth === 0 && isOp(t, ':')) break;
          }
          test = sub.parseExpr(inner.slice(sub.pos, j)).value;
          sub.pos = j;
        }
        if (sub.at(':')) sub.pos++;
        if (cur && !cur.ends && cur.body.length === 0) {
          if (cur.tests && test) cur.tests.push(test);
          else cur.tests = null;
        } else {
          cur = { tests: test ? [test] : null, body: [], ends: false };
          cases.push(cur);
        }
        continue;
      }
      const stmts = sub.statement();
      if (cur) {
        for (const s of stmts) {
          if (cur.ends) break;
          if (s.kind === 'break') cur.ends = true;
          else {
            cur.body.push(s);
            if (s.kind === 'return') cur.ends = true;
          }
        }
      }
      if (sub.pos === before) sub.pos++;
    }
    // falling through into the next case: that body follows
    for (let i = cases.length - 2; i >= 0; i--) if (!cases[i].ends) cases[i].body.push(...cases[i + 1].body);
    let orelse: Stmt[] = cases.find((c) => c.tests === null)?.body ?? [];
    for (let i = cases.length - 1; i >= 0; i--) {
      const c = cases[i];
      if (!c.tests) continue;
      const test = c.tests
        .map((t): Expr => ({ kind: 'cmp', op: '==', left: subject, right: t, range: t.range }))
        .reduce((a, b): Expr => ({ kind: 'bool', op: 'or', left: a, right: b, range: a.range }));
      orelse = [{ kind: 'if', test, body: c.body, orelse, range: this.range(start) }];
    }
    return orelse;
  }

  private tryStatement(start: number): Stmt {
    this.pos++; // try
    const body = this.body();
    const handlers: Stmt[][] = [];
    let final: Stmt[] = [];
    if (this.atName('catch')) {
      this.pos++;
      if (this.at('(')) this.pos = this.matching(this.pos);
      handlers.push(this.body());
    }
    if (this.atName('finally')) {
      this.pos++;
      final = this.body();
    }
    return { kind: 'try', body, handlers, orelse: [], final, range: this.range(start) };
  }

  /** Public for countedLoop: parses a token slice as one expression. */
  exprOf(tokens: Token[]): Expr {
    return this.parseExpr(tokens).value;
  }
}

function defStmt(name: string, params: Param[], body: Stmt[], r: SourceRange): Extract<Stmt, { kind: 'def' }> {
  const calls = new Set<string>();
  const refs = new Set<string>();
  collectNames(body, calls, refs);
  for (const p of params) if (p.default) exprNames(p.default, calls, refs);
  return { kind: 'def', name, params, body, range: r, calls, refs };
}

/** Names a body calls and reads (the interpreter's standalone analysis orders builders by them). */
function collectNames(body: Stmt[], calls: Set<string>, refs: Set<string>): void {
  for (const s of body) {
    for (const e of stmtExprs(s)) exprNames(e, calls, refs);
    if (s.kind === 'def') {
      s.calls.forEach((c) => calls.add(c));
      s.refs.forEach((c) => refs.add(c));
    }
    for (const b of stmtBodies(s)) collectNames(b, calls, refs);
  }
}

function stmtExprs(s: Stmt): Expr[] {
  switch (s.kind) {
    case 'assign':
      return [...s.targets, s.value];
    case 'augassign':
      return [s.target, s.value];
    case 'expr':
    case 'unpack':
      return [s.value];
    case 'if':
    case 'while':
      return [s.test];
    case 'for':
      return [s.iter];
    case 'return':
      return s.value ? [s.value] : [];
    default:
      return [];
  }
}

function stmtBodies(s: Stmt): Stmt[][] {
  switch (s.kind) {
    case 'if':
      return [s.body, s.orelse];
    case 'for':
      return [s.body, s.orelse];
    case 'while':
    case 'with':
    case 'class':
      return [s.body];
    case 'try':
      return [s.body, ...s.handlers, s.orelse, s.final];
    default:
      return [];
  }
}

function exprNames(e: Expr, calls: Set<string>, refs: Set<string>): void {
  switch (e.kind) {
    case 'name':
      refs.add(e.value);
      return;
    case 'call':
      if (e.callee.kind === 'name') calls.add(e.callee.value);
      exprNames(e.callee, calls, refs);
      e.args.forEach((a) => exprNames(a, calls, refs));
      return;
    case 'attr':
      exprNames(e.obj, calls, refs);
      return;
    case 'list':
      e.items.forEach((i) => exprNames(i, calls, refs));
      return;
    case 'obj':
      e.props.forEach((p) => exprNames(p.value, calls, refs));
      return;
    case 'bin':
    case 'cmp':
    case 'bool':
      exprNames(e.left, calls, refs);
      exprNames(e.right, calls, refs);
      return;
    case 'neg':
    case 'not':
    case 'star':
      exprNames(e.arg, calls, refs);
      return;
    case 'sub':
      exprNames(e.obj, calls, refs);
      exprNames(e.index, calls, refs);
      return;
    case 'cond':
      exprNames(e.test, calls, refs);
      exprNames(e.then, calls, refs);
      exprNames(e.orelse, calls, refs);
      return;
    default:
      return;
  }
}

/**
 * `for (let i = A; i < B; i++)` (also <=, >, >=, i--, i += S, i -= S) whose body does not assign
 * i: a for over $range(A, B, S). Null when the header is another shape (then it is a while loop).
 */
function countedLoop(
  init: Token[],
  test: Token[],
  update: Token[],
  body: Stmt[],
  p: { exprOf(t: Token[]): Expr },
): { pre: Stmt[]; target: Expr; iter: Expr } | null {
  let i = init;
  if (isName(i[0], 'let') || isName(i[0], 'var') || isName(i[0], 'const')) i = i.slice(1);
  const v = i[0];
  if (v?.type !== 'name' || !isOp(i[1], '=')) return null;
  if (test.length < 3 || !isName(test[0], v.value) || test[1].type !== 'op' || !['<', '<=', '>', '>='].includes(test[1].value)) return null;
  let step: Expr | null = null;
  const r = rangeOfTokens([...init, ...test, ...update]);
  const u = update;
  const num = (n: number): Expr => ({ kind: 'num', value: n, range: r });
  if (u.length === 3 && isName(u[0], v.value) && isOp(u[1], u[2].value) && (isOp(u[1], '+') || isOp(u[1], '-')))
    step = num(isOp(u[1], '+') ? 1 : -1);
  else if (u.length === 3 && isName(u[2], v.value) && isOp(u[0], u[1].value) && (isOp(u[0], '+') || isOp(u[0], '-')))
    step = num(isOp(u[0], '+') ? 1 : -1);
  else if (u.length >= 3 && isName(u[0], v.value) && (isOp(u[1], '+=') || isOp(u[1], '-='))) {
    const s = p.exprOf(u.slice(2));
    step = isOp(u[1], '+=') ? s : { kind: 'neg', arg: s, range: r };
  }
  if (!step) return null;
  const assigned = new Set<string>();
  assignedNames(body, assigned);
  if (assigned.has(v.value)) return null;
  const start = p.exprOf(i.slice(2));
  const bound = p.exprOf(test.slice(2));
  const op = test[1].value;
  // <= B is < B + 1 and >= B is > B − 1 for the integer counters loops use (range needs integers)
  const stop: Expr =
    op === '<='
      ? { kind: 'bin', op: '+', left: bound, right: num(1), range: r }
      : op === '>='
        ? { kind: 'bin', op: '-', left: bound, right: num(1), range: r }
        : bound;
  const upward = op === '<' || op === '<=';
  // a counter stepping away from its bound never ends: not a range (the while loop havocs it)
  if (step.kind === 'num' && step.value > 0 !== upward) return null;
  if (step.kind === 'neg' && upward) return null;
  return {
    pre: [],
    target: { kind: 'name', value: v.value, range: r },
    iter: { kind: 'call', callee: { kind: 'name', value: RANGE_BUILTIN, range: r }, args: [start, stop, step], kwargs: [], range: r },
  };
}

function assignedNames(body: Stmt[], into: Set<string>): void {
  for (const s of body) {
    if (s.kind === 'assign') s.targets.forEach((t) => t.kind === 'name' && into.add(t.value));
    if (s.kind === 'augassign' && s.target.kind === 'name') into.add(s.target.value);
    if (s.kind === 'for' && s.target.kind === 'name') into.add(s.target.value);
    if (s.kind === 'unpack') s.props.forEach((p) => into.add(p.target));
    for (const b of stmtBodies(s)) assignedNames(b, into);
  }
}

function splitTop(tokens: Token[], op: string): Token[][] {
  const parts: Token[][] = [[]];
  let depth = 0;
  for (const t of tokens) {
    if (t.type === 'op') {
      if (OPENERS[t.value]) depth++;
      else if (CLOSERS.has(t.value)) depth--;
      else if (t.value === op && depth === 0) {
        parts.push([]);
        continue;
      }
      // `<T, U>` generics in a parameter's type are not separators (commas only: `;` splits a for header with `i < n`)
      if (op === ',' && t.value === '<') depth++;
      else if (op === ',' && t.value === '>') depth--;
    }
    parts[parts.length - 1].push(t);
  }
  return parts;
}

function rangeOfTokens(tokens: Token[]): SourceRange {
  const a = tokens[0] ?? EOF;
  const b = tokens[tokens.length - 1] ?? EOF;
  return { start: { line: a.line, col: a.col }, end: { line: b.endLine, col: b.endCol } };
}

/** The interpreter's namespace path for a module: ['tf'] for the tfjs packages. */
function moduleRoot(module: string): string[] {
  return TFJS_PACKAGES.test(module) ? ['tf'] : [`module:${module}`];
}

/** `import * as x from 'm'`: x is the module itself. */
function moduleBinding(name: string, root: string[], r: SourceRange): Stmt {
  const path: Expr = root.slice(1).reduce((obj: Expr, n): Expr => ({ kind: 'attr', obj, name: n, range: r }), {
    kind: 'name',
    value: root[0] === 'tf' ? '$tf' : `$module`,
    range: r,
  });
  if (root[0] !== 'tf')
    return {
      kind: 'assign',
      targets: [{ kind: 'name', value: name, range: r }],
      value: {
        kind: 'call',
        callee: { kind: 'name', value: '$module', range: r },
        args: [{ kind: 'str', value: root[0], range: r }],
        kwargs: [],
        range: r,
      },
      range: r,
    };
  return { kind: 'assign', targets: [{ kind: 'name', value: name, range: r }], value: path, range: r };
}

/** `require('@tensorflow/tfjs')` → the module's namespace path, for the interpreter. */
export function requiredModule(name: string): string[] {
  return moduleRoot(name);
}
