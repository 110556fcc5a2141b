/**
 * The TensorFlow GraphDef / SavedModel messages as a protobufjs schema, written from the field numbers of the
 * published .proto files (graph.proto, node_def.proto, attr_value.proto, tensor.proto, tensor_shape.proto,
 * function.proto, op_def.proto, meta_graph.proto, saved_model.proto). Tests encode models with it, so the
 * decoder's hand-written wire reader is checked against an independent encoder.
 */
import protobuf from 'protobufjs';

const schema = {
  nested: {
    tensorflow: {
      nested: {
        SavedModel: {
          fields: {
            savedModelSchemaVersion: { type: 'int64', id: 1 },
            metaGraphs: { rule: 'repeated', type: 'MetaGraphDef', id: 2 },
          },
        },
        MetaGraphDef: {
          fields: {
            metaInfoDef: { type: 'MetaInfoDef', id: 1 },
            graphDef: { type: 'GraphDef', id: 2 },
            signatureDef: { keyType: 'string', type: 'SignatureDef', id: 5 },
          },
        },
        MetaInfoDef: {
          fields: {
            metaGraphVersion: { type: 'string', id: 1 },
            tags: { rule: 'repeated', type: 'string', id: 4 },
            tensorflowVersion: { type: 'string', id: 5 },
          },
        },
        SignatureDef: {
          fields: {
            inputs: { keyType: 'string', type: 'TensorInfo', id: 1 },
            outputs: { keyType: 'string', type: 'TensorInfo', id: 2 },
            methodName: { type: 'string', id: 3 },
          },
        },
        TensorInfo: {
          fields: {
            name: { type: 'string', id: 1 },
            dtype: { type: 'int32', id: 2 },
            tensorShape: { type: 'TensorShapeProto', id: 3 },
          },
        },
        GraphDef: {
          fields: {
            node: { rule: 'repeated', type: 'NodeDef', id: 1 },
            library: { type: 'FunctionDefLibrary', id: 2 },
            versions: { type: 'VersionDef', id: 4 },
          },
        },
        VersionDef: { fields: { producer: { type: 'int32', id: 1 }, minConsumer: { type: 'int32', id: 2 } } },
        FunctionDefLibrary: { fields: { function: { rule: 'repeated', type: 'FunctionDef', id: 1 } } },
        FunctionDef: {
          fields: {
            signature: { type: 'OpDef', id: 1 },
            nodeDef: { rule: 'repeated', type: 'NodeDef', id: 3 },
            ret: { keyType: 'string', type: 'string', id: 4 },
          },
        },
        OpDef: {
          fields: {
            name: { type: 'string', id: 1 },
            inputArg: { rule: 'repeated', type: 'ArgDef', id: 2 },
            outputArg: { rule: 'repeated', type: 'ArgDef', id: 3 },
          },
        },
        ArgDef: { fields: { name: { type: 'string', id: 1 }, type: { type: 'int32', id: 3 } } },
        NodeDef: {
          fields: {
            name: { type: 'string', id: 1 },
            op: { type: 'string', id: 2 },
            input: { rule: 'repeated', type: 'string', id: 3 },
            device: { type: 'string', id: 4 },
            attr: { keyType: 'string', type: 'AttrValue', id: 5 },
          },
        },
        AttrValue: {
          oneofs: { value: { oneof: ['list', 's', 'i', 'f', 'b', 'type', 'shape', 'tensor', 'placeholder', 'func'] } },
          fields: {
            list: { type: 'ListValue', id: 1 },
            s: { type: 'bytes', id: 2 },
            i: { type: 'int64', id: 3 },
            f: { type: 'float', id: 4 },
            b: { type: 'bool', id: 5 },
            type: { type: 'int32', id: 6 },
            shape: { type: 'TensorShapeProto', id: 7 },
            tensor: { type: 'TensorProto', id: 8 },
            placeholder: { type: 'string', id: 9 },
            func: { type: 'NameAttrList', id: 10 },
          },
        },
        ListValue: {
          fields: {
            s: { rule: 'repeated', type: 'bytes', id: 2 },
            i: { rule: 'repeated', type: 'int64', id: 3 },
            f: { rule: 'repeated', type: 'float', id: 4 },
            b: { rule: 'repeated', type: 'bool', id: 5 },
            type: { rule: 'repeated', type: 'int32', id: 6 },
            shape: { rule: 'repeated', type: 'TensorShapeProto', id: 7 },
          },
        },
        NameAttrList: { fields: { name: { type: 'string', id: 1 } } },
        TensorShapeProto: {
          fields: { dim: { rule: 'repeated', type: 'Dim', id: 2 }, unknownRank: { type: 'bool', id: 3 } },
          nested: { Dim: { fields: { size: { type: 'int64', id: 1 }, name: { type: 'string', id: 2 } } } },
        },
        TensorProto: {
          fields: {
            dtype: { type: 'int32', id: 1 },
            tensorShape: { type: 'TensorShapeProto', id: 2 },
            tensorContent: { type: 'bytes', id: 4 },
            floatVal: { rule: 'repeated', type: 'float', id: 5, options: { packed: true } },
            intVal: { rule: 'repeated', type: 'int32', id: 7, options: { packed: true } },
            int64Val: { rule: 'repeated', type: 'int64', id: 10, options: { packed: true } },
          },
        },
      },
    },
  },
};

const root = protobuf.Root.fromJSON(schema);
export const GraphDefType = root.lookupType('tensorflow.GraphDef');
export const SavedModelType = root.lookupType('tensorflow.SavedModel');

export const DT = { FLOAT: 1, INT32: 3, INT64: 9, BOOL: 10, RESOURCE: 20 } as const;

export const shape = (...dims: number[]) => ({ dim: dims.map((size) => ({ size })) });
export const typeAttr = (t: number) => ({ type: t });
export const shapesAttr = (...shapes: number[][]) => ({ list: { shape: shapes.map((s) => shape(...s)) } });

/** A Const node with float32 tensor_content of the given shape (values 0, 1, 2, ...). */
export function floatConst(name: string, dims: number[]): Record<string, unknown> {
  const n = dims.reduce((a, b) => a * b, 1);
  const data = new Float32Array(n).map((_, i) => i);
  return {
    name,
    op: 'Const',
    attr: {
      dtype: typeAttr(DT.FLOAT),
      value: { tensor: { dtype: DT.FLOAT, tensorShape: shape(...dims), tensorContent: new Uint8Array(data.buffer) } },
    },
  };
}

export function encodeGraphDef(graph: Record<string, unknown>): Uint8Array {
  return GraphDefType.encode(GraphDefType.fromObject(graph)).finish();
}

export function encodeSavedModel(model: Record<string, unknown>): Uint8Array {
  return SavedModelType.encode(SavedModelType.fromObject(model)).finish();
}
