import { WIRE_FIXED32, WIRE_LEN, WIRE_VARINT, type WireStream } from '../protobuf/wire-stream.ts';

/** Field readers shared by the Core ML model and ML Program walkers. */

export async function text(r: WireStream, wire: number, end: number, what: string): Promise<string> {
  if (wire !== WIRE_LEN) r.fail(`${what} has wire type ${wire}, expected a string`);
  await r.need(end - r.pos);
  return r.string(end - r.pos);
}

/** A repeated integer field, packed or not. */
export async function ints(r: WireStream, wire: number, end: number, out: number[]): Promise<void> {
  if (wire === WIRE_VARINT) out.push(r.int64());
  else if (wire === WIRE_LEN) {
    await r.need(end - r.pos);
    while (r.pos < end) out.push(r.int64());
  } else if (wire === WIRE_FIXED32) out.push(r.float32());
  else r.fail(`numeric field has wire type ${wire}`);
}
