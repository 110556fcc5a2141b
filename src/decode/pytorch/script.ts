/**
 * A reader for the Python subset TorchScript serializes (`code/__torch__/**.py` in a torch.jit.save archive):
 * classes with attribute annotations and methods, module-level functions, statements (assignments, return,
 * if/else, for, while, expression statements) and expressions. Bounded: nesting and sizes are capped, and a
 * statement that does not parse is kept as raw text for the caller to show, never dropped.
 */

export type Expr =
  | { k: 'name'; id: string }
  | { k: 'num'; v: number }
  | { k: 'str'; v: string }
  | { k: 'const'; v: null | boolean }
  | { k: 'list'; items: Expr[] }
  | { k: 'tuple'; items: Expr[] }
  | { k: 'attr'; obj: Expr; name: string }
  | { k: 'call'; fn: Expr; args: Expr[]; kwargs: [string, Expr][] }
  | { k: 'sub'; obj: Expr; index: Expr }
  | { k: 'bin'; op: string; l: Expr; r: Expr }
  | { k: 'un'; op: string; x: Expr }
  | { k: 'ifexp'; cond: Expr; a: Expr; b: Expr };

export type Stmt =
  | { k: 'assign'; targets: string[]; value: Expr; text: string; at: number }
  | { k: 'expr'; value: Expr; text: string; at: number }
  | { k: 'return'; value: Expr | null; text: string; at: number }
  | { k: 'pass'; text: string; at: number }
  | { k: 'if'; cond: Expr; then: Stmt[]; else: Stmt[]; text: string; at: number }
  | { k: 'loop'; header: string; body: Stmt[]; text: string; at: number }
  /** A statement this reader does not understand: shown as raw text. */
  | { k: 'raw'; text: string; at: number };

export interface Param {
  name: string;
  type: string;
  default: Expr | null;
}

export interface ScriptDef {
  name: string;
  params: Param[];
  body: Stmt[];
}

export interface ScriptClass {
  /** Fully qualified: `__torch__.torch.nn.modules.conv.Conv2d`. */
  qname: string;
  methods: Map<string, ScriptDef>;
  /** `name : Type` annotations and `__annotations__["0"] = Type`. */
  attrTypes: Map<string, string>;
  /** `name : Final[int] = 8` constants. */
  constants: Map<string, Expr>;
}

export interface ScriptModule {
  classes: ScriptClass[];
  /** Module-level functions by qualified name. */
  functions: Map<string, ScriptDef>;
}

interface Line {
  indent: number;
  text: string;
  at: number;
}

const MAX_EXPR_DEPTH = 200;
const MAX_BLOCK_DEPTH = 100;

/** Joins physical lines into logical ones (open brackets continue a line), with their indentation. */
function logicalLines(src: string): Line[] {
  const out: Line[] = [];
  let depth = 0;
  let cur = '';
  let indent = 0;
  let at = 0;
  let pos = 0;
  for (const raw of src.split('\n')) {
    const start = pos;
    pos += raw.length + 1;
    if (depth === 0) {
      if (!raw.trim() || raw.trim().startsWith('#')) continue;
      indent = raw.length - raw.trimStart().length;
      cur = raw.trim();
      at = start;
    } else cur += ` ${raw.trim()}`;
    depth = bracketDepth(raw, depth);
    if (depth <= 0) {
      depth = 0;
      out.push({ indent, text: cur, at });
    }
  }
  if (depth > 0) out.push({ indent, text: cur, at });
  return out;
}

function bracketDepth(s: string, depth: number): number {
  let quote = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (quote) {
      if (c === 92) i++;
      else if (c === quote) quote = 0;
    } else if (c === 34 || c === 39) quote = c;
    else if (c === 35) break;
    else if (c === 40 || c === 91 || c === 123) depth++;
    else if (c === 41 || c === 93 || c === 125) depth--;
  }
  return depth;
}

/** Parses one code file; `modulePath` is its dotted path (`__torch__.torch.nn.modules.conv`). */
export function parseScriptFile(src: string, modulePath: string, into: ScriptModule): void {
  const lines = logicalLines(src);
  let i = 0;
  while (i < lines.length) {
    const l = lines[i];
    const cls = /^class\s+([\w.]+)\s*(\(.*\))?\s*:$/.exec(l.text);
    if (cls && l.indent === 0) {
      const c: ScriptClass = {
        qname: `${modulePath}.${cls[1]}`,
        methods: new Map(),
        attrTypes: new Map(),
        constants: new Map(),
      };
      into.classes.push(c);
      i++;
      while (i < lines.length && lines[i].indent > l.indent) {
        const m = lines[i];
        if (m.text.startsWith('def ')) {
          const end = blockEnd(lines, i);
          const def = parseDef(lines, i, end);
          if (def) c.methods.set(def.name, def);
          i = end;
          continue;
        }
        const ann =
          /^__annotations__\["([^"]*)"\]\s*=\s*(.+)$/.exec(m.text) ??
          /^(\w+)\s*:\s*([^=]+?)(?:\s*=\s*(.+))?$/.exec(m.text);
        if (ann) {
          c.attrTypes.set(ann[1], ann[2].trim());
          if (ann[3] !== undefined) {
            const e = tryExpr(ann[3]);
            if (e) c.constants.set(ann[1], e);
          }
        }
        i++;
      }
      continue;
    }
    if (l.text.startsWith('def ') && l.indent === 0) {
      const end = blockEnd(lines, i);
      const def = parseDef(lines, i, end);
      if (def) into.functions.set(`${modulePath}.${def.name}`, def);
      i = end;
      continue;
    }
    i++;
  }
}

function blockEnd(lines: Line[], i: number): number {
  const indent = lines[i].indent;
  let j = i + 1;
  while (j < lines.length && lines[j].indent > indent) j++;
  return j;
}

function parseDef(lines: Line[], i: number, end: number): ScriptDef | null {
  const m = /^def\s+(\w+)\s*\((.*)\)\s*(->\s*.+)?:$/.exec(lines[i].text);
  if (!m) return null;
  const params: Param[] = splitTop(m[2])
    .filter((p) => p.trim())
    .map((p) => {
      const pm = /^\s*(\w+)\s*(?::\s*([^=]+?))?\s*(?:=\s*(.+))?\s*$/.exec(p);
      return { name: pm?.[1] ?? p.trim(), type: pm?.[2]?.trim() ?? '', default: pm?.[3] ? tryExpr(pm[3]) : null };
    });
  return { name: m[1], params, body: parseBlock(lines, i + 1, end, 0) };
}

function parseBlock(lines: Line[], from: number, to: number, depth: number): Stmt[] {
  const out: Stmt[] = [];
  let i = from;
  while (i < to) {
    const l = lines[i];
    const end = Math.min(to, blockEnd(lines, i));
    const text = l.text;
    if (depth > MAX_BLOCK_DEPTH) {
      out.push({ k: 'raw', text, at: l.at });
      i = end;
      continue;
    }
    const ifm = /^if\s+(.+):$/.exec(text);
    if (ifm) {
      const cond = tryExpr(ifm[1]);
      const then = parseBlock(lines, i + 1, end, depth + 1);
      let els: Stmt[] = [];
      let next = end;
      if (next < to && lines[next].indent === l.indent) {
        const e = lines[next].text;
        if (e === 'else:') {
          const eend = Math.min(to, blockEnd(lines, next));
          els = parseBlock(lines, next + 1, eend, depth + 1);
          next = eend;
        } else if (e.startsWith('elif ')) {
          // `elif c:` is `else: if c:` — rewrite the line and parse the rest as a nested if.
          const copy = lines.slice(next, to).map((x, k) => (k === 0 ? { ...x, text: x.text.slice(2) } : x));
          const inner = blockEndChain(copy, 0);
          els = parseBlock(copy, 0, inner, depth + 1);
          next += inner;
        }
      }
      const full = lines
        .slice(i, next)
        .map((x) => x.text)
        .join('\n');
      out.push(cond ? { k: 'if', cond, then, else: els, text: full, at: l.at } : { k: 'raw', text: full, at: l.at });
      i = next;
      continue;
    }
    if (/^(for|while|with)\b.*:$/.test(text)) {
      const full = lines
        .slice(i, end)
        .map((x) => x.text)
        .join('\n');
      out.push({ k: 'loop', header: text, body: parseBlock(lines, i + 1, end, depth + 1), text: full, at: l.at });
      i = end;
      continue;
    }
    out.push(parseSimple(text, l.at));
    i = end;
  }
  return out;
}

/** End of an if/elif/else chain starting at `i`. */
function blockEndChain(lines: Line[], i: number): number {
  let end = blockEnd(lines, i);
  while (
    end < lines.length &&
    lines[end].indent === lines[i].indent &&
    (lines[end].text === 'else:' || lines[end].text.startsWith('elif '))
  ) {
    end = blockEnd(lines, end);
  }
  return end;
}

function parseSimple(text: string, at: number): Stmt {
  if (text === 'pass') return { k: 'pass', text, at };
  if (text === 'return' || text.startsWith('return ')) {
    const rest = text.slice(6).trim();
    if (!rest) return { k: 'return', value: null, text, at };
    const value = tryExpr(rest);
    return value ? { k: 'return', value, text, at } : { k: 'raw', text, at };
  }
  // Assignment: targets `a`, `a, b`, `a : T`; the first `=` at bracket depth 0 that is not part of an operator.
  const eq = assignmentSplit(text);
  if (eq > 0) {
    const lhs = text.slice(0, eq).trim();
    const rhs = text.slice(eq + 1).trim();
    const targets = lhs
      .replace(/\s*:\s*[^,]+$/, '')
      .split(',')
      .map((t) => t.trim())
      .filter((t) => t);
    const value = tryExpr(rhs);
    if (value && targets.every((t) => /^[A-Za-z_]\w*$/.test(t))) return { k: 'assign', targets, value, text, at };
    return { k: 'raw', text, at };
  }
  const value = tryExpr(text);
  return value ? { k: 'expr', value, text, at } : { k: 'raw', text, at };
}

function assignmentSplit(text: string): number {
  let depth = 0;
  let quote = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quote) {
      if (c === '\\') i++;
      else if (c.charCodeAt(0) === quote) quote = 0;
      continue;
    }
    if (c === '"' || c === "'") quote = c.charCodeAt(0);
    else if (c === '(' || c === '[' || c === '{') depth++;
    else if (c === ')' || c === ']' || c === '}') depth--;
    else if (c === '=' && depth === 0) {
      const prev = text[i - 1];
      const next = text[i + 1];
      if (next === '=' || prev === '=' || prev === '!' || prev === '<' || prev === '>') {
        if (next === '=') i++;
        continue;
      }
      return i;
    }
  }
  return -1;
}

/** Splits at top-level commas. */
export function splitTop(s: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let quote = 0;
  let start = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (quote) {
      if (c === 92) i++;
      else if (c === quote) quote = 0;
    } else if (c === 34 || c === 39) quote = c;
    else if (c === 40 || c === 91 || c === 123) depth++;
    else if (c === 41 || c === 93 || c === 125) depth--;
    else if (c === 44 && depth === 0) {
      out.push(s.slice(start, i));
      start = i + 1;
    }
  }
  out.push(s.slice(start));
  return out;
}

// Expressions ----------------------------------------------------------------------------------------------------

interface Tok {
  t: 'name' | 'num' | 'str' | 'op' | 'end';
  v: string;
}

const OPS3 = ['**=', '//=', '>>=', '<<='];
const OPS2 = ['**', '//', '==', '!=', '<=', '>=', '<<', '>>', '->', '+=', '-=', '*=', '/='];

function tokenize(s: string): Tok[] | null {
  const out: Tok[] = [];
  let i = 0;
  while (i < s.length) {
    const c = s[i];
    if (c === ' ' || c === '\t') {
      i++;
      continue;
    }
    if (/[A-Za-z_]/.test(c)) {
      let j = i + 1;
      while (j < s.length && /\w/.test(s[j])) j++;
      out.push({ t: 'name', v: s.slice(i, j) });
      i = j;
    } else if (/[0-9]/.test(c) || (c === '.' && /[0-9]/.test(s[i + 1] ?? ''))) {
      const m = /^(0[xX][0-9a-fA-F]+|(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?)/.exec(s.slice(i));
      if (!m) return null;
      out.push({ t: 'num', v: m[0] });
      i += m[0].length;
    } else if (c === '"' || c === "'") {
      let j = i + 1;
      let v = '';
      while (j < s.length && s[j] !== c) {
        if (s[j] === '\\' && j + 1 < s.length) {
          const e = s[j + 1];
          v += e === 'n' ? '\n' : e === 't' ? '\t' : e;
          j += 2;
        } else v += s[j++];
      }
      if (j >= s.length) return null;
      out.push({ t: 'str', v });
      i = j + 1;
    } else {
      const three = s.slice(i, i + 3);
      const two = s.slice(i, i + 2);
      const v = OPS3.includes(three) ? three : OPS2.includes(two) ? two : c;
      if (!'()[]{},:.+-*/%<>=!&|^~@'.includes(v[0])) return null;
      out.push({ t: 'op', v });
      i += v.length;
    }
  }
  out.push({ t: 'end', v: '' });
  return out;
}

export function tryExpr(s: string): Expr | null {
  const toks = tokenize(s);
  if (!toks) return null;
  const p = new ExprParser(toks);
  try {
    const e = p.exprList();
    return p.atEnd() ? e : null;
  } catch {
    return null;
  }
}

class ExprParser {
  private i = 0;
  private depth = 0;
  constructor(private readonly toks: Tok[]) {}

  atEnd(): boolean {
    return this.toks[this.i].t === 'end';
  }

  private peek(): Tok {
    return this.toks[this.i];
  }

  private isOp(v: string): boolean {
    const t = this.toks[this.i];
    return t.t === 'op' && t.v === v;
  }

  private isName(v: string): boolean {
    const t = this.toks[this.i];
    return t.t === 'name' && t.v === v;
  }

  private expect(v: string): void {
    if (!this.isOp(v)) throw new Error(`expected ${v}`);
    this.i++;
  }

  /** `a, b` at the top level is a tuple. */
  exprList(): Expr {
    const first = this.expr();
    if (!this.isOp(',')) return first;
    const items = [first];
    while (this.isOp(',')) {
      this.i++;
      if (this.atEnd()) break;
      items.push(this.expr());
    }
    return { k: 'tuple', items };
  }

  expr(): Expr {
    if (++this.depth > MAX_EXPR_DEPTH) throw new Error('too deep');
    try {
      const a = this.or();
      if (this.isName('if')) {
        this.i++;
        const cond = this.or();
        if (!this.isName('else')) throw new Error('expected else');
        this.i++;
        return { k: 'ifexp', cond, a, b: this.expr() };
      }
      return a;
    } finally {
      this.depth--;
    }
  }

  private or(): Expr {
    let l = this.and();
    while (this.isName('or')) {
      this.i++;
      l = { k: 'bin', op: 'or', l, r: this.and() };
    }
    return l;
  }

  private and(): Expr {
    let l = this.not();
    while (this.isName('and')) {
      this.i++;
      l = { k: 'bin', op: 'and', l, r: this.not() };
    }
    return l;
  }

  private not(): Expr {
    if (this.isName('not')) {
      this.i++;
      return { k: 'un', op: 'not', x: this.not() };
    }
    return this.compare();
  }

  private compare(): Expr {
    let l = this.binary(0);
    for (;;) {
      const t = this.peek();
      let op = '';
      if (t.t === 'op' && ['==', '!=', '<', '>', '<=', '>='].includes(t.v)) op = t.v;
      else if (t.t === 'name' && t.v === 'in') op = 'in';
      else if (t.t === 'name' && t.v === 'is') op = 'is';
      else if (t.t === 'name' && t.v === 'not' && this.toks[this.i + 1]?.v === 'in') op = 'not in';
      if (!op) return l;
      this.i += op === 'not in' ? 2 : 1;
      if (op === 'is' && this.isName('not')) {
        this.i++;
        op = 'is not';
      }
      l = { k: 'bin', op, l, r: this.binary(0) };
    }
  }

  private static readonly LEVELS = [['|'], ['^'], ['&'], ['<<', '>>'], ['+', '-'], ['*', '/', '//', '%', '@']];

  private binary(level: number): Expr {
    if (level >= ExprParser.LEVELS.length) return this.unary();
    let l = this.binary(level + 1);
    for (;;) {
      const t = this.peek();
      if (t.t !== 'op' || !ExprParser.LEVELS[level].includes(t.v)) return l;
      this.i++;
      l = { k: 'bin', op: t.v, l, r: this.binary(level + 1) };
    }
  }

  private unary(): Expr {
    const t = this.peek();
    if (t.t === 'op' && (t.v === '-' || t.v === '+' || t.v === '~')) {
      this.i++;
      if (++this.depth > MAX_EXPR_DEPTH) throw new Error('too deep');
      const x = this.unary();
      this.depth--;
      if (t.v === '-' && x.k === 'num') return { k: 'num', v: -x.v };
      return { k: 'un', op: t.v, x };
    }
    const base = this.postfix();
    if (this.isOp('**')) {
      this.i++;
      return { k: 'bin', op: '**', l: base, r: this.unary() };
    }
    return base;
  }

  private postfix(): Expr {
    let e = this.atom();
    for (;;) {
      if (this.isOp('.')) {
        this.i++;
        const t = this.peek();
        if (t.t !== 'name') throw new Error('expected a name');
        this.i++;
        e = { k: 'attr', obj: e, name: t.v };
      } else if (this.isOp('(')) {
        this.i++;
        const args: Expr[] = [];
        const kwargs: [string, Expr][] = [];
        while (!this.isOp(')')) {
          const t = this.peek();
          if (t.t === 'name' && this.toks[this.i + 1]?.t === 'op' && this.toks[this.i + 1].v === '=') {
            this.i += 2;
            kwargs.push([t.v, this.expr()]);
          } else args.push(this.expr());
          if (this.isOp(',')) this.i++;
          else if (!this.isOp(')')) throw new Error('expected , or )');
        }
        this.i++;
        e = { k: 'call', fn: e, args, kwargs };
      } else if (this.isOp('[')) {
        this.i++;
        const index = this.sliceOrExpr();
        this.expect(']');
        e = { k: 'sub', obj: e, index };
      } else return e;
    }
  }

  private sliceOrExpr(): Expr {
    const parts: Expr[] = [];
    for (;;) {
      parts.push(this.isOp(':') || this.isOp(']') || this.isOp(',') ? { k: 'const', v: null } : this.expr());
      if (this.isOp(':') || this.isOp(',')) this.i++;
      else break;
    }
    return parts.length === 1 ? parts[0] : { k: 'tuple', items: parts };
  }

  private atom(): Expr {
    const t = this.peek();
    this.i++;
    if (t.t === 'num') return { k: 'num', v: Number(t.v) };
    if (t.t === 'str') {
      let v = t.v;
      while (this.peek().t === 'str') v += this.toks[this.i++].v;
      return { k: 'str', v };
    }
    if (t.t === 'name') {
      if (t.v === 'None') return { k: 'const', v: null };
      if (t.v === 'True') return { k: 'const', v: true };
      if (t.v === 'False') return { k: 'const', v: false };
      if (['if', 'else', 'and', 'or', 'not', 'in', 'is', 'lambda'].includes(t.v)) throw new Error('keyword');
      return { k: 'name', id: t.v };
    }
    if (t.t === 'op' && (t.v === '(' || t.v === '[')) {
      const close = t.v === '(' ? ')' : ']';
      const items: Expr[] = [];
      let comma = false;
      while (!this.isOp(close)) {
        items.push(this.expr());
        if (this.isOp(',')) {
          comma = true;
          this.i++;
        } else if (!this.isOp(close)) throw new Error('expected ,');
      }
      this.i++;
      if (t.v === '[') return { k: 'list', items };
      return items.length === 1 && !comma ? items[0] : { k: 'tuple', items };
    }
    throw new Error(`unexpected ${t.v}`);
  }
}
