import type { Column, StringTable } from '../../graph/columns.ts';
import { decodeUtf8 } from '../../graph/text.ts';
import { WIRE_LEN, type WireStream } from '../protobuf/wire-stream.ts';
import type { FirstMentions } from './first-mentions.ts';
import type { TensorAcc } from './tensor-header.ts';
import { Attr, Node } from './schema.ts';

/** One NodeProto while it is read; pooled by nesting depth, so decoding allocates nothing per node. */
export interface NodeAcc {
  /**
   * String ids of input and output names (0 = the empty name of an omitted optional input). Typed columns kept from
   * node to node: emptying a JS array (`length = 0`) is a runtime call, ~7 ms per 100k nodes for the two lists.
   */
  inputs: Column<Int32Array>;
  outputs: Column<Int32Array>;
  name: number;
  op: number;
  domain: string;
  attrName: string;
  subgraphs: number[];
  constantTensor: TensorAcc | null;
  start: number;
  end: number;
}

/** Reads the attribute at [pos, end) that may shape the IR (a sub-graph or a Constant's tensor). */
export type AttributeReader = (end: number) => void;

/**
 * Reads a NodeProto that is entirely in the stream's window, walking the window's bytes directly.
 *
 * This is the decoder's innermost loop (one call per node, 100k-1M times): names are interned from the bytes in
 * place, one-byte tags and lengths are read inline, and an attribute is handed to `readAttribute` only when it
 * holds a sub-graph or a tensor; the scalar and list attributes of ordinary operators are skipped unread (the open
 * model decodes attributes on request). Anything unusual (multi-byte varints, other wire types, a length past the
 * record) goes through the stream's checked readers, which name the failure.
 */
export function readNodeRecord(
  r: WireStream,
  end: number,
  n: NodeAcc,
  table: StringTable,
  readAttribute: AttributeReader,
  mentions: FirstMentions,
): void {
  const buf = r.window;
  const base = r.windowStart;
  const stop = end - base;
  let i = r.pos - base;
  while (i < stop) {
    let tag = buf[i];
    if (tag < 0x80) i++;
    else {
      r.pos = base + i;
      tag = r.uint();
      i = r.pos - base;
    }
    if (tag < 8) r.at('NodeProto').fail(`invalid field tag ${tag}`);
    if ((tag & 7) !== WIRE_LEN) {
      r.pos = base + i;
      r.at('NodeProto').skip(tag & 7, end);
      i = r.pos - base;
      continue;
    }
    let len = buf[i];
    if (len < 0x80 && len <= stop - i - 1) i++;
    else {
      r.pos = base + i;
      len = r.at('NodeProto').length(end);
      i = r.pos - base;
    }
    const fieldEnd = i + len;
    switch (tag >>> 3) {
      case Node.input: {
        const known = table.size;
        const id = table.internBytes(buf, i, fieldEnd);
        if (table.size !== known) mentions.add(id);
        n.inputs.push(id);
        break;
      }
      case Node.output:
        n.outputs.push(table.internBytes(buf, i, fieldEnd));
        break;
      case Node.name:
        n.name = table.appendBytes(buf, i, fieldEnd);
        break;
      case Node.opType:
        n.op = table.internBytes(buf, i, fieldEnd, true);
        break;
      case Node.domain:
        n.domain = decodeUtf8(buf, i, fieldEnd);
        break;
      case Node.attribute:
        if (mayShapeIR(buf, i, fieldEnd)) {
          r.pos = base + i;
          readAttribute(base + fieldEnd);
        }
        break;
      default:
    }
    i = fieldEnd;
  }
  r.pos = base + i;
  if (i !== stop) r.at('NodeProto').fail('message overruns its length');
}

/**
 * True unless the AttributeProto at [i, end) plainly holds only scalars or lists: its top-level tags are scanned
 * (one-byte tags and lengths inline) for a tensor, graph or graphs field. Anything it cannot scan cheaply counts
 * as "may", and the full reader then checks it.
 */
function mayShapeIR(buf: Uint8Array, i: number, end: number): boolean {
  while (i < end) {
    let tag = buf[i++];
    // AttributeProto.type (field 20) has a two-byte tag.
    if (tag >= 0x80) {
      if (i >= end || buf[i] >= 0x80) return true;
      tag = (tag & 0x7f) | (buf[i++] << 7);
    }
    if (tag < 8) return true;
    const field = tag >>> 3;
    if (field === Attr.t || field === Attr.g || field === Attr.graphs) return true;
    switch (tag & 7) {
      case 0: {
        const varintEnd = i + 10;
        while (i < end && buf[i] >= 0x80) if (++i === varintEnd) return true;
        i++;
        break;
      }
      case 1:
        i += 8;
        break;
      case 2: {
        let len = 0;
        let shift = 0;
        for (;;) {
          if (i >= end || shift > 28) return true;
          const b = buf[i++];
          len += (b & 0x7f) * 2 ** shift;
          if (b < 0x80) break;
          shift += 7;
        }
        i += len;
        break;
      }
      case 5:
        i += 4;
        break;
      default:
        return true;
    }
  }
  return i !== end;
}
