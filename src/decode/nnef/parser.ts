import { DecodeError } from '../errors.ts';

/** The NNEF flat syntax: tokens, then `graph name( … ) -> ( … ) { out = op<type>(args); … }` as invocations. */

const MAX_DEPTH = 64;

const enum T {
  Id,
  Num,
  Str,
  Punct,
  End,
}

export interface Tok {
  t: T;
  v: string;
  at: number;
}

export function tokenize(text: string, fail: (m: string, at: number) => never): Tok[] {
  const out: Tok[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
      i++;
    } else if (c === '#') {
      while (i < text.length && text[i] !== '\n') i++;
    } else if (/[A-Za-z_]/.test(c)) {
      const s = i;
      while (i < text.length && /\w/.test(text[i])) i++;
      out.push({ t: T.Id, v: text.slice(s, i), at: s });
    } else if (/[0-9]/.test(c) || ((c === '-' || c === '.') && /[0-9.]/.test(text[i + 1] ?? ''))) {
      const m = /^-?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?/.exec(text.slice(i, i + 64));
      if (!m) fail(`bad number`, i);
      out.push({ t: T.Num, v: m[0], at: i });
      i += m[0].length;
    } else if (c === '"' || c === "'") {
      const end = text.indexOf(c, i + 1);
      if (end < 0) fail('unterminated string', i);
      out.push({ t: T.Str, v: text.slice(i + 1, end), at: i });
      i = end + 1;
    } else if (c === '-' && text[i + 1] === '>') {
      out.push({ t: T.Punct, v: '->', at: i });
      i += 2;
    } else if ('()[]{}<>,;=:'.includes(c)) {
      out.push({ t: T.Punct, v: c, at: i });
      i++;
    } else fail(`unexpected character "${c}"`, i);
  }
  out.push({ t: T.End, v: '', at: text.length });
  return out;
}

export interface Arg {
  key: string;
  /** Tensor identifiers the value mentions, in order. */
  ids: string[];
  /** Source text of the value. */
  text: string;
  /** The value when it is a list of numbers (shape = [..]). */
  numbers: number[] | null;
  str: string | null;
}

export interface Invocation {
  outputs: string[];
  op: string;
  args: Arg[];
  start: number;
  end: number;
}

export class NnefParser {
  private i = 0;
  constructor(
    private readonly toks: Tok[],
    private readonly text: string,
    private readonly file: string,
  ) {}

  fail(message: string, at = this.toks[this.i]?.at ?? 0): never {
    let line = 1;
    for (let k = 0; k < at && k < this.text.length; k++) if (this.text.charCodeAt(k) === 10) line++;
    throw new DecodeError(`line ${line}: ${message}`, this.file, `line ${line}`);
  }

  private peek(): Tok {
    return this.toks[this.i];
  }

  private is(v: string): boolean {
    const t = this.toks[this.i];
    return t.t === T.Punct && t.v === v;
  }

  private expect(v: string): Tok {
    const t = this.toks[this.i];
    if (t.t !== T.Punct || t.v !== v) this.fail(`expected "${v}", found "${t.v || 'end of file'}"`);
    this.i++;
    return t;
  }

  private id(): string {
    const t = this.toks[this.i];
    if (t.t !== T.Id) this.fail(`expected a name, found "${t.v || 'end of file'}"`);
    this.i++;
    return t.v;
  }

  parse(): { name: string; inputs: string[]; outputs: string[]; body: Invocation[]; version: string } {
    let version = '';
    for (;;) {
      const t = this.peek();
      if (t.t === T.End) this.fail('no "graph" definition found');
      if (t.t === T.Id && t.v === 'graph') break;
      if (t.t === T.Id && t.v === 'version') {
        this.i++;
        version = this.peek().v;
        this.skipPast(';');
      } else if (t.t === T.Id && (t.v === 'extension' || t.v === 'import')) this.skipPast(';');
      else if (t.t === T.Id && t.v === 'fragment') this.skipFragment();
      else this.fail(`unexpected "${t.v}" before the graph`);
    }
    this.i++;
    const name = this.id();
    const inputs = this.idList();
    this.expect('->');
    const outputs = this.idList();
    this.expect('{');
    const body: Invocation[] = [];
    while (!this.is('}')) {
      if (this.peek().t === T.End) this.fail('the file ends inside the graph body (missing "}")');
      body.push(this.invocation());
    }
    this.i++;
    return { name, inputs, outputs, body, version };
  }

  private skipPast(p: string): void {
    while (!this.is(p)) {
      if (this.peek().t === T.End) this.fail(`missing "${p}"`);
      this.i++;
    }
    this.i++;
  }

  private skipFragment(): void {
    // A declaration ends at ';'; a definition has a body in braces.
    while (!this.is(';') && !this.is('{')) {
      if (this.peek().t === T.End) this.fail('the file ends inside a fragment');
      this.i++;
    }
    if (this.is(';')) {
      this.i++;
      return;
    }
    let depth = 0;
    do {
      if (this.peek().t === T.End) this.fail('the file ends inside a fragment body');
      if (this.is('{')) depth++;
      else if (this.is('}')) depth--;
      this.i++;
    } while (depth > 0);
  }

  private idList(): string[] {
    this.expect('(');
    const out: string[] = [];
    while (!this.is(')')) {
      out.push(this.id());
      if (this.is(',')) this.i++;
      else if (!this.is(')')) this.fail('expected "," or ")"');
    }
    this.i++;
    return out;
  }

  private lvalue(out: string[], depth: number): void {
    if (depth > MAX_DEPTH) this.fail('nested too deeply');
    if (this.is('[') || this.is('(')) {
      const close = this.is('[') ? ']' : ')';
      this.i++;
      while (!this.is(close)) {
        this.lvalue(out, depth + 1);
        if (this.is(',')) this.i++;
        else if (!this.is(close)) this.fail(`expected "," or "${close}"`);
      }
      this.i++;
    } else out.push(this.id());
  }

  private invocation(): Invocation {
    const start = this.peek().at;
    const outputs: string[] = [];
    this.lvalue(outputs, 0);
    this.expect('=');
    const op = this.id();
    if (this.is('<')) {
      // Generic argument: `<scalar>`.
      while (!this.is('>')) {
        if (this.peek().t === T.End) this.fail('missing ">"');
        this.i++;
      }
      this.i++;
    }
    this.expect('(');
    const args: Arg[] = [];
    while (!this.is(')')) {
      let key = '';
      if (this.peek().t === T.Id && this.toks[this.i + 1].t === T.Punct && this.toks[this.i + 1].v === '=') {
        key = this.id();
        this.i++;
      }
      const from = this.peek().at;
      const ids: string[] = [];
      const numbers: number[] = [];
      let allNumbers = true;
      let str: string | null = null;
      this.value(
        ids,
        numbers,
        (v) => (allNumbers = v),
        (s) => (str = s),
        0,
      );
      args.push({
        key,
        ids,
        text: this.text.slice(from, this.peek().at).trim(),
        numbers: allNumbers ? numbers : null,
        str,
      });
      if (this.is(',')) this.i++;
      else if (!this.is(')')) this.fail('expected "," or ")" in an argument list');
    }
    this.i++;
    const end = this.expect(';').at + 1;
    return { outputs, op, args, start, end };
  }

  private value(
    ids: string[],
    numbers: number[],
    setAll: (v: boolean) => void,
    setStr: (s: string) => void,
    depth: number,
  ): void {
    if (depth > MAX_DEPTH) this.fail('values nested too deeply');
    const t = this.peek();
    if (this.is('[') || this.is('(')) {
      const close = this.is('[') ? ']' : ')';
      this.i++;
      if (close === ')') setAll(false);
      while (!this.is(close)) {
        this.value(ids, numbers, setAll, setStr, depth + 1);
        if (this.is(',')) this.i++;
        else if (!this.is(close)) this.fail(`expected "," or "${close}"`);
      }
      this.i++;
      return;
    }
    this.i++;
    if (t.t === T.Num) numbers.push(Number(t.v));
    else if (t.t === T.Id && (t.v === 'true' || t.v === 'false')) setAll(false);
    else if (t.t === T.Id) {
      ids.push(t.v);
      setAll(false);
    } else if (t.t === T.Str) {
      setStr(t.v);
      setAll(false);
    } else this.fail(`unexpected "${t.v || 'end of file'}" in an argument`, t.at);
  }
}
