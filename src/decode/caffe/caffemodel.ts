import { DecodeError } from '../errors.ts';
import type { DecodeOptions } from '../decoder.ts';
import type { ByteSource } from '../io/byte-source.ts';
import { WIRE_FIXED32, WIRE_FIXED64, WIRE_LEN, WIRE_VARINT, WireStream } from '../protobuf/wire-stream.ts';
import { FLOAT32, FLOAT64, type CaffeBlob, type CaffeLayer, type CaffeNet } from './build.ts';
import { Blob, BlobShape, InputParameter, Layer, Net, V1Layer, V1_TYPES } from './schema.ts';

/** Files up to this size are read whole; larger ones by ranges, skipping blob payloads. */
export const CAFFEMODEL_WHOLE_LIMIT = 256 << 20;
/** A non-blob field longer than this is skipped, not read (no layer name or parameter message is that big). */
const MAX_SMALL_FIELD = 16 << 20;
const MAX_DEPTH_FIELDS = 1 << 24;

/**
 * The shared protobuf wire reader (WireStream) with the bounds a NetParameter walk needs: every read is checked
 * against the end of its enclosing message, and windows are loaded explicitly (`need`) because a layer record may
 * hold gigabytes of blob payload, which is stepped over by position and never read.
 */
export class CaffeWire {
  private readonly r: WireStream;
  what = 'NetParameter';

  constructor(
    source: ByteSource,
    private readonly file: string,
    onChunk?: (pos: number) => void,
  ) {
    this.r = new WireStream(source, onChunk);
  }

  get pos(): number {
    return this.r.pos;
  }

  set pos(at: number) {
    this.r.pos = at;
  }

  get size(): number {
    return this.r.size;
  }

  async loadAll(): Promise<void> {
    const at = this.r.pos;
    this.r.pos = 0;
    await this.guard(() => this.r.need(this.size));
    this.r.pos = at;
  }

  /** Makes [pos, pos + n) (clipped to `limit`) available in the window. */
  async need(n: number, limit = this.size): Promise<void> {
    const want = Math.min(n, limit - this.pos);
    if (want < 0) this.fail(`offset ${this.pos} lies past the end of its message`);
    if (this.r.has(want)) return;
    if (this.pos + want > this.size)
      this.fail(`truncated: needs ${want} bytes at offset ${this.pos}, file has ${this.size}`);
    await this.guard(() => this.r.fill(want));
  }

  /** A varint as an unsigned 32-bit number (tags, lengths, enums). */
  uint32(end: number): number {
    return this.within(end, () => this.r.uint()) >>> 0;
  }

  /** A varint as a number (int64 dims and counts). */
  int64(end: number): number {
    return this.within(end, () => this.r.int64());
  }

  float(end: number): number {
    return this.within(end, () => this.r.float32());
  }

  double(end: number): number {
    return this.within(end, () => this.r.float64());
  }

  /** UTF-8 string of `len` bytes at pos (loaded by the caller). */
  string(len: number): string {
    return this.within(this.pos + len, () => this.r.string(len));
  }

  /** Reads a tag; returns [field, wire]. */
  tag(end: number): [number, number] {
    const t = this.uint32(end);
    const f = t >>> 3;
    if (f === 0) this.fail(`invalid field number 0 at offset ${this.pos}`);
    return [f, t & 7];
  }

  /** Length of a LEN field, checked against the enclosing message's end. */
  len(end: number): number {
    const n = this.uint32(end);
    if (this.pos + n > end)
      this.fail(`field of ${n} bytes at offset ${this.pos} runs past the end of its message (offset ${end})`);
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

  /** Runs a read at `pos` that must stay before `end`; the wire reader's own errors get this file's wording. */
  private within<T>(end: number, read: () => T): T {
    const at = this.pos;
    const v = this.guard(read);
    if (this.pos > end) this.fail(`truncated field at offset ${at}`);
    return v;
  }

  private guard<T>(read: () => T): T {
    try {
      return read();
    } catch (err) {
      if (err instanceof DecodeError) this.fail(`${err.message} at offset ${this.pos}`);
      throw err;
    }
  }
}

/** Reads a binary NetParameter (.caffemodel): layers, their blobs (shapes and payload ranges), inputs. */
export async function parseCaffemodel(
  source: ByteSource,
  options: DecodeOptions = {},
  wholeLimit = CAFFEMODEL_WHOLE_LIMIT,
): Promise<CaffeNet> {
  const w = new CaffeWire(source, source.name, (pos) => {
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

async function smallString(w: CaffeWire, end: number): Promise<string> {
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
async function readInts(w: CaffeWire, wire: number, end: number, out: number[]): Promise<void> {
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
async function readShape(w: CaffeWire, end: number): Promise<number[]> {
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

async function readLayer(w: CaffeWire, start: number, end: number, v1: boolean): Promise<CaffeLayer> {
  const layer: CaffeLayer = { name: '', type: '', bottoms: [], tops: [], blobs: [], start, end, topShapes: [] };
  const F = v1
    ? { name: V1Layer.name, bottom: V1Layer.bottom, top: V1Layer.top, blobs: V1Layer.blobs }
    : { name: Layer.name, bottom: Layer.bottom, top: Layer.top, blobs: Layer.blobs };
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
async function readBlob(w: CaffeWire, start: number, end: number): Promise<CaffeBlob> {
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
