import type { ByteSource } from '../io/byte-source.ts';

/**
 * Locates the weights of a TNN `.tnnmodel` without reading them. The file is a uint32 magic (0xFABC0002 for v1,
 * 0xFABC0004 for v2), a layer-resource count, then per resource a header (int32 layer type, string type name,
 * string layer name; strings are an int32 length and bytes) followed by the layer's own fields: ints, strings and
 * raw buffers (magic, int32 data type, int32 byte length, in v2 int32 rank and int32 dims, then the bytes). v2 ends
 * with a constant map (string blob name, raw buffer). The per-type field layout lives in TNN's layer interpreters;
 * rather than copy that table, the reader walks the file recognising what is unambiguous: a raw buffer starts with
 * the magic, a resource header names a layer of the .tnnproto, a constant-map entry names one of its blobs. Buffer
 * payloads are skipped by their length, so only headers are read.
 */

const MAGIC_V1 = 0xfabc0002;
const MAGIC_V2 = 0xfabc0004;
const WINDOW = 1 << 16;
const MAX_TYPE_NAME = 64;
const MAX_NAME = 1024;
const MAX_RANK = 16;
/** Fields between two buffers are a few ints and names: this many unrecognised bytes means the walk is lost. */
const MAX_UNRECOGNISED = 1 << 16;

/** TNN DataType → IR dtype code and bytes per element. */
const DTYPES: Readonly<Record<number, { code: number; bytes: number }>> = {
  0: { code: 1, bytes: 4 },
  1: { code: 10, bytes: 2 },
  2: { code: 3, bytes: 1 },
  3: { code: 6, bytes: 4 },
  4: { code: 16, bytes: 2 },
  5: { code: 7, bytes: 8 },
  6: { code: 12, bytes: 4 },
  8: { code: 2, bytes: 1 },
};

/** What each raw buffer of the common layer types holds, in file order. */
const SLOTS: Readonly<Record<string, readonly string[]>> = {
  Convolution: ['filter', 'bias'],
  Deconvolution: ['filter', 'bias'],
  Convolution3D: ['filter', 'bias'],
  InnerProduct: ['weight', 'bias'],
  BatchNormCxx: ['scale', 'bias'],
  InstanceNorm: ['scale', 'bias'],
  LayerNorm: ['scale', 'bias'],
  PReLU: ['slope'],
  Scale: ['scale', 'bias'],
};

export interface TnnBuffer {
  name: string;
  dtype: number;
  dims: number[];
  offset: number;
  length: number;
}

export interface TnnWeights {
  /** Buffers by the layer that owns them. */
  layers: Map<string, TnnBuffer[]>;
  /** v2 constant map: buffers that are blobs of the graph. */
  constants: TnnBuffer[];
  resources: number;
}

/** Reads little-endian fields through a sliding window, so payloads skipped by length are never fetched. */
class Window {
  private bytes: Uint8Array = new Uint8Array(0);
  private view = new DataView(this.bytes.buffer);
  private start = 0;

  constructor(private readonly source: ByteSource) {}

  get sourceSize(): number {
    return this.source.size;
  }

  /** Makes [pos, pos + length) readable; false past the end of the file. */
  async has(pos: number, length: number): Promise<boolean> {
    if (pos + length > this.source.size) return false;
    if (pos >= this.start && pos + length <= this.start + this.bytes.length) return true;
    this.bytes = await this.source.read(pos, Math.min(Math.max(WINDOW, length), this.source.size - pos));
    this.view = new DataView(this.bytes.buffer, this.bytes.byteOffset, this.bytes.byteLength);
    this.start = pos;
    return this.bytes.length >= length;
  }

  u32(pos: number): number {
    return this.view.getUint32(pos - this.start, true);
  }

  i32(pos: number): number {
    return this.view.getInt32(pos - this.start, true);
  }

  text(pos: number, length: number): string {
    let s = '';
    for (let i = 0; i < length; i++) s += String.fromCharCode(this.bytes[pos - this.start + i]);
    return s;
  }
}

/** A length-prefixed string at pos that is one of `names`, or null. */
async function nameAt(w: Window, pos: number, names: ReadonlySet<string>, max: number): Promise<string | null> {
  if (!(await w.has(pos, 4))) return null;
  const n = w.i32(pos);
  if (n <= 0 || n > max || !(await w.has(pos, 4 + n))) return null;
  const s = w.text(pos + 4, n);
  return names.has(s) ? s : null;
}

/**
 * The weights of a .tnnmodel, for the layers and blobs a .tnnproto declares; null when the file does not start
 * with a TNN magic (then nothing is located).
 */
export async function readTnnWeights(
  source: ByteSource,
  layerNames: ReadonlySet<string>,
  layerTypes: ReadonlyMap<string, string>,
  blobNames: ReadonlySet<string>,
  checkCancelled?: () => void,
): Promise<TnnWeights | null> {
  const w = new Window(source);
  if (!(await w.has(0, 8))) return null;
  const magic = w.u32(0);
  if (magic !== MAGIC_V1 && magic !== MAGIC_V2) return null;
  const out: TnnWeights = { layers: new Map(), constants: [], resources: 0 };
  let owner: TnnBuffer[] | null = null;
  let slots: readonly string[] = [];
  let ownerName = '';
  let constantName: string | null = null;
  let pos = 8;
  let recognised = pos;
  while (await w.has(pos, 4)) {
    if (pos - recognised > MAX_UNRECOGNISED) break;
    if ((pos & 0xfff) === 0) checkCancelled?.();
    if (w.u32(pos) === magic) {
      const buffer = await rawBuffer(w, pos, magic === MAGIC_V2);
      if (!buffer) break;
      if (constantName !== null) {
        out.constants.push({ ...buffer.located, name: constantName });
        constantName = null;
      } else if (owner) {
        const k = owner.length;
        owner.push({ ...buffer.located, name: `${ownerName}.${slots[k] ?? `buffer${k}`}` });
      }
      pos = recognised = buffer.end;
      continue;
    }
    const header = await resourceHeader(w, pos, layerNames);
    if (header) {
      out.resources++;
      ownerName = header.name;
      slots = SLOTS[layerTypes.get(header.name) ?? ''] ?? [];
      owner = out.layers.get(header.name) ?? [];
      out.layers.set(header.name, owner);
      pos = recognised = header.end;
      continue;
    }
    const blob = await nameAt(w, pos, blobNames, MAX_NAME);
    if (blob !== null && (await w.has(pos + 4 + blob.length, 4)) && w.u32(pos + 4 + blob.length) === magic) {
      constantName = blob;
      pos = recognised = pos + 4 + blob.length;
      continue;
    }
    pos++;
  }
  return out;
}

async function resourceHeader(
  w: Window,
  pos: number,
  layerNames: ReadonlySet<string>,
): Promise<{ name: string; end: number } | null> {
  if (!(await w.has(pos, 8))) return null;
  const typeLength = w.i32(pos + 4);
  if (w.u32(pos) > 0xffff || typeLength <= 0 || typeLength > MAX_TYPE_NAME || !(await w.has(pos, 8 + typeLength)))
    return null;
  if (!/^[A-Za-z][A-Za-z0-9_]*$/.test(w.text(pos + 8, typeLength))) return null;
  const name = await nameAt(w, pos + 8 + typeLength, layerNames, MAX_NAME);
  return name === null ? null : { name, end: pos + 12 + typeLength + name.length };
}

async function rawBuffer(
  w: Window,
  pos: number,
  v2: boolean,
): Promise<{ located: Omit<TnnBuffer, 'name'>; end: number } | null> {
  if (!(await w.has(pos, v2 ? 16 : 12))) return null;
  const type = DTYPES[w.i32(pos + 4)] ?? { code: 0, bytes: 1 };
  const length = w.i32(pos + 8);
  let at = pos + 12;
  let dims: number[] | null = null;
  if (v2) {
    const rank = w.i32(at);
    if (rank < 0 || rank > MAX_RANK || !(await w.has(at, 4 + rank * 4))) return null;
    dims = [];
    for (let k = 0; k < rank; k++) dims.push(w.i32(at + 4 + k * 4));
    at += 4 + rank * 4;
  }
  if (length < 0 || at + length > w.sourceSize) return null;
  const count = length / type.bytes;
  const stored = dims?.every((d) => d >= 0) && dims.reduce((a, b) => a * b, 1) === count ? dims : null;
  return { located: { dtype: type.code, dims: stored ?? [Math.floor(count)], offset: at, length }, end: at + length };
}
