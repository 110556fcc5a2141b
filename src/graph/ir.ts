/**
 * GraphIR: the one columnar representation every decoder produces and everything downstream reads.
 *
 * All graphs of a model (the main graph, sub-graphs of If/Loop/Scan nodes, functions) live in one set of
 * columns; each graph owns a contiguous range of nodes and of values. Variable-length lists (node inputs,
 * node outputs, shapes, graph inputs/outputs, value consumers) are CSR pairs: `xOffsets[i]..xOffsets[i+1]`
 * indexes into `x`. Strings are indices into `strings`. Every typed array can be transferred between threads
 * with `columnBuffers(ir)` (column-buffers.ts), so no per-node objects exist on the hot path. Once decoded, an IR
 * is only read: in a cross-origin isolated page its columns live in shared memory (`shareColumns`) and every
 * thread reads the same bytes.
 */

import type { Strings } from './string-list.ts';

export const enum ValueFlag {
  Initializer = 1,
  GraphInput = 2,
  GraphOutput = 4,
  HasShape = 8,
  /** Bytes live in another file (ONNX external data); `valueLocation` names it. */
  External = 16,
  /** Output of a Constant-like node whose payload is recorded in the value's data range. */
  ConstantNode = 32,
}

/** The main graph is graph 0 in every IR (validateIR checks that its kind is Main); sub-graphs and functions follow. */
export const MAIN_GRAPH = 0;

/** Nodes of the main graph only (sub-graph and function bodies excluded); every node when the IR has no graphs. */
export function mainGraphNodeCount(ir: GraphIR): number {
  return ir.graphCount > 0 ? ir.graphNodeCount[MAIN_GRAPH] : ir.nodeCount;
}

export const enum GraphKind {
  Main = 0,
  /** A graph held by a node attribute (If/Loop/Scan bodies, TFLite control flow subgraphs). */
  Subgraph = 1,
  /** A model-local function (ONNX FunctionProto). */
  Function = 2,
}

/** Element types, numbered like ONNX TensorProto.DataType so ONNX needs no mapping; other formats map to them. */
const DTYPE_NAMES = [
  'undefined',
  'float32',
  'uint8',
  'int8',
  'uint16',
  'int16',
  'int32',
  'int64',
  'string',
  'bool',
  'float16',
  'float64',
  'uint32',
  'uint64',
  'complex64',
  'complex128',
  'bfloat16',
  'float8e4m3fn',
  'float8e4m3fnuz',
  'float8e5m2',
  'float8e5m2fnuz',
  'uint4',
  'int4',
  'float4e2m1',
] as const;

/** Bits per element, 0 where unknown or variable (strings). */
export const DTYPE_BITS: readonly number[] = [
  0, 32, 8, 8, 16, 16, 32, 64, 0, 8, 16, 64, 32, 64, 64, 128, 16, 8, 8, 8, 8, 4, 4, 4,
];

export function dtypeName(code: number): string {
  return DTYPE_NAMES[code] ?? `dtype(${code})`;
}

export interface GraphIR {
  format: string;
  /** Small free-form model facts (producer, opset, ...): not per node, so plain strings are fine. */
  metadata: Record<string, string>;
  /**
   * Every record the file stores, counted by the format's own type name as the format's own tools count them
   * (OpenVINO `<layer>`s with Const/Parameter/Result, MIL operations with `const`, ...), whereas the node columns
   * hold only the operators shown. A few dozen keys at most, so a plain object that crosses threads as is.
   */
  layerOps: Record<string, number>;
  /** Every name, op type and symbol, by string index; index 0 is ''. Read through `str()` or `strings.at()`. */
  strings: Strings;

  // graphs
  graphCount: number;
  graphName: Uint32Array;
  graphKind: Uint8Array;
  /** Node that owns the graph (attribute holder), -1 for the main graph and functions. */
  graphParentNode: Int32Array;
  graphNodeStart: Uint32Array;
  graphNodeCount: Uint32Array;
  graphValueStart: Uint32Array;
  graphValueCount: Uint32Array;
  graphInputOffsets: Uint32Array;
  graphInputs: Uint32Array;
  graphOutputOffsets: Uint32Array;
  graphOutputs: Uint32Array;

  // nodes
  nodeCount: number;
  nodeName: Uint32Array;
  /** Op type, with a `domain.` prefix for non-default domains. */
  nodeOp: Uint32Array;
  nodeGraph: Uint32Array;
  nodeInputOffsets: Uint32Array;
  /** Value ids; -1 marks an omitted optional input. */
  nodeInputs: Int32Array;
  nodeOutputOffsets: Uint32Array;
  nodeOutputs: Int32Array;
  /** Where the node's own record sits in the file, so details (attributes) are decoded only on request. */
  nodeSourceOffset: Float64Array;
  nodeSourceLength: Float64Array;

  // values (tensors)
  valueCount: number;
  valueName: Uint32Array;
  valueDtype: Uint8Array;
  valueFlags: Uint8Array;
  valueGraph: Uint32Array;
  /** Producing node or -1. */
  valueProducer: Int32Array;
  valueShapeOffsets: Uint32Array;
  /** Dimension sizes; -1 where unknown or symbolic. */
  valueShapeDims: Float64Array;
  /** String index of a symbolic dimension name, -1 where numeric. */
  valueShapeSymbols: Int32Array;
  /** Absolute byte offset of the payload (in the model file, or in `valueLocation` if External), -1 if none. */
  valueDataOffset: Float64Array;
  valueDataLength: Float64Array;
  /** How the payload is stored: 0 raw little-endian, otherwise a format-specific encoding code. */
  valueDataEncoding: Uint8Array;
  /** External file name (string index) or -1. */
  valueLocation: Int32Array;
  valueConsumerOffsets: Uint32Array;
  valueConsumers: Uint32Array;
}

/** Payload encodings other than plain little-endian raw bytes. */
export const enum DataEncoding {
  Raw = 0,
  /** Protobuf packed repeated field of fixed 32-bit values (ONNX float_data/int32 as float). */
  PackedFixed32 = 1,
  /** Protobuf packed varints (ONNX int32_data/int64_data). */
  PackedVarint = 2,
  /** Protobuf packed fixed 64-bit values (ONNX double_data). */
  PackedFixed64 = 3,
}

export const str = (ir: GraphIR, index: number): string => (index < 0 ? '' : (ir.strings.at(index) ?? ''));

export function nodeInputIds(ir: GraphIR, node: number): Int32Array {
  return ir.nodeInputs.subarray(ir.nodeInputOffsets[node], ir.nodeInputOffsets[node + 1]);
}

export function nodeOutputIds(ir: GraphIR, node: number): Int32Array {
  return ir.nodeOutputs.subarray(ir.nodeOutputOffsets[node], ir.nodeOutputOffsets[node + 1]);
}

export function valueConsumerIds(ir: GraphIR, value: number): Uint32Array {
  return ir.valueConsumers.subarray(ir.valueConsumerOffsets[value], ir.valueConsumerOffsets[value + 1]);
}

/** Shape as numbers and symbol names, or null when the file does not say. */
export function valueShape(ir: GraphIR, value: number): (number | string)[] | null {
  if (!(ir.valueFlags[value] & ValueFlag.HasShape)) return null;
  const out: (number | string)[] = [];
  for (let i = ir.valueShapeOffsets[value]; i < ir.valueShapeOffsets[value + 1]; i++) {
    const sym = ir.valueShapeSymbols[i];
    out.push(sym >= 0 ? str(ir, sym) : ir.valueShapeDims[i]);
  }
  return out;
}

/** Element count of a value with a fully numeric shape, else -1. */
export function valueElementCount(ir: GraphIR, value: number): number {
  if (!(ir.valueFlags[value] & ValueFlag.HasShape)) return -1;
  let n = 1;
  for (let i = ir.valueShapeOffsets[value]; i < ir.valueShapeOffsets[value + 1]; i++) {
    const d = ir.valueShapeDims[i];
    if (d < 0 || ir.valueShapeSymbols[i] >= 0) return -1;
    n *= d;
  }
  return n;
}

export function graphInputIds(ir: GraphIR, graph: number): Uint32Array {
  return ir.graphInputs.subarray(ir.graphInputOffsets[graph], ir.graphInputOffsets[graph + 1]);
}

export function graphOutputIds(ir: GraphIR, graph: number): Uint32Array {
  return ir.graphOutputs.subarray(ir.graphOutputOffsets[graph], ir.graphOutputOffsets[graph + 1]);
}

const MAX_SHOWN_DIMS = 12;

/** Human-readable tensor type such as `float32[batch,128]`. */
export function valueTypeString(ir: GraphIR, value: number): string {
  const shape = valueShape(ir, value);
  const dt = dtypeName(ir.valueDtype[value]);
  if (!shape) return dt;
  // Hostile files can carry thousands of dims; a label shows the first few.
  const shown = shape.slice(0, MAX_SHOWN_DIMS).map((d) => (d === -1 ? '?' : String(d)));
  if (shape.length > MAX_SHOWN_DIMS) shown.push(`… ${shape.length} dims`);
  return `${dt}[${shown.join(',')}]`;
}
