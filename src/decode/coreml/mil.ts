import { WIRE_LEN, WIRE_VARINT, type WireStream, walkFields } from '../protobuf/wire-stream.ts';
import { DataEncoding } from '../../graph/ir.ts';
import { text } from './fields.ts';

/**
 * Core ML ML Program (Model field 502, coremltools' MIL.proto): functions → a block per opset → operations in
 * SSA form. Each operation's inputs are named arguments bound to earlier values or to immediate constants; `const`
 * operations hold a value inline or in a "blob v2" weight file (`weights/weight.bin` of an `.mlpackage`).
 * Inline payloads are recorded by offset, never read.
 */

export const MIL = {
  program: { version: 1, functions: 2, docString: 3 },
  function: { inputs: 1, opset: 2, blockSpecializations: 3 },
  block: { inputs: 1, outputs: 2, operations: 3 },
  operation: { type: 1, inputs: 2, outputs: 3, blocks: 4, attributes: 5 },
  argument: { arguments: 1 },
  binding: { name: 1, value: 2 },
  namedValueType: { name: 1, type: 2 },
  valueType: { tensorType: 1, listType: 2, tupleType: 3, dictionaryType: 4 },
  tensorType: { dataType: 1, rank: 2, dimensions: 3 },
  dimension: { constant: 1, unknown: 2 },
  value: { docString: 1, type: 2, immediateValue: 3, blobFileValue: 5 },
  immediate: { tensor: 1 },
  blobFile: { fileName: 1, offset: 2 },
  mapEntry: { key: 1, value: 2 },
} as const;

/** MIL DataType → IR dtype code. */
const DTYPES: Readonly<Record<number, number>> = {
  1: 9,
  2: 8,
  10: 10,
  11: 1,
  12: 11,
  13: 16,
  21: 3,
  22: 5,
  23: 6,
  24: 7,
  31: 2,
  32: 4,
  33: 12,
  34: 13,
};

export interface MilType {
  dtype: number;
  /** -1 for unknown dimensions; null for unknown rank or a non-tensor type. */
  dims: number[] | null;
}

export interface MilNamedType extends MilType {
  name: string;
}

/** Where a constant's bytes are: inline in the model file, or at a metadata offset in a blob file. */
export interface MilPayload {
  offset: number;
  length: number;
  file: string;
  /** How the bytes hold the numbers (`DataEncoding`): packed varints for ints and bools, else raw. */
  encoding: number;
}

export interface MilOp {
  type: string;
  /** Value names bound to inputs, in the file's order. */
  inputs: string[];
  outputs: MilNamedType[];
  blocks: MilBlock[];
  /** For `const` ops: where the value is. */
  payload: MilPayload | null;
  offset: number;
  length: number;
}

/** Small inline `const` operations by output name, whose values the details show in place of the name. */
export type MilConstRecords = Map<string, { offset: number; length: number }>;

export interface MilBlock {
  inputs: MilNamedType[];
  outputs: string[];
  ops: MilOp[];
}

export interface MilFunction {
  name: string;
  opset: string;
  inputs: MilNamedType[];
  block: MilBlock | null;
}

const MAX_DEPTH = 32;

async function tensorType(r: WireStream, end: number): Promise<MilType> {
  const t: MilType = { dtype: 0, dims: [] };
  let rank = -2;
  await walkFields(r, end, async (n, wire, fend) => {
    if (n === MIL.tensorType.dataType && wire === WIRE_VARINT) t.dtype = DTYPES[r.uint()] ?? 0;
    else if (n === MIL.tensorType.rank && wire === WIRE_VARINT) rank = r.int64();
    else if (n === MIL.tensorType.dimensions && wire === WIRE_LEN) {
      let size = -1;
      await walkFields(r.at('Dimension'), fend, async (k, w2, kend) => {
        if (k === MIL.dimension.constant && w2 === WIRE_LEN) {
          await walkFields(r, kend, (c, w3) => {
            if (c === 1 && w3 === WIRE_VARINT) size = r.int64();
          });
        }
      });
      t.dims!.push(size >= 0 ? size : -1);
    }
  });
  if (rank === -1) t.dims = null;
  return t;
}

async function valueType(r: WireStream, end: number): Promise<MilType> {
  let t: MilType = { dtype: 0, dims: null };
  await walkFields(r, end, async (n, wire, fend) => {
    if (n === MIL.valueType.tensorType && wire === WIRE_LEN) t = await tensorType(r.at('TensorType'), fend);
  });
  return t;
}

async function namedValueType(r: WireStream, end: number): Promise<MilNamedType> {
  const out: MilNamedType = { name: '', dtype: 0, dims: null };
  await walkFields(r, end, async (n, wire, fend) => {
    if (n === MIL.namedValueType.name) out.name = await text(r, wire, fend, 'NamedValueType.name');
    else if (n === MIL.namedValueType.type && wire === WIRE_LEN)
      Object.assign(out, await valueType(r.at('ValueType'), fend), { name: out.name });
  });
  return out;
}

/**
 * TensorValue kinds whose packed field 1 is readable by range, and how: floats and bytes are raw little-endian,
 * ints, bools and long ints packed varints, doubles fixed 64-bit. Strings (kind 4) are not packed.
 */
const TENSOR_ENCODING: Readonly<Record<number, number>> = {
  1: DataEncoding.Raw,
  2: DataEncoding.PackedVarint,
  3: DataEncoding.PackedVarint,
  5: DataEncoding.PackedVarint,
  6: DataEncoding.PackedFixed64,
  7: DataEncoding.Raw,
};

/** A Value: where its payload is (the tensor bytes of an immediate value, or a blob file reference). */
async function valuePayload(r: WireStream, end: number): Promise<MilPayload | null> {
  let payload: MilPayload | null = null;
  await walkFields(r, end, async (n, wire, fend) => {
    if (wire !== WIRE_LEN) return;
    if (n === MIL.value.immediateValue) {
      await walkFields(r.at('ImmediateValue'), fend, async (k, w2, kend) => {
        if (k !== MIL.immediate.tensor || w2 !== WIRE_LEN) return;
        // TensorValue oneof → Repeated*: its field 1 holds the packed numbers or the bytes.
        await walkFields(r.at('TensorValue'), kend, async (kind, w3, vend) => {
          if (w3 !== WIRE_LEN) return;
          await walkFields(r, vend, (f, w4, pend) => {
            const encoding = TENSOR_ENCODING[kind];
            if (f === 1 && w4 === WIRE_LEN && encoding !== undefined)
              payload = { offset: r.pos, length: pend - r.pos, file: '', encoding };
          });
        });
      });
    } else if (n === MIL.value.blobFileValue) {
      let file = '';
      let offset = -1;
      await walkFields(r.at('BlobFileValue'), fend, async (k, w2, kend) => {
        if (k === MIL.blobFile.fileName) file = await text(r, w2, kend, 'BlobFileValue.fileName');
        else if (k === MIL.blobFile.offset && w2 === WIRE_VARINT) offset = r.int64();
      });
      if (file && offset >= 0) payload = { offset, length: -1, file, encoding: DataEncoding.Raw };
    }
  });
  return payload;
}

/** A `map<string, M>` entry: its key, and the bounds of its value message. */
async function mapEntry(
  r: WireStream,
  end: number,
  onValue: (key: string, vend: number) => Promise<void>,
): Promise<void> {
  let key = '';
  const values: number[][] = [];
  await walkFields(r, end, async (n, wire, fend) => {
    if (n === MIL.mapEntry.key) key = await text(r, wire, fend, 'map key');
    else if (n === MIL.mapEntry.value && wire === WIRE_LEN) values.push([r.pos, fend]);
  });
  // Keys may follow values in the encoding; the values are read once the key is known.
  for (const [start, vend] of values) {
    r.pos = start;
    await onValue(key, vend);
  }
  r.pos = end;
}

export async function operation(r: WireStream, end: number, depth: number): Promise<MilOp> {
  const op: MilOp = {
    type: '',
    inputs: [],
    outputs: [],
    blocks: [],
    payload: null,
    offset: r.pos,
    length: end - r.pos,
  };
  await walkFields(r, end, async (n, wire, fend) => {
    if (n === MIL.operation.type) op.type = await text(r, wire, fend, 'Operation.type');
    else if (wire !== WIRE_LEN) return;
    else if (n === MIL.operation.inputs) {
      await mapEntry(r.at('Operation.inputs'), fend, async (_param, vend) => {
        await walkFields(r, vend, async (k, w2, kend) => {
          if (k !== MIL.argument.arguments || w2 !== WIRE_LEN) return;
          await walkFields(r.at('Argument.Binding'), kend, async (b, w3, bend) => {
            if (b === MIL.binding.name) op.inputs.push(await text(r, w3, bend, 'Binding.name'));
          });
        });
      });
    } else if (n === MIL.operation.outputs) op.outputs.push(await namedValueType(r.at('Operation.outputs'), fend));
    else if (n === MIL.operation.blocks) {
      if (depth >= MAX_DEPTH) r.fail(`blocks nested deeper than ${MAX_DEPTH}`);
      op.blocks.push(await block(r.at('Operation.blocks'), fend, depth + 1));
    } else if (n === MIL.operation.attributes) {
      await mapEntry(r.at('Operation.attributes'), fend, async (key, vend) => {
        if (key === 'val') op.payload = await valuePayload(r.at('Value'), vend);
        else r.pos = vend;
      });
    }
  });
  return op;
}

export async function block(r: WireStream, end: number, depth: number): Promise<MilBlock> {
  const b: MilBlock = { inputs: [], outputs: [], ops: [] };
  await walkFields(r, end, async (n, wire, fend) => {
    if (n === MIL.block.outputs) b.outputs.push(await text(r, wire, fend, 'Block.outputs'));
    else if (wire !== WIRE_LEN) return;
    else if (n === MIL.block.inputs) b.inputs.push(await namedValueType(r.at('Block.inputs'), fend));
    else if (n === MIL.block.operations) b.ops.push(await operation(r.at(`operations[${b.ops.length}]`), fend, depth));
  });
  return b;
}

export async function program(r: WireStream, end: number): Promise<{ functions: MilFunction[]; version: number }> {
  const functions: MilFunction[] = [];
  let version = -1;
  await walkFields(r, end, async (n, wire, fend) => {
    if (n === MIL.program.version && wire === WIRE_VARINT) version = r.int64();
    else if (n === MIL.program.functions && wire === WIRE_LEN) {
      await mapEntry(r.at('Program.functions'), fend, async (name, vend) => {
        const fn: MilFunction = { name, opset: '', inputs: [], block: null };
        const blocks = new Map<string, MilBlock>();
        await walkFields(r.at(`function ${name}`), vend, async (k, w2, kend) => {
          if (k === MIL.function.opset) fn.opset = await text(r, w2, kend, 'Function.opset');
          else if (k === MIL.function.inputs && w2 === WIRE_LEN)
            fn.inputs.push(await namedValueType(r.at('Function.inputs'), kend));
          else if (k === MIL.function.blockSpecializations && w2 === WIRE_LEN) {
            await mapEntry(r.at('Function.block_specializations'), kend, async (opset, bend) => {
              blocks.set(opset, await block(r.at(`block ${opset}`), bend, 0));
            });
          }
        });
        fn.block = blocks.get(fn.opset) ?? blocks.values().next().value ?? null;
        functions.push(fn);
      });
    }
  });
  return { functions, version };
}

/** Immediate tensor values shown in node details: at most this many elements. */
const SHOWN = 16;

async function immediateSummary(r: WireStream, end: number): Promise<string> {
  let out = '';
  await walkFields(r, end, async (n, wire, fend) => {
    if (n !== MIL.value.immediateValue || wire !== WIRE_LEN) {
      if (n === MIL.value.blobFileValue && wire === WIRE_LEN) out = '(in a weight file)';
      return;
    }
    await walkFields(r, fend, async (k, w2, kend) => {
      if (k !== MIL.immediate.tensor || w2 !== WIRE_LEN) {
        if (w2 === WIRE_LEN) out = '(list, tuple or dictionary)';
        return;
      }
      await walkFields(r, kend, async (kind, w3, vend) => {
        if (w3 !== WIRE_LEN) return;
        const items: string[] = [];
        await walkFields(r, vend, async (f, w4, pend) => {
          if (f !== 1) return;
          if (kind === 4 && w4 === WIRE_LEN)
            items.push(JSON.stringify((await text(r, w4, pend, 'string')).slice(0, 200)));
          else if (kind === 7) items.push(`(${pend - r.pos} bytes)`);
          else if (w4 === WIRE_LEN) {
            await r.need(pend - r.pos);
            while (r.pos < pend && items.length <= SHOWN) {
              if (kind === 1) items.push(String(r.float32()));
              else if (kind === 6) items.push(String(r.float64()));
              else if (kind === 3) items.push(r.uint() ? 'true' : 'false');
              else items.push(String(r.int64()));
            }
          } else if (w4 === WIRE_VARINT) items.push(kind === 3 ? (r.uint() ? 'true' : 'false') : String(r.int64()));
        });
        const shown = items.slice(0, SHOWN);
        out = shown.length === 1 ? shown[0] : `[${shown.join(', ')}${items.length > SHOWN ? ', …' : ''}]`;
      });
    });
  });
  return out;
}

/** An operation's arguments for the properties panel: bound value names, or immediate constants. */
export async function operationArguments(
  r: WireStream,
  end: number,
): Promise<{ name: string; type: string; value: string }[]> {
  const out: { name: string; type: string; value: string }[] = [];
  await walkFields(r, end, async (n, wire, fend) => {
    if (n !== MIL.operation.inputs || wire !== WIRE_LEN) return;
    await mapEntry(r, fend, async (param, vend) => {
      const parts: string[] = [];
      let constant = false;
      await walkFields(r, vend, async (k, w2, kend) => {
        if (k !== MIL.argument.arguments || w2 !== WIRE_LEN) return;
        await walkFields(r, kend, async (b, w3, bend) => {
          if (b === MIL.binding.name) parts.push(await text(r, w3, bend, 'Binding.name'));
          else if (b === MIL.binding.value && w3 === WIRE_LEN) {
            constant = true;
            parts.push(await immediateSummary(r, bend));
          }
        });
      });
      out.push({ name: param, type: constant ? 'constant' : 'input', value: parts.join(', ') });
    });
  });
  return out;
}

/** The value of a `const` operation (its `val` attribute) as the details show it: `[2, 2]`, `"custom"`, `1`. */
export async function constOperationValue(r: WireStream, end: number): Promise<string> {
  let out = '';
  await walkFields(r, end, async (n, wire, fend) => {
    if (n !== MIL.operation.attributes || wire !== WIRE_LEN) return;
    await mapEntry(r, fend, async (key, vend) => {
      if (key === 'val') out = await immediateSummary(r, vend);
      else r.pos = vend;
    });
  });
  return out;
}
