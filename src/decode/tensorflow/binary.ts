import { DataEncoding } from '../../graph/ir.ts';
import type { ByteSource } from '../io/byte-source.ts';
import type { DecodeOptions } from '../decoder.ts';
import { WIRE_LEN, WIRE_VARINT, WireStream, parseFields, streamFields } from '../protobuf/wire-stream.ts';
import {
  OUTPUT_TYPE_ATTRS,
  newNode,
  newTensor,
  type TfFunction,
  type TfModel,
  type TfNode,
  type TfTensor,
} from './model.ts';
import {
  AttrValue,
  Dim,
  FunctionDef,
  FunctionLibrary,
  GraphDef,
  ListValue,
  MapEntry,
  MetaGraph,
  MetaInfo,
  NodeDef,
  OpDef,
  ArgDef,
  SavedModel,
  SignatureDef,
  Tensor,
  TensorShape,
  VersionDef,
} from './schema.ts';

const TYPE_ATTRS = new Set<string>(OUTPUT_TYPE_ATTRS);
/** More dimensions than this is not a tensor shape. */
const MAX_RANK = 64;

/**
 * Streaming reader of a binary GraphDef (frozen `.pb`) or SavedModel (`saved_model.pb`): node records, the
 * function library and the attributes that give types and shapes. Const payloads (`tensor_content` and the
 * packed `*_val` fields) are recorded by offset and never read.
 */
export class TfBinaryParser {
  private readonly r: WireStream;
  private readonly model: TfModel = { nodes: [], functions: [], metadata: {} };
  /** Where NodeDefs go: the graph's list, or the function being read. */
  private target: TfNode[] = this.model.nodes;
  private node: TfNode = newNode(0);
  private fn: TfFunction | null = null;
  private tensor: TfTensor = newTensor();
  private attrKey = '';
  private sawGraph = false;
  private metaGraphs = 0;
  private readonly signatures: string[] = [];

  constructor(
    private readonly source: ByteSource,
    private readonly options: DecodeOptions = {},
  ) {
    this.r = new WireStream(source, (pos) => {
      options.checkCancelled?.();
      options.onProgress?.(pos, source.size);
    });
  }

  async parse(savedModel: boolean): Promise<TfModel> {
    const { r, source, model } = this;
    if (source.size === 0) r.fail('empty file');
    if (savedModel) {
      model.metadata.container = 'saved_model';
      await streamFields(r.at('SavedModel'), source.size, this.savedModelField, this.savedModelLarge);
      if (!this.sawGraph)
        r.at('SavedModel.meta_graphs').fail('not a SavedModel, or truncated before its graph (no graph_def found)');
      model.metadata.meta_graphs = String(this.metaGraphs);
      if (this.signatures.length) model.metadata.signatures = this.signatures.join(', ');
    } else {
      model.metadata.container = 'graphdef';
      await streamFields(r.at('GraphDef'), source.size, this.graphField, this.graphLarge);
      if (!model.nodes.length) r.at('GraphDef.node').fail('not a TensorFlow GraphDef: no nodes found');
    }
    this.options.onProgress?.(source.size, source.size);
    return model;
  }

  // SavedModel / MetaGraphDef --------------------------------------------------------------------------------------
  private readonly savedModelField = (field: number, wire: number, end: number): void => {
    const { r } = this;
    if (field === SavedModel.schemaVersion && wire === WIRE_VARINT) {
      this.model.metadata.saved_model_schema_version = String(r.int64());
    } else if (field === SavedModel.metaGraphs && wire === WIRE_LEN) {
      if (this.metaGraphs++ === 0) parseFields(r.at('MetaGraphDef'), end, this.metaGraphField);
    } else if (wire !== WIRE_LEN) r.skip(wire, end);
  };

  private readonly savedModelLarge = async (field: number, end: number): Promise<void> => {
    if (field !== SavedModel.metaGraphs || this.metaGraphs++ > 0) return;
    await streamFields(this.r.at('MetaGraphDef'), end, this.metaGraphField, this.metaGraphLarge);
  };

  private readonly metaGraphField = (field: number, wire: number, end: number): void => {
    const { r } = this;
    if (wire !== WIRE_LEN) return r.skip(wire, end);
    if (field === MetaGraph.graphDef) {
      this.sawGraph = true;
      parseFields(r.at('GraphDef'), end, this.graphField);
    } else if (field === MetaGraph.metaInfoDef) {
      const tags: string[] = [];
      parseFields(r.at('MetaInfoDef'), end, (f, w, e) => {
        if (w !== WIRE_LEN) return r.skip(w, e);
        if (f === MetaInfo.tags) tags.push(r.string(Math.min(e - r.pos, 256)));
        else if (f === MetaInfo.tensorflowVersion)
          this.model.metadata.tensorflow_version = r.string(Math.min(e - r.pos, 256));
      });
      if (tags.length) this.model.metadata.tags = tags.join(', ');
    } else if (field === MetaGraph.signatureDef) {
      let key = '';
      let method = '';
      parseFields(r.at('SignatureDef'), end, (f, w, e) => {
        if (w !== WIRE_LEN) return r.skip(w, e);
        if (f === MapEntry.key) key = r.string(Math.min(e - r.pos, 256));
        else if (f === MapEntry.value) {
          parseFields(r, e, (f2, w2, e2) => {
            if (f2 === SignatureDef.methodName && w2 === WIRE_LEN) method = r.string(Math.min(e2 - r.pos, 256));
            else if (w2 !== WIRE_LEN) r.skip(w2, e2);
          });
        }
      });
      if (this.signatures.length < 32) this.signatures.push(method ? `${key} (${method})` : key);
    }
  };

  private readonly metaGraphLarge = async (field: number, end: number): Promise<void> => {
    if (field !== MetaGraph.graphDef) return;
    this.sawGraph = true;
    await streamFields(this.r.at('GraphDef'), end, this.graphField, this.graphLarge);
  };

  // GraphDef and the function library --------------------------------------------------------------------------------
  private readonly graphField = (field: number, wire: number, end: number): void => {
    const { r } = this;
    if (field === GraphDef.version && wire === WIRE_VARINT) {
      this.model.metadata.graph_version = String(r.int64());
      return;
    }
    if (wire !== WIRE_LEN) return r.skip(wire, end);
    if (field === GraphDef.node) {
      this.target = this.model.nodes;
      this.nodeSync(end);
    } else if (field === GraphDef.library) {
      parseFields(r.at('FunctionDefLibrary'), end, this.libraryField);
    } else if (field === GraphDef.versions) {
      parseFields(r.at('VersionDef'), end, (f, w, e) => {
        if (f === VersionDef.producer && w === WIRE_VARINT) this.model.metadata.producer = String(r.int64());
        else if (f === VersionDef.minConsumer && w === WIRE_VARINT)
          this.model.metadata.min_consumer = String(r.int64());
        else if (w !== WIRE_LEN) r.skip(w, e);
      });
    }
  };

  private readonly graphLarge = async (field: number, end: number): Promise<void> => {
    if (field === GraphDef.node) {
      this.target = this.model.nodes;
      await this.nodeLarge(end);
    } else if (field === GraphDef.library) {
      await streamFields(this.r.at('FunctionDefLibrary'), end, this.libraryField, this.libraryLarge);
    }
  };

  private readonly libraryField = (field: number, wire: number, end: number): void => {
    if (wire !== WIRE_LEN) return this.r.skip(wire, end);
    if (field !== FunctionLibrary.function) return;
    this.beginFunction();
    parseFields(this.r.at('FunctionDef'), end, this.functionField);
  };

  private readonly libraryLarge = async (field: number, end: number): Promise<void> => {
    if (field !== FunctionLibrary.function) return;
    this.beginFunction();
    await streamFields(this.r.at('FunctionDef'), end, this.functionField, this.functionLarge);
  };

  private beginFunction(): void {
    this.fn = { name: '', inputs: [], outputs: [], ret: new Map(), nodes: [] };
    this.model.functions.push(this.fn);
  }

  private readonly functionField = (field: number, wire: number, end: number): void => {
    const { r } = this;
    const fn = this.fn!;
    if (wire !== WIRE_LEN) return r.skip(wire, end);
    if (field === FunctionDef.signature) {
      parseFields(r.at('OpDef'), end, (f, w, e) => {
        if (w !== WIRE_LEN) return r.skip(w, e);
        if (f === OpDef.name) fn.name = r.string(e - r.pos);
        else if (f === OpDef.inputArg || f === OpDef.outputArg) {
          const arg = { name: '', dtype: 0 };
          parseFields(r.at('OpDef.ArgDef'), e, (f2, w2, e2) => {
            if (f2 === ArgDef.name && w2 === WIRE_LEN) arg.name = r.string(e2 - r.pos);
            else if (f2 === ArgDef.type && w2 === WIRE_VARINT) arg.dtype = r.uint();
            else if (w2 !== WIRE_LEN) r.skip(w2, e2);
          });
          (f === OpDef.inputArg ? fn.inputs : fn.outputs).push(arg);
        }
      });
    } else if (field === FunctionDef.nodeDef) {
      this.target = fn.nodes;
      this.nodeSync(end);
    } else if (field === FunctionDef.ret) {
      let key = '';
      let value = '';
      parseFields(r.at('FunctionDef.ret'), end, (f, w, e) => {
        if (w !== WIRE_LEN) return r.skip(w, e);
        if (f === MapEntry.key) key = r.string(e - r.pos);
        else if (f === MapEntry.value) value = r.string(e - r.pos);
      });
      fn.ret.set(key, value);
    }
  };

  private readonly functionLarge = async (field: number, end: number): Promise<void> => {
    if (field !== FunctionDef.nodeDef) return;
    this.target = this.fn!.nodes;
    await this.nodeLarge(end);
  };

  // NodeDef ------------------------------------------------------------------------------------------------------
  private nodeSync(end: number): void {
    this.node = newNode(this.r.pos);
    this.node.end = end;
    this.target.push(this.node);
    parseFields(this.r.at('NodeDef'), end, this.nodeField);
  }

  private async nodeLarge(end: number): Promise<void> {
    this.node = newNode(this.r.pos);
    this.node.end = end;
    this.target.push(this.node);
    await streamFields(this.r.at('NodeDef'), end, this.nodeField, this.nodeLargeField);
  }

  private readonly nodeField = (field: number, wire: number, end: number): void => {
    const { r, node } = this;
    if (wire !== WIRE_LEN) return r.skip(wire, end);
    switch (field) {
      case NodeDef.name:
        node.name = r.string(end - r.pos);
        return;
      case NodeDef.op:
        node.op = r.string(end - r.pos);
        return;
      case NodeDef.input:
        node.inputs.push(r.string(end - r.pos));
        return;
      case NodeDef.device:
        node.device = r.string(Math.min(end - r.pos, 1024));
        return;
      case NodeDef.attr: {
        // A map entry: the key is normally first, but the value may come before it.
        let key = '';
        let valueStart = -1;
        let valueEnd = -1;
        parseFields(r.at('NodeDef.attr'), end, (f, w, e) => {
          if (w !== WIRE_LEN) return r.skip(w, e);
          if (f === MapEntry.key) key = r.string(e - r.pos);
          else if (f === MapEntry.value) {
            valueStart = r.pos;
            valueEnd = e;
          }
        });
        if (valueStart >= 0 && isKept(key)) {
          r.pos = valueStart;
          this.attrKey = key;
          parseFields(r.at(`NodeDef.attr["${key}"]`), valueEnd, this.attrValueField);
          r.pos = end;
        }
        return;
      }
      default:
    }
  };

  private readonly nodeLargeField = async (field: number, end: number): Promise<void> => {
    if (field !== NodeDef.attr) return;
    this.attrKey = '';
    await streamFields(this.r.at('NodeDef.attr'), end, this.attrEntryField, this.attrEntryLarge);
  };

  private readonly attrEntryField = (field: number, wire: number, end: number): void => {
    const { r } = this;
    if (wire !== WIRE_LEN) return r.skip(wire, end);
    if (field === MapEntry.key) this.attrKey = r.string(end - r.pos);
    else if (field === MapEntry.value && isKept(this.attrKey))
      parseFields(r.at(`NodeDef.attr["${this.attrKey}"]`), end, this.attrValueField);
  };

  private readonly attrEntryLarge = async (field: number, end: number): Promise<void> => {
    if (field !== MapEntry.value) return;
    // Only a tensor makes an attribute this large; a key not yet seen is taken to be `value`.
    if (this.attrKey && this.attrKey !== 'value') return;
    this.attrKey = 'value';
    await streamFields(this.r.at('AttrValue'), end, this.attrValueField, async (f, e) => {
      if (f !== AttrValue.tensor) return;
      this.tensor = newTensor();
      this.node.tensor = this.tensor;
      await streamFields(this.r.at('TensorProto'), e, this.tensorField, this.tensorLarge);
    });
  };

  private readonly attrValueField = (field: number, wire: number, end: number): void => {
    const { r, node } = this;
    const key = this.attrKey;
    if (field === AttrValue.type && wire === WIRE_VARINT) {
      const t = r.uint();
      if (TYPE_ATTRS.has(key)) node.types.set(key, t);
    } else if (field === AttrValue.shape && wire === WIRE_LEN) {
      if (key === 'shape') node.shape = this.shapeProto(end);
    } else if (field === AttrValue.tensor && wire === WIRE_LEN) {
      if (key === 'value') {
        this.tensor = newTensor();
        node.tensor = this.tensor;
        parseFields(r.at('TensorProto'), end, this.tensorField);
      }
    } else if (field === AttrValue.list && wire === WIRE_LEN) {
      if (key !== '_output_shapes') return;
      const shapes: (number[] | null)[] = [];
      parseFields(r.at('AttrValue.ListValue'), end, (f, w, e) => {
        if (f === ListValue.shape && w === WIRE_LEN) shapes.push(this.shapeProto(e));
        else if (w !== WIRE_LEN) r.skip(w, e);
      });
      node.outputShapes = shapes;
    } else if (wire !== WIRE_LEN) r.skip(wire, end);
  };

  // TensorProto / TensorShapeProto ---------------------------------------------------------------------------------
  private readonly tensorField = (field: number, wire: number, end: number): void => {
    const { r } = this;
    const t = this.tensor;
    if (field === Tensor.dtype && wire === WIRE_VARINT) {
      t.dtype = r.uint();
    } else if (field === Tensor.tensorShape && wire === WIRE_LEN) {
      t.dims = this.shapeProto(end);
    } else if (wire === WIRE_LEN) {
      const enc = payloadEncoding(field);
      if (enc >= 0) {
        t.offset = r.pos;
        t.length = end - r.pos;
        t.encoding = enc;
      }
    } else r.skip(wire, end);
  };

  private readonly tensorLarge = async (field: number, end: number): Promise<void> => {
    const enc = payloadEncoding(field);
    if (enc < 0) return;
    this.tensor.offset = this.r.pos;
    this.tensor.length = end - this.r.pos;
    this.tensor.encoding = enc;
  };

  private shapeProto(end: number): number[] | null {
    const { r } = this;
    const dims: number[] = [];
    let unknownRank = false;
    parseFields(r.at('TensorShapeProto'), end, (f, w, e) => {
      if (f === TensorShape.unknownRank && w === WIRE_VARINT) unknownRank = r.uint() !== 0;
      else if (f === TensorShape.dim && w === WIRE_LEN) {
        if (dims.length >= MAX_RANK) r.fail(`shape has more than ${MAX_RANK} dimensions`);
        let size = -1;
        parseFields(r.at('TensorShapeProto.Dim'), e, (f2, w2, e2) => {
          if (f2 === Dim.size && w2 === WIRE_VARINT) size = r.int64();
          else if (w2 !== WIRE_LEN) r.skip(w2, e2);
        });
        dims.push(size >= 0 ? size : -1);
      } else if (w !== WIRE_LEN) r.skip(w, e);
    });
    return unknownRank ? null : dims;
  }
}

function isKept(key: string): boolean {
  return key === 'value' || key === 'shape' || key === '_output_shapes' || TYPE_ATTRS.has(key);
}

function payloadEncoding(field: number): number {
  switch (field) {
    case Tensor.tensorContent:
      return DataEncoding.Raw;
    case Tensor.floatVal:
      return DataEncoding.PackedFixed32;
    case Tensor.doubleVal:
      return DataEncoding.PackedFixed64;
    case Tensor.intVal:
    case Tensor.int64Val:
    case Tensor.boolVal:
    case Tensor.uint32Val:
    case Tensor.uint64Val:
      return DataEncoding.PackedVarint;
    default:
      return -1;
  }
}
