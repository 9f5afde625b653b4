// A small, tolerant expression parser shared by the Python and JavaScript front ends. It only
// needs what model-building code uses — names, attribute access, calls with positional and
// keyword arguments, tuples/lists/arrays, dicts/objects, literals and simple arithmetic — and
// turns everything else into an `other` node instead of failing.
import { numberValue, type Language, type Token } from './tokenizer.ts';

export interface SourcePosition {
  line: number;
  col: number;
}
export interface SourceRange {
  start: SourcePosition;
  end: SourcePosition;
}

export type Expr =
  | { kind: 'num'; value: number; range: SourceRange }
  | { kind: 'str'; value: string; range: SourceRange }
  | { kind: 'name'; value: string; range: SourceRange }
  | { kind: 'attr'; obj: Expr; name: string; range: SourceRange }
  | { kind: 'call'; callee: Expr; args: Expr[]; kwargs: { name: string; value: Expr }[]; range: SourceRange }
  | { kind: 'list'; items: Expr[]; range: SourceRange; /** written `( … )` (a Python tuple) */ tuple?: boolean }
  | { kind: 'obj'; props: { key: string; value: Expr }[]; range: SourceRange }
  | { kind: 'bin'; op: string; left: Expr; right: Expr; range: SourceRange }
  | { kind: 'neg'; arg: Expr; range: SourceRange }
  // Python only: subscripts and slices, comparisons, boolean operators, conditional expressions
  // and starred items (`(*size, 3)`), so the interpreter can evaluate them instead of guessing.
  | { kind: 'sub'; obj: Expr; index: Expr; range: SourceRange }
  | { kind: 'slice'; lo?: Expr; hi?: Expr; range: SourceRange }
  | { kind: 'cmp'; op: string; left: Expr; right: Expr; range: SourceRange }
  | { kind: 'bool'; op: 'and' | 'or' | '??'; left: Expr; right: Expr; range: SourceRange }
  | { kind: 'not'; arg: Expr; range: SourceRange }
  | { kind: 'cond'; test: Expr; then: Expr; orelse: Expr; range: SourceRange }
  | { kind: 'star'; arg: Expr; double?: boolean; range: SourceRange }
  | { kind: 'other'; range: SourceRange };

/** A statement: `target = value`, or a bare expression (target undefined). */
export interface Statement {
  target?: string;
  value: Expr;
}

const CLOSERS: Record<string, string> = { '(': ')', '[': ']', '{': '}' };
const BINARY: Record<string, number> = { '+': 1, '-': 1, '*': 2, '/': 2, '//': 2, '%': 2, '**': 3 };
/** Statement keywords skipped in front of an expression (`return Sequential([...])`). */
const PREFIX_KEYWORDS = new Set([
  'return',
  'yield',
  'await',
  'export',
  'const',
  'let',
  'var',
  'default',
  'async',
  'new',
  'else',
  'elif',
  'try',
  'finally',
]);
/** Keywords whose line (Python) or header (JS) holds no model code worth reading. */
const SKIP_KEYWORDS = new Set([
  'def',
  'class',
  'import',
  'from',
  'if',
  'for',
  'while',
  'with',
  'function',
  'assert',
  'raise',
  'throw',
  'del',
  'global',
  'nonlocal',
  'pass',
  'break',
  'continue',
  'lambda',
  'interface',
  'type',
  'case',
  'switch',
  'catch',
  'do',
  'in',
  'of',
]);

export class ExprParser {
  /** the token index after the last parse (the Python statement reader continues from here) */
  get position(): number {
    return this.pos;
  }
  set position(p: number) {
    this.pos = p;
  }
  private pos = 0;
  /** statements found inside function bodies while parsing an expression */
  private nested: Statement[] = [];
  constructor(
    private readonly tokens: Token[],
    private readonly language: Language,
  ) {}

  private peek(offset = 0): Token {
    return this.tokens[Math.min(this.pos + offset, this.tokens.length - 1)];
  }
  private isOp(value: string, offset = 0): boolean {
    const t = this.peek(offset);
    return t.type === 'op' && t.value === value;
  }
  private next(): Token {
    const t = this.peek();
    if (this.pos < this.tokens.length - 1) this.pos++;
    return t;
  }
  private atEnd(): boolean {
    return this.peek().type === 'eof';
  }
  private rangeFrom(start: Token): SourceRange {
    const prev = this.tokens[Math.max(this.pos - 1, 0)];
    return { start: { line: start.line, col: start.col }, end: { line: prev.endLine, col: prev.endCol } };
  }

  /** Every statement in the file, in order; unparsable stretches are skipped. */
  statements(): Statement[] {
    const out: Statement[] = [];
    while (!this.atEnd()) {
      const before = this.pos;
      const t = this.peek();
      if (
        t.type === 'newline' ||
        (t.type === 'op' &&
          (t.value === ';' ||
            t.value === '}' ||
            t.value === '{' ||
            t.value === ')' ||
            t.value === ']' ||
            t.value === ',' ||
            t.value === ':'))
      ) {
        this.next();
        continue;
      }
      if (t.type === 'name' && t.value === 'def' && this.language === 'python') {
        const save = this.pos;
        out.push(...this.pythonDefDefaults());
        this.pos = save;
        this.skipHeader();
        continue;
      }
      if (t.type === 'name' && t.value === 'function' && this.language === 'javascript') {
        // function name(params) { body }: read the body's statements
        this.next();
        if (this.peek().type === 'name') this.next();
        if (this.isOp('(')) this.skipBalanced();
        if (this.isOp(':')) this.skipUntilBrace();
        if (this.isOp('{')) this.skipArrowBody();
        out.push(...this.nested.splice(0));
        continue;
      }
      if (t.type === 'name' && SKIP_KEYWORDS.has(t.value)) {
        this.skipHeader();
        continue;
      }
      if (t.type === 'name' && PREFIX_KEYWORDS.has(t.value) && !(this.isOp('=', 1) || this.isOp('.', 1) || this.isOp('(', 1))) {
        this.next();
        continue;
      }
      if (t.type === 'op' && t.value === '@') {
        this.skipHeader();
        continue;
      }
      const stmt = this.statement();
      out.push(...this.nested.splice(0)); // statements inside arrow bodies come first
      if (stmt) out.push(stmt);
      if (this.pos === before) this.next(); // always make progress
    }
    return out;
  }

  /** Skips a Python line or a JS statement header up to its body (`{`), tolerating brackets. */
  private skipHeader(): void {
    let lastLine = this.next().endLine;
    while (!this.atEnd()) {
      const t = this.peek();
      if (t.type === 'newline') return;
      // JS has no newline tokens: a header ends at its body brace, a ';' or the end of its line.
      if (this.language === 'javascript' && t.line > lastLine) return;
      if (t.type === 'op' && (t.value === ';' || (this.language === 'javascript' && t.value === '{'))) return;
      if (t.type === 'op' && this.language === 'python' && t.value === ':') {
        this.next();
        return; // the rest of the line is a statement (`if x: y = f()`)
      }
      if (t.type === 'op' && CLOSERS[t.value]) {
        this.skipBalanced();
        lastLine = this.tokens[this.pos - 1].endLine;
        continue;
      }
      lastLine = this.next().endLine;
    }
  }

  private statement(): Statement | null {
    // `name = value` / `name: Type = value` (annotated) / `name += value` (ignored target)
    const t = this.peek();
    if (t.type === 'name') {
      if (this.isOp('=', 1)) {
        this.next();
        this.next();
        return { target: t.value, value: this.expression() };
      }
      if (this.isOp(':', 1)) {
        // `x: int = 3` (Python) / `const x: tf.Tensor = …` (TypeScript)
        const save = this.pos;
        this.next();
        this.next();
        if (this.skipTypeAnnotation()) {
          this.next();
          return { target: t.value, value: this.expression() };
        }
        this.pos = save;
      }
    }
    const value = this.expression();
    if (value.kind === 'other') return null;
    return { value };
  }

  /**
   * Skips a variable's type annotation (the tokens after its `:`) up to the `=` of its value, for
   * both languages; false when no `=` follows on the statement (a bare annotation, a dict entry).
   */
  private skipTypeAnnotation(): boolean {
    for (let guard = 0; !this.atEnd() && !this.isOp('=') && guard < 64; guard++) {
      const t = this.peek();
      if (t.type === 'newline' || (t.type === 'op' && t.value === ';')) return false;
      if (t.type === 'op' && CLOSERS[t.value]) this.skipBalanced();
      else this.next();
    }
    return this.isOp('=');
  }

  /** Skips a bracketed group (or a single token when not at an opener). */
  private skipBalanced(): void {
    const open = this.next();
    const close = CLOSERS[open.value];
    if (open.type !== 'op' || !close) return;
    let depth = 1;
    while (!this.atEnd() && depth > 0) {
      const t = this.next();
      if (t.type !== 'op') continue;
      if (CLOSERS[t.value]) depth++;
      else if (t.value === ')' || t.value === ']' || t.value === '}') depth--;
    }
  }

  expression(minPrec = 0): Expr {
    if (this.language === 'python' && minPrec === 0) return this.pyConditional();
    if (this.language === 'javascript' && minPrec === 0) return this.jsConditional();
    return this.arithmetic(minPrec);
  }

  /** `test ? a : b` (JavaScript), read like Python's conditional so both can be evaluated. */
  private jsConditional(): Expr {
    const start = this.peek();
    const test = this.jsLogical(0);
    if (!this.isOp('?')) return test;
    this.next();
    const then = this.jsConditional();
    if (!this.isOp(':')) {
      this.skipUntilArgEnd();
      return { kind: 'other', range: this.rangeFrom(start) };
    }
    this.next();
    const orelse = this.jsConditional();
    return { kind: 'cond', test, then, orelse, range: this.rangeFrom(start) };
  }

  /** `a || b`, `a ?? b` (level 0) bind looser than `a && b` (level 1), which binds looser than comparisons. */
  private jsLogical(level: 0 | 1): Expr {
    const start = this.peek();
    const operand = () => (level === 0 ? this.jsLogical(1) : this.jsComparison());
    let left = operand();
    for (;;) {
      const op = level === 1 ? (this.isOp('&&') ? 'and' : null) : this.isOp('||') ? 'or' : this.isOp('??') ? '??' : null;
      if (!op) return left;
      this.next();
      left = { kind: 'bool', op, left, right: operand(), range: this.rangeFrom(start) };
    }
  }

  /** `===` / `!==` read as Python's `==` / `!=` (the interpreter compares literals, where they agree). */
  private jsComparison(): Expr {
    const start = this.peek();
    let left = this.arithmetic(0);
    for (;;) {
      const t = this.peek();
      if (t.type !== 'op' || !['==', '!=', '===', '!==', '<', '>', '<=', '>='].includes(t.value)) return left;
      this.next();
      const op = t.value === '===' ? '==' : t.value === '!==' ? '!=' : t.value;
      left = { kind: 'cmp', op, left, right: this.arithmetic(0), range: this.rangeFrom(start) };
    }
  }

  private isName(value: string, offset = 0): boolean {
    const t = this.peek(offset);
    return t.type === 'name' && t.value === value;
  }

  /** `a if test else b` (Python). */
  private pyConditional(): Expr {
    const start = this.peek();
    if (this.isName('lambda')) {
      this.skipUntilArgEnd();
      return { kind: 'other', range: this.rangeFrom(start) };
    }
    const body = this.pyOr();
    if (!this.isName('if')) return body;
    this.next();
    const test = this.pyOr();
    if (!this.isName('else')) {
      this.skipUntilArgEnd();
      return { kind: 'other', range: this.rangeFrom(start) };
    }
    this.next();
    const orelse = this.pyConditional();
    return { kind: 'cond', test, then: body, orelse, range: this.rangeFrom(start) };
  }

  /** `a or b` binds looser than `a and b`: one loop per level. */
  private pyOr(): Expr {
    return this.pyBool('or', () => this.pyBool('and', () => this.pyNot()));
  }

  private pyBool(op: 'and' | 'or', operand: () => Expr): Expr {
    const start = this.peek();
    let left = operand();
    while (this.isName(op)) {
      this.next();
      left = { kind: 'bool', op, left, right: operand(), range: this.rangeFrom(start) };
    }
    return left;
  }

  private pyNot(): Expr {
    const start = this.peek();
    if (this.isName('not')) {
      this.next();
      return { kind: 'not', arg: this.pyNot(), range: this.rangeFrom(start) };
    }
    let left = this.arithmetic(0);
    for (;;) {
      const t = this.peek();
      let op: string | null = null;
      if (t.type === 'op' && ['==', '!=', '<', '>', '<=', '>='].includes(t.value)) op = t.value;
      else if (this.isName('in')) op = 'in';
      else if (this.isName('not') && this.isName('in', 1)) op = 'not in';
      else if (this.isName('is')) op = this.isName('not', 1) ? 'is not' : 'is';
      if (!op) return left;
      this.next();
      if (op === 'not in' || op === 'is not') this.next();
      left = { kind: 'cmp', op, left, right: this.arithmetic(0), range: this.rangeFrom(start) };
    }
  }

  private arithmetic(minPrec: number): Expr {
    const start = this.peek();
    let left = this.unary();
    for (;;) {
      const t = this.peek();
      const prec = t.type === 'op' ? BINARY[t.value] : undefined;
      if (prec === undefined || prec < minPrec) break;
      this.next();
      const right = this.arithmetic(t.value === '**' ? prec : prec + 1);
      left = { kind: 'bin', op: t.value, left, right, range: this.rangeFrom(start) };
    }
    return left;
  }

  /** Skips a return type annotation up to the body brace. */
  private skipUntilBrace(): void {
    while (!this.atEnd() && !this.isOp('{') && !this.isOp(';')) {
      if (this.isOp('(') || this.isOp('[')) this.skipBalanced();
      else this.next();
    }
  }

  /** Skips to the next `,` or closing bracket at this nesting level (not consuming it). */
  private skipUntilArgEnd(): void {
    while (!this.atEnd()) {
      const t = this.peek();
      if (t.type === 'newline') return;
      if (t.type === 'op') {
        if (t.value === ',' || t.value === ')' || t.value === ']' || t.value === '}' || t.value === ';') return;
        if (CLOSERS[t.value]) {
          this.skipBalanced();
          continue;
        }
      }
      this.next();
    }
  }

  private unary(): Expr {
    const start = this.peek();
    if (this.isOp('-') || this.isOp('+')) {
      this.next();
      const arg = this.unary();
      return start.value === '-' ? { kind: 'neg', arg, range: this.rangeFrom(start) } : arg;
    }
    if (this.language === 'javascript') {
      if (this.isOp('!')) {
        this.next();
        return { kind: 'not', arg: this.unary(), range: this.rangeFrom(start) };
      }
      if (this.isName('await') || this.isName('void')) {
        this.next();
        return this.unary();
      }
      if (this.isName('typeof')) {
        this.next();
        this.unary();
        return { kind: 'other', range: this.rangeFrom(start) };
      }
    }
    return this.postfix(this.primary());
  }

  private postfix(expr: Expr): Expr {
    const start = expr.range.start;
    for (;;) {
      if (this.isOp('.') || this.isOp('?.')) {
        this.next();
        const name = this.peek();
        if (name.type !== 'name') return expr;
        this.next();
        expr = { kind: 'attr', obj: expr, name: name.value, range: { start, end: { line: name.endLine, col: name.endCol } } };
        continue;
      }
      if (this.isOp('!') && this.language === 'javascript') {
        this.next(); // TS non-null assertion
        continue;
      }
      if (this.isOp('(')) {
        expr = this.callArgs(expr);
        continue;
      }
      if (this.isOp('[')) {
        if (this.language === 'python' || this.language === 'javascript') {
          expr = this.pySubscript(expr);
          continue;
        }
        this.skipBalanced();
        expr = { kind: 'other', range: { start, end: this.rangeFrom(this.peek()).end } };
        continue;
      }
      if (this.language === 'javascript' && this.peek().type === 'name' && this.peek().value === 'as') {
        // `x as tf.Tensor4D` / `x as Array<number>`: skip the type
        this.next();
        if (this.peek().type === 'name') this.next();
        while (this.isOp('.') && this.peek(1).type === 'name') {
          this.next();
          this.next();
        }
        if (this.isOp('<')) this.skipTypeArguments();
        if (this.isOp('[') && this.isOp(']', 1)) {
          this.next();
          this.next();
        }
        return expr;
      }
      return expr;
    }
  }

  /** `obj[i]`, `obj[lo:hi]` (a step or several indices: not evaluated). */
  private pySubscript(obj: Expr): Expr {
    const open = this.next(); // [
    const part = (): Expr | undefined => (this.isOp(':') || this.isOp(']') ? undefined : this.expression());
    const lo = part();
    let index: Expr | undefined = lo;
    if (this.isOp(':')) {
      this.next();
      const hi = part();
      index = this.isOp(']') ? { kind: 'slice', lo, hi, range: this.rangeFrom(open) } : undefined;
    }
    if (!this.isOp(']') || !index) {
      // a step, a tuple of indices, or broken code: skip to the closing bracket
      let depth = 1;
      while (!this.atEnd() && depth > 0) {
        const t = this.peek();
        if (t.type === 'op' && CLOSERS[t.value]) depth++;
        else if (t.type === 'op' && (t.value === ')' || t.value === ']' || t.value === '}')) depth--;
        if (depth === 0) break;
        this.next();
      }
      index = { kind: 'other', range: this.rangeFrom(open) };
    }
    if (this.isOp(']')) this.next();
    return { kind: 'sub', obj, index, range: { start: obj.range.start, end: this.rangeFrom(this.peek()).end } };
  }

  private skipTypeArguments(): void {
    let depth = 0;
    do {
      const t = this.next();
      if (t.type === 'op' && t.value === '<') depth++;
      else if (t.type === 'op' && t.value === '>') depth--;
      else if (t.type === 'op' && t.value === '>>') depth -= 2;
    } while (depth > 0 && !this.atEnd());
  }

  private callArgs(callee: Expr): Expr {
    this.next(); // (
    const args: Expr[] = [];
    const kwargs: { name: string; value: Expr }[] = [];
    while (!this.atEnd() && !this.isOp(')')) {
      const t = this.peek();
      if (this.language === 'python' && t.type === 'name' && this.isOp('=', 1)) {
        this.next();
        this.next();
        kwargs.push({ name: t.value, value: this.expression() });
      } else if (this.isOp('*') || this.isOp('**') || this.isOp('...')) {
        const star = this.next();
        const arg = this.expression();
        // Python `f(*args, **kwargs)`: kept as a starred argument, never silently dropped.
        // JavaScript `f(...xs)` likewise.
        if ((this.language === 'python' && star.value !== '...') || (this.language === 'javascript' && star.value === '...'))
          args.push({ kind: 'star', arg, double: star.value === '**', range: this.rangeFrom(star) });
      } else {
        const before = this.pos;
        args.push(this.expression());
        if (this.pos === before) {
          // unexpected token inside the call: recover at the next argument
          this.skipUntilArgEnd();
          if (this.pos === before) break;
        }
      }
      if (!this.isOp(',')) this.skipUntilArgEnd();
      if (this.isOp(',')) this.next();
      else if (!this.isOp(')')) break;
    }
    if (this.isOp(')')) this.next();
    return { kind: 'call', callee, args, kwargs, range: { start: callee.range.start, end: this.rangeFrom(this.peek()).end } };
  }

  private primary(): Expr {
    const t = this.peek();
    const start = t;
    if (t.type === 'number') {
      this.next();
      return { kind: 'num', value: numberValue(t.value), range: this.rangeFrom(start) };
    }
    if (t.type === 'string') {
      this.next();
      let v = t.value;
      let formatted = t.fstring === true;
      while (this.peek().type === 'string' && this.language === 'python') {
        formatted ||= this.peek().fstring === true;
        v += this.next().value; // implicit concatenation
      }
      // An f-string's value is known only at run time (f"block{i}" is not the name "block{i}").
      if (formatted) return { kind: 'other', range: this.rangeFrom(start) };
      return { kind: 'str', value: v, range: this.rangeFrom(start) };
    }
    if (t.type === 'name') {
      if (t.value === 'new' && this.language === 'javascript') {
        this.next();
        return this.primary();
      }
      if (t.value === 'lambda') {
        this.skipUntilArgEnd();
        return { kind: 'other', range: this.rangeFrom(start) };
      }
      if (t.value === 'function' && this.language === 'javascript') {
        this.next();
        if (this.peek().type === 'name') this.next();
        if (this.isOp('(')) this.skipBalanced();
        if (this.isOp(':')) this.skipUntilBrace();
        this.skipArrowBody();
        return { kind: 'other', range: this.rangeFrom(start) };
      }
      this.next();
      if (this.language === 'javascript' && this.isOp('=>')) {
        this.next();
        this.skipArrowBody();
        return { kind: 'other', range: this.rangeFrom(start) };
      }
      return { kind: 'name', value: t.value, range: this.rangeFrom(start) };
    }
    if (t.type === 'op' && (t.value === '(' || t.value === '[')) {
      const close = CLOSERS[t.value];
      this.next();
      const items: Expr[] = [];
      let tuple = t.value === '[';
      let comprehension = false;
      while (!this.atEnd() && !this.isOp(close)) {
        const before = this.pos;
        let star: Token | null = null;
        if (this.isOp('*') || this.isOp('...')) star = this.next();
        const item = this.expression();
        // Python `*xs`, JavaScript `...xs`: kept as a starred item, never read as the list itself.
        items.push(
          star && ((this.language === 'python' && star.value === '*') || (this.language === 'javascript' && star.value === '...'))
            ? { kind: 'star', arg: item, range: this.rangeFrom(star) }
            : item,
        );
        if (this.pos === before) this.skipUntilArgEnd();
        if (this.peek().type === 'name' && this.peek().value === 'for') {
          // comprehension: not a literal (its value is unknown, never an empty list)
          this.skipUntilArgEnd();
          tuple = true;
          items.length = 0;
          comprehension = true;
        }
        if (this.isOp(',')) {
          tuple = true;
          this.next();
        } else if (!this.isOp(close)) {
          this.skipUntilArgEnd();
          if (this.isOp(',')) this.next();
          else break;
        }
      }
      if (this.isOp(close)) this.next();
      if (t.value === '(' && this.language === 'javascript' && this.isOp('=>')) {
        this.next();
        this.skipArrowBody();
        return { kind: 'other', range: this.rangeFrom(start) };
      }
      if (comprehension) return { kind: 'other', range: this.rangeFrom(start) };
      if (!tuple && items.length === 1) return items[0]; // parenthesised expression
      return t.value === '('
        ? { kind: 'list', items, range: this.rangeFrom(start), tuple: true }
        : { kind: 'list', items, range: this.rangeFrom(start) };
    }
    if (t.type === 'op' && t.value === '{') {
      this.next();
      const props: { key: string; value: Expr }[] = [];
      let notDict = false;
      while (!this.atEnd() && !this.isOp('}')) {
        const k = this.peek();
        if ((k.type === 'name' || k.type === 'string' || k.type === 'number') && this.isOp(':', 1)) {
          this.next();
          this.next();
          props.push({ key: k.value, value: this.expression() });
        } else if (k.type === 'name' && (this.isOp(',', 1) || this.isOp('}', 1))) {
          this.next(); // shorthand {layers}
          props.push({ key: k.value, value: { kind: 'name', value: k.value, range: this.rangeFrom(k) } });
        } else {
          // a Python set ({"a", None}) or a spread ({...base}): not a dict the interpreter can read
          if (this.language === 'python' || this.isOp('...')) notDict = true;
          this.skipUntilArgEnd();
        }
        if (this.isOp(',')) this.next();
        else if (!this.isOp('}')) {
          this.skipUntilArgEnd();
          if (this.isOp(',')) this.next();
          else break;
        }
      }
      if (this.isOp('}')) this.next();
      if (notDict) return { kind: 'other', range: this.rangeFrom(start) };
      return { kind: 'obj', props, range: this.rangeFrom(start) };
    }
    return { kind: 'other', range: { start: { line: t.line, col: t.col }, end: { line: t.line, col: t.col } } };
  }

  /** An arrow/function body: a block's statements are read (model code often sits in tf.tidy(() => {…})). */
  private skipArrowBody(): void {
    if (!this.isOp('{')) {
      this.skipUntilArgEnd();
      return;
    }
    const open = this.pos;
    this.skipBalanced();
    const close = this.isOp('}', -1) ? this.pos - 1 : this.pos;
    const inner = new ExprParser([...this.tokens.slice(open + 1, close), this.tokens[this.tokens.length - 1]], this.language);
    this.nested.push(...inner.statements());
  }

  /** `def f(a=1, b=(2, 3)):` → the defaults as assignments, so `a` and `b` resolve in the body. */
  private pythonDefDefaults(): Statement[] {
    this.next(); // def
    if (this.peek().type !== 'name' || !this.isOp('(', 1)) return [];
    const name = this.next();
    const call = this.callArgs({ kind: 'name', value: name.value, range: this.rangeFrom(name) });
    return call.kind === 'call' ? call.kwargs.map((k) => ({ target: k.name, value: k.value })) : [];
  }
}
