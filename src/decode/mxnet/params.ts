import { DecodeError } from '../errors.ts';
import type { ByteSource } from '../io/byte-source.ts';

/**
 * MXNet's NDArray list file (`model-0000.params`, `mx.nd.save`): uint64 magic 0x112, uint64 reserved, uint64 array
 * count; per array uint32 magic (V2 0xF993FAC9, V3 0xF993FACA), int32 storage type, the shape (int32 ndim, int64
 * dims), the context (int32 device type and id), int32 dtype flag and the raw little-endian data; then uint64 name
 * count and each name (uint64 length, bytes), `arg:` or `aux:` prefixed. Only headers are read, by range: each array
 * is located by (offset, length), never loaded.
 */

const LIST_MAGIC = 0x112;
const ARRAY_V2 = 0xf993fac9;
const ARRAY_V3 = 0xf993faca;
const DEFAULT_STORAGE = 0;
const MAX_DIMS = 32;
const MAX_NAME = 1 << 16;
/** Fixed part of an array header: magic, storage type, ndim. */
const HEAD = 12;
/** Context (device type, device id) and dtype flag after the dims. */
const TAIL = 12;

/** MXNet dtype flags (mshadow TypeFlag) → IR dtype codes and element sizes. */
const DTYPES: Readonly<Record<number, { code: number; bytes: number }>> = {
  0: { code: 1, bytes: 4 },
  1: { code: 11, bytes: 8 },
  2: { code: 10, bytes: 2 },
  3: { code: 2, bytes: 1 },
  4: { code: 6, bytes: 4 },
  5: { code: 3, bytes: 1 },
  6: { code: 7, bytes: 8 },
  7: { code: 9, bytes: 1 },
  12: { code: 16, bytes: 2 },
};

export interface MxArray {
  dtype: number;
  dims: number[];
  offset: number;
  length: number;
}

/** Arrays of a `.params` file by parameter name (the `arg:` / `aux:` prefix removed). */
export async function readParamsIndex(source: ByteSource): Promise<Map<string, MxArray>> {
  const file = source.name;
  const fail = (message: string, where: string): never => {
    throw new DecodeError(message, file, where);
  };
  const u64 = (dv: DataView, at: number, what: string) => {
    const v = dv.getBigUint64(at, true);
    if (v > BigInt(source.size)) fail(`${what} is ${v}, more than the file holds`, what);
    return Number(v);
  };
  const view = async (offset: number, length: number, what: string) => {
    if (offset + length > source.size) fail(`the file ends inside ${what}`, what);
    const bytes = await source.read(offset, length);
    return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  };

  const head = await view(0, 24, 'header');
  if (head.getBigUint64(0, true) !== BigInt(LIST_MAGIC))
    fail('not an MXNet NDArray list (magic is not 0x112)', 'header');
  const count = u64(head, 16, 'array count');
  const arrays: MxArray[] = [];
  let pos = 24;
  for (let i = 0; i < count; i++) {
    const where = `array ${i}`;
    const h = await view(pos, HEAD, where);
    const magic = h.getUint32(0, true);
    if (magic !== ARRAY_V2 && magic !== ARRAY_V3) fail(`${where}: unknown array magic 0x${magic.toString(16)}`, where);
    if (h.getInt32(4, true) !== DEFAULT_STORAGE) fail(`${where}: sparse storage is not supported`, where);
    const ndim = h.getInt32(8, true);
    if (ndim < -1 || ndim > MAX_DIMS) fail(`${where}: ${ndim} dimensions`, where);
    // A shapeless array (ndim 0 in V2, -1 in V3, where 0 is a scalar) stores nothing after its shape.
    if (ndim === -1 || (ndim === 0 && magic === ARRAY_V2)) {
      pos += HEAD;
      arrays.push({ dtype: 0, dims: [], offset: pos, length: 0 });
      continue;
    }
    const rest = await view(pos + HEAD, ndim * 8 + TAIL, where);
    const dims: number[] = [];
    let elements = 1;
    for (let k = 0; k < ndim; k++) {
      const d = Number(rest.getBigInt64(k * 8, true));
      if (!(d >= 0) || d > source.size) fail(`${where}: dimension ${k} is ${d}`, where);
      dims.push(d);
      elements *= d;
    }
    pos += HEAD + ndim * 8;
    const flag = rest.getInt32(ndim * 8 + 8, true);
    const type = DTYPES[flag] ?? fail(`${where}: unknown dtype flag ${flag}`, where);
    const offset = pos + TAIL;
    const length = elements * type.bytes;
    if (offset + length > source.size) fail(`${where}: its ${length} bytes run past the end of the file`, where);
    arrays.push({ dtype: type.code, dims, offset, length });
    pos = offset + length;
  }

  const names = await view(pos, 8, 'name count');
  const nameCount = u64(names, 0, 'name count');
  if (nameCount !== count) fail(`${nameCount} names for ${count} arrays`, 'names');
  pos += 8;
  const out = new Map<string, MxArray>();
  const utf8 = new TextDecoder();
  for (let i = 0; i < nameCount; i++) {
    const length = u64(await view(pos, 8, `name ${i}`), 0, `name ${i} length`);
    if (length > MAX_NAME) fail(`name ${i} is ${length} bytes long`, `name ${i}`);
    if (pos + 8 + length > source.size) fail(`the file ends inside name ${i}`, `name ${i}`);
    const name = utf8.decode(await source.read(pos + 8, length));
    pos += 8 + length;
    out.set(name.replace(/^(arg|aux):/, ''), arrays[i]);
  }
  return out;
}

/** Where the weights of `x-symbol.json` / `x.json` usually are: `x-0000.params` (epoch 0), or `x.params`. */
export function paramsFileNames(symbolFile: string): string[] {
  const base = symbolFile.replace(/^.*[\\/]/, '').replace(/(-symbol)?\.json$/i, '');
  return [`${base}-0000.params`, `${base}.params`];
}
