import type { ByteSource } from '../io/byte-source.ts';
import type { DecodeOptions } from '../decoder.ts';
import { DecodeError } from '../errors.ts';
import { ggmlByteSize, ggmlType, type GgmlType } from '../ggml/types.ts';
import { RangeCursor } from './cursor.ts';
import { GGUF_MAGIC } from './sniff.ts';

const MAX_DIMS = 8;
/** Array items kept as values (the rest of a token list is counted, not held). */
const KEPT_ITEMS = 8;
const MAX_KEY_BYTES = 65_535;
/** Metadata strings (chat templates, licences) are kept whole up to this size; longer ones are shown by a prefix. */
const MAX_VALUE_STRING_BYTES = 1 << 20;
/** The prefix kept of an overlong string, and of each array item shown. */
const SHOWN_PREFIX_BYTES = 256;
const SHOWN_ITEM_CHARS = 64;
/** Token-list items (or tensor infos) between two cancellation checks and progress reports. */
const ITEMS_PER_REPORT = 8192;

const enum KvType {
  U8 = 0,
  I8,
  U16,
  I16,
  U32,
  I32,
  F32,
  Bool,
  String,
  Array,
  U64,
  I64,
  F64,
}
const KV_TYPE_NAMES = ['u8', 'i8', 'u16', 'i16', 'u32', 'i32', 'f32', 'bool', 'string', 'array', 'u64', 'i64', 'f64'];
const SCALAR_BYTES = [1, 1, 2, 2, 4, 4, 4, 1, 0, 0, 8, 8, 8];

export type GgufScalar = number | boolean | string;
export interface GgufArray {
  itemType: string;
  length: number;
  /** The first items (strings shortened), for display. */
  head: GgufScalar[];
}
export type GgufValue = GgufScalar | GgufArray;

export interface GgufTensorInfo {
  name: string;
  /** ggml order: ne[0] is the innermost (row) dimension. */
  ne: number[];
  type: GgmlType;
  typeId: number;
  /** Absolute byte offset of the data. */
  offset: number;
  byteLength: number;
  elements: number;
}

export interface GgufFile {
  version: number;
  metadata: Map<string, GgufValue>;
  tensors: GgufTensorInfo[];
  alignment: number;
  dataOffset: number;
}

/**
 * Reads a GGUF header by range (ggml docs/gguf.md): v1 with 32-bit counts and lengths, v2/v3 with 64-bit. Every
 * count and length is checked against the bytes left before anything is allocated for it, so a hostile header
 * fails with one DecodeError instead of exhausting memory. Tensor data is only located.
 */
export async function readGguf(source: ByteSource, options: DecodeOptions = {}): Promise<GgufFile> {
  const file = source.name;
  const c = new RangeCursor(source);
  const fail = (msg: string, field = 'header'): never => {
    throw new DecodeError(`${msg} (GGUF)`, file, field);
  };
  await c.fill(8, 'header');
  if (c.u32() !== GGUF_MAGIC) fail('no GGUF magic');
  const version = c.u32();
  if (version < 1 || version > 3) fail(`unsupported GGUF version ${version} (known: 1, 2, 3)`, 'version');
  const wide = version >= 2;
  const count = async (what: string) => {
    await c.fill(wide ? 8 : 4, what);
    return wide ? c.u64() : c.u32();
  };
  const left = () => source.size - c.pos;
  /** Between reads of a long header (token lists run to 250k strings): cancellation and progress. */
  const report = () => {
    options.checkCancelled?.();
    options.onProgress?.(Math.min(c.pos, source.size), source.size);
  };
  const tensorCount = await count('tensor count');
  const kvCount = await count('metadata count');
  // A tensor info is at least 24 bytes and a key/value at least 13: counts beyond the file are hostile.
  if (tensorCount * 24 > left()) fail(`tensor count ${tensorCount} cannot fit in the file`, 'tensor_count');
  if (kvCount * 13 > left()) fail(`metadata count ${kvCount} cannot fit in the file`, 'metadata_kv_count');

  const readString = async (what: string, max: number): Promise<string> => {
    const n = await count(what);
    if (n > left() || n > max) fail(`${what}: string of ${n} bytes is longer than the file allows`, what);
    await c.fill(n, what);
    return c.text(n);
  };
  /** A value string: kept whole up to `keep` bytes; a longer one is read up to its shown prefix and stepped over. */
  const readValueString = async (what: string, keep: number): Promise<string> => {
    const n = await count(what);
    if (n > left()) fail(`${what}: string of ${n} bytes is longer than the file allows`, what);
    const read = n <= keep ? n : SHOWN_PREFIX_BYTES;
    await c.fill(read, what);
    const text = c.text(read);
    if (read === n) return text;
    c.skip(n - read);
    return `${text}… (${n.toLocaleString('en-US')} bytes)`;
  };
  const skipString = async (what: string) => {
    if (!c.has(wide ? 8 : 4)) await c.fill(wide ? 8 : 4, what);
    const n = wide ? c.u64() : c.u32();
    if (n > left()) fail(`${what}: string of ${n} bytes is longer than the file allows`, what);
    // Only the length is read: the cursor refills at its next read, wherever the skip lands.
    c.skip(n);
  };
  const readScalar = async (type: number, what: string, keep = MAX_VALUE_STRING_BYTES): Promise<GgufScalar> => {
    if (type === KvType.String) return readValueString(what, keep);
    const size = SCALAR_BYTES[type];
    if (!size) return fail(`${what}: unknown metadata value type ${type}`, what);
    if (!c.has(size)) await c.fill(size, what);
    switch (type) {
      case KvType.U8:
        return c.u8();
      case KvType.I8:
        return c.i8();
      case KvType.U16:
        return c.u16();
      case KvType.I16:
        return c.i16();
      case KvType.U32:
        return c.u32();
      case KvType.I32:
        return c.i32();
      case KvType.F32:
        return c.f32();
      case KvType.Bool:
        return c.u8() !== 0;
      case KvType.U64:
        return c.u64();
      case KvType.I64:
        return c.i64();
      default:
        return c.f64();
    }
  };
  const readArray = async (what: string): Promise<GgufArray> => {
    await c.fill(4, what);
    const itemType = c.u32();
    const length = await count(what);
    if (itemType === KvType.Array) fail(`${what}: nested arrays are not supported`, what);
    const minItem = itemType === KvType.String ? (wide ? 8 : 4) : SCALAR_BYTES[itemType];
    if (!minItem) fail(`${what}: unknown array item type ${itemType}`, what);
    if (length * minItem > left()) fail(`${what}: array of ${length} items cannot fit in the file`, what);
    const head: GgufScalar[] = [];
    for (let i = 0; i < length; i++) {
      if (i < KEPT_ITEMS) {
        const v = await readScalar(itemType, what, SHOWN_PREFIX_BYTES);
        head.push(typeof v === 'string' && v.length > SHOWN_ITEM_CHARS ? `${v.slice(0, SHOWN_ITEM_CHARS)}…` : v);
      } else if (itemType === KvType.String) {
        await skipString(what);
        if (i % ITEMS_PER_REPORT === 0) report();
      } else {
        c.skip((length - i) * minItem);
        break;
      }
    }
    return { itemType: KV_TYPE_NAMES[itemType], length, head };
  };
  const metadata = new Map<string, GgufValue>();
  for (let i = 0; i < kvCount; i++) {
    const key = await readString(`metadata key ${i}`, MAX_KEY_BYTES);
    await c.fill(4, key);
    const type = c.u32();
    metadata.set(key, type === KvType.Array ? await readArray(key) : await readScalar(type, key));
    report();
  }
  if (c.pos > source.size) fail('metadata runs past the end of the file: truncated');

  const alignmentValue = metadata.get('general.alignment');
  const alignment =
    typeof alignmentValue === 'number' && alignmentValue > 0 && Number.isInteger(alignmentValue) ? alignmentValue : 32;
  const infos: Omit<GgufTensorInfo, 'offset'>[] = [];
  const relative: number[] = [];
  for (let i = 0; i < tensorCount; i++) {
    const name = await readString(`tensor ${i} name`, MAX_KEY_BYTES);
    await c.fill(4, name);
    const nDims = c.u32();
    if (nDims > MAX_DIMS) fail(`tensor "${name}" has ${nDims} dimensions`, name);
    await c.fill(nDims * (wide ? 8 : 4) + 4 + 8, name);
    const ne: number[] = [];
    for (let d = 0; d < nDims; d++) ne.push(wide ? c.u64() : c.u32());
    const typeId = c.u32();
    const offset = c.u64();
    const type = ggmlType(typeId);
    if (!type) fail(`tensor "${name}" has unknown ggml type ${typeId}`, name);
    const elements = ne.reduce((a, b) => a * b, 1);
    const byteLength = ggmlByteSize(type!, ne[0] ?? 1, elements);
    if (byteLength < 0)
      fail(
        `tensor "${name}": row of ${ne[0]} is not a whole number of ${type!.name} blocks (${type!.blockSize})`,
        name,
      );
    infos.push({ name, ne, type: type!, typeId, byteLength, elements });
    relative.push(offset);
    if (i % ITEMS_PER_REPORT === 0) report();
  }
  const dataOffset = Math.ceil(c.pos / alignment) * alignment;
  const tensors = infos.map((t, i): GgufTensorInfo => {
    const offset = dataOffset + relative[i];
    if (offset + t.byteLength > source.size) {
      fail(
        `tensor "${t.name}" (${t.byteLength} bytes at ${offset}) ends past the end of the ${source.size}-byte file: truncated`,
        t.name,
      );
    }
    return { ...t, offset };
  });
  return { version, metadata, tensors, alignment, dataOffset };
}
