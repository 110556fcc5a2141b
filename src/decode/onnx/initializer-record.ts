import type { StringTable } from '../../graph/columns.ts';
import { DataEncoding } from '../../graph/ir.ts';
import type { WireStream } from '../protobuf/wire-stream.ts';
import type { FirstMentions } from './first-mentions.ts';
import type { TensorAcc } from './tensor-header.ts';

/** One-byte tags of the TensorProto fields a plain initializer holds. */
const DIMS_VARINT = 0x08;
const DIMS_PACKED = 0x0a;
const DATA_TYPE = 0x10;
const NAME = 0x42;
const RAW_DATA = 0x4a;

/**
 * Reads the header of a plain initializer (dims, data_type, name, raw_data: what exporters write for nearly every
 * weight) straight from the window's bytes, as the node walker does for NodeProto; a model holds about one such
 * record per node. Returns false, having consumed nothing but possibly interned the name, when the record has any
 * other field or an unusual encoding (negative or large dims, external data, typed payload fields): the caller
 * then parses it with the general TensorProto reader.
 */
export function readPlainInitializer(
  r: WireStream,
  end: number,
  t: TensorAcc,
  table: StringTable,
  mentions: FirstMentions,
): boolean {
  const buf = r.window;
  const base = r.windowStart;
  const stop = end - base;
  let i = r.pos - base;
  while (i < stop) {
    const tag = buf[i++];
    if (tag === DIMS_VARINT || tag === DATA_TYPE) {
      const v = buf[i++];
      if (v >= 0x80 || i > stop) return false;
      if (tag === DIMS_VARINT) t.dims.push(v);
      else t.dtype = v;
      continue;
    }
    if (tag !== DIMS_PACKED && tag !== NAME && tag !== RAW_DATA) return false;
    let len = 0;
    for (let shift = 0; ; shift += 7) {
      if (i >= stop || shift > 21) return false;
      const b = buf[i++];
      len |= (b & 0x7f) << shift;
      if (b < 0x80) break;
    }
    if (len > stop - i) return false;
    const fieldEnd = i + len;
    if (tag === DIMS_PACKED) {
      for (; i < fieldEnd; i++) {
        if (buf[i] >= 0x80) return false;
        t.dims.push(buf[i]);
      }
    } else if (tag === NAME) {
      t.name = mentions.intern(table, buf, i, fieldEnd);
    } else {
      t.dataOffset = base + i;
      t.dataLength = len;
      t.encoding = DataEncoding.Raw;
    }
    i = fieldEnd;
  }
  if (i !== stop) return false;
  r.pos = end;
  return true;
}
