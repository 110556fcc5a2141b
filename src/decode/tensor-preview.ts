import {
  DTYPE_BITS,
  DataEncoding,
  ValueFlag,
  dtypeName,
  str,
  valueElementCount,
  valueShape,
  type GraphIR,
} from '../graph/ir.ts';
import type { TensorPreview, TensorStats } from './api.ts';
import type { ByteSource } from './io/byte-source.ts';
import { dequantizeGgml } from './ggml/dequantize.ts';
import { halfToNumber } from './ggml/half.ts';
import { GGML_ENCODING_BASE, ggmlEncodingName } from './ggml/types.ts';

/** At most this many bytes are read for a preview, whatever the tensor's size. */
const PREVIEW_MAX_BYTES = 4 << 20;
const SHOWN_VALUES = 32;

/** Reads a bounded prefix of a constant's payload by range and summarises it. */
export async function tensorPreview(source: ByteSource, ir: GraphIR, value: number): Promise<TensorPreview> {
  const dtype = dtypeName(ir.valueDtype[value]);
  const shape = valueShape(ir, value);
  const offset = ir.valueDataOffset[value];
  const byteLength = ir.valueDataLength[value];
  const base = { dtype, shape, byteLength, values: [] as string[], stats: null, sampled: 0 };
  if (offset < 0 || byteLength <= 0) {
    const stored = (ir.valueFlags[value] & ValueFlag.Initializer) !== 0;
    return {
      ...base,
      note: stored
        ? 'stored in a layout Strata does not preview (e.g. chunked or compressed); shape and size only'
        : 'no stored data (computed at run time)',
    };
  }

  let from: ByteSource | null = source;
  if (ir.valueFlags[value] & ValueFlag.External) {
    const location = str(ir, ir.valueLocation[value]);
    from = (await source.sibling?.(location)) ?? null;
    if (!from)
      return { ...base, note: `weights are in external file "${location}", which was not opened with the model` };
  }
  const wanted = Math.min(byteLength, PREVIEW_MAX_BYTES);
  let bytes: Uint8Array;
  try {
    bytes = await from.read(offset, wanted);
  } finally {
    // A companion file (external data, a shard) is opened per preview: close it, or each preview leaks a handle.
    if (from !== source) await from.close?.();
  }
  const numbers = decodeNumbers(bytes, ir.valueDtype[value], ir.valueDataEncoding[value]);
  if (!numbers)
    return { ...base, note: `no preview for ${ggmlEncodingName(ir.valueDataEncoding[value]) ?? dtype} data` };
  const total = valueElementCount(ir, value);
  const complete = wanted === byteLength;
  return {
    ...base,
    values: Array.from(numbers.subarray(0, SHOWN_VALUES), formatValue),
    stats: computeStats(numbers),
    sampled: numbers.length,
    note: complete
      ? undefined
      : `statistics over the first ${numbers.length.toLocaleString('en-US')} of ${total > 0 ? total.toLocaleString('en-US') : 'all'} elements`,
  };
}

function formatValue(v: number): string {
  return Number.isInteger(v) ? String(v) : v.toPrecision(6);
}

export function computeStats(x: Float64Array): TensorStats | null {
  if (x.length === 0) return null;
  let min = Infinity;
  let max = -Infinity;
  let sum = 0;
  let sumSq = 0;
  let zeros = 0;
  let nan = 0;
  let n = 0;
  for (let i = 0; i < x.length; i++) {
    const v = x[i];
    if (Number.isNaN(v)) {
      nan++;
      continue;
    }
    if (v === 0) zeros++;
    if (v < min) min = v;
    if (v > max) max = v;
    sum += v;
    sumSq += v * v;
    n++;
  }
  const mean = n ? sum / n : NaN;
  return {
    count: x.length,
    min,
    max,
    mean,
    std: n ? Math.sqrt(Math.max(0, sumSq / n - mean * mean)) : NaN,
    zeros,
    nan,
  };
}

/** Decodes a byte prefix to numbers; a trailing partial element is dropped. Null for non-numeric types. */
export function decodeNumbers(bytes: Uint8Array, dtype: number, encoding: number): Float64Array | null {
  if (encoding === DataEncoding.PackedVarint) return decodeVarints(bytes, dtype);
  if (encoding === DataEncoding.PackedFixed32) return readFixed(bytes, 4, dtype === 10 || dtype === 16 ? dtype : 1);
  if (encoding === DataEncoding.PackedFixed64) return readFixed(bytes, 8, 11);
  if (encoding >= GGML_ENCODING_BASE) return dequantizeGgml(bytes, encoding - GGML_ENCODING_BASE);
  const bits = DTYPE_BITS[dtype] ?? 0;
  if (bits < 8) return null;
  return readFixed(bytes, bits / 8, dtype);
}

function readFixed(bytes: Uint8Array, size: number, dtype: number): Float64Array {
  const n = Math.floor(bytes.length / size);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, n * size);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = readElement(dv, i * size, dtype);
  return out;
}

function readElement(dv: DataView, o: number, dtype: number): number {
  switch (dtype) {
    case 1:
      return dv.getFloat32(o, true);
    case 2:
      return dv.getUint8(o);
    case 3:
      return dv.getInt8(o);
    case 4:
      return dv.getUint16(o, true);
    case 5:
      return dv.getInt16(o, true);
    case 6:
      return dv.getInt32(o, true);
    case 7:
      return Number(dv.getBigInt64(o, true));
    case 9:
      return dv.getUint8(o) ? 1 : 0;
    case 10:
      return halfToNumber(dv.getUint16(o, true));
    case 11:
      return dv.getFloat64(o, true);
    case 12:
      return dv.getUint32(o, true);
    case 13:
      return Number(dv.getBigUint64(o, true));
    case 16:
      return bfloat16(dv.getUint16(o, true));
    case 17:
      return float8(dv.getUint8(o), 3, 7, true);
    case 19:
      return float8(dv.getUint8(o), 2, 15, false);
    default:
      return dv.getUint8(o);
  }
}

function decodeVarints(bytes: Uint8Array, dtype: number): Float64Array {
  const out: number[] = [];
  let i = 0;
  while (i < bytes.length) {
    const start = i;
    let v = 0;
    let mul = 1;
    let b = 0x80;
    let k = 0;
    while (i < bytes.length && b & 0x80 && k < 10) {
      b = bytes[i++];
      v += (b & 0x7f) * mul;
      mul *= 128;
      k++;
    }
    if (b & 0x80) break;
    // Past 7 bytes a double loses bits: negative int64/int32 values are 10-byte two's complement, so redo those exactly.
    if (k > 7) v = varintExact(bytes, start, i, dtype === 13 || dtype === 12);
    out.push(dtype === 10 ? halfToNumber(v & 0xffff) : dtype === 16 ? bfloat16(v & 0xffff) : v);
  }
  return Float64Array.from(out);
}

function varintExact(bytes: Uint8Array, start: number, end: number, unsigned: boolean): number {
  let big = 0n;
  for (let i = end - 1; i >= start; i--) big = (big << 7n) | BigInt(bytes[i] & 0x7f);
  return Number(unsigned ? BigInt.asUintN(64, big) : BigInt.asIntN(64, big));
}

function bfloat16(h: number): number {
  const dv = new DataView(new ArrayBuffer(4));
  dv.setUint32(0, h << 16);
  return dv.getFloat32(0);
}

/** OCP float8: e4m3fn (no infinities, only S.1111.111 is NaN) and e5m2 (IEEE-like). */
function float8(b: number, mantissaBits: number, bias: number, fn: boolean): number {
  const s = b & 0x80 ? -1 : 1;
  const e = (b & 0x7f) >> mantissaBits;
  const m = b & ((1 << mantissaBits) - 1);
  const maxE = (1 << (7 - mantissaBits)) - 1;
  if (fn ? e === maxE && m === (1 << mantissaBits) - 1 : e === maxE) return fn || m ? NaN : s * Infinity;
  if (e === 0) return s * m * 2 ** (1 - bias - mantissaBits);
  return s * (1 + m / (1 << mantissaBits)) * 2 ** (e - bias);
}
