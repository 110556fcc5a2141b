import protobuf from 'protobufjs/minimal.js';
import type { ByteSource } from '../byte-source.ts';
import { DecodeError } from '../errors.ts';
import type { DecodeOptions } from '../registry-types.ts';
import { FLOAT32, FLOAT64, type CaffeBlob, type CaffeLayer, type CaffeNet } from './build.ts';
import { Blob, BlobShape, InputParameter, Layer, Net, V1Layer, V1_TYPES } from './schema.ts';

const { Reader } = protobuf;
type PbReader = InstanceType<typeof Reader>;

export const WIRE_VARINT = 0;
export const WIRE_FIXED64 = 1;
export const WIRE_LEN = 2;
export const WIRE_FIXED32 = 5;

/** Files up to this size are read whole; larger ones by ranges, skipping blob payloads. */
export const CAFFEMODEL_WHOLE_LIMIT = 256 << 20;
const CHUNK = 1 << 20;
/** A non-blob field longer than this is skipped, not read (no layer name or parameter message is that big). */
const MAX_SMALL_FIELD = 16 << 20;
const MAX_DEPTH_FIELDS = 1 << 24;

/**
 * protobufjs Reader over a window of the file. Fields are parsed from the window; blob payloads are stepped over
 * by position, so a file of any size is read in small pieces and weights are never loaded.
 */
export class PbWindow {
  pos = 0;
  private buf: Uint8Array = new Uint8Array(0);
  private base = 0;
  private reader: PbReader = Reader.create(this.buf);
  bytesRead = 0;
  what = 'NetParameter';

  constructor(readonly source: ByteSource, readonly file: string, private readonly onChunk?: (pos: number) => void) {}

  get size(): number {
    return this.source.size;
  }

  async loadAll(): Promise<void> {
    this.buf = await this.source.read(0, this.size);
    if (this.buf.length !== this.size) this.fail(`could read only ${this.buf.length} of ${this.size} bytes`);
    this.base = 0;
    this.bytesRead += this.buf.length;
    this.reader = Reader.create(this.buf);
  }

  /** Makes [pos, pos + n) (clipped to `limit`) available in the window. */
  async need(n: number, limit = this.size): Promise<void> {
    const want = Math.min(n, limit - this.pos);
    if (want < 0) this.fail(`offset ${this.pos} lies past the end of its message`);
    if (this.pos >= this.base && this.pos + want <= this.base + this.buf.length) return;
    const len = Math.min(Math.max(want, CHUNK), this.size - this.pos);
    this.buf = await this.source.read(this.pos, len);
    this.base = this.pos;
    this.bytesRead += this.buf.length;
    if (this.buf.length < want) this.fail(`truncated: needs ${want} bytes at offset ${this.pos}, file has ${this.size}`);
    this.reader = Reader.create(this.buf);
    this.onChunk?.(this.pos);
  }

  /** Runs a protobufjs read at `pos`, turning its errors (truncated or overlong varint) into a DecodeError. */
  private run<T>(read: (r: PbReader) => T, end: number): T {
    const r = this.reader;
    r.pos = this.pos - this.base;
    const limit = Math.min(end - this.base, this.buf.length);
    const saved = r.len;
    r.len = limit;
    let v: T;
    try {
      v = read(r);
    } catch (err) {
      if (err instanceof RangeError) this.fail(`truncated field at offset ${this.pos}`);
      this.fail(`${err instanceof Error ? err.message : String(err)} at offset ${this.pos}`);
    } finally {
      r.len = saved;
    }
    this.pos = this.base + r.pos;
    return v;
  }

  uint32(end: number): number {
    return this.run((r) => r.uint32(), end);
  }

  /** A varint as a number (int64 dims and counts). */
  int64(end: number): number {
    return this.run((r) => {
      const v = r.int64() as unknown as number | { toNumber(): number };
      return typeof v === 'number' ? v : v.toNumber();
    }, end);
  }

  float(end: number): number {
    return this.run((r) => r.float(), end);
  }

  double(end: number): number {
    return this.run((r) => r.double(), end);
  }

  /** UTF-8 string of `len` bytes at pos (loaded by the caller). */
  string(len: number): string {
    const start = this.pos - this.base;
    const s = utf8.decode(this.buf.subarray(start, start + len));
    this.pos += len;
    return s;
  }

  /** Reads a tag; returns [field, wire]. */
  tag(end: number): [number, number] {
    const t = this.uint32(end);
    const f = t >>> 3;
    const w = t & 7;
    if (f === 0) this.fail(`invalid field number 0 at offset ${this.pos}`);
    return [f, w];
  }

  /** Length of a LEN field, checked against the enclosing message's end. */
  len(end: number): number {
    const n = this.uint32(end);
    if (this.pos + n > end) this.fail(`field of ${n} bytes at offset ${this.pos} runs past the end of its message (offset ${end})`);
    return n;
  }

  /** Steps over a field's value without reading it. */
  async skip(wire: number, end: number): Promise<void> {
    switch (wire) {
      case WIRE_VARINT:
        await this.need(10, end);
        this.uint32(end);
        return;
      case WIRE_FIXED64:
        this.pos += 8;
        break;
      case WIRE_LEN: {
        await this.need(10, end);
        const n = this.len(end);
        this.pos += n;
        return;
      }
      case WIRE_FIXED32:
        this.pos += 4;
        break;
      default:
        this.fail(`unsupported wire type ${wire} at offset ${this.pos}`);
    }
    if (this.pos > end) this.fail(`field runs past the end of its message (offset ${end})`);
  }

  fail(message: string): never {
    throw new DecodeError(`corrupt or truncated caffemodel: ${this.what}: ${message}`, this.file, this.what);
  }
}

const utf8 = new TextDecoder('utf-8');

/** Reads a binary NetParameter (.caffemodel): layers, their blobs (shapes and payload ranges), inputs. */
export async function parseCaffemodel(source: ByteSource, options: DecodeOptions = {}, wholeLimit = CAFFEMODEL_WHOLE_LIMIT): Promise<CaffeNet> {
  const w = new PbWindow(source, source.name, (pos) => {
    options.checkCancelled?.();
    options.onProgress?.(pos, source.size);
  });
  if (source.size === 0) w.fail('empty file');
  if (source.size <= wholeLimit) await w.loadAll();
  const net: CaffeNet = { name: '', inputs: [], layers: [] };
  const inputNames: string[] = [];
  const inputShapes: number[][] = [];
  const inputDims: number[] = [];
  const end = source.size;
  let fieldsSeen = 0;
  while (w.pos < end) {
    w.what = 'NetParameter';
    await w.need(20, end);
    const [f, wire] = w.tag(end);
    if (++fieldsSeen > MAX_DEPTH_FIELDS) w.fail('too many fields');
    if (wire === WIRE_LEN && (f === Net.layer || f === Net.layers)) {
      await w.need(10, end);
      const n = w.len(end);
      const start = w.pos;
      net.layers.push(await readLayer(w, start, start + n, f === Net.layers));
      w.pos = start + n;
      if ((net.layers.length & 63) === 0) options.checkCancelled?.();
    } else if (wire === WIRE_LEN && (f === Net.name || f === Net.input)) {
      const s = await smallString(w, end);
      if (f === Net.name) net.name = s;
      else inputNames.push(s);
    } else if (f === Net.inputShape && wire === WIRE_LEN) {
      w.what = 'NetParameter.input_shape';
      inputShapes.push(await readShape(w, end));
    } else if (f === Net.inputDim) {
      w.what = 'NetParameter.input_dim';
      await readInts(w, wire, end, inputDims);
    } else {
      await w.skip(wire, end);
    }
  }
  inputNames.forEach((name, i) => {
    const dims = inputShapes[i] ?? (inputDims.length >= 4 * (i + 1) ? inputDims.slice(4 * i, 4 * i + 4) : null);
    net.inputs.push({ name, dims });
  });
  if (!net.layers.length) w.fail('no layers found (not a Caffe model, or an empty one)');
  options.onProgress?.(source.size, source.size);
  return net;
}

async function smallString(w: PbWindow, end: number): Promise<string> {
  await w.need(10, end);
  const n = w.len(end);
  if (n > MAX_SMALL_FIELD) {
    w.pos += n;
    return '';
  }
  await w.need(n, end);
  return w.string(n);
}

/** Repeated integers, packed or not. */
async function readInts(w: PbWindow, wire: number, end: number, out: number[]): Promise<void> {
  if (wire === WIRE_VARINT) {
    await w.need(10, end);
    out.push(w.int64(end));
  } else if (wire === WIRE_LEN) {
    await w.need(10, end);
    const n = w.len(end);
    await w.need(n, end);
    const stop = w.pos + n;
    while (w.pos < stop) out.push(w.int64(stop));
  } else {
    await w.skip(wire, end);
  }
}

/** BlobShape { repeated int64 dim = 1 } at a LEN field. */
async function readShape(w: PbWindow, end: number): Promise<number[]> {
  await w.need(10, end);
  const n = w.len(end);
  await w.need(n, end);
  const stop = w.pos + n;
  const dims: number[] = [];
  while (w.pos < stop) {
    const [f, wire] = w.tag(stop);
    if (f === BlobShape.dim) await readInts(w, wire, stop, dims);
    else await w.skip(wire, stop);
  }
  for (const d of dims) if (!Number.isSafeInteger(d) || d < 0) w.fail(`dimension ${d} is not a size`);
  return dims;
}

async function readLayer(w: PbWindow, start: number, end: number, v1: boolean): Promise<CaffeLayer> {
  const layer: CaffeLayer = { name: '', type: '', bottoms: [], tops: [], blobs: [], start, end, topShapes: [] };
  const F = v1 ? { name: V1Layer.name, bottom: V1Layer.bottom, top: V1Layer.top, blobs: V1Layer.blobs } : { name: Layer.name, bottom: Layer.bottom, top: Layer.top, blobs: Layer.blobs };
  while (w.pos < end) {
    w.what = v1 ? 'V1LayerParameter' : 'LayerParameter';
    await w.need(20, end);
    const [f, wire] = w.tag(end);
    if (wire === WIRE_LEN && f === F.blobs) {
      w.what = `${layer.name || 'layer'}.blobs`;
      await w.need(10, end);
      const n = w.len(end);
      const s = w.pos;
      layer.blobs.push(await readBlob(w, s, s + n));
      w.pos = s + n;
    } else if (wire === WIRE_LEN && (f === F.name || f === F.bottom || f === F.top || (!v1 && f === Layer.type))) {
      const s = await smallString(w, end);
      if (f === F.name) layer.name = s;
      else if (f === F.bottom) layer.bottoms.push(s);
      else if (f === F.top) layer.tops.push(s);
      else layer.type = s;
    } else if (v1 && f === V1Layer.type && wire === WIRE_VARINT) {
      await w.need(10, end);
      const t = w.uint32(end);
      layer.type = V1_TYPES[t] ?? `V1Layer${t}`;
    } else if (!v1 && f === Layer.inputParam && wire === WIRE_LEN) {
      await w.need(10, end);
      const n = w.len(end);
      const stop = w.pos + n;
      while (w.pos < stop) {
        await w.need(20, stop);
        const [pf, pw] = w.tag(stop);
        if (pf === InputParameter.shape && pw === WIRE_LEN) layer.topShapes.push(await readShape(w, stop));
        else await w.skip(pw, stop);
      }
    } else {
      await w.skip(wire, end);
    }
  }
  return layer;
}

/** BlobProto: shape (or legacy num/channels/height/width) and where its packed data lies. */
async function readBlob(w: PbWindow, start: number, end: number): Promise<CaffeBlob> {
  let shape: number[] | null = null;
  const legacy = [1, 1, 1, 1];
  let legacySeen = false;
  let offset = -1;
  let length = 0;
  let count = 0;
  let dtype = FLOAT32;
  let fragments = 0;
  w.pos = start;
  while (w.pos < end) {
    await w.need(20, end);
    const [f, wire] = w.tag(end);
    if (f === Blob.shape && wire === WIRE_LEN) {
      shape = await readShape(w, end);
    } else if (f >= Blob.num && f <= Blob.width && wire === WIRE_VARINT) {
      await w.need(10, end);
      legacy[f - 1] = w.int64(end);
      legacySeen = true;
    } else if ((f === Blob.data || f === Blob.doubleData) && wire === WIRE_LEN) {
      await w.need(10, end);
      const n = w.len(end);
      const size = f === Blob.data ? 4 : 8;
      if (n % size) w.fail(`packed data of ${n} bytes is not a whole number of values`);
      if (count === 0 || dtype === (size === 4 ? FLOAT32 : FLOAT64)) {
        dtype = size === 4 ? FLOAT32 : FLOAT64;
        offset = fragments === 0 ? w.pos : -1;
        length += n;
        count += n / size;
        fragments++;
      }
      w.pos += n;
    } else if ((f === Blob.data && wire === WIRE_FIXED32) || (f === Blob.doubleData && wire === WIRE_FIXED64)) {
      // Unpacked repeated values: countable, but not one raw range.
      count++;
      offset = -1;
      fragments++;
      await w.skip(wire, end);
    } else {
      await w.skip(wire, end);
    }
  }
  if (fragments > 1) offset = -1;
  let dims = shape ?? (legacySeen ? legacy : [count]);
  for (const d of dims) if (!Number.isSafeInteger(d) || d < 0) w.fail(`dimension ${d} is not a size`);
  if (!shape && !legacySeen) dims = [count];
  return { dims, dtype, offset, length: offset >= 0 ? length : 0 };
}
