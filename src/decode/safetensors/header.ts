import type { ByteSource } from '../io/byte-source.ts';
import { DecodeError } from '../errors.ts';
import { elementCount, storedTensor, type StoredTensor } from '../checkpoint/stored-tensor.ts';
import { MAX_HEADER_BYTES } from './sniff.ts';

const MAX_RANK = 64;
const utf8 = new TextDecoder('utf-8');

/** safetensors dtype → IR dtype (ONNX numbering) and bits per element. */
const DTYPES: Readonly<Record<string, [dtype: number, bits: number]>> = {
  BOOL: [9, 8],
  U8: [2, 8],
  I8: [3, 8],
  U16: [4, 16],
  I16: [5, 16],
  U32: [12, 32],
  I32: [6, 32],
  U64: [13, 64],
  I64: [7, 64],
  F16: [10, 16],
  BF16: [16, 16],
  F32: [1, 32],
  F64: [11, 64],
  F8_E4M3: [17, 8],
  F8_E4M3FNUZ: [18, 8],
  F8_E5M2: [19, 8],
  F8_E5M2FNUZ: [20, 8],
  F4: [23, 4],
  // Scale and sub-byte types the IR has no element type for: sized, not previewed.
  F8_E8M0: [0, 8],
  F6_E2M3: [0, 6],
  F6_E3M2: [0, 6],
};

export interface SafetensorsHeader {
  tensors: StoredTensor[];
  /** `__metadata__` string map, empty if absent. */
  metadata: Record<string, string>;
  headerBytes: number;
}

/**
 * Reads a safetensors header (8-byte little-endian length, then JSON) by range; tensor payloads are only located.
 * Every tensor is checked against the spec: a known dtype, a shape of non-negative integers, offsets inside the
 * data section whose length matches the shape.
 */
export async function readSafetensorsHeader(source: ByteSource, location = ''): Promise<SafetensorsHeader> {
  const file = source.name;
  const fail = (msg: string, field = 'header'): never => {
    throw new DecodeError(`${msg} (safetensors)`, file, field);
  };
  if (source.size < 8) fail(`${source.size} bytes is too short for a header length`);
  const lenBytes = await source.read(0, 8);
  const dv = new DataView(lenBytes.buffer, lenBytes.byteOffset, 8);
  const n = dv.getUint32(0, true) + dv.getUint32(4, true) * 4294967296;
  if (n > source.size - 8)
    fail(`header length ${n} runs past the end of the file (${source.size} bytes): truncated or not safetensors`);
  if (n > MAX_HEADER_BYTES) fail(`header of ${n} bytes is larger than the ${MAX_HEADER_BYTES}-byte safetensors limit`);
  let json: unknown;
  try {
    json = JSON.parse(utf8.decode(await source.read(8, n)));
  } catch (err) {
    fail(`header is not valid JSON (${err instanceof Error ? err.message : String(err)})`);
  }
  if (!json || typeof json !== 'object' || Array.isArray(json)) return fail('header is not a JSON object');
  const dataStart = 8 + n;
  const dataSize = source.size - dataStart;
  const tensors: StoredTensor[] = [];
  let metadata: Record<string, string> = {};
  for (const [name, entry] of Object.entries(json as Record<string, unknown>)) {
    if (name === '__metadata__') {
      metadata = readMetadata(entry, fail);
      continue;
    }
    tensors.push(readEntry(name, entry, dataStart, dataSize, location, fail));
  }
  return { tensors, metadata, headerBytes: n };
}

function readMetadata(entry: unknown, fail: (m: string, f?: string) => never): Record<string, string> {
  if (entry === null) return {};
  if (typeof entry !== 'object' || Array.isArray(entry)) return fail('__metadata__ is not an object', '__metadata__');
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(entry as Record<string, unknown>))
    out[k] = typeof v === 'string' ? v : JSON.stringify(v);
  return out;
}

function readEntry(
  name: string,
  entry: unknown,
  dataStart: number,
  dataSize: number,
  location: string,
  fail: (m: string, f?: string) => never,
): StoredTensor {
  if (!entry || typeof entry !== 'object') return fail(`tensor "${name}" is not an object`, name);
  const { dtype, shape, data_offsets: offsets } = entry as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
  if (typeof dtype !== 'string' || !Object.hasOwn(DTYPES, dtype))
    return fail(`tensor "${name}" has unknown dtype ${JSON.stringify(dtype)}`, name);
  if (!Array.isArray(shape) || shape.length > MAX_RANK || !shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
    return fail(`tensor "${name}" has an invalid shape ${JSON.stringify(shape)?.slice(0, 80)}`, name);
  }
  if (
    !Array.isArray(offsets) ||
    offsets.length !== 2 ||
    !offsets.every((o) => Number.isSafeInteger(o) && o >= 0) ||
    offsets[0] > offsets[1]
  ) {
    return fail(`tensor "${name}" has invalid data_offsets ${JSON.stringify(offsets)?.slice(0, 80)}`, name);
  }
  const [begin, end] = offsets as number[];
  if (end > dataSize) fail(`tensor "${name}" ends at byte ${end} of a ${dataSize}-byte data section: truncated`, name);
  const [code, bits] = DTYPES[dtype];
  const dims = shape as number[];
  const expected = Math.ceil((elementCount(dims) * bits) / 8);
  if (expected !== end - begin)
    fail(`tensor "${name}" holds ${end - begin} bytes but ${dtype}[${dims.join(', ')}] needs ${expected}`, name);
  return storedTensor({
    name,
    dtype: code,
    storedType: dtype,
    shape: dims,
    offset: dataStart + begin,
    byteLength: end - begin,
    location,
  });
}
