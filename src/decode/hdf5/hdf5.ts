import type { ByteSource } from '../io/byte-source.ts';
import { DecodeError } from '../errors.ts';

/**
 * A read-only HDF5 reader for what model files need: the group tree, attributes (numbers and strings, including
 * variable-length strings in the global heap) and where each dataset's bytes are. It reads by ranges through a
 * ByteSource, so a multi-GB weights file costs only its object headers; dataset contents are never read here.
 *
 * Covered: superblocks 0–3, object headers 1 and 2 with continuation blocks, old-style groups (v1 B-tree, symbol
 * nodes, local heap) and compact new-style groups (link messages). Not covered, reported as errors when met: dense
 * link or attribute storage (fractal heaps), shared messages. h5py writes neither by default, which is how Keras
 * saves, so those files are all readable.
 */

const SIGNATURE = [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a];
const UNDEFINED = -1;
/** Objects visited in one file: a real model has thousands, a hostile file should not make us walk forever. */
const MAX_OBJECTS = 1 << 20;
const MAX_MESSAGES = 1 << 16;
const MAX_HEADER_BYTES = 64 << 20;
const MAX_ATTRIBUTE_BYTES = 256 << 20;
const MAX_BTREE_DEPTH = 64;

const utf8 = new TextDecoder('utf-8');

export function looksLikeHdf5(head: Uint8Array): boolean {
  return SIGNATURE.every((b, i) => head[i] === b);
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

interface RawMessage {
  type: number;
  flags: number;
  data: Uint8Array;
}

export class Hdf5Object {
  constructor(
    readonly file: Hdf5File,
    readonly address: number,
    readonly path: string,
    private readonly messages: RawMessage[],
  ) {}

  private message(type: number): RawMessage | undefined {
    return this.messages.find((m) => m.type === type);
  }

  get isGroup(): boolean {
    return this.messages.some((m) => m.type === MSG_SYMBOL_TABLE || m.type === MSG_LINK || m.type === MSG_LINK_INFO);
  }

  get isDataset(): boolean {
    return !!this.message(MSG_LAYOUT);
  }

  /** Child name → object header address, in the file's order (old-style groups list names sorted). */
  async children(): Promise<Map<string, number>> {
    const cached = this.file.childLinks.get(this.address);
    if (cached) return cached;
    const links = await this.readChildren();
    this.file.childLinks.set(this.address, links);
    return links;
  }

  private async readChildren(): Promise<Map<string, number>> {
    const out = new Map<string, number>();
    const symbols = this.message(MSG_SYMBOL_TABLE);
    if (symbols) {
      const r = new FieldReader(symbols.data, this.file, this.path);
      const btree = r.address();
      const heap = r.address();
      await this.file.readSymbolTable(btree, heap, out, this.path);
      return out;
    }
    const info = this.message(MSG_LINK_INFO);
    if (info) {
      const r = new FieldReader(info.data, this.file, this.path);
      r.u8();
      const flags = r.u8();
      if (flags & 1) r.skip(8);
      if (r.offset() !== UNDEFINED) this.file.fail('dense link storage (a fractal heap) is not supported', this.path);
    }
    for (const m of this.messages) {
      if (m.type !== MSG_LINK) continue;
      const link = parseLink(m.data, this.file, this.path);
      if (link) out.set(link.name, link.address);
    }
    return out;
  }

  async child(name: string): Promise<Hdf5Object | null> {
    const address = (await this.children()).get(name);
    return address === undefined ? null : this.file.object(address, this.path === '/' ? `/${name}` : `${this.path}/${name}`);
  }

  /** Follows a `/`-separated path below this object. */
  async resolve(path: string): Promise<Hdf5Object | null> {
    let cur: Hdf5Object | null = this;
    for (const part of path.split('/')) {
      if (!part) continue;
      cur = await cur.child(part);
      if (!cur) return null;
    }
    return cur;
  }

  attributeNames(): string[] {
    return this.attributeMessages().map((m) => parseAttributeHeader(m.data, this.file, this.path).name);
  }

  async attribute(name: string): Promise<Hdf5Value | undefined> {
    for (const m of this.attributeMessages()) {
      const a = parseAttributeHeader(m.data, this.file, this.path);
      if (a.name === name) return this.file.attributeValue(a, `${this.path}@${name}`);
    }
    if (this.message(MSG_ATTRIBUTE_INFO)) {
      const r = new FieldReader(this.message(MSG_ATTRIBUTE_INFO)!.data, this.file, this.path);
      r.u8();
      const flags = r.u8();
      if (flags & 1) r.skip(2);
      if (r.offset() !== UNDEFINED) this.file.fail(`attribute "${name}" may be in dense attribute storage, which is not supported`, this.path);
    }
    return undefined;
  }

  private attributeMessages(): RawMessage[] {
    return this.messages.filter((m) => m.type === MSG_ATTRIBUTE);
  }

  dataset(): Hdf5Dataset | null {
    const layoutMsg = this.message(MSG_LAYOUT);
    const typeMsg = this.message(MSG_DATATYPE);
    const spaceMsg = this.message(MSG_DATASPACE);
    if (!layoutMsg || !typeMsg || !spaceMsg) return null;
    const type = parseDatatype(new FieldReader(typeMsg.data, this.file, this.path));
    const shape = parseDataspace(new FieldReader(spaceMsg.data, this.file, this.path));
    const layout = parseLayout(new FieldReader(layoutMsg.data, this.file, this.path));
    let elements = 1;
    for (const d of shape) elements *= d;
    const length = layout.layout === 'contiguous' ? Math.min(layout.size, elements * type.size) : 0;
    const offset = layout.layout === 'contiguous' && layout.address !== UNDEFINED && inFile(layout.address, length, this.file.size) ? layout.address : -1;
    return { type, shape, offset, length: offset < 0 ? 0 : length, layout: layout.layout };
  }
}

function inFile(address: number, length: number, size: number): boolean {
  return address >= 0 && address + length <= size;
}

const MSG_DATASPACE = 0x0001;
const MSG_LINK_INFO = 0x0002;
const MSG_DATATYPE = 0x0003;
const MSG_LINK = 0x0006;
const MSG_LAYOUT = 0x0008;
const MSG_ATTRIBUTE = 0x000c;
const MSG_CONTINUATION = 0x0010;
const MSG_SYMBOL_TABLE = 0x0011;
const MSG_ATTRIBUTE_INFO = 0x0015;

export class Hdf5File {
  offsetSize = 8;
  lengthSize = 8;
  baseAddress = 0;
  private rootAddress = 0;
  private visited = 0;
  private readonly headers = new Map<number, RawMessage[]>();
  /** Per group address, its child names → addresses: a group's B-tree is walked once, however many lookups follow. */
  readonly childLinks = new Map<number, Map<string, number>>();

  private constructor(readonly source: ByteSource) {}

  get size(): number {
    return this.source.size;
  }

  fail(message: string, where: string): never {
    throw new DecodeError(`HDF5: ${message}`, this.source.name, where);
  }

  static async open(source: ByteSource): Promise<Hdf5File> {
    const f = new Hdf5File(source);
    await f.readSuperblock();
    return f;
  }

  async root(): Promise<Hdf5Object> {
    return this.object(this.rootAddress, '/');
  }

  /** Reads exactly `length` bytes at an absolute address, or fails naming what was being read. */
  async bytes(address: number, length: number, what: string): Promise<Uint8Array> {
    if (address < 0 || length < 0 || address + length > this.source.size) {
      this.fail(`${what} at ${address} (+${length}) lies outside the file (${this.source.size} bytes); the file may be truncated`, what);
    }
    const b = await this.source.read(address, length);
    if (b.length < length) this.fail(`${what} at ${address} is cut short; the file may be truncated`, what);
    return b;
  }

  private async readSuperblock(): Promise<void> {
    // The superblock sits at 0 or after a user block of 512, 1024, 2048... bytes.
    let at = -1;
    for (let pos = 0; pos + 8 <= this.source.size; pos = pos ? pos * 2 : 512) {
      const sig = await this.source.read(pos, 8);
      if (looksLikeHdf5(sig)) {
        at = pos;
        break;
      }
    }
    if (at < 0) this.fail('no HDF5 signature found', 'superblock');
    const head = await this.source.read(at, 128);
    if (head.length < 16) this.fail('superblock is cut short', 'superblock');
    const version = head[8];
    if (version === 0 || version === 1) {
      this.offsetSize = head[13];
      this.lengthSize = head[14];
      this.checkSizes();
      const r = new FieldReader(head, this, 'superblock', 24 + (version === 1 ? 4 : 0));
      r.offset(); // base address
      r.offset(); // free-space info
      r.offset(); // end of file
      r.offset(); // driver info
      r.offset(); // root entry: link name offset
      this.rootAddress = r.offset();
    } else if (version === 2 || version === 3) {
      this.offsetSize = head[9];
      this.lengthSize = head[10];
      this.checkSizes();
      const r = new FieldReader(head, this, 'superblock', 12);
      r.offset(); // base address
      r.offset(); // superblock extension
      r.offset(); // end of file
      this.rootAddress = r.offset();
    } else {
      this.fail(`superblock version ${version} is not supported`, 'superblock');
    }
    // Addresses are relative to the superblock, which a user block may have pushed past 0.
    this.baseAddress = at;
    if (this.rootAddress === UNDEFINED) this.fail('the file has no root group', 'superblock');
    this.rootAddress += this.baseAddress;
  }

  private checkSizes(): void {
    for (const s of [this.offsetSize, this.lengthSize]) {
      if (s !== 2 && s !== 4 && s !== 8) this.fail(`unsupported offset/length size ${s}`, 'superblock');
    }
  }

  async object(address: number, path: string): Promise<Hdf5Object> {
    let messages = this.headers.get(address);
    if (!messages) {
      if (++this.visited > MAX_OBJECTS) this.fail(`more than ${MAX_OBJECTS} objects`, path);
      messages = await this.readObjectHeader(address, path);
      this.headers.set(address, messages);
    }
    return new Hdf5Object(this, address, path, messages);
  }

  private async readObjectHeader(address: number, path: string): Promise<RawMessage[]> {
    const prefix = await this.bytes(address, 16, `object header of ${path}`);
    const messages: RawMessage[] = [];
    const blocks: { at: number; length: number; v2: boolean; continuation: boolean }[] = [];
    let total = 0;
    let tracksOrder = false;
    const isV2 = prefix[0] === 0x4f && prefix[1] === 0x48 && prefix[2] === 0x44 && prefix[3] === 0x52; // "OHDR"
    if (isV2) {
      const flags = prefix[5];
      let pos = 6 + (flags & 0x20 ? 16 : 0) + (flags & 0x10 ? 4 : 0);
      const sizeBytes = 1 << (flags & 3);
      const extra = await this.bytes(address, pos + sizeBytes, `object header of ${path}`);
      let chunk = 0;
      for (let i = 0; i < sizeBytes; i++) chunk += extra[pos + i] * 2 ** (8 * i);
      pos += sizeBytes;
      blocks.push({ at: address + pos, length: chunk, v2: true, continuation: false });
      tracksOrder = (flags & 4) !== 0;
    } else {
      if (prefix[0] !== 1) this.fail(`object header version ${prefix[0]} is not supported`, path);
      const size = new DataView(prefix.buffer, prefix.byteOffset).getUint32(8, true);
      blocks.push({ at: address + 16, length: size, v2: false, continuation: false });
    }
    for (let bi = 0; bi < blocks.length; bi++) {
      const block = blocks[bi];
      total += block.length;
      if (total > MAX_HEADER_BYTES) this.fail('object header is larger than 64 MB', path);
      const data = await this.bytes(block.at, block.length, `object header of ${path}`);
      let pos = 0;
      let end = data.length;
      // A v2 continuation block is framed by "OCHK" and a checksum; the first chunk's checksum lies past its length.
      if (block.v2 && block.continuation) {
        if (!(data[0] === 0x4f && data[1] === 0x43 && data[2] === 0x48 && data[3] === 0x4b)) this.fail('continuation block has no OCHK signature', path);
        pos = 4;
        end -= 4;
      }
      const headerSize = block.v2 ? 4 + (tracksOrder ? 2 : 0) : 8;
      while (pos + headerSize <= end) {
        let type: number;
        let size: number;
        let flags: number;
        if (block.v2) {
          type = data[pos];
          size = data[pos + 1] | (data[pos + 2] << 8);
          flags = data[pos + 3];
        } else {
          type = data[pos] | (data[pos + 1] << 8);
          size = data[pos + 2] | (data[pos + 3] << 8);
          flags = data[pos + 4];
        }
        pos += headerSize;
        if (pos + size > end) this.fail(`message ${type} runs past its header block`, path);
        const body = data.subarray(pos, pos + size);
        pos += size;
        if (!block.v2) pos = (pos + 7) & ~7;
        if (type === 0) continue; // NIL: padding
        if (messages.length >= MAX_MESSAGES) this.fail(`more than ${MAX_MESSAGES} header messages`, path);
        if (type === MSG_CONTINUATION) {
          const r = new FieldReader(body, this, path);
          const at = r.address();
          const length = r.length();
          if (blocks.length > 4096) this.fail('too many continuation blocks', path);
          if (blocks.some((b) => b.at === at)) this.fail('continuation blocks form a cycle', path);
          blocks.push({ at, length, v2: block.v2, continuation: true });
          continue;
        }
        messages.push({ type, flags, data: body });
      }
    }
    return messages;
  }

  /** Old-style group: walk the v1 B-tree to its symbol nodes; names live in the local heap. */
  async readSymbolTable(btree: number, heapAddress: number, out: Map<string, number>, path: string): Promise<void> {
    const heapHead = await this.bytes(heapAddress, 8 + 2 * this.lengthSize + this.offsetSize, `local heap of ${path}`);
    if (!(heapHead[0] === 0x48 && heapHead[1] === 0x45 && heapHead[2] === 0x41 && heapHead[3] === 0x50)) this.fail('local heap has no HEAP signature', path);
    const hr = new FieldReader(heapHead, this, path, 8);
    const heapSize = hr.length();
    hr.length();
    const heapData = await this.bytes(hr.address(), heapSize, `local heap of ${path}`);
    const seen = new Set<number>();
    const walk = async (node: number, depth: number): Promise<void> => {
      if (depth > MAX_BTREE_DEPTH) this.fail('group B-tree is too deep', path);
      if (seen.has(node)) this.fail('group B-tree has a cycle', path);
      seen.add(node);
      const headLen = 8 + 2 * this.offsetSize;
      const head = await this.bytes(node, headLen, `group B-tree of ${path}`);
      if (!(head[0] === 0x54 && head[1] === 0x52 && head[2] === 0x45 && head[3] === 0x45)) this.fail('group B-tree node has no TREE signature', path);
      if (head[4] !== 0) this.fail(`group B-tree node has type ${head[4]}, not 0`, path);
      const level = head[5];
      const used = head[6] | (head[7] << 8);
      const body = await this.bytes(node + headLen, (used + 1) * this.lengthSize + used * this.offsetSize, `group B-tree of ${path}`);
      const r = new FieldReader(body, this, path);
      const children: number[] = [];
      for (let i = 0; i < used; i++) {
        r.length(); // key
        children.push(r.address());
      }
      for (const child of children) {
        if (level > 0) await walk(child, depth + 1);
        else await this.readSymbolNode(child, heapData, out, path);
      }
    };
    await walk(btree, 0);
  }

  private async readSymbolNode(address: number, heap: Uint8Array, out: Map<string, number>, path: string): Promise<void> {
    const head = await this.bytes(address, 8, `symbol node of ${path}`);
    if (!(head[0] === 0x53 && head[1] === 0x4e && head[2] === 0x4f && head[3] === 0x44)) this.fail('symbol node has no SNOD signature', path);
    const count = head[6] | (head[7] << 8);
    const entrySize = 2 * this.offsetSize + 24;
    const body = await this.bytes(address + 8, count * entrySize, `symbol node of ${path}`);
    for (let i = 0; i < count; i++) {
      const r = new FieldReader(body, this, path, i * entrySize);
      const nameOffset = r.offset();
      const header = r.address();
      if (nameOffset < 0 || nameOffset >= heap.length) this.fail('symbol name lies outside the local heap', path);
      let end = nameOffset;
      while (end < heap.length && heap[end] !== 0) end++;
      out.set(utf8.decode(heap.subarray(nameOffset, end)), header);
    }
  }

  async attributeValue(a: AttributeHeader, where: string): Promise<Hdf5Value> {
    const { type, shape, data } = a;
    let count = 1;
    for (const d of shape) count *= d;
    if (!Number.isSafeInteger(count) || count > MAX_ATTRIBUTE_BYTES) this.fail('attribute has too many elements', where);
    const scalar = shape.length === 0;
    const values: (string | number | bigint)[] = [];
    if (type.name === 'vstring') {
      const entry = 4 + this.offsetSize + 4;
      if (data.length < count * entry) this.fail('attribute data is cut short', where);
      for (let i = 0; i < count; i++) {
        const r = new FieldReader(data, this, where, i * entry + 4);
        const collection = r.address();
        const index = r.u32();
        values.push(await this.globalHeapString(collection, index, where));
      }
    } else if (type.name === 'string') {
      if (data.length < count * type.size) this.fail('attribute data is cut short', where);
      for (let i = 0; i < count; i++) {
        let s = data.subarray(i * type.size, (i + 1) * type.size);
        const nul = s.indexOf(0);
        if (nul >= 0) s = s.subarray(0, nul);
        values.push(utf8.decode(s));
      }
    } else {
      const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
      if (data.length < count * type.size) this.fail('attribute data is cut short', where);
      for (let i = 0; i < Math.min(count, 4096); i++) values.push(readNumber(view, i * type.size, type));
    }
    return scalar ? values[0] ?? '' : values;
  }

  private readonly heapCache = new Map<number, Map<number, Uint8Array>>();

  private async globalHeapString(collection: number, index: number, where: string): Promise<string> {
    let objects = this.heapCache.get(collection);
    if (!objects) {
      const head = await this.bytes(collection, 8 + this.lengthSize, `global heap for ${where}`);
      if (!(head[0] === 0x47 && head[1] === 0x43 && head[2] === 0x4f && head[3] === 0x4c)) this.fail('global heap has no GCOL signature', where);
      const size = new FieldReader(head, this, where, 8).length();
      if (size > MAX_ATTRIBUTE_BYTES) this.fail('global heap collection is larger than 256 MB', where);
      const data = await this.bytes(collection, size, `global heap for ${where}`);
      objects = new Map();
      let pos = 8 + this.lengthSize;
      while (pos + 8 + this.lengthSize <= data.length) {
        const id = data[pos] | (data[pos + 1] << 8);
        if (id === 0) break; // free space
        const length = new FieldReader(data, this, where, pos + 8).length();
        const start = pos + 8 + this.lengthSize;
        if (start + length > data.length) this.fail('global heap object runs past its collection', where);
        objects.set(id, data.subarray(start, start + length));
        pos = start + ((length + 7) & ~7);
      }
      this.heapCache.set(collection, objects);
    }
    const bytes = objects.get(index);
    if (!bytes) this.fail(`global heap object ${index} is missing`, where);
    return utf8.decode(bytes);
  }
}

function readNumber(view: DataView, at: number, type: Hdf5Type): number | bigint {
  switch (type.name) {
    case 'float32': return view.getFloat32(at, true);
    case 'float64': return view.getFloat64(at, true);
    case 'int8': return view.getInt8(at);
    case 'uint8': case 'bool': return view.getUint8(at);
    case 'int16': return view.getInt16(at, true);
    case 'uint16': return view.getUint16(at, true);
    case 'int32': return view.getInt32(at, true);
    case 'uint32': return view.getUint32(at, true);
    case 'int64': return view.getBigInt64(at, true);
    case 'uint64': return view.getBigUint64(at, true);
    default: return NaN;
  }
}

/** Little-endian fields of the file's offset and length sizes, bounds-checked. */
class FieldReader {
  private view: DataView;
  constructor(private readonly bytes: Uint8Array, private readonly file: Hdf5File, private readonly where: string, public pos = 0) {
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

function parseDatatype(r: FieldReader): Hdf5Type {
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
      return { name: ['', '', 'time', '', 'bitfield', 'opaque', 'compound', 'reference', '', '', 'array'][cls] || `class ${cls}`, size };
  }
}

function parseDataspace(r: FieldReader): number[] {
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

function parseLayout(r: FieldReader): Layout {
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

interface AttributeHeader {
  name: string;
  type: Hdf5Type;
  shape: number[];
  data: Uint8Array;
}

function parseAttributeHeader(body: Uint8Array, file: Hdf5File, where: string): AttributeHeader {
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

function parseLink(body: Uint8Array, file: Hdf5File, where: string): { name: string; address: number } | null {
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
