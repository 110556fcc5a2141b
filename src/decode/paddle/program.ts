import { BufferSource, type ByteSource } from '../io/byte-source.ts';
import { WIRE_FIXED32, WIRE_FIXED64, WIRE_LEN, WIRE_VARINT, WireStream, parseFields } from '../protobuf/wire-stream.ts';
import { F, VAR_KIND } from './schema.ts';

/** Parsed ProgramDesc: the whole `.pdmodel` is metadata (weights live in `.pdiparams`), so it is held in memory. */

export interface PdSlot {
  parameter: string;
  args: string[];
}

export type PdAttrValue = number | string | boolean;

export interface PdAttr {
  name: string;
  type: number;
  /** Scalar fields and repeated fields flattened, in field order; `list` says whether a repeated field was seen. */
  values: PdAttrValue[];
  list: boolean;
  blocks: number[];
}

export interface PdOp {
  type: string;
  inputs: PdSlot[];
  outputs: PdSlot[];
  /** Byte range of the OpDesc message, re-read for node details. */
  offset: number;
  length: number;
  blocks: number[];
  /** The `col` attribute of feed/fetch ops. */
  col: number;
}

export interface PdVar {
  name: string;
  kind: number;
  dtype: number;
  dims: number[] | null;
  persistable: boolean;
}

export interface PdBlock {
  idx: number;
  parent: number;
  vars: Map<string, PdVar>;
  ops: PdOp[];
}

export interface PdProgram {
  blocks: PdBlock[];
  version: number;
}

/** Skips a field whose number or wire type this reader does not use. */
function skipOther(r: WireStream, wire: number, end: number): void {
  if (wire !== WIRE_LEN) r.skip(wire, end);
}

function expectWire(r: WireStream, wire: number, want: number, what: string): boolean {
  if (wire === want) return true;
  r.fail(`${what} has wire type ${wire}, expected ${want}`);
}

function str(r: WireStream, wire: number, end: number, what: string): string {
  expectWire(r, wire, WIRE_LEN, what);
  return r.string(end - r.pos);
}

/** A repeated varint field, packed (one LEN field) or not (one varint per field). */
function varints(r: WireStream, wire: number, end: number, out: number[], _signed64: boolean): void {
  if (wire === WIRE_LEN) {
    while (r.pos < end) out.push(r.int64());
  } else if (wire === WIRE_VARINT) {
    out.push(r.int64());
  } else r.fail(`integer field has wire type ${wire}`);
}

function float64(r: WireStream): number {
  const b = r.bytes(8);
  return new DataView(b.buffer, b.byteOffset, 8).getFloat64(0, true);
}

function floats(r: WireStream, wire: number, end: number, out: PdAttrValue[], double: boolean): void {
  const size = double ? 8 : 4;
  if (wire === WIRE_LEN) {
    if ((end - r.pos) % size) r.fail(`packed ${double ? 'double' : 'float'} field length is not a multiple of ${size}`);
    while (r.pos < end) out.push(double ? float64(r) : r.float32());
  } else if (wire === (double ? WIRE_FIXED64 : WIRE_FIXED32)) {
    out.push(double ? float64(r) : r.float32());
  } else r.fail(`float field has wire type ${wire}`);
}

function parseSlot(r: WireStream, end: number): PdSlot {
  const slot: PdSlot = { parameter: '', args: [] };
  parseFields(r, end, (f, wire, fend) => {
    if (f === F.opVar.parameter) slot.parameter = str(r, wire, fend, 'OpDesc.Var.parameter');
    else if (f === F.opVar.arguments) slot.args.push(str(r, wire, fend, 'OpDesc.Var.arguments'));
    else skipOther(r, wire, fend);
  });
  return slot;
}

export function parseAttr(r: WireStream, end: number): PdAttr {
  const a: PdAttr = { name: '', type: -1, values: [], list: false, blocks: [] };
  const A = F.attr;
  parseFields(r, end, (f, wire, fend) => {
    switch (f) {
      case A.name:
        a.name = str(r, wire, fend, 'OpDesc.Attr.name');
        return;
      case A.type:
        expectWire(r, wire, WIRE_VARINT, 'OpDesc.Attr.type');
        a.type = r.uint();
        return;
      case A.i:
      case A.l: {
        const out: number[] = [];
        varints(r, wire, fend, out, true);
        a.values.push(...out);
        return;
      }
      case A.b:
        expectWire(r, wire, WIRE_VARINT, 'OpDesc.Attr.b');
        a.values.push(r.uint() !== 0);
        return;
      case A.f:
        floats(r, wire, fend, a.values, false);
        return;
      case A.float64:
        floats(r, wire, fend, a.values, true);
        return;
      case A.s:
      case A.varName:
        a.values.push(str(r, wire, fend, 'OpDesc.Attr.s'));
        return;
      case A.strings:
      case A.varsName:
        a.list = true;
        a.values.push(str(r, wire, fend, 'OpDesc.Attr.strings'));
        return;
      case A.ints:
      case A.longs: {
        a.list = true;
        const out: number[] = [];
        varints(r, wire, fend, out, true);
        a.values.push(...out);
        return;
      }
      case A.bools: {
        a.list = true;
        const out: number[] = [];
        varints(r, wire, fend, out, true);
        for (const v of out) a.values.push(v !== 0);
        return;
      }
      case A.floats:
        a.list = true;
        floats(r, wire, fend, a.values, false);
        return;
      case A.float64s:
        a.list = true;
        floats(r, wire, fend, a.values, true);
        return;
      case A.blockIdx: {
        const out: number[] = [];
        varints(r, wire, fend, out, true);
        a.blocks.push(...out);
        a.values.push(...out);
        return;
      }
      case A.blocksIdx: {
        a.list = true;
        const out: number[] = [];
        varints(r, wire, fend, out, true);
        a.blocks.push(...out);
        a.values.push(...out);
        return;
      }
      default:
        skipOther(r, wire, fend);
    }
  });
  return a;
}

/** Parses an OpDesc; `attrs` collects the attributes when the caller wants them (node details). */
export function parseOp(r: WireStream, end: number, attrs?: PdAttr[]): PdOp {
  const op: PdOp = { type: '', inputs: [], outputs: [], offset: r.pos, length: end - r.pos, blocks: [], col: -1 };
  parseFields(r, end, (f, wire, fend) => {
    if (f === F.op.type) op.type = str(r, wire, fend, 'OpDesc.type');
    else if (f === F.op.inputs || f === F.op.outputs) {
      expectWire(r, wire, WIRE_LEN, 'OpDesc.inputs');
      r.at(f === F.op.inputs ? 'OpDesc.inputs' : 'OpDesc.outputs');
      (f === F.op.inputs ? op.inputs : op.outputs).push(parseSlot(r, fend));
    } else if (f === F.op.attrs) {
      expectWire(r, wire, WIRE_LEN, 'OpDesc.attrs');
      r.at('OpDesc.attrs');
      const a = parseAttr(r, fend);
      op.blocks.push(...a.blocks);
      if (a.name === 'col' && typeof a.values[0] === 'number') op.col = a.values[0];
      attrs?.push(a);
    } else skipOther(r, wire, fend);
  });
  return op;
}

function parseTensorDesc(r: WireStream, end: number, v: PdVar): void {
  const dims: number[] = [];
  parseFields(r, end, (f, wire, fend) => {
    if (f === F.tensorDesc.dataType) {
      expectWire(r, wire, WIRE_VARINT, 'TensorDesc.data_type');
      v.dtype = r.uint();
    } else if (f === F.tensorDesc.dims) varints(r, wire, fend, dims, true);
    else skipOther(r, wire, fend);
  });
  v.dims = dims;
}

function parseVarType(r: WireStream, end: number, v: PdVar): void {
  parseFields(r, end, (f, wire, fend) => {
    if (f === F.varType.type) {
      expectWire(r, wire, WIRE_VARINT, 'VarType.type');
      v.kind = r.uint();
    } else if (f === F.varType.selectedRows) {
      expectWire(r, wire, WIRE_LEN, 'VarType.selected_rows');
      parseTensorDesc(r.at('VarType.selected_rows'), fend, v);
    } else if (f === F.varType.lodTensor || f === F.varType.tensorArray) {
      expectWire(r, wire, WIRE_LEN, 'VarType.lod_tensor');
      r.at('VarType.lod_tensor');
      parseFields(r, fend, (g, w2, gend) => {
        if (g === F.lodTensor.tensor) {
          expectWire(r, w2, WIRE_LEN, 'LoDTensorDesc.tensor');
          parseTensorDesc(r.at('TensorDesc'), gend, v);
        } else skipOther(r, w2, gend);
      });
    } else skipOther(r, wire, fend);
  });
}

function parseVar(r: WireStream, end: number): PdVar {
  const v: PdVar = { name: '', kind: -1, dtype: -1, dims: null, persistable: false };
  parseFields(r, end, (f, wire, fend) => {
    if (f === F.var.name) v.name = str(r, wire, fend, 'VarDesc.name');
    else if (f === F.var.type) {
      expectWire(r, wire, WIRE_LEN, 'VarDesc.type');
      parseVarType(r.at('VarDesc.type'), fend, v);
    } else if (f === F.var.persistable) {
      expectWire(r, wire, WIRE_VARINT, 'VarDesc.persistable');
      v.persistable = r.uint() !== 0;
    } else skipOther(r, wire, fend);
  });
  if (v.kind === VAR_KIND.FEED_MINIBATCH || v.kind === VAR_KIND.FETCH_LIST) v.persistable = false;
  return v;
}

function parseBlock(r: WireStream, end: number, position: number): PdBlock {
  const b: PdBlock = { idx: position, parent: -1, vars: new Map(), ops: [] };
  parseFields(r, end, (f, wire, fend) => {
    if (f === F.block.idx || f === F.block.parentIdx) {
      expectWire(r, wire, WIRE_VARINT, 'BlockDesc.idx');
      const n = r.int64();
      if (f === F.block.idx) b.idx = n;
      else b.parent = n;
    } else if (f === F.block.vars) {
      expectWire(r, wire, WIRE_LEN, 'BlockDesc.vars');
      const v = parseVar(r.at(`blocks[${position}].vars[${b.vars.size}]`), fend);
      b.vars.set(v.name, v);
    } else if (f === F.block.ops) {
      expectWire(r, wire, WIRE_LEN, 'BlockDesc.ops');
      b.ops.push(parseOp(r.at(`blocks[${position}].ops[${b.ops.length}]`), fend));
    } else skipOther(r, wire, fend);
  });
  return b;
}

export async function readProgram(source: ByteSource): Promise<PdProgram> {
  const r = new WireStream(source);
  await r.need(source.size);
  const program: PdProgram = { blocks: [], version: -1 };
  r.at('ProgramDesc');
  parseFields(r, source.size, (f, wire, fend) => {
    if (f === F.program.blocks) {
      expectWire(r, wire, WIRE_LEN, 'ProgramDesc.blocks');
      program.blocks.push(parseBlock(r.at(`blocks[${program.blocks.length}]`), fend, program.blocks.length));
    } else if (f === F.program.version) {
      expectWire(r, wire, WIRE_LEN, 'ProgramDesc.version');
      parseFields(r.at('ProgramDesc.version'), fend, (g, w2, gend) => {
        if (g === F.version.version && w2 === WIRE_VARINT) program.version = r.int64();
        else skipOther(r, w2, gend);
      });
    } else skipOther(r, wire, fend);
  });
  return program;
}

/** Re-reads one OpDesc (node details) with its attributes. */
export async function readOpAttrs(record: Uint8Array, file: string): Promise<PdAttr[]> {
  const r = new WireStream(new BufferSource(record, file));
  await r.need(record.length);
  const attrs: PdAttr[] = [];
  parseOp(r.at('OpDesc'), record.length, attrs);
  return attrs;
}
