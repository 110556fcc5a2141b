import { Column } from '../../graph/columns.ts';
import { GraphBuilder } from '../../graph/builder.ts';
import { DataEncoding, GraphKind, ValueFlag, nodeOutputIds, type GraphIR } from '../../graph/ir.ts';
import type { ByteSource } from '../io/byte-source.ts';
import { openModel, type DecodeOptions, type OpenModel } from '../decoder.ts';
import { WIRE_LEN, WIRE_VARINT, WireStream, parseFields, streamFields } from '../protobuf/wire-stream.ts';
import { decodeOnnxAttributes } from './attributes.ts';
import { onnxNodeDetails } from './details.ts';
import { Attr, Dim, Graph, Model, Node, Tensor, TensorType, Type, ValueInfo, qualifiedOp } from './schema.ts';
import { FirstMentions } from './first-mentions.ts';
import { readPlainInitializer } from './initializer-record.ts';
import { type NodeAcc, readNodeRecord } from './node-record.ts';
import { byteCount, newTensor, payloadEncoding, type TensorAcc } from './tensor-header.ts';

/** Nesting deeper than this is hostile, not a real model (If inside Loop inside If ... 64 levels). */
const MAX_DEPTH = 64;

/**
 * Streaming ONNX ModelProto decoder. Reads the structure (nodes, value infos, initializer headers) and records
 * where each tensor's bytes are; payloads and node attributes are left in the file for on-demand reads.
 */
export class OnnxParser {
  readonly b: GraphBuilder;
  private readonly r: WireStream;
  private readonly graphStack: number[] = [];
  /** Node accumulators by nesting depth, reused so decoding allocates nothing per node. */
  private readonly nodePool: NodeAcc[] = [];
  private nodeDepth = 0;
  private depth = 0;
  private tensor: TensorAcc = newTensor();
  private readonly dims: number[] = [];
  private readonly syms: (string | null)[] = [];
  private valueName = 0;
  private valueDtype = 0;
  private valueHasShape = false;
  private readonly opsets: string[] = [];
  private sawGraph = false;
  private readonly mentions = new FirstMentions();

  constructor(
    private readonly source: ByteSource,
    private readonly options: DecodeOptions = {},
  ) {
    // Node-heavy exports carry roughly one distinct name per 100 bytes; weight-heavy ones far fewer.
    this.b = new GraphBuilder('onnx', Math.min(source.size / 100, 4_000_000));
    this.r = new WireStream(source, (pos) => {
      options.checkCancelled?.();
      options.onProgress?.(pos, source.size);
    });
  }

  async parse(): Promise<GraphIR> {
    const { r, b } = this;
    if (this.source.size === 0) r.fail('empty file');
    b.beginGraph('main', GraphKind.Main);
    await streamFields(r, this.source.size, this.modelField, this.modelLarge);
    if (this.opsets.length) b.metadata.opset = this.opsets.join(', ');
    b.dropInitializerInputs(0);
    if (!this.sawGraph) r.at('ModelProto').fail('not an ONNX model, or truncated before its graph (no graph found)');
    this.options.onProgress?.(this.source.size, this.source.size);
    return b.finish();
  }

  // ModelProto ------------------------------------------------------------------------------------------------
  private readonly modelField = (field: number, wire: number, end: number): void => {
    const { r, b } = this;
    switch (field) {
      case Model.irVersion:
        if (wire !== WIRE_VARINT) return r.skip(wire, end);
        b.metadata.ir_version = String(r.at('ModelProto.ir_version').uint());
        return;
      case Model.producerName:
      case Model.producerVersion:
      case Model.domain:
        if (wire !== WIRE_LEN) return r.skip(wire, end);
        b.metadata[['', '', 'producer', 'producer_version', 'domain'][field]] = r.string(end - r.pos);
        return;
      case Model.modelVersion:
        if (wire !== WIRE_VARINT) return r.skip(wire, end);
        b.metadata.model_version = String(r.uint());
        return;
      case Model.docString:
        if (wire === WIRE_LEN) b.metadata.doc = r.string(Math.min(end - r.pos, 4096));
        else r.skip(wire, end);
        return;
      case Model.graph:
        if (wire !== WIRE_LEN) return r.skip(wire, end);
        this.sawGraph = true;
        this.graphStack.push(0);
        parseFields(r.at('GraphProto'), end, this.graphField);
        this.graphStack.pop();
        return;
      case Model.opsetImport:
        if (wire !== WIRE_LEN) return r.skip(wire, end);
        this.opsetImport(end);
        return;
      case Model.functions:
        if (wire !== WIRE_LEN) return r.skip(wire, end);
        this.functionProto(end);
        return;
      default:
        if (wire !== WIRE_LEN) r.skip(wire, end);
    }
  };

  private readonly modelLarge = async (field: number, end: number): Promise<void> => {
    if (field !== Model.graph) return;
    this.sawGraph = true;
    this.graphStack.push(0);
    await streamFields(this.r.at('GraphProto'), end, this.graphField, this.graphLarge);
    this.graphStack.pop();
  };

  private opsetImport(end: number): void {
    const { r } = this;
    let domain = '';
    let version = 0;
    parseFields(r.at('OperatorSetIdProto'), end, (f, w, e) => {
      if (f === 1 && w === WIRE_LEN) domain = r.string(e - r.pos);
      else if (f === 2 && w === WIRE_VARINT) version = r.uint();
      else if (w !== WIRE_LEN) r.skip(w, e);
    });
    this.opsets.push(`${domain || 'ai.onnx'} v${version}`);
  }

  private functionProto(end: number): void {
    const { r, b } = this;
    const g = b.beginGraph('function', GraphKind.Function);
    let name = '';
    let domain = '';
    this.enterGraph(g);
    parseFields(r.at('FunctionProto'), end, (f, w, e) => {
      if (w !== WIRE_LEN) return r.skip(w, e);
      if (f === 1) name = r.string(e - r.pos);
      else if (f === 10) domain = r.string(e - r.pos);
      else if (f === 4) b.addGraphInput(g, b.valueById(g, r.stringId(e - r.pos, b.strings)));
      else if (f === 5) b.addGraphOutput(g, b.valueById(g, r.stringId(e - r.pos, b.strings)));
      else if (f === 7) this.nodeSync(e);
    });
    this.leaveGraph();
    b.setGraphName(g, qualifiedOp(domain, name));
  }

  private enterGraph(g: number): void {
    if (++this.depth > MAX_DEPTH) this.r.fail(`graphs nested deeper than ${MAX_DEPTH} levels`);
    this.graphStack.push(g);
  }

  private leaveGraph(): void {
    this.depth--;
    this.graphStack.pop();
  }

  private get graph(): number {
    return this.graphStack[this.graphStack.length - 1];
  }

  // GraphProto ------------------------------------------------------------------------------------------------
  private readonly graphField = (field: number, wire: number, end: number): void => {
    const { r, b } = this;
    if (wire !== WIRE_LEN) return r.skip(wire, end);
    switch (field) {
      case Graph.node:
        this.nodeSync(end);
        return;
      case Graph.name:
        b.setGraphName(this.graph, r.string(end - r.pos));
        return;
      case Graph.initializer: {
        const start = r.pos;
        this.tensor = newTensor();
        if (!readPlainInitializer(r, end, this.tensor, b.strings, this.mentions)) {
          r.pos = start;
          this.tensor = newTensor();
          parseFields(r.at('TensorProto'), end, this.tensorField);
        }
        this.addInitializer(this.tensor);
        return;
      }
      case Graph.sparseInitializer:
        this.sparseInitializer(end);
        return;
      case Graph.input:
      case Graph.output:
      case Graph.valueInfo: {
        this.valueInfo(end);
        const v = b.valueById(this.graph, this.valueName);
        if (this.valueDtype || this.valueHasShape) {
          b.setValueType(v, this.valueDtype, this.valueHasShape ? this.dims : null, this.syms);
        }
        if (field === Graph.input) b.addGraphInput(this.graph, v);
        else if (field === Graph.output) b.addGraphOutput(this.graph, v);
        return;
      }
      default:
    }
  };

  private readonly graphLarge = async (field: number, end: number): Promise<void> => {
    const { r } = this;
    if (field === Graph.node) {
      const acc = this.beginNode(r.pos, end);
      await streamFields(r.at('NodeProto'), end, this.nodeField, this.nodeLarge);
      this.endNode(acc);
    } else if (field === Graph.initializer) {
      this.tensor = newTensor();
      await streamFields(r.at('TensorProto'), end, this.tensorField, this.tensorLarge);
      this.addInitializer(this.tensor);
    }
  };

  // NodeProto ---------------------------------------------------------------------------------------------------
  private nodeSync(end: number): void {
    const acc = this.beginNode(this.r.pos, end);
    readNodeRecord(this.r, end, acc, this.b.strings, this.attribute, this.mentions);
    this.endNode(acc);
  }

  private readonly attribute = (end: number): void => {
    parseFields(this.r.at('AttributeProto'), end, this.attrField);
  };

  private beginNode(start: number, end: number): NodeAcc {
    let acc = this.nodePool[this.nodeDepth];
    if (!acc) {
      acc = {
        inputs: new Column(Int32Array, 8),
        outputs: new Column(Int32Array, 8),
        name: 0,
        op: 0,
        domain: '',
        attrName: '',
        subgraphs: [],
        constantTensor: null,
        start: 0,
        end: 0,
      };
      this.nodePool.push(acc);
    }
    this.nodeDepth++;
    acc.inputs.length = 0;
    acc.outputs.length = 0;
    if (acc.subgraphs.length) acc.subgraphs.length = 0;
    acc.name = 0;
    acc.op = 0;
    acc.domain = '';
    acc.attrName = '';
    acc.constantTensor = null;
    acc.start = start;
    acc.end = end;
    return acc;
  }

  private endNode(acc: NodeAcc): void {
    const { b } = this;
    this.nodeDepth--;
    const g = this.graph;
    const ins = this.valueIds(g, acc.inputs);
    const outs = this.valueIds(g, acc.outputs);
    const op = acc.domain ? b.strings.intern(qualifiedOp(acc.domain, b.strings.strings[acc.op])) : acc.op;
    const id = b.addNodeById(
      g,
      acc.name || b.strings.append(''),
      op,
      ins,
      outs,
      acc.start,
      acc.end - acc.start,
      acc.inputs.length,
      acc.outputs.length,
    );
    // Every node of the main graph is a layer, Constant included (ONNX keeps constants as nodes too).
    if (g === 0) b.countLayerById(op);
    for (const sg of acc.subgraphs) b.setGraphParent(sg, id);
    const t = acc.constantTensor;
    if (t && acc.outputs.length === 1 && outs[0] >= 0) {
      b.setValueType(outs[0], t.dtype, t.dims);
      this.recordData(outs[0], t);
      b.addFlags(outs[0], ValueFlag.ConstantNode);
    }
  }

  /** Maps name ids to value ids in place of a fresh array: the builder copies them. */
  private valueIds(g: number, names: Column<Int32Array>): Int32Array {
    const ids = names.data;
    for (let i = 0; i < names.length; i++) ids[i] = ids[i] ? this.b.valueById(g, ids[i]) : -1;
    return ids;
  }

  private get node(): NodeAcc {
    return this.nodePool[this.nodeDepth - 1];
  }

  private readonly nodeField = (field: number, wire: number, end: number): void => {
    const { r } = this;
    if (wire !== WIRE_LEN) return r.skip(wire, end);
    const n = this.node;
    switch (field) {
      case Node.input:
        n.inputs.push(r.stringId(end - r.pos, this.b.strings));
        return;
      case Node.output:
        n.outputs.push(r.stringId(end - r.pos, this.b.strings));
        return;
      case Node.name:
        n.name = r.uniqueStringId(end - r.pos, this.b.strings);
        return;
      case Node.opType:
        n.op = r.stringId(end - r.pos, this.b.strings, true);
        return;
      case Node.domain:
        n.domain = r.string(end - r.pos);
        return;
      case Node.attribute:
        // Attributes are decoded on request; only sub-graphs (and Constant payloads) shape the IR.
        parseFields(r.at('AttributeProto'), end, this.attrField);
        return;
      default:
    }
  };

  private readonly nodeLarge = async (field: number, end: number): Promise<void> => {
    if (field !== Node.attribute) return;
    await streamFields(this.r.at('AttributeProto'), end, this.attrField, this.attrLarge);
  };

  // AttributeProto --------------------------------------------------------------------------------------------------
  private readonly attrField = (field: number, wire: number, end: number): void => {
    const { r } = this;
    if (wire !== WIRE_LEN) return r.skip(wire, end);
    const n = this.node;
    if (field === Attr.name) {
      n.attrName = r.string(end - r.pos);
    } else if (field === Attr.g || field === Attr.graphs) {
      const g = this.beginSubgraph();
      parseFields(r.at('GraphProto'), end, this.graphField);
      this.endSubgraph(g);
    } else if (
      field === Attr.t &&
      isConstantOp(n, this.b.strings.strings) &&
      (n.attrName === 'value' || n.attrName === '')
    ) {
      this.tensor = newTensor();
      parseFields(r.at('TensorProto'), end, this.tensorField);
      n.constantTensor = this.tensor;
    }
  };

  private readonly attrLarge = async (field: number, end: number): Promise<void> => {
    const { r } = this;
    const n = this.node;
    if (field === Attr.g || field === Attr.graphs) {
      const g = this.beginSubgraph();
      await streamFields(r.at('GraphProto'), end, this.graphField, this.graphLarge);
      this.endSubgraph(g);
    } else if (field === Attr.t && isConstantOp(n, this.b.strings.strings)) {
      this.tensor = newTensor();
      await streamFields(r.at('TensorProto'), end, this.tensorField, this.tensorLarge);
      n.constantTensor = this.tensor;
    }
  };

  private beginSubgraph(): number {
    const n = this.node;
    const g = this.b.beginGraph(n.attrName || 'body', GraphKind.Subgraph, this.graph);
    n.subgraphs.push(g);
    this.enterGraph(g);
    return g;
  }

  private endSubgraph(g: number): void {
    this.leaveGraph();
    this.b.dropInitializerInputs(g);
  }

  // TensorProto ---------------------------------------------------------------------------------------------------
  private readonly tensorField = (field: number, wire: number, end: number): void => {
    const { r } = this;
    const t = this.tensor;
    switch (field) {
      case Tensor.dims:
        if (wire === WIRE_LEN) {
          while (r.pos < end) t.dims.push(r.int64());
        } else if (wire === WIRE_VARINT) t.dims.push(r.int64());
        else r.skip(wire, end);
        return;
      case Tensor.dataType:
        if (wire === WIRE_VARINT) t.dtype = r.uint();
        else r.skip(wire, end);
        return;
      case Tensor.segment:
        t.segment = true;
        if (wire !== WIRE_LEN) r.skip(wire, end);
        return;
      case Tensor.name:
        if (wire === WIRE_LEN) t.name = r.stringId(end - r.pos, this.b.strings);
        else r.skip(wire, end);
        return;
      case Tensor.externalData:
        if (wire === WIRE_LEN) this.externalEntry(end);
        else r.skip(wire, end);
        return;
      case Tensor.dataLocation:
        if (wire === WIRE_VARINT) r.uint();
        else r.skip(wire, end);
        return;
      default: {
        const enc = payloadEncoding(field);
        if (enc >= 0 && wire === WIRE_LEN) {
          t.dataOffset = r.pos;
          t.dataLength = end - r.pos;
          t.encoding = enc;
        } else if (wire !== WIRE_LEN) r.skip(wire, end);
      }
    }
  };

  private readonly tensorLarge = async (field: number, end: number): Promise<void> => {
    const enc = payloadEncoding(field);
    if (enc >= 0) {
      this.tensor.dataOffset = this.r.pos;
      this.tensor.dataLength = end - this.r.pos;
      this.tensor.encoding = enc;
    }
  };

  private externalEntry(end: number): void {
    const { r } = this;
    let key = '';
    let value = '';
    parseFields(r.at('StringStringEntryProto'), end, (f, w, e) => {
      if (w !== WIRE_LEN) return r.skip(w, e);
      if (f === 1) key = r.string(e - r.pos);
      else if (f === 2) value = r.string(e - r.pos);
    });
    const t = this.tensor;
    if (key === 'location') t.location = value;
    else if (key === 'offset') t.externalOffset = byteCount(value);
    else if (key === 'length') t.externalLength = Math.max(0, byteCount(value));
  }

  private addInitializer(t: TensorAcc): void {
    const { b } = this;
    const v = b.valueById(this.graph, t.name);
    b.addFlags(v, ValueFlag.Initializer);
    b.setValueType(v, t.dtype, t.dims);
    this.recordData(v, t);
  }

  private recordData(v: number, t: TensorAcc): void {
    if (t.location) {
      this.b.setValueData(v, t.externalOffset, t.externalLength, DataEncoding.Raw, t.location);
    } else if (t.dataOffset >= 0) {
      this.b.setValueData(v, t.dataOffset, t.dataLength, t.encoding);
    }
  }

  private sparseInitializer(end: number): void {
    const { r, b } = this;
    let values: TensorAcc | null = null;
    const dims: number[] = [];
    parseFields(r.at('SparseTensorProto'), end, (f, w, e) => {
      if (f === 1 && w === WIRE_LEN) {
        this.tensor = newTensor();
        parseFields(r, e, this.tensorField);
        values = this.tensor;
      } else if (f === 3) {
        if (w === WIRE_LEN) while (r.pos < e) dims.push(r.int64());
        else if (w === WIRE_VARINT) dims.push(r.int64());
        else r.skip(w, e);
      } else if (w !== WIRE_LEN) r.skip(w, e);
    });
    const t = values as TensorAcc | null;
    if (!t) return;
    // A sparse initializer is a constant, but not one of graph.initializer: flag it as a constant value.
    const v = b.valueById(this.graph, t.name);
    b.addFlags(v, ValueFlag.ConstantNode);
    b.setValueType(v, t.dtype, dims);
  }

  // ValueInfoProto --------------------------------------------------------------------------------------------------
  private valueInfo(end: number): void {
    const { r } = this;
    this.valueName = 0;
    this.valueDtype = 0;
    this.valueHasShape = false;
    this.dims.length = 0;
    this.syms.length = 0;
    parseFields(r.at('ValueInfoProto'), end, (f, w, e) => {
      if (w !== WIRE_LEN) return r.skip(w, e);
      if (f === ValueInfo.name) this.valueName = r.stringId(e - r.pos, this.b.strings);
      else if (f === ValueInfo.type) this.typeProto(e, 0);
    });
  }

  private typeProto(end: number, depth: number): void {
    const { r } = this;
    if (depth > MAX_DEPTH) r.fail('type nested too deeply');
    parseFields(r.at('TypeProto'), end, (f, w, e) => {
      if (w !== WIRE_LEN) return r.skip(w, e);
      if (f === Type.tensor || f === Type.sparseTensor) this.tensorType(e);
      else if (f === Type.sequence || f === Type.optional) {
        // Sequence/Optional wrap a TypeProto at field 1: take the element's type.
        parseFields(r, e, (f2, w2, e2) => {
          if (f2 === 1 && w2 === WIRE_LEN) this.typeProto(e2, depth + 1);
          else if (w2 !== WIRE_LEN) r.skip(w2, e2);
        });
      }
    });
  }

  private tensorType(end: number): void {
    const { r } = this;
    parseFields(r.at('TypeProto.Tensor'), end, (f, w, e) => {
      if (f === TensorType.elemType && w === WIRE_VARINT) this.valueDtype = r.uint();
      else if (f === TensorType.shape && w === WIRE_LEN) {
        this.valueHasShape = true;
        parseFields(r.at('TensorShapeProto'), e, (f2, w2, e2) => {
          if (f2 === 1 && w2 === WIRE_LEN) this.dimension(e2);
          else if (w2 !== WIRE_LEN) r.skip(w2, e2);
        });
      } else if (w !== WIRE_LEN) r.skip(w, e);
    });
  }

  private dimension(end: number): void {
    const { r } = this;
    let value = -1;
    let param: string | null = null;
    parseFields(r.at('TensorShapeProto.Dimension'), end, (f, w, e) => {
      if (f === Dim.value && w === WIRE_VARINT) value = r.int64();
      else if (f === Dim.param && w === WIRE_LEN) param = r.string(e - r.pos) || null;
      else if (w !== WIRE_LEN) r.skip(w, e);
    });
    this.dims.push(value);
    this.syms.push(param);
  }
}

function isConstantOp(n: NodeAcc, strings: readonly string[]): boolean {
  return strings[n.op] === 'Constant' && (n.domain === '' || n.domain === 'ai.onnx');
}

/**
 * Decodes the ModelProto; the open model re-reads node records for details and typed attributes. Without a
 * `want` filter, attribute reads skip what the IR already answers for shape inference: Constant nodes whose value
 * the decoder typed, and LayerNormalization nodes without the optional outputs its attributes size.
 */
export async function openOnnx(source: ByteSource, options?: DecodeOptions): Promise<OpenModel> {
  const ir = await new OnnxParser(source, options).parse();
  return openModel(
    ir,
    source,
    (node) => onnxNodeDetails(source, ir, node),
    (ops, want) => decodeOnnxAttributes(source, ir, ops ?? undefined, want ?? ((n) => !knownWithoutAttributes(ir, n))),
  );
}

function knownWithoutAttributes(ir: GraphIR, node: number): boolean {
  const op = ir.strings.at(ir.nodeOp[node]);
  const out = nodeOutputIds(ir, node);
  if (op === 'LayerNormalization') return out.length <= 1;
  return op === 'Constant' && !(out.length === 1 && out[0] >= 0 && !(ir.valueFlags[out[0]] & ValueFlag.HasShape));
}
