// A tolerant tokenizer for Python and JavaScript/TypeScript source: never throws, tracks the
// line/column of every token (0-based, columns in UTF-16 code units like VS Code), and turns
// unterminated strings or stray characters into tokens instead of errors.

export type Language = 'python' | 'javascript';

export type TokenType = 'name' | 'number' | 'string' | 'op' | 'newline' | 'eof';

export interface Token {
  type: TokenType;
  /** source text for names/ops/numbers; the decoded content for strings */
  value: string;
  line: number;
  col: number;
  endLine: number;
  endCol: number;
  /** a Python f-string: its value has unevaluated {…} parts */
  fstring?: true;
}

const OPS = [
  '**=',
  '//=',
  '>>=',
  '<<=',
  '...',
  '===',
  '!==',
  '=>',
  '**',
  '//',
  '==',
  '!=',
  '<=',
  '>=',
  '->',
  '+=',
  '-=',
  '*=',
  '/=',
  '%=',
  '&&',
  '||',
  '??',
  '?.',
  ':=',
  '<<',
  '>>',
];

const NUMBER = /0[xX][0-9a-fA-F_]+|0[oO][0-7_]+|0[bB][01_]+|(?:\d[\d_]*)?\.?\d[\d_]*(?:[eE][+-]?\d+)?[jJnL]?(?![.\d])|\d[\d_]*\.?/y;

const isDigit = (c: number) => c >= 48 && c <= 57;
// Character tests by code: per-character regular expressions dominated the tokenizer's time.
const isIdentStart = (c: number) => (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95 || c === 36 || c >= 0xc0;
const isIdentPart = (c: number) => isIdentStart(c) || isDigit(c);

const STRING_PREFIX = new Set(['r', 'R', 'b', 'B', 'u', 'U', 'f', 'F']);

/** At a Python string prefix letter: is this `r"…"`, `rb'…'` and the like rather than a name? */
function isQuoteAfterPrefix(text: string, i: number): boolean {
  const next = text[i + 1];
  if (next === '"' || next === "'") return true;
  return STRING_PREFIX.has(next) && (text[i + 2] === '"' || text[i + 2] === "'");
}
const OP_START = new Set(OPS.map((o) => o[0]));

/** Tokens of `text`; `firstLine` numbers its first line (for a block cut out of a larger file). */
export function tokenize(text: string, language: Language, firstLine = 0): Token[] {
  const tokens: Token[] = [];
  const python = language === 'python';
  let i = 0;
  let line = firstLine;
  let lineStart = 0;
  let depth = 0;
  const col = () => i - lineStart;
  const push = (type: TokenType, value: string, sLine: number, sCol: number) =>
    tokens.push({ type, value, line: sLine, col: sCol, endLine: line, endCol: col() });
  const newline = () => {
    line++;
    lineStart = i;
  };
  while (i < text.length) {
    const c = text[i];
    if (c === '\n') {
      if (python && depth === 0 && tokens.length > 0 && tokens[tokens.length - 1].type !== 'newline') {
        tokens.push({ type: 'newline', value: '\n', line, col: col(), endLine: line, endCol: col() + 1 });
      }
      i++;
      newline();
      continue;
    }
    const code = text.charCodeAt(i);
    // space, \t, \v, \f, \r, BOM
    if (code === 32 || (code >= 9 && code <= 13 && code !== 10) || code === 0xfeff) {
      i++;
      continue;
    }
    if (isIdentStart(code) && !(python && STRING_PREFIX.has(c) && isQuoteAfterPrefix(text, i))) {
      // Names are most tokens: take them before the string/number/op checks.
      let j = i + 1;
      while (j < text.length && isIdentPart(text.charCodeAt(j))) j++;
      tokens.push({ type: 'name', value: text.slice(i, j), line, col: i - lineStart, endLine: line, endCol: j - lineStart });
      i = j;
      continue;
    }
    if (python && c === '\\' && (text[i + 1] === '\n' || (text[i + 1] === '\r' && text[i + 2] === '\n'))) {
      i += text[i + 1] === '\r' ? 3 : 2;
      newline();
      continue;
    }
    if ((python && c === '#') || (!python && c === '/' && text[i + 1] === '/')) {
      while (i < text.length && text[i] !== '\n') i++;
      continue;
    }
    if (!python && c === '/' && text[i + 1] === '*') {
      i += 2;
      while (i < text.length && !(text[i] === '*' && text[i + 1] === '/')) {
        if (text[i] === '\n') {
          i++;
          newline();
        } else i++;
      }
      i += 2;
      continue;
    }
    const sLine = line;
    const sCol = col();
    // String, with Python prefixes (r, b, f, u and combinations).
    let prefixLen = 0;
    if (python && STRING_PREFIX.has(c)) {
      if (text[i + 1] === '"' || text[i + 1] === "'") prefixLen = 1;
      else if (STRING_PREFIX.has(text[i + 1]) && (text[i + 2] === '"' || text[i + 2] === "'")) prefixLen = 2;
    }
    const i0 = i;
    const q = text[i + prefixLen];
    if (q === '"' || q === "'" || (!python && q === '`')) {
      i += prefixLen;
      const triple = python && text.startsWith(q.repeat(3), i);
      const close = triple ? q.repeat(3) : q;
      i += close.length;
      let value = '';
      const multiline = triple || q === '`';
      while (i < text.length) {
        if (text.startsWith(close, i)) {
          i += close.length;
          break;
        }
        const ch = text[i];
        if (ch === '\n') {
          if (!multiline) break; // unterminated: end the string at the line end
          value += ch;
          i++;
          newline();
          continue;
        }
        if (ch === '\\' && i + 1 < text.length) {
          if (text[i + 1] === '\n') {
            i += 2;
            newline();
            continue;
          }
          value += text[i + 1];
          i += 2;
          continue;
        }
        // Copy the run up to the next quote, backslash or newline in one slice.
        let j = i + 1;
        while (j < text.length) {
          const k = text.charCodeAt(j);
          if (k === 10 || k === 92 || text[j] === q) break;
          j++;
        }
        value += text.slice(i, j);
        i = j;
      }
      push('string', value, sLine, sCol);
      if (prefixLen > 0 && /[fF]/.test(text.slice(i0, i0 + prefixLen))) tokens[tokens.length - 1].fstring = true;
      // a JavaScript template literal with ${…} parts is known only at run time, like an f-string
      if (q === '`' && value.includes('${')) tokens[tokens.length - 1].fstring = true;
      continue;
    }
    if (isDigit(code) || (c === '.' && isDigit(text.charCodeAt(i + 1)))) {
      NUMBER.lastIndex = i;
      const m = NUMBER.exec(text);
      const s = m ? m[0] : c;
      i += s.length;
      push('number', s, sLine, sCol);
      continue;
    }
    if (isIdentStart(code)) {
      let j = i + 1;
      while (j < text.length && isIdentPart(text.charCodeAt(j))) j++;
      const s = text.slice(i, j);
      i = j;
      push('name', s, sLine, sCol);
      continue;
    }
    const op = (OP_START.has(c) ? OPS.find((o) => text.startsWith(o, i)) : undefined) ?? c;
    i += op.length;
    if (op === '(' || op === '[' || op === '{') depth++;
    else if ((op === ')' || op === ']' || op === '}') && depth > 0) depth--;
    push('op', op, sLine, sCol);
  }
  tokens.push({ type: 'eof', value: '', line, col: col(), endLine: line, endCol: col() });
  return tokens;
}

/** The numeric value of a number token (Python/JS forms with underscores); NaN if unparsable. */
export function numberValue(s: string): number {
  const clean = s.replace(/_/g, '').replace(/[jJnL]$/, '');
  if (/^0[oO]/.test(clean)) return parseInt(clean.slice(2), 8);
  if (/^0[bB]/.test(clean)) return parseInt(clean.slice(2), 2);
  return Number(clean);
}
