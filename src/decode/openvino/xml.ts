/**
 * A small non-recursive XML tokenizer (no DOMParser in workers or Node): start tags with attributes, end tags,
 * self-closing tags, text; comments, processing instructions, DOCTYPE and CDATA handled. Positions are offsets in
 * the decoded string (byte offsets for ASCII/latin1 input). Bounded: one pass, no backtracking, no nesting stack of
 * its own (callers keep what they need).
 */
export const enum XmlEvent {
  Open = 1,
  Close = 2,
  Text = 3,
  End = 4,
}

export class XmlTokenizer {
  pos = 0;
  event = XmlEvent.End;
  name = '';
  attrs: Record<string, string> = {};
  selfClosing = false;
  text = '';
  /** Offset of the current token's `<`, or of the text. */
  start = 0;

  constructor(
    private readonly src: string,
    private readonly fail: (message: string, at: number) => never,
  ) {}

  next(): XmlEvent {
    const s = this.src;
    this.selfClosing = false;
    for (;;) {
      if (this.pos >= s.length) return (this.event = XmlEvent.End);
      this.start = this.pos;
      if (s.charCodeAt(this.pos) !== 60) {
        const lt = s.indexOf('<', this.pos);
        const end = lt < 0 ? s.length : lt;
        this.text = decodeEntities(s.slice(this.pos, end));
        this.pos = end;
        return (this.event = XmlEvent.Text);
      }
      if (s.startsWith('<!--', this.pos)) {
        this.pos = this.skipTo('-->', this.pos + 4, 'comment');
        continue;
      }
      if (s.startsWith('<?', this.pos)) {
        this.pos = this.skipTo('?>', this.pos + 2, 'processing instruction');
        continue;
      }
      if (s.startsWith('<![CDATA[', this.pos)) {
        const end = this.skipTo(']]>', this.pos + 9, 'CDATA section');
        this.text = s.slice(this.pos + 9, end - 3);
        this.pos = end;
        return (this.event = XmlEvent.Text);
      }
      if (s.startsWith('<!', this.pos)) {
        this.pos = this.skipTo('>', this.pos + 2, 'declaration');
        continue;
      }
      if (s.charCodeAt(this.pos + 1) === 47) {
        const end = s.indexOf('>', this.pos);
        if (end < 0) this.fail('unterminated end tag', this.pos);
        this.name = s.slice(this.pos + 2, end).trim();
        this.pos = end + 1;
        return (this.event = XmlEvent.Close);
      }
      return this.startTag();
    }
  }

  private skipTo(close: string, from: number, what: string): number {
    const end = this.src.indexOf(close, from);
    if (end < 0) this.fail(`unterminated ${what}`, this.pos);
    return end + close.length;
  }

  private startTag(): XmlEvent {
    const s = this.src;
    let i = this.pos + 1;
    const nameStart = i;
    while (i < s.length && !isSpace(s.charCodeAt(i)) && s[i] !== '>' && s[i] !== '/') i++;
    this.name = s.slice(nameStart, i);
    if (!this.name) this.fail('tag without a name', this.pos);
    const attrs: Record<string, string> = {};
    for (;;) {
      while (i < s.length && isSpace(s.charCodeAt(i))) i++;
      if (i >= s.length) this.fail(`unterminated tag <${this.name}>`, this.pos);
      if (s[i] === '>') {
        i++;
        break;
      }
      if (s[i] === '/' && s[i + 1] === '>') {
        this.selfClosing = true;
        i += 2;
        break;
      }
      const aStart = i;
      while (i < s.length && s[i] !== '=' && !isSpace(s.charCodeAt(i)) && s[i] !== '>' && s[i] !== '/') i++;
      const key = s.slice(aStart, i);
      while (i < s.length && isSpace(s.charCodeAt(i))) i++;
      if (s[i] !== '=') this.fail(`attribute "${key}" of <${this.name}> has no value`, i);
      i++;
      while (i < s.length && isSpace(s.charCodeAt(i))) i++;
      const q = s[i];
      if (q !== '"' && q !== "'") this.fail(`attribute "${key}" of <${this.name}> is not quoted`, i);
      const end = s.indexOf(q, i + 1);
      if (end < 0) this.fail(`unterminated value of attribute "${key}"`, i);
      attrs[key] = decodeEntities(s.slice(i + 1, end));
      i = end + 1;
    }
    this.attrs = attrs;
    this.pos = i;
    return (this.event = XmlEvent.Open);
  }
}

function isSpace(c: number): boolean {
  return c === 32 || c === 9 || c === 10 || c === 13;
}

const ENTITIES: Readonly<Record<string, string>> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

export function decodeEntities(s: string): string {
  if (!s.includes('&')) return s;
  return s.replace(/&(#x[0-9a-fA-F]+|#\d+|\w+);/g, (m, e: string) => {
    if (e[0] === '#') {
      const code = e[1] === 'x' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10);
      return code >= 0 && code <= 0x10ffff ? String.fromCodePoint(code) : m;
    }
    return ENTITIES[e] ?? m;
  });
}
