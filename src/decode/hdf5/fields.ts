/**
 * The HDF5 header-message bodies a model reader needs, parsed from bytes already read: datatypes, dataspaces,
 * data layouts, attribute headers and links, through a bounds-checked reader of the file's offset and length sizes.
 * Nothing here reads the file; hdf5.ts does, and hands these functions the message bytes.
 */

export const UNDEFINED = -1;

export const MSG_DATASPACE = 0x0001;
export const MSG_LINK_INFO = 0x0002;
export const MSG_DATATYPE = 0x0003;
export const MSG_LINK = 0x0006;
export const MSG_LAYOUT = 0x0008;
export const MSG_ATTRIBUTE = 0x000c;
export const MSG_CONTINUATION = 0x0010;
export const MSG_SYMBOL_TABLE = 0x0011;
export const MSG_ATTRIBUTE_INFO = 0x0015;

export const utf8 = new TextDecoder('utf-8');

/** What field parsing needs of the open file: its address sizes, the superblock's base, and how to fail. */
export interface Hdf5Context {
  readonly offsetSize: number;
  readonly lengthSize: number;
  readonly baseAddress: number;
  fail(message: string, where: string): never;
}

/** Reads exactly `length` bytes at an absolute address, failing with what was being read. */
export interface Hdf5Reader extends Hdf5Context {
  bytes(address: number, length: number, what: string): Promise<Uint8Array>;
}

/** A dataset's element type, as a name the IR knows (`float32`, `int64`, `string`…). */
export interface Hdf5Type {
  name: string;
  size: number;
}

export interface Hdf5Dataset {
  type: Hdf5Type;
  shape: number[];
  /** Absolute file offset of contiguous data, or -1 (chunked, compact or never written). */
  offset: number;
  length: number;
  layout: 'contiguous' | 'chunked' | 'compact' | 'virtual';
}

export type Hdf5Value = string | number | bigint | (string | number | bigint)[];

export function inFile(address: number, length: number, size: number): boolean {
  return address >= 0 && address + length <= size;
}

export function readNumber(view: DataView, at: number, type: Hdf5Type): number | bigint {
  switch (type.name) {
    case 'float32':
      return view.getFloat32(at, true);
    case 'float64':
      return view.getFloat64(at, true);
    case 'int8':
      return view.getInt8(at);
    case 'uint8':
    case 'bool':
      return view.getUint8(at);
    case 'int16':
      return view.getInt16(at, true);
    case 'uint16':
      return view.getUint16(at, true);
    case 'int32':
      return view.getInt32(at, true);
    case 'uint32':
      return view.getUint32(at, true);
    case 'int64':
      return view.getBigInt64(at, true);
    case 'uint64':
      return view.getBigUint64(at, true);
    default:
      return NaN;
  }
}

/** Little-endian fields of the file's offset and length sizes, bounds-checked. */
export class FieldReader {
  private view: DataView;
  constructor(
    private readonly bytes: Uint8Array,
    private readonly file: Hdf5Context,
    private readonly where: string,
    public pos = 0,
  ) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  fail(message: string): never {
    this.file.fail(message, this.where);
  }

  private need(n: number): void {
    if (this.pos + n > this.bytes.length) this.fail('a header field is cut short');
  }

  u8(): number {
    this.need(1);
    return this.bytes[this.pos++];
  }

  u16(): number {
    this.need(2);
    const v = this.view.getUint16(this.pos, true);
    this.pos += 2;
    return v;
  }

  u32(): number {
    this.need(4);
    const v = this.view.getUint32(this.pos, true);
    this.pos += 4;
    return v;
  }

  skip(n: number): void {
    this.need(n);
    this.pos += n;
  }

  /** An unsigned integer of `size` bytes; all-ones (the "undefined address") is -1. */
  sized(size: number): number {
    this.need(size);
    let v = 0;
    let allOnes = true;
    for (let i = 0; i < size; i++) {
      const b = this.bytes[this.pos + i];
      if (b !== 0xff) allOnes = false;
      v += b * 2 ** (8 * i);
    }
    this.pos += size;
    if (allOnes) return UNDEFINED;
    if (!Number.isSafeInteger(v)) this.file.fail('an address or length is beyond 2^53', this.where);
    return v;
  }

  offset(): number {
    return this.sized(this.file.offsetSize);
  }

  /** A file address: relative to the superblock in the file, absolute here. */
  address(): number {
    const v = this.offset();
    return v === UNDEFINED ? v : v + this.file.baseAddress;
  }

  length(): number {
    return this.sized(this.file.lengthSize);
  }

  rest(): Uint8Array {
    return this.bytes.subarray(this.pos);
  }
}

export function parseDatatype(r: FieldReader): Hdf5Type {
  const head = r.u8();
  const cls = head & 0x0f;
  const bits0 = r.u8();
  r.u8();
  r.u8();
  const size = r.u32();
  switch (cls) {
    case 0: {
      if (bits0 & 1) return { name: `big-endian int${size * 8}`, size };
      const signed = (bits0 & 8) !== 0;
      const bitsName = { 1: '8', 2: '16', 4: '32', 8: '64' }[size];
      return { name: bitsName ? `${signed ? '' : 'u'}int${bitsName}` : `int(${size} bytes)`, size };
    }
    case 1: {
      if (bits0 & 1) return { name: `big-endian float${size * 8}`, size };
      const name = { 2: 'float16', 4: 'float32', 8: 'float64' }[size];
      return { name: name ?? `float(${size} bytes)`, size };
    }
    case 3:
      return { name: 'string', size };
    case 8: {
      // h5py stores numpy bools as an enum over int8.
      const base = parseDatatype(r);
      return { name: base.name === 'int8' && size === 1 ? 'bool' : base.name, size };
    }
    case 9:
      return { name: (bits0 & 0x0f) === 1 ? 'vstring' : 'vlen', size };
    default:
      return {
        name:
          ['', '', 'time', '', 'bitfield', 'opaque', 'compound', 'reference', '', '', 'array'][cls] || `class ${cls}`,
        size,
      };
  }
}

export function parseDataspace(r: FieldReader): number[] {
  const version = r.u8();
  const rank = r.u8();
  r.u8(); // flags: max dims follow the dims, and we need neither
  if (version === 1) r.skip(5);
  else {
    const type = r.u8();
    if (type === 2) return [0]; // null dataspace: no elements
  }
  if (rank > 32) r.fail(`dataspace of rank ${rank}`);
  const dims: number[] = [];
  for (let i = 0; i < rank; i++) dims.push(Math.max(0, r.length()));
  return dims;
}

interface Layout {
  layout: Hdf5Dataset['layout'];
  address: number;
  size: number;
}

export function parseLayout(r: FieldReader): Layout {
  const version = r.u8();
  if (version === 1 || version === 2) {
    const rank = r.u8();
    const cls = r.u8();
    r.skip(5);
    if (cls === 0) return { layout: 'compact', address: UNDEFINED, size: 0 };
    const address = r.address();
    let size = 1;
    for (let i = 0; i < rank; i++) size *= r.u32();
    return { layout: cls === 1 ? 'contiguous' : 'chunked', address, size };
  }
  const cls = r.u8();
  if (cls === 1) {
    return { layout: 'contiguous', address: r.address(), size: r.length() };
  }
  return { layout: cls === 0 ? 'compact' : cls === 2 ? 'chunked' : 'virtual', address: UNDEFINED, size: 0 };
}

export interface AttributeHeader {
  name: string;
  type: Hdf5Type;
  shape: number[];
  data: Uint8Array;
}

export function parseAttributeHeader(body: Uint8Array, file: Hdf5Context, where: string): AttributeHeader {
  const r = new FieldReader(body, file, where);
  const version = r.u8();
  const flags = r.u8();
  const nameSize = r.u16();
  const typeSize = r.u16();
  const spaceSize = r.u16();
  if (version === 3) r.u8(); // name encoding
  if (version < 1 || version > 3) file.fail(`attribute message version ${version} is not supported`, where);
  if (flags & 3) file.fail('shared attribute types are not supported', where);
  const pad = (n: number) => (version === 1 ? (n + 7) & ~7 : n);
  const start = r.pos;
  const nameBytes = body.subarray(start, start + Math.max(0, nameSize - 1));
  r.skip(pad(nameSize));
  const typeAt = r.pos;
  r.skip(pad(typeSize));
  const spaceAt = r.pos;
  r.skip(pad(spaceSize));
  const type = parseDatatype(new FieldReader(body.subarray(typeAt, typeAt + typeSize), file, where));
  const shape = parseDataspace(new FieldReader(body.subarray(spaceAt, spaceAt + spaceSize), file, where));
  return { name: utf8.decode(nameBytes), type, shape, data: r.rest() };
}

export function parseLink(
  body: Uint8Array,
  file: Hdf5Context,
  where: string,
): { name: string; address: number } | null {
  const r = new FieldReader(body, file, where);
  const version = r.u8();
  if (version !== 1) file.fail(`link message version ${version} is not supported`, where);
  const flags = r.u8();
  const type = flags & 8 ? r.u8() : 0;
  if (flags & 4) r.skip(8);
  if (flags & 16) r.u8();
  const nameLength = r.sized(1 << (flags & 3));
  if (nameLength < 0 || nameLength > body.length) file.fail('link name length is out of range', where);
  const nameAt = r.pos;
  r.skip(nameLength);
  const name = utf8.decode(body.subarray(nameAt, nameAt + nameLength));
  if (type !== 0) return null; // soft and external links point outside the object tree we walk
  return { name, address: r.address() };
}
