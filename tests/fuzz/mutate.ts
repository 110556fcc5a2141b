/**
 * Deterministic mutation engine for the decoder fuzzer. Every case is a pure function of (seed file, case index,
 * base seed), so a failure seen in a worker can be regenerated and saved by the main thread.
 *
 * Three kinds of structure are understood:
 * - protobuf: the seed is walked as wire format (length-delimited payloads that parse as messages are descended
 *   into); cases truncate at every field boundary, and tree edits (delete / duplicate / move / re-nest fields,
 *   hostile varints and lengths, name swaps that make cycles and duplicates) are re-serialised with correct
 *   lengths so they reach the inner decoder logic instead of failing at the first length check;
 * - flatbuffer: hostile 32-bit offsets and vtable entries at aligned positions;
 * - text: line-level edits, hostile numbers, deep brace nesting, truncation at every line boundary.
 * Byte-level mutations (bit flips, insert/delete, splices, random truncation) apply to all.
 */

import { concat, varint, varintLength } from '../helpers/protobuf-writer.ts';

export type SeedKind = 'protobuf' | 'flatbuffer' | 'text';

/** mulberry32: small, fast, good enough to drive mutations. */
export class Rng {
  private s: number;
  constructor(seed: number) {
    this.s = seed >>> 0;
  }

  next(): number {
    let t = (this.s = (this.s + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }

  int(n: number): number {
    return n <= 0 ? 0 : this.next() % n;
  }

  chance(p: number): boolean {
    return this.next() / 4294967296 < p;
  }

  pick<T>(a: readonly T[]): T {
    return a[this.int(a.length)];
  }
}

export function hashSeed(...parts: (number | string)[]): number {
  let h = 0x811c9dc5;
  for (const p of parts) {
    const s = String(p);
    for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
    h = Math.imul(h ^ 0xff, 0x01000193);
  }
  return h >>> 0;
}

// Varints (written with the test protobuf writer's varint(); read here, leniently) ----------------------------------

function readVarint(b: Uint8Array, pos: number, end: number): { value: bigint; next: number } | null {
  let v = 0n;
  let shift = 0n;
  for (let i = pos; i < end && i < pos + 10; i++) {
    v |= BigInt(b[i] & 0x7f) << shift;
    shift += 7n;
    if (!(b[i] & 0x80)) return { value: v, next: i + 1 };
  }
  return null;
}

/** Values that break naive varint and length handling. */
export const HOSTILE_VARINTS: readonly bigint[] = [
  0n,
  1n,
  0x7fn,
  0x80n,
  0xffffn,
  0x7fffffffn,
  0x80000000n,
  0xffffffffn,
  0x100000000n,
  2n ** 53n - 1n,
  2n ** 53n + 1n,
  2n ** 60n,
  2n ** 62n,
  2n ** 63n - 1n,
  -1n,
  -2n,
  -(2n ** 31n),
  -(2n ** 63n),
  2n ** 64n - 1n,
];

/** An 11-byte varint: longer than any valid encoding. */
const OVERLONG_VARINT = Uint8Array.from([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]);

// Protobuf tree ------------------------------------------------------------------------------------------------------

export interface PbField {
  field: number;
  wire: number;
  /** Varint / fixed payload bytes, or a length-delimited payload that is not (parsed as) a message. */
  raw: Uint8Array;
  /** A length-delimited payload that parses as a message. */
  children: PbField[] | null;
}

export interface PbWalk {
  fields: PbField[];
  /** Every offset where a field or a payload starts or ends, sorted, unique. */
  boundaries: number[];
}

const MAX_WALK_DEPTH = 64;

/** Parses a whole buffer as one message; length-delimited payloads that parse as messages become children. */
export function walkProtobuf(bytes: Uint8Array): PbWalk | null {
  const boundaries = new Set<number>([0, bytes.length]);
  const fields = parseMessage(bytes, 0, bytes.length, 0, boundaries);
  if (!fields) return null;
  return { fields, boundaries: [...boundaries].sort((a, b) => a - b) };
}

function parseMessage(
  b: Uint8Array,
  start: number,
  end: number,
  depth: number,
  boundaries: Set<number> | null,
): PbField[] | null {
  const out: PbField[] = [];
  const local: number[] = [];
  let pos = start;
  while (pos < end) {
    local.push(pos);
    const t = readVarint(b, pos, end);
    if (!t || t.value < 8n || t.value > 0xffffffffn) return null;
    const field = Number(t.value >> 3n);
    const wire = Number(t.value & 7n);
    pos = t.next;
    if (wire === 0) {
      const v = readVarint(b, pos, end);
      if (!v) return null;
      out.push({ field, wire, raw: b.slice(pos, v.next), children: null });
      pos = v.next;
    } else if (wire === 1 || wire === 5) {
      const n = wire === 1 ? 8 : 4;
      if (pos + n > end) return null;
      out.push({ field, wire, raw: b.slice(pos, pos + n), children: null });
      pos += n;
    } else if (wire === 2) {
      const l = readVarint(b, pos, end);
      if (!l || l.value > BigInt(end - l.next)) return null;
      const len = Number(l.value);
      local.push(l.next);
      const pStart = l.next;
      const pEnd = pStart + len;
      // Treat as a message only if it fully parses; strings and packed arrays usually don't.
      const inner = len > 0 && depth < MAX_WALK_DEPTH ? parseMessage(b, pStart, pEnd, depth + 1, null) : null;
      if (inner && boundaries) parseMessage(b, pStart, pEnd, depth + 1, boundaries);
      out.push({ field, wire, raw: inner ? new Uint8Array(0) : b.slice(pStart, pEnd), children: inner });
      pos = pEnd;
    } else {
      return null;
    }
    local.push(pos);
  }
  if (pos !== end) return null;
  if (boundaries) for (const x of local) boundaries.add(x);
  return out;
}

export function serialize(fields: readonly PbField[]): Uint8Array {
  // Two passes, so a payload nested d levels deep is copied once, not d times.
  const sizes = new Map<readonly PbField[], number>();
  const sizeOf = (fs: readonly PbField[]): number => {
    let n = 0;
    for (const f of fs) {
      n += varintLength(f.field * 8 + f.wire);
      if (f.wire === 2) {
        const len = f.children ? sizeOf(f.children) : f.raw.length;
        n += varintLength(len) + len;
      } else n += f.raw.length;
    }
    sizes.set(fs, n);
    return n;
  };
  const out = new Uint8Array(sizeOf(fields));
  let o = 0;
  const put = (b: Uint8Array) => {
    out.set(b, o);
    o += b.length;
  };
  const write = (fs: readonly PbField[]) => {
    for (const f of fs) {
      put(varint(f.field * 8 + f.wire));
      if (f.wire === 2) {
        if (f.children) {
          put(varint(sizes.get(f.children)!));
          write(f.children);
        } else {
          put(varint(f.raw.length));
          put(f.raw);
        }
      } else put(f.raw);
    }
  };
  write(fields);
  return out;
}

function clone(fs: readonly PbField[]): PbField[] {
  return fs.map((f) => ({ field: f.field, wire: f.wire, raw: f.raw, children: f.children ? clone(f.children) : null }));
}

/** Serialised size of a tree, give or take a few bytes per field; stops counting at `limit`. */
function treeSize(fields: readonly PbField[], limit: number): number {
  let n = 0;
  const stack: (readonly PbField[])[] = [fields];
  while (stack.length && n < limit) {
    for (const f of stack.pop()!) {
      n += 6 + f.raw.length;
      if (f.children) stack.push(f.children);
    }
  }
  return n;
}

/** Every field in the tree with the list that holds it, for picking edit targets. */
function collect(fields: PbField[]): { list: PbField[]; index: number; f: PbField; depth: number }[] {
  const out: { list: PbField[]; index: number; f: PbField; depth: number }[] = [];
  const stack: [PbField[], number][] = [[fields, 0]];
  while (stack.length) {
    const [list, depth] = stack.pop()!;
    list.forEach((f, index) => {
      out.push({ list, index, f, depth });
      if (f.children) stack.push([f.children, depth + 1]);
    });
  }
  return out;
}

const utf8 = new TextEncoder();
const HOSTILE_STRINGS: readonly Uint8Array[] = [
  new Uint8Array(0),
  utf8.encode('x'),
  utf8.encode('/'),
  utf8.encode('a/b/c/d/e/f/g/h/i/j'),
  utf8.encode('/'.repeat(300)),
  utf8.encode('.'.repeat(64)),
  utf8.encode('<img src=x onerror="window.__xss=1">'),
  utf8.encode('\u202e\u200b\u0000'),
  Uint8Array.from([0xff, 0xfe, 0xc0, 0x80, 0xed, 0xa0, 0x80]),
  utf8.encode('n'.repeat(5000)),
  utf8.encode('__proto__'),
  utf8.encode('constructor'),
];

/** Cap on serialised mutant size, so self-nesting cannot blow up the fuzzer itself. */
const MAX_MUTANT = 1 << 20;

/** One structured edit of the tree (in place). Returns a short label. */
function treeEdit(fields: PbField[], rng: Rng, donor: PbField[] | null, cap: number): string {
  const all = collect(fields);
  if (all.length === 0) return 'noop';
  const at = rng.pick(all);
  const messages = all.filter((x) => x.f.children);
  const strings = all.filter((x) => x.f.wire === 2 && !x.f.children);
  switch (rng.int(12)) {
    case 0:
      at.list.splice(at.index, 1);
      return `delete f${at.f.field}@d${at.depth}`;
    case 1: {
      const one = Math.max(1, treeSize([at.f], cap));
      const copies = Math.min(1 + rng.int(rng.chance(0.2) ? 200 : 3), Math.max(1, Math.floor(MAX_MUTANT / one)));
      at.list.splice(at.index, 0, ...Array.from({ length: copies }, () => clone([at.f])[0]));
      return `duplicate f${at.f.field}x${copies}`;
    }
    case 2: {
      // Move or copy a field into another message (a node into an attribute, a graph into a node ...).
      if (!messages.length) return 'noop';
      const into = rng.pick(messages);
      const copy = clone([at.f])[0];
      if (rng.chance(0.5)) at.list.splice(at.index, 1);
      into.f.children!.splice(rng.int(into.f.children!.length + 1), 0, copy);
      return `move f${at.f.field} into f${into.f.field}`;
    }
    case 3: {
      // Re-nest a message inside itself several times: deep recursion through the same path.
      if (!messages.length) return 'noop';
      const m = rng.pick(messages).f;
      const template = clone([m])[0];
      const times = Math.min(
        1 + rng.int(12),
        Math.max(1, Math.floor(cap / 2 / Math.max(1, treeSize([template], cap)))),
      );
      let host = m;
      for (let i = 0; i < times; i++) {
        // A chain, not a tree: each copy goes one level inside the previous one, so size grows linearly.
        const inner = clone([template])[0];
        const kids = host.children!.filter((k) => k.children);
        (kids.length ? rng.pick(kids) : host).children!.push(inner);
        host = inner;
      }
      return `renest f${m.field}x${times}`;
    }
    case 4: {
      const v = rng.chance(0.8) ? rng.pick(HOSTILE_VARINTS) : BigInt(rng.next());
      at.f.wire = 0;
      at.f.children = null;
      at.f.raw = varint(v);
      return `varint f${at.f.field}=${v}`;
    }
    case 5: {
      if (!strings.length) return 'noop';
      const s = rng.pick(strings).f;
      s.raw = rng.chance(0.5) || !strings.length ? rng.pick(HOSTILE_STRINGS) : rng.pick(strings).f.raw;
      return `string f${s.field}`;
    }
    case 6: {
      // Swap two strings (an output name becomes an earlier input: cycles; two nodes share a name: duplicates).
      if (strings.length < 2) return 'noop';
      const a = rng.pick(strings).f;
      const b = rng.pick(strings).f;
      [a.raw, b.raw] = [b.raw, a.raw];
      return 'swap strings';
    }
    case 7: {
      const w = rng.pick([0, 1, 2, 3, 4, 5, 6, 7]);
      if (w === 2 && at.f.wire !== 2) at.f.raw = at.f.raw.slice();
      at.f.wire = w;
      if (w !== 2) {
        at.f.raw = w === 1 ? new Uint8Array(8) : w === 5 ? new Uint8Array(4) : w === 0 ? varint(1n) : new Uint8Array(0);
        at.f.children = null;
      }
      return `wire f${at.f.field}=${w}`;
    }
    case 8:
      at.f.field = rng.pick([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 20, 25, 0x1fffffff]);
      return `field ${at.f.field}`;
    case 9: {
      // Splice a field from another seed of the same format.
      if (!donor) return 'noop';
      const d = collect(donor);
      if (!d.length) return 'noop';
      at.list.splice(at.index, 0, clone([rng.pick(d).f])[0]);
      return 'donor';
    }
    case 10: {
      // A packed list of hostile varints (dims of 2^62, negative sizes) in place of a payload.
      const n = 1 + rng.int(rng.chance(0.1) ? 5000 : 8);
      const vals = Array.from({ length: n }, () => varint(rng.pick(HOSTILE_VARINTS)));
      const raw = new Uint8Array(vals.reduce((s, v) => s + v.length, 0));
      let o = 0;
      for (const v of vals) {
        raw.set(v, o);
        o += v.length;
      }
      at.f.wire = 2;
      at.f.children = null;
      at.f.raw = raw;
      return `packed f${at.f.field}x${n}`;
    }
    default: {
      // Empty a message (empty graph, empty node, empty tensor).
      if (!messages.length) return 'noop';
      rng.pick(messages).f.children = [];
      return 'empty message';
    }
  }
}

// Byte-level mutations -----------------------------------------------------------------------------------------------

function byteEdit(
  b: Uint8Array,
  rng: Rng,
  boundaries: readonly number[] | null,
  donor: Uint8Array | null,
): { bytes: Uint8Array; label: string } {
  const n = b.length;
  const at = (): number => (boundaries && boundaries.length && rng.chance(0.5) ? rng.pick(boundaries) : rng.int(n + 1));
  switch (rng.int(9)) {
    case 0: {
      const out = b.slice();
      const flips = 1 + rng.int(8);
      for (let i = 0; i < flips && n; i++) out[rng.int(n)] ^= 1 << rng.int(8);
      return { bytes: out, label: `flip x${flips}` };
    }
    case 1: {
      const out = b.slice();
      const i = rng.int(n);
      if (n) out[i] = rng.pick([0x00, 0xff, 0x7f, 0x80, 0x01, 0x0a, 0x12, 0x3a]);
      return { bytes: out, label: `set ${i}` };
    }
    case 2: {
      const i = at();
      const ins = rng.chance(0.5) ? Uint8Array.from({ length: 1 + rng.int(16) }, () => rng.int(256)) : OVERLONG_VARINT;
      return { bytes: concat(b.subarray(0, i), ins, b.subarray(i)), label: `insert@${i}` };
    }
    case 3: {
      const i = at();
      const len = 1 + rng.int(rng.chance(0.1) ? 4096 : 16);
      return { bytes: concat(b.subarray(0, i), b.subarray(Math.min(n, i + len))), label: `delete@${i}+${len}` };
    }
    case 4: {
      const i = rng.int(n + 1);
      return { bytes: b.slice(0, i), label: `truncate@${i}` };
    }
    case 5: {
      // A hostile varint written over the bytes at a boundary (often a length prefix).
      const i = at();
      const v = varint(rng.pick(HOSTILE_VARINTS));
      const out = concat(b.subarray(0, i), v, b.subarray(Math.min(n, i + (rng.chance(0.5) ? v.length : 1))));
      return { bytes: out, label: `varint@${i}` };
    }
    case 6: {
      // Duplicate a chunk in place.
      const i = rng.int(n + 1);
      const len = 1 + rng.int(256);
      const chunk = b.slice(i, Math.min(n, i + len));
      return { bytes: concat(b.subarray(0, i), chunk, chunk, b.subarray(i)), label: `dup@${i}` };
    }
    case 7: {
      if (!donor || !donor.length) return { bytes: b.slice(), label: 'noop' };
      const from = rng.int(donor.length);
      const chunk = donor.subarray(from, Math.min(donor.length, from + 1 + rng.int(512)));
      const i = rng.int(n + 1);
      return { bytes: concat(b.subarray(0, i), chunk, b.subarray(i)), label: `splice@${i}` };
    }
    default: {
      // 32-bit hostile value at an aligned position (flatbuffer offsets, vtable sizes, vector lengths).
      const out = b.slice();
      if (n >= 4) {
        const i = Math.min(
          n - 4,
          boundaries && boundaries.length && rng.chance(0.7) ? rng.pick(boundaries) & ~3 : rng.int(n >> 2) << 2,
        );
        const v = rng.pick([0xffffffff, 0x7fffffff, 0x80000000, 0, 1, 4, n, n - 4, n + 4, 0xfffffffc, rng.next()]);
        new DataView(out.buffer).setUint32(i, v >>> 0, true);
        return { bytes: out, label: `u32@${i}=${v >>> 0}` };
      }
      return { bytes: out, label: 'noop' };
    }
  }
}

// Text mutations -------------------------------------------------------------------------------------------------------

const HOSTILE_NUMBERS = [
  '0',
  '-1',
  '-2147483648',
  '2147483648',
  '4294967296',
  '99999999999999999999999',
  '1e308',
  '1e400',
  '-1e400',
  'NaN',
  'Infinity',
  '0x7fffffff',
  '1.5',
  '-0',
  '4611686018427387904',
];

function textEdit(b: Uint8Array, rng: Rng): { bytes: Uint8Array; label: string } {
  const text = new TextDecoder().decode(b);
  let lines = text.split('\n');
  let label: string;
  switch (rng.int(8)) {
    case 0: {
      const i = rng.int(lines.length);
      lines.splice(i, 1 + rng.int(4));
      label = `delete lines@${i}`;
      break;
    }
    case 1: {
      const i = rng.int(lines.length);
      const n = 1 + rng.int(rng.chance(0.1) ? 2000 : 4);
      lines.splice(i, 0, ...Array.from({ length: n }, () => lines[i]));
      label = `dup line@${i}x${n}`;
      break;
    }
    case 2: {
      const i = rng.int(lines.length);
      const j = rng.int(lines.length);
      [lines[i], lines[j]] = [lines[j], lines[i]];
      label = `swap lines ${i},${j}`;
      break;
    }
    case 3: {
      let k = 0;
      const target = rng.int(64);
      const out = text.replace(/-?\d+(\.\d+)?/g, (m) => (k++ % 64 === target ? rng.pick(HOSTILE_NUMBERS) : m));
      lines = out.split('\n');
      label = 'hostile number';
      break;
    }
    case 4: {
      const i = rng.int(lines.length);
      const depth = rng.chance(0.5) ? 10000 : 1 + rng.int(100);
      const closed = rng.chance(0.5);
      lines.splice(i, 0, 'layer {'.repeat(depth) + (closed ? '}'.repeat(depth) : ''));
      label = `nest ${depth}${closed ? '' : ' unclosed'}`;
      break;
    }
    case 5: {
      const i = rng.int(lines.length);
      lines[i] =
        lines[i] +
        rng.pick([
          '"',
          '{',
          '}',
          '[',
          ']',
          '=',
          '#',
          '\\',
          '\u0000',
          ' '.repeat(10000),
          'x'.repeat(100000),
          ':',
          '[net]',
          '[convolutional]',
          'layers=-1000',
          'from=-99',
          'top: "data"',
          'bottom: "data"',
        ]);
      label = `append@${i}`;
      break;
    }
    case 6: {
      // Duplicate a section ([...] in darknet, layer {...} in caffe), shuffling references between layers.
      const i = rng.int(lines.length);
      const n = 1 + rng.int(30);
      lines.splice(rng.int(lines.length), 0, ...lines.slice(i, i + n));
      label = `dup block@${i}`;
      break;
    }
    default: {
      const i = rng.int(lines.length);
      label = `truncate line ${i}`;
      lines = lines.slice(0, i);
      lines.push((text.split('\n')[i] ?? '').slice(0, rng.int(20)));
    }
  }
  return { bytes: new TextEncoder().encode(lines.join('\n')), label };
}

function lineBoundaries(b: Uint8Array): number[] {
  const out = [0];
  for (let i = 0; i < b.length; i++) if (b[i] === 0x0a) out.push(i + 1);
  return out;
}

// Plans ---------------------------------------------------------------------------------------------------------------

export interface Seed {
  label: string;
  bytes: Uint8Array;
  kind: SeedKind;
  /** Name the mutants get (extension-based routing, e.g. .caffemodel vs .prototxt); default: the job's. */
  fileName?: string;
}

export interface FuzzCase {
  label: string;
  bytes: Uint8Array;
  fileName?: string;
}

interface PreparedSeed extends Seed {
  walk: PbWalk | null;
  boundaries: number[];
  /** Where byte edits aim: field boundaries (protobuf), line starts (text), offset-like words (flatbuffer). */
  hotspots: number[];
}

/**
 * The ordered list of cases for one format: deterministic truncations at every structural boundary of every seed
 * (capped per seed), then random mutations, `iterations` in all (the deterministic ones are always included).
 */
export class FuzzPlan {
  private readonly seeds: PreparedSeed[];
  private readonly truncations: { seed: number; at: number }[] = [];

  constructor(
    seeds: readonly Seed[],
    readonly iterations: number,
    readonly baseSeed: number,
    maxTruncationsPerSeed = 400,
  ) {
    this.seeds = seeds.map((s) => {
      const walk = s.kind === 'protobuf' ? walkProtobuf(s.bytes) : null;
      const boundaries = walk
        ? walk.boundaries
        : s.kind === 'text'
          ? lineBoundaries(s.bytes)
          : evenly(s.bytes.length, 64);
      const hotspots = s.kind === 'flatbuffer' ? offsetLikeWords(s.bytes) : boundaries;
      return { ...s, walk, boundaries, hotspots };
    });
    this.seeds.forEach((s, i) => {
      const bs = s.boundaries.filter((x) => x < s.bytes.length);
      const step = Math.max(1, Math.ceil(bs.length / maxTruncationsPerSeed));
      for (let k = 0; k < bs.length; k += step) this.truncations.push({ seed: i, at: bs[k] });
    });
  }

  get size(): number {
    return this.truncations.length + this.seeds.length + this.iterations;
  }

  case(i: number): FuzzCase {
    // The seeds themselves first: they must decode (or fail cleanly, for cross-format feeding).
    if (i < this.seeds.length)
      return {
        label: `${this.seeds[i].label} (unmodified)`,
        bytes: this.seeds[i].bytes,
        fileName: this.seeds[i].fileName,
      };
    i -= this.seeds.length;
    if (i < this.truncations.length) {
      const t = this.truncations[i];
      const s = this.seeds[t.seed];
      return {
        label: `${s.label} truncated at boundary ${t.at}`,
        bytes: s.bytes.subarray(0, t.at),
        fileName: s.fileName,
      };
    }
    const k = i - this.truncations.length;
    const rng = new Rng(hashSeed(this.baseSeed, k));
    const si = rng.int(this.seeds.length);
    const s = this.seeds[si];
    const other = this.seeds[rng.int(this.seeds.length)];
    const labels: string[] = [];
    const cap = Math.max(MAX_MUTANT, 2 * s.bytes.length);
    let bytes = s.bytes;
    if (s.walk && rng.chance(0.7)) {
      const tree = clone(s.walk.fields);
      const edits = 1 + rng.int(rng.chance(0.2) ? 12 : 3);
      for (let e = 0; e < edits && treeSize(tree, cap) < cap; e++)
        labels.push(treeEdit(tree, rng, other.walk?.fields ?? null, cap));
      bytes = serialize(tree);
      if (rng.chance(0.25)) {
        const r = byteEdit(bytes, rng, null, other.bytes);
        bytes = r.bytes;
        labels.push(r.label);
      }
    } else if (s.kind === 'text' && rng.chance(0.7)) {
      const edits = 1 + rng.int(3);
      for (let e = 0; e < edits; e++) {
        const r = textEdit(bytes, rng);
        bytes = r.bytes;
        labels.push(r.label);
      }
      if (rng.chance(0.2)) {
        const r = byteEdit(bytes, rng, null, other.bytes);
        bytes = r.bytes;
        labels.push(r.label);
      }
    } else {
      const edits = 1 + rng.int(rng.chance(0.2) ? 8 : 2);
      for (let e = 0; e < edits; e++) {
        const r = byteEdit(bytes, rng, bytes === s.bytes ? s.hotspots : null, other.bytes);
        bytes = r.bytes;
        labels.push(r.label);
      }
    }
    if (bytes.length > cap) bytes = bytes.subarray(0, cap);
    return { label: `${s.label} #${k}: ${labels.join(', ')}`, bytes, fileName: s.fileName };
  }
}

/**
 * Aligned 32-bit words whose value could be a forward offset or a vtable distance: small, 4-aligned, landing inside
 * the file. In a flatbuffer these are mostly the real table/vector/string offsets, not weight bytes.
 */
function offsetLikeWords(b: Uint8Array, max = 20_000): number[] {
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const out: number[] = [];
  for (let i = 0; i + 4 <= b.length && out.length < max; i += 4) {
    const v = dv.getUint32(i, true);
    if (v >= 4 && v < b.length - i && (v & 3) === 0) out.push(i);
    else {
      const s = dv.getInt16(i, true);
      if (s >= 4 && s <= 256 && (s & 1) === 0) out.push(i);
    }
  }
  return out;
}

function evenly(n: number, count: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < count; i++) out.push(Math.floor((n * i) / count));
  return out;
}
