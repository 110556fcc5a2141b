import { GraphBuilder } from '../../graph/builder.ts';
import { GraphKind, ValueFlag, type GraphIR } from '../../graph/ir.ts';
import type { ByteSource } from '../io/byte-source.ts';
import { DecodeError } from '../errors.ts';
import { openModel, type DecodeOptions, type OpenModel } from '../decoder.ts';
import { tfliteNodeDetails } from './details.ts';
import { FlatReader } from './reader.ts';
import { hasTfliteIdentifier } from './sniff.ts';
import {
  BUILTIN_CUSTOM,
  Buffer,
  Metadata,
  Model,
  Operator,
  OperatorCode,
  PLACEHOLDER_FOR_GREATER_OP_CODES,
  SUBGRAPH_SLOTS,
  SignatureDef,
  SubGraph,
  Tensor,
  builtinName,
  tensorDtype,
} from './schema.ts';

export interface TfliteTuning {
  /** Files up to this size are read whole; larger ones by ranges, skipping weight payloads (default 64 MiB). */
  wholeFileLimit?: number;
  /** Inline buffers at least this long are not read in range mode (default 4 KiB). */
  skipPayloadMin?: number;
}

const WHOLE_FILE_LIMIT = 64 << 20;
const SKIP_PAYLOAD_MIN = 4 << 10;
/** Tensor names are cut at this many bytes. */
const MAX_NAME = 4096;
/** Ranks above this are not a real tensor. */
const MAX_RANK = 64;

/** Where one Buffer's bytes are: inline in the flatbuffer (data vector) or past it (offset/size, > 2 GB models). */
interface BufferTable {
  offset: Float64Array;
  length: Float64Array;
}

/**
 * Decodes a TFLite model into GraphIR: one graph per subgraph (subgraph 0 is the main graph), one node per
 * operator, one value per tensor. Tensors with a non-empty buffer are initializers whose data range is the
 * buffer's absolute position in the file; buffer payloads are never read.
 */
/** Decodes the model; its details come from the operator tables, read by page when asked. */
export async function openTflite(
  source: ByteSource,
  options: DecodeOptions = {},
  tuning: TfliteTuning = {},
): Promise<OpenModel> {
  const ir = await decodeTflite(source, options, tuning);
  return openModel(ir, source, tfliteNodeDetails(source, ir));
}

export async function decodeTflite(
  source: ByteSource,
  options: DecodeOptions = {},
  tuning: TfliteTuning = {},
): Promise<GraphIR> {
  const file = source.name;
  const size = source.size;
  if (size < 8) throw new DecodeError(`too short for a TFLite model (${size} bytes)`, file, 'header');
  const head = await source.read(0, 8);
  if (!hasTfliteIdentifier(head) && !/\.(tflite|lite)$/i.test(file))
    throw new DecodeError('not a TFLite model: no "TFL3" file identifier at byte 4', file, 'file_identifier');

  const r = new FlatReader(file, size);
  if (size <= (tuning.wholeFileLimit ?? WHOLE_FILE_LIMIT)) {
    const bytes = await source.read(0, size);
    if (bytes.length !== size) throw new DecodeError(`could read only ${bytes.length} of ${size} bytes`, file, 'file');
    r.add(0, bytes);
    r.bytesRead = size;
    options.onProgress?.(size, size);
  } else {
    await loadStructure(source, r, options, tuning.skipPayloadMin ?? SKIP_PAYLOAD_MIN);
  }
  options.checkCancelled?.();
  return new TfliteWalker(r, options).walk();
}

/**
 * Range mode: finds every buffer payload through the Model.buffers vector (reading small pages on demand),
 * then reads the flatbuffer minus the payloads, gap by gap, into `r`.
 */
async function loadStructure(
  source: ByteSource,
  r: FlatReader,
  options: DecodeOptions,
  skipMin: number,
): Promise<void> {
  const size = source.size;
  // Buffer tables sit next to their payloads: read them in small pages so the payloads stay unread.
  const pager = new FlatReader(source.name, size, source, 512);
  await pager.ensure(0, 8, 'root offset');
  const root = pager.u32(0, 'root offset');
  await pager.loadTable(root, 'Model');
  const buffers = await pager.loadVector(root, Model.buffers, 4, 'Model.buffers');
  const count = pager.length;
  const skips: number[] = [];
  let flatbufferEnd = size;
  for (let i = 0; i < count; i++) {
    if ((i & 1023) === 0) options.checkCancelled?.();
    await pager.ensure(buffers + 4 * i, 4, 'Model.buffers');
    const t = pager.tableAt(buffers, i, 'Model.buffers');
    await pager.loadTable(t, 'Buffer');
    const data = await pager.loadRef(t, Buffer.data, 4, 'Buffer.data');
    if (data) {
      const n = pager.u32(data, 'Buffer.data');
      if (data + 4 + n > size) pager.fail('Buffer.data', data + 4, n);
      if (n >= skipMin) skips.push(data + 4, data + 4 + n);
    }
    const offset = pager.scalarU64(t, Buffer.offset, 0, 'Buffer.offset');
    if (offset > 1) {
      const n = pager.scalarU64(t, Buffer.size, 0, 'Buffer.size');
      if (offset + n > size) pager.fail('Buffer.offset', offset, n);
      flatbufferEnd = Math.min(flatbufferEnd, offset);
    }
  }
  r.bytesRead = pager.bytesRead;
  // Merge the payload ranges, then read what lies between them.
  const order = Array.from({ length: skips.length / 2 }, (_, k) => k).sort((a, b) => skips[2 * a] - skips[2 * b]);
  let pos = 0;
  const gaps: number[] = [];
  for (const k of order) {
    const s = Math.min(skips[2 * k], flatbufferEnd);
    const e = Math.min(skips[2 * k + 1], flatbufferEnd);
    if (s > pos) gaps.push(pos, s);
    pos = Math.max(pos, e);
  }
  if (flatbufferEnd > pos) gaps.push(pos, flatbufferEnd);
  for (let g = 0; g < gaps.length; g += 2) {
    options.checkCancelled?.();
    const bytes = await source.read(gaps[g], gaps[g + 1] - gaps[g]);
    if (bytes.length !== gaps[g + 1] - gaps[g]) r.fail('file', gaps[g], gaps[g + 1] - gaps[g]);
    r.add(gaps[g], bytes);
    r.bytesRead += bytes.length;
    options.onProgress?.(gaps[g + 1], size);
  }
}

class TfliteWalker {
  private readonly b = new GraphBuilder('tflite');
  private opNames: number[] = [];
  private opCodes: number[] = [];
  private bufs: BufferTable = { offset: new Float64Array(0), length: new Float64Array(0) };

  constructor(
    private readonly r: FlatReader,
    private readonly options: DecodeOptions,
  ) {}

  walk(): GraphIR {
    const { r, b } = this;
    const root = r.u32(0, 'root offset');
    const version = r.scalarU32(root, Model.version, 0, 'Model.version');
    b.metadata.version = String(version);
    const description = r.string(root, Model.description, 'Model.description', 4096);
    if (description) b.metadata.description = description;
    this.readOperatorCodes(root);
    this.readBuffers(root);
    this.readMetadata(root);

    const subgraphs = r.vector(root, Model.subgraphs, 4, 'Model.subgraphs');
    const count = r.length;
    if (count === 0) r.error('Model.subgraphs', 'is empty: the model has no graph');
    for (let s = 0; s < count; s++) b.beginGraph(`subgraph_${s}`, s === 0 ? GraphKind.Main : GraphKind.Subgraph);
    const links: number[] = [];
    for (let s = 0; s < count; s++) {
      const sg = r.tableAt(subgraphs, s, 'Model.subgraphs');
      this.readSubgraph(sg, s, count, links);
    }
    // A graph used by several control-flow ops keeps its first holder; the main graph has none; a link that
    // would make a graph its own ancestor (only a corrupt file does that) is dropped.
    const parentGraph = new Int32Array(count).fill(-1);
    for (let k = 0; k < links.length; k += 3) {
      const g = links[k];
      const holder = links[k + 2];
      if (g <= 0 || g >= count || parentGraph[g] >= 0) continue;
      let x = holder;
      while (x >= 0 && x !== g) x = parentGraph[x];
      if (x === g) continue;
      parentGraph[g] = holder;
      b.setGraphParent(g, links[k + 1]);
    }
    if (count > 1) b.metadata.subgraphs = String(count);
    this.options.onProgress?.(r.fileSize, r.fileSize);
    return b.finish();
  }

  private readOperatorCodes(root: number): void {
    const { r, b } = this;
    const vec = r.vector(root, Model.operatorCodes, 4, 'Model.operator_codes');
    const n = r.length;
    this.opNames = new Array<number>(n);
    this.opCodes = new Array<number>(n);
    for (let i = 0; i < n; i++) {
      const t = r.tableAt(vec, i, 'Model.operator_codes');
      const deprecated = r.scalarI8(t, OperatorCode.deprecatedBuiltinCode, 0, 'OperatorCode.deprecated_builtin_code');
      const code = r.scalarI32(t, OperatorCode.builtinCode, 0, 'OperatorCode.builtin_code');
      // Old files have only the int8 code; newer ones put 127 there and the real code in builtin_code.
      const builtin = Math.max(deprecated, code);
      this.opCodes[i] = builtin;
      let name: string;
      if (builtin === BUILTIN_CUSTOM)
        name = r.string(t, OperatorCode.customCode, 'OperatorCode.custom_code', 1024) || 'CUSTOM';
      else if (builtin === PLACEHOLDER_FOR_GREATER_OP_CODES) name = builtinName(code);
      else name = builtinName(builtin);
      this.opNames[i] = b.strings.intern(name);
    }
  }

  private readBuffers(root: number): void {
    const r = this.r;
    const vec = r.vector(root, Model.buffers, 4, 'Model.buffers');
    const n = r.length;
    const offset = new Float64Array(n).fill(-1);
    const length = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const t = r.tableAt(vec, i, 'Model.buffers');
      const data = r.ref(t, Buffer.data, 'Buffer.data');
      if (data) {
        const len = r.u32(data, 'Buffer.data');
        if (data + 4 + len > r.fileSize) r.fail('Buffer.data', data + 4, len);
        if (len > 0) {
          offset[i] = data + 4;
          length[i] = len;
          continue;
        }
      }
      const off = r.scalarU64(t, Buffer.offset, 0, 'Buffer.offset');
      if (off > 1) {
        const len = r.scalarU64(t, Buffer.size, 0, 'Buffer.size');
        if (off + len > r.fileSize) r.fail('Buffer.offset', off, len);
        if (len > 0) {
          offset[i] = off;
          length[i] = len;
        }
      }
    }
    this.bufs = { offset, length };
  }

  private readMetadata(root: number): void {
    const { r, b } = this;
    const meta = r.vector(root, Model.metadata, 4, 'Model.metadata');
    const names: string[] = [];
    for (let i = 0, n = r.length; i < n && i < 64; i++) {
      const t = r.tableAt(meta, i, 'Model.metadata');
      names.push(r.string(t, Metadata.name, 'Metadata.name', 256));
    }
    if (names.length) b.metadata.metadata = names.join(', ');
    const sigs = r.vector(root, Model.signatureDefs, 4, 'Model.signature_defs');
    const keys: string[] = [];
    for (let i = 0, n = r.length; i < n && i < 64; i++) {
      const t = r.tableAt(sigs, i, 'Model.signature_defs');
      keys.push(r.string(t, SignatureDef.signatureKey, 'SignatureDef.signature_key', 256) || `#${i}`);
    }
    if (keys.length) b.metadata.signatures = keys.join(', ');
  }

  private readSubgraph(sg: number, s: number, subgraphCount: number, links: number[]): void {
    const { r, b } = this;
    const name = r.string(sg, SubGraph.name, 'SubGraph.name', 1024);
    if (name) b.setGraphName(s, name);

    // Tensors → values, in index order.
    const tvec = r.vector(sg, SubGraph.tensors, 4, 'SubGraph.tensors');
    const tensorCount = r.length;
    const valueOfTensor = new Int32Array(tensorCount);
    for (let i = 0; i < tensorCount; i++) {
      if ((i & 4095) === 4095) this.options.checkCancelled?.();
      const t = r.tableAt(tvec, i, 'SubGraph.tensors');
      valueOfTensor[i] = this.readTensor(t, s, i);
    }

    const ios = (slot: number, what: string, add: (v: number) => void) => {
      const vec = r.vector(sg, slot, 4, what);
      for (let k = 0, n = r.length; k < n; k++) {
        const idx = r.i32(vec + 4 * k, what);
        if (idx < 0 || idx >= tensorCount) r.error(what, `names tensor ${idx}, but the subgraph has ${tensorCount}`);
        add(valueOfTensor[idx]);
      }
    };
    ios(SubGraph.inputs, 'SubGraph.inputs', (v) => b.addGraphInput(s, v));
    ios(SubGraph.outputs, 'SubGraph.outputs', (v) => b.addGraphOutput(s, v));

    // Operators → nodes.
    const ovec = r.vector(sg, SubGraph.operators, 4, 'SubGraph.operators');
    const opCount = r.length;
    const opNames = this.opNames;
    for (let i = 0; i < opCount; i++) {
      if ((i & 4095) === 4095) this.options.checkCancelled?.();
      const op = r.tableAt(ovec, i, 'SubGraph.operators');
      const opcode = r.scalarU32(op, Operator.opcodeIndex, 0, 'Operator.opcode_index');
      if (opcode >= opNames.length)
        r.error('Operator.opcode_index', `is ${opcode}, but the model has ${opNames.length} operator codes`);
      const ins: number[] = [];
      const outs: number[] = [];
      this.tensorList(op, Operator.inputs, 'Operator.inputs', valueOfTensor, ins);
      this.tensorList(op, Operator.outputs, 'Operator.outputs', valueOfTensor, outs);
      const nodeName =
        outs.length && outs[0] >= 0
          ? this.nodeNameId(outs[0])
          : b.strings.append(`${b.strings.strings[opNames[opcode]] ?? 'op'}_${i}`);
      const node = b.addNodeById(
        s,
        nodeName,
        opNames[opcode],
        ins,
        outs,
        op,
        Math.min(r.tableSize(op, 'Operator'), r.fileSize - op),
      );
      if (s === 0) b.countLayerById(opNames[opcode]);
      const code = this.opCodes[opcode];
      const sub = SUBGRAPH_SLOTS.get(code);
      if (sub && r.scalarU8(op, Operator.builtinOptionsType, 0, 'Operator.builtin_options_type') === sub.type) {
        const opts = r.ref(op, Operator.builtinOptions, 'Operator.builtin_options');
        if (opts) {
          for (const slot of sub.slots) {
            const g = r.scalarI32(opts, slot, 0, 'Operator.builtin_options');
            if (g > 0 && g < subgraphCount && g !== s) links.push(g, node, s);
          }
        }
      }
    }
  }

  /** Node name: its first output's tensor name, up to the first ';' (converters join fused names with ';'). */
  private nodeNameId(value: number): number {
    const bytes = this.nameBytes[value];
    if (!bytes) return this.b.strings.append(this.b.strings.strings[this.fallbackName[value]] ?? '');
    const start = this.nameStart[value];
    const end = start + this.nameLength[value];
    let cut = start;
    while (cut < end && bytes[cut] !== 0x3b) cut++;
    if (cut === start) cut = end;
    return this.b.strings.appendBytes(bytes, start, cut);
  }

  /** Where each value's tensor name lies (segment array, start, length), for node names without decoding. */
  private readonly nameBytes: (Uint8Array | undefined)[] = [];
  private readonly nameStart: number[] = [];
  private readonly nameLength: number[] = [];
  /** String id of a generated or de-duplicated name, for values without name bytes. */
  private readonly fallbackName: number[] = [];

  private tensorList(op: number, slot: number, what: string, valueOfTensor: Int32Array, out: number[]): void {
    const r = this.r;
    const vec = r.vector(op, slot, 4, what);
    for (let k = 0, n = r.length; k < n; k++) {
      const idx = r.i32(vec + 4 * k, what);
      if (idx === -1) out.push(-1);
      else if (idx < 0 || idx >= valueOfTensor.length)
        r.error(what, `names tensor ${idx}, but the subgraph has ${valueOfTensor.length}`);
      else out.push(valueOfTensor[idx]);
    }
  }

  private readTensor(t: number, graph: number, index: number): number {
    const { r, b } = this;
    // Names are interned straight from the file bytes; only a repeated or missing one is built as a string.
    const ref = r.ref(t, Tensor.name, 'Tensor.name');
    const length = ref ? Math.min(r.u32(ref, 'Tensor.name'), MAX_NAME) : 0;
    let v: number;
    if (length > 0) {
      const bytes = r.span(ref + 4, length, 'Tensor.name');
      const start = r.spanStart;
      const before = b.valueCount;
      v = b.valueById(graph, b.strings.internBytes(bytes, start, start + length));
      if (b.valueCount === before) {
        // Names need not be unique in TFLite: a repeated one gets the tensor index so the two stay apart.
        const name = `${new TextDecoder().decode(bytes.subarray(start, start + length))} (tensor ${index})`;
        v = b.value(graph, name);
      }
      this.nameBytes[v] = bytes;
      this.nameStart[v] = start;
      this.nameLength[v] = length;
    } else {
      v = b.value(graph, `tensor_${index}`);
      this.fallbackName[v] = b.strings.intern(`tensor_${index}`);
    }

    const type = r.scalarI8(t, Tensor.type, 0, 'Tensor.type');
    const dims: number[] = [];
    const shape = r.vector(t, Tensor.shape, 4, 'Tensor.shape');
    const rank = r.length;
    if (rank > MAX_RANK) r.error('Tensor.shape', `has rank ${rank}`);
    for (let k = 0; k < rank; k++) dims.push(r.i32(shape + 4 * k, 'Tensor.shape'));
    const bufferIndex = r.scalarU32(t, Tensor.buffer, 0, 'Tensor.buffer');
    const bufs = this.bufs;
    if (bufferIndex >= bufs.offset.length && bufferIndex !== 0) {
      r.error('Tensor.buffer', `of tensor ${index} is ${bufferIndex}, but the model has ${bufs.offset.length} buffers`);
    }
    const constant = bufferIndex > 0 && bufs.length[bufferIndex] > 0;
    if (!constant) {
      // Dynamic dimensions are -1 in shape_signature (shape then holds 1 there).
      const sig = r.vector(t, Tensor.shapeSignature, 4, 'Tensor.shape_signature');
      if (r.length === rank)
        for (let k = 0; k < rank; k++) if (r.i32(sig + 4 * k, 'Tensor.shape_signature') < 0) dims[k] = -1;
    }
    for (let k = 0; k < rank; k++) if (dims[k] < -1) dims[k] = -1;
    b.setValueType(v, tensorDtype(type), dims);
    if (constant) {
      b.addFlags(v, ValueFlag.Initializer);
      b.setValueData(v, bufs.offset[bufferIndex], bufs.length[bufferIndex]);
    }
    return v;
  }
}
