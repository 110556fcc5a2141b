import type { ByteSource } from '../io/byte-source.ts';
import { DecodeError } from '../errors.ts';
import { Hdf5Attributes } from './attributes.ts';
import {
  FieldReader,
  MSG_ATTRIBUTE,
  MSG_ATTRIBUTE_INFO,
  MSG_CONTINUATION,
  MSG_DATASPACE,
  MSG_DATATYPE,
  MSG_LAYOUT,
  MSG_LINK,
  MSG_LINK_INFO,
  MSG_SYMBOL_TABLE,
  UNDEFINED,
  inFile,
  parseAttributeHeader,
  parseDataspace,
  parseDatatype,
  parseLayout,
  parseLink,
  type Hdf5Dataset,
  type Hdf5Reader,
  type Hdf5Value,
} from './fields.ts';
import { readSymbolTable } from './groups.ts';
import { looksLikeHdf5 } from './sniff.ts';

export type { Hdf5Dataset, Hdf5Type, Hdf5Value } from './fields.ts';

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

/** Objects visited in one file: a real model has thousands, a hostile file should not make us walk forever. */
const MAX_OBJECTS = 1 << 20;
const MAX_MESSAGES = 1 << 16;
const MAX_HEADER_BYTES = 64 << 20;

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
      await readSymbolTable(this.file, btree, heap, out, this.path);
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
    return address === undefined
      ? null
      : this.file.object(address, this.path === '/' ? `/${name}` : `${this.path}/${name}`);
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
      if (a.name === name) return this.file.attributes.value(a, `${this.path}@${name}`);
    }
    if (this.message(MSG_ATTRIBUTE_INFO)) {
      const r = new FieldReader(this.message(MSG_ATTRIBUTE_INFO)!.data, this.file, this.path);
      r.u8();
      const flags = r.u8();
      if (flags & 1) r.skip(2);
      if (r.offset() !== UNDEFINED)
        this.file.fail(`attribute "${name}" may be in dense attribute storage, which is not supported`, this.path);
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
    const offset =
      layout.layout === 'contiguous' && layout.address !== UNDEFINED && inFile(layout.address, length, this.file.size)
        ? layout.address
        : -1;
    return { type, shape, offset, length: offset < 0 ? 0 : length, layout: layout.layout };
  }
}

export class Hdf5File implements Hdf5Reader {
  offsetSize = 8;
  lengthSize = 8;
  baseAddress = 0;
  private rootAddress = 0;
  private visited = 0;
  private readonly headers = new Map<number, RawMessage[]>();
  /** Per group address, its child names → addresses: a group's B-tree is walked once, however many lookups follow. */
  readonly childLinks = new Map<number, Map<string, number>>();
  /** Attribute values, with the global heap collections they read cached per file. */
  readonly attributes = new Hdf5Attributes(this);

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
      this.fail(
        `${what} at ${address} (+${length}) lies outside the file (${this.source.size} bytes); the file may be truncated`,
        what,
      );
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
        if (!(data[0] === 0x4f && data[1] === 0x43 && data[2] === 0x48 && data[3] === 0x4b))
          this.fail('continuation block has no OCHK signature', path);
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
}
