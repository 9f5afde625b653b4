// Python statements as a tree, for the interpreter in pythonInterpreter.ts: logical lines (the
// tokenizer ends them only outside brackets) nested by their indentation into def / class / for /
// while / if-elif-else / with / try bodies. Expressions come from the shared ExprParser. Tolerant
// like the rest of the parsers: a line it cannot read becomes a `skip` statement, never an error.
import { ExprParser, type Expr, type SourceRange } from './expr.ts';
import type { Token } from './tokenizer.ts';

export interface Param {
  name: string;
  default?: Expr;
  /** `*args` (star) or `**kwargs` (double) */
  star?: 'star' | 'double';
}

export type Stmt =
  | { kind: 'assign'; targets: Expr[]; value: Expr; range: SourceRange }
  | { kind: 'augassign'; target: Expr; op: string; value: Expr; range: SourceRange }
  | { kind: 'expr'; value: Expr; range: SourceRange }
  | { kind: 'def'; name: string; params: Param[]; body: Stmt[]; range: SourceRange; calls: Set<string>; refs: Set<string> }
  | { kind: 'class'; name: string; body: Stmt[]; range: SourceRange }
  | { kind: 'if'; test: Expr; body: Stmt[]; orelse: Stmt[]; range: SourceRange }
  | { kind: 'for'; target: Expr; iter: Expr; body: Stmt[]; orelse: Stmt[]; range: SourceRange }
  | { kind: 'while'; test: Expr; body: Stmt[]; range: SourceRange }
  | { kind: 'with'; items: { value: Expr; as?: Expr }[]; body: Stmt[]; range: SourceRange }
  | { kind: 'try'; body: Stmt[]; handlers: Stmt[][]; orelse: Stmt[]; final: Stmt[]; range: SourceRange }
  | { kind: 'return'; value?: Expr; range: SourceRange }
  | { kind: 'import'; module: string[]; names: { name: string; as: string }[]; range: SourceRange }
  | { kind: 'global'; names: string[]; range: SourceRange }
  // JavaScript object destructuring (`const { units = 64, layers } = v`): each key read from the
  // value, its default used when the key is absent (jsSyntax.ts makes these; Python has none)
  | { kind: 'unpack'; props: { key: string; target: string; default?: Expr; rest?: boolean }[]; value: Expr; range: SourceRange }
  | { kind: 'break' | 'continue' | 'skip'; range: SourceRange };

interface Line {
  tokens: Token[];
  indent: number;
}

const EOF: Token = { type: 'eof', value: '', line: 0, col: 0, endLine: 0, endCol: 0 };
const isOp = (t: Token | undefined, v: string) => t !== undefined && t.type === 'op' && t.value === v;
const isName = (t: Token | undefined, v: string) => t !== undefined && t.type === 'name' && t.value === v;
const rangeOf = (tokens: Token[]): SourceRange => {
  const a = tokens[0] ?? EOF;
  const b = tokens[tokens.length - 1] ?? EOF;
  return { start: { line: a.line, col: a.col }, end: { line: b.endLine, col: b.endCol } };
};

function splitLines(tokens: Token[]): Line[] {
  const lines: Line[] = [];
  let cur: Token[] = [];
  for (const t of tokens) {
    if (t.type === 'newline' || t.type === 'eof') {
      if (cur.length > 0) lines.push({ tokens: cur, indent: cur[0].col });
      cur = [];
      continue;
    }
    // Half-typed code leaves a bracket open and the tokenizer ends no line after it: a name at or
    // left of the statement's indentation, after a complete token, starts a new statement.
    const prev = cur[cur.length - 1];
    if (
      prev &&
      t.line > prev.endLine &&
      t.type === 'name' &&
      t.col <= cur[0].col &&
      (prev.type !== 'op' || prev.value === ')' || prev.value === ']' || prev.value === '}')
    ) {
      lines.push({ tokens: cur, indent: cur[0].col });
      cur = [];
    }
    cur.push(t);
  }
  return lines;
}

/** Index of the first `:` outside brackets (the end of a compound statement's header), or -1. */
function headerColon(tokens: Token[], from = 0): number {
  let depth = 0;
  for (let i = from; i < tokens.length; i++) {
    const t = tokens[i];
    if (t.type !== 'op') continue;
    if (t.value === '(' || t.value === '[' || t.value === '{') depth++;
    else if (t.value === ')' || t.value === ']' || t.value === '}') depth--;
    else if (t.value === ':' && depth === 0) return i;
    else if (t.value === 'lambda') return -1;
  }
  return -1;
}

/** Splits tokens at top-level occurrences of an op (`,`, `=`, `;`). */
function splitTop(tokens: Token[], op: string): Token[][] {
  const parts: Token[][] = [[]];
  let depth = 0;
  for (const t of tokens) {
    if (t.type === 'op') {
      if (t.value === '(' || t.value === '[' || t.value === '{') depth++;
      else if (t.value === ')' || t.value === ']' || t.value === '}') depth--;
      else if (t.value === op && depth === 0) {
        parts.push([]);
        continue;
      }
    }
    parts[parts.length - 1].push(t);
  }
  return parts;
}

function expr(tokens: Token[], rest?: Token[][]): Expr {
  if (tokens.length === 0) return { kind: 'other', range: rangeOf(tokens) };
  const p = new ExprParser(
    [...tokens, { ...EOF, line: tokens[tokens.length - 1].endLine, col: tokens[tokens.length - 1].endCol }],
    'python',
  );
  const e = p.expression();
  // `a, b` without brackets is a tuple
  if (p.position < tokens.length && isOp(tokens[p.position], ',')) {
    const parts = splitTop(tokens, ',').filter((t) => t.length > 0);
    if (parts.length > 1) return { kind: 'list', items: parts.map((t) => expr(t)), range: rangeOf(tokens) };
  }
  // Tokens left after the expression (unbalanced brackets in half-typed code): more statements.
  if (rest && p.position < tokens.length) {
    let at = p.position;
    while (at < tokens.length && tokens[at].type === 'op' && [')', ']', '}', ',', ';', ':'].includes(tokens[at].value)) at++;
    if (at < tokens.length) rest.push(tokens.slice(at));
  }
  return e;
}

const AUG_OPS = new Set(['+=', '-=', '*=', '/=', '//=', '%=', '**=']);
const SIMPLE_SKIP = new Set(['pass', 'raise', 'assert', 'del', 'yield', 'print']);

/** A simple statement, and any that half-typed code left in the same logical line. */
function simpleStatements(tokens: Token[]): Stmt[] {
  const out: Stmt[] = [];
  const queue = [tokens];
  for (let guard = 0; queue.length > 0 && guard < 10_000; guard++) {
    const rest: Token[][] = [];
    const next = queue.shift()!;
    out.push(simpleStatement(next, rest));
    // always make progress: a leftover equal to the input would loop
    for (const r of rest) if (r.length < next.length) queue.push(r);
  }
  return out;
}

function simpleStatement(tokens: Token[], rest: Token[][] = []): Stmt {
  const r = rangeOf(tokens);
  const first = tokens[0];
  if (first.type === 'name') {
    switch (first.value) {
      case 'return':
        return { kind: 'return', value: tokens.length > 1 ? expr(tokens.slice(1)) : undefined, range: r };
      case 'break':
      case 'continue':
        return { kind: first.value, range: r };
      case 'global':
      case 'nonlocal':
        return {
          kind: 'global',
          names: tokens
            .slice(1)
            .filter((t) => t.type === 'name')
            .map((t) => t.value),
          range: r,
        };
      case 'import':
        // `import a.b as c` binds nothing the interpreter models: its attributes are external
        return { kind: 'import', module: [], names: [], range: r };
      case 'from': {
        const at = tokens.findIndex((t) => isName(t, 'import'));
        if (at < 0) return { kind: 'skip', range: r };
        const module = tokens
          .slice(1, at)
          .filter((t) => t.type === 'name')
          .map((t) => t.value);
        const names = splitTop(
          tokens.slice(at + 1).filter((t) => !isOp(t, '(') && !isOp(t, ')')),
          ',',
        )
          .filter((p) => p.length > 0 && p[0].type === 'name')
          .map((p) => ({ name: p[0].value, as: isName(p[1], 'as') && p[2] ? p[2].value : p[0].value }));
        return { kind: 'import', module, names, range: r };
      }
      default:
        if (SIMPLE_SKIP.has(first.value) && !isOp(tokens[1], '=') && !isOp(tokens[1], '(') && !isOp(tokens[1], '.'))
          return { kind: 'skip', range: r };
    }
  }
  const aug = tokens.findIndex((t) => t.type === 'op' && AUG_OPS.has(t.value));
  if (aug > 0)
    return {
      kind: 'augassign',
      target: expr(tokens.slice(0, aug)),
      op: tokens[aug].value.slice(0, -1),
      value: expr(tokens.slice(aug + 1)),
      range: r,
    };
  const parts = splitTop(tokens, '=');
  if (parts.length > 1) {
    const targets = parts.slice(0, -1).map((p) => {
      // `x: int = 3`: drop the annotation
      const colon = headerColon(p);
      return expr(colon > 0 ? p.slice(0, colon) : p);
    });
    return { kind: 'assign', targets, value: expr(parts[parts.length - 1], rest), range: r };
  }
  return { kind: 'expr', value: expr(tokens, rest), range: r };
}

function params(tokens: Token[]): Param[] {
  const out: Param[] = [];
  for (const p of splitTop(tokens, ',')) {
    if (p.length === 0) continue;
    let i = 0;
    let star: Param['star'];
    if (isOp(p[0], '*')) {
      star = 'star';
      i = 1;
    } else if (isOp(p[0], '**')) {
      star = 'double';
      i = 1;
    }
    const name = p[i];
    if (!name || name.type !== 'name') continue; // bare `*` or `/`
    const eq = p.findIndex((t) => isOp(t, '='));
    out.push({ name: name.value, default: eq > 0 ? expr(p.slice(eq + 1)) : undefined, star });
  }
  return out;
}

/** Bare-name callees anywhere in a body (which of the file's functions a def may call), and every name. */
function calledNames(tokens: Token[], into: Set<string>, refs?: Set<string>): void {
  for (let i = 0; i < tokens.length; i++) {
    if (tokens[i].type !== 'name') continue;
    if (isOp(tokens[i + 1], '(')) into.add(tokens[i].value);
    refs?.add(tokens[i].value);
  }
}

class Reader {
  private i = 0;
  constructor(private readonly lines: Line[]) {}

  /** Statements at indentation deeper than `parentIndent`, up to the first line that is not. */
  block(parentIndent: number, calls?: Set<string>, refs?: Set<string>): Stmt[] {
    const out: Stmt[] = [];
    const indent = this.i < this.lines.length ? this.lines[this.i].indent : 0;
    if (indent <= parentIndent && parentIndent >= 0) return out;
    while (
      this.i < this.lines.length &&
      this.lines[this.i].indent > parentIndent &&
      (parentIndent < 0 || this.lines[this.i].indent >= indent)
    ) {
      const line = this.lines[this.i++];
      if (calls) calledNames(line.tokens, calls, refs);
      this.statement(line, out, calls, refs);
    }
    return out;
  }

  /** The body after a header's colon: the rest of the line, or the indented lines below. */
  private body(line: Line, colon: number, calls?: Set<string>, refs?: Set<string>): Stmt[] {
    const rest = line.tokens.slice(colon + 1);
    if (rest.length > 0) {
      if (calls) calledNames(rest, calls, refs);
      return splitTop(rest, ';')
        .filter((p) => p.length > 0)
        .flatMap(simpleStatements);
    }
    return this.block(line.indent, calls, refs);
  }

  /** The `else:` / `elif` / `except` / `finally` lines that continue a compound statement. */
  private continuation(indent: number, ...keywords: string[]): Line | null {
    const next = this.lines[this.i];
    if (next && next.indent === indent && keywords.some((k) => isName(next.tokens[0], k))) {
      this.i++;
      return next;
    }
    return null;
  }

  private statement(line: Line, out: Stmt[], calls?: Set<string>, refs?: Set<string>): void {
    let tokens = line.tokens;
    if (isName(tokens[0], 'async')) tokens = tokens.slice(1);
    const first = tokens[0];
    const r = rangeOf(tokens);
    if (isOp(first, '@')) return; // a decorator: the def below is read as it is
    const colon = headerColon(tokens);
    const kw = first.type === 'name' ? first.value : '';
    const compound = colon > 0 && ['def', 'class', 'if', 'for', 'while', 'with', 'try', 'elif', 'else', 'except', 'finally'].includes(kw);
    if (!compound) {
      for (const part of splitTop(tokens, ';')) if (part.length > 0) out.push(...simpleStatements(part));
      return;
    }
    const header = tokens.slice(1, colon);
    const lineAt = { ...line, tokens };
    switch (kw) {
      case 'def': {
        const name = header[0]?.type === 'name' ? header[0].value : '';
        const close = header.findIndex((t, k) => k > 0 && isOp(t, ')') && splitDepth(header, k) === 0);
        const own = new Set<string>();
        const ownRefs = new Set<string>();
        // names in the header too: defaults read module constants
        calledNames(header, own, ownRefs);
        const body = this.body(lineAt, colon, own, ownRefs);
        out.push({
          kind: 'def',
          name,
          params: params(header.slice(2, close < 0 ? header.length : close)),
          body,
          range: r,
          calls: own,
          refs: ownRefs,
        });
        if (calls) for (const c of own) calls.add(c);
        if (refs) for (const c of ownRefs) refs.add(c);
        return;
      }
      case 'class':
        out.push({ kind: 'class', name: header[0]?.value ?? '', body: this.body(lineAt, colon, calls, refs), range: r });
        return;
      case 'if':
      case 'elif': {
        const body = this.body(lineAt, colon, calls, refs);
        let orelse: Stmt[] = [];
        const next = this.continuation(line.indent, 'elif', 'else');
        if (next) {
          if (isName(next.tokens[0], 'elif')) this.statement(next, (orelse = []), calls, refs);
          else orelse = this.body(next, headerColon(next.tokens), calls, refs);
        }
        out.push({ kind: 'if', test: expr(header), body, orelse, range: r });
        return;
      }
      case 'for': {
        const at = header.findIndex((t) => isName(t, 'in'));
        const body = this.body(lineAt, colon, calls, refs);
        const other = this.continuation(line.indent, 'else');
        const orelse = other ? this.body(other, headerColon(other.tokens), calls, refs) : [];
        out.push({
          kind: 'for',
          target: expr(at < 0 ? header : header.slice(0, at)),
          iter: at < 0 ? { kind: 'other', range: r } : expr(header.slice(at + 1)),
          body,
          orelse,
          range: r,
        });
        return;
      }
      case 'while': {
        const body = this.body(lineAt, colon, calls, refs);
        const other = this.continuation(line.indent, 'else');
        if (other) this.body(other, headerColon(other.tokens), calls, refs);
        out.push({ kind: 'while', test: expr(header), body, range: r });
        return;
      }
      case 'with': {
        const items = splitTop(header, ',')
          .filter((p) => p.length > 0)
          .map((p) => {
            const as = p.findIndex((t) => isName(t, 'as'));
            return as < 0 ? { value: expr(p) } : { value: expr(p.slice(0, as)), as: expr(p.slice(as + 1)) };
          });
        out.push({ kind: 'with', items, body: this.body(lineAt, colon, calls, refs), range: r });
        return;
      }
      case 'try': {
        const body = this.body(lineAt, colon, calls, refs);
        const handlers: Stmt[][] = [];
        let orelse: Stmt[] = [];
        let final: Stmt[] = [];
        for (
          let next = this.continuation(line.indent, 'except', 'else', 'finally');
          next;
          next = this.continuation(line.indent, 'except', 'else', 'finally')
        ) {
          const b = this.body(next, headerColon(next.tokens), calls, refs);
          if (isName(next.tokens[0], 'except')) handlers.push(b);
          else if (isName(next.tokens[0], 'else')) orelse = b;
          else final = b;
        }
        out.push({ kind: 'try', body, handlers, orelse, final, range: r });
        return;
      }
      default:
        // a stray elif/else/except/finally (the code above it is broken): read its body as code
        out.push(...this.body(lineAt, colon, calls, refs));
    }
  }
}

function splitDepth(tokens: Token[], at: number): number {
  let depth = 0;
  for (let i = 0; i < at; i++) {
    const t = tokens[i];
    if (t.type !== 'op') continue;
    if (t.value === '(' || t.value === '[' || t.value === '{') depth++;
    else if (t.value === ')' || t.value === ']' || t.value === '}') depth--;
  }
  return depth - 1;
}

/** The statements of a tokenized Python text (a module, or one top-level block of it). */
export function parsePythonStatements(tokens: Token[]): Stmt[] {
  const reader = new Reader(splitLines(tokens));
  const out: Stmt[] = [];
  // Tolerate code indented at the top (a pasted fragment): read it as one block, then go on.
  for (let guard = 0; guard < 1_000_000; guard++) {
    const before = out.length;
    out.push(...reader.block(-1));
    if (out.length === before) break;
  }
  return out;
}
