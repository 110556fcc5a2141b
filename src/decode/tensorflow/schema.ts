/**
 * Field numbers of the TensorFlow protos Strata reads (tensorflow/core/framework/*.proto and
 * tensorflow/core/protobuf/{saved_model,meta_graph}.proto), written from the published .proto definitions.
 */

export const SavedModel = { schemaVersion: 1, metaGraphs: 2 } as const;
export const MetaGraph = {
  metaInfoDef: 1,
  graphDef: 2,
  saverDef: 3,
  collectionDef: 4,
  signatureDef: 5,
  assetFileDef: 6,
  objectGraphDef: 7,
} as const;
export const MetaInfo = {
  metaGraphVersion: 1,
  strippedOpList: 2,
  anyInfo: 3,
  tags: 4,
  tensorflowVersion: 5,
  tensorflowGitVersion: 6,
} as const;
export const SignatureDef = { inputs: 1, outputs: 2, methodName: 3 } as const;
export const TensorInfo = { name: 1, dtype: 2, tensorShape: 3 } as const;

export const GraphDef = { node: 1, library: 2, version: 3, versions: 4 } as const;
export const VersionDef = { producer: 1, minConsumer: 2, badConsumers: 3 } as const;
export const FunctionLibrary = { function: 1, gradient: 2 } as const;
export const FunctionDef = { signature: 1, nodeDef: 3, ret: 4, attr: 5, controlRet: 6, argAttr: 7 } as const;
export const OpDef = {
  name: 1,
  inputArg: 2,
  outputArg: 3,
  attr: 4,
  summary: 5,
  description: 6,
  controlOutput: 20,
} as const;
export const ArgDef = {
  name: 1,
  description: 2,
  type: 3,
  typeAttr: 4,
  numberAttr: 5,
  typeListAttr: 6,
  isRef: 16,
} as const;

export const NodeDef = { name: 1, op: 2, input: 3, device: 4, attr: 5, debugInfo: 6, experimentalType: 7 } as const;
/** A map<string, X> entry. */
export const MapEntry = { key: 1, value: 2 } as const;

export const AttrValue = {
  list: 1,
  s: 2,
  i: 3,
  f: 4,
  b: 5,
  type: 6,
  shape: 7,
  tensor: 8,
  placeholder: 9,
  func: 10,
} as const;
export const ListValue = { s: 2, i: 3, f: 4, b: 5, type: 6, shape: 7, tensor: 8, func: 9 } as const;
export const NameAttrList = { name: 1, attr: 2 } as const;

export const TensorShape = { dim: 2, unknownRank: 3 } as const;
export const Dim = { size: 1, name: 2 } as const;

export const Tensor = {
  dtype: 1,
  tensorShape: 2,
  versionNumber: 3,
  tensorContent: 4,
  floatVal: 5,
  doubleVal: 6,
  intVal: 7,
  stringVal: 8,
  scomplexVal: 9,
  int64Val: 10,
  boolVal: 11,
  dcomplexVal: 12,
  halfVal: 13,
  resourceHandleVal: 14,
  variantVal: 15,
  uint32Val: 16,
  uint64Val: 17,
} as const;

/** tensorflow.DataType names (types.proto); `_ref` variants are these plus 100. */
export const TF_DTYPE_NAMES: Readonly<Record<number, string>> = {
  0: 'DT_INVALID',
  1: 'DT_FLOAT',
  2: 'DT_DOUBLE',
  3: 'DT_INT32',
  4: 'DT_UINT8',
  5: 'DT_INT16',
  6: 'DT_INT8',
  7: 'DT_STRING',
  8: 'DT_COMPLEX64',
  9: 'DT_INT64',
  10: 'DT_BOOL',
  11: 'DT_QINT8',
  12: 'DT_QUINT8',
  13: 'DT_QINT32',
  14: 'DT_BFLOAT16',
  15: 'DT_QINT16',
  16: 'DT_QUINT16',
  17: 'DT_UINT16',
  18: 'DT_COMPLEX128',
  19: 'DT_HALF',
  20: 'DT_RESOURCE',
  21: 'DT_VARIANT',
  22: 'DT_UINT32',
  23: 'DT_UINT64',
  24: 'DT_FLOAT8_E5M2',
  25: 'DT_FLOAT8_E4M3FN',
  29: 'DT_INT4',
  30: 'DT_UINT4',
};

/** tensorflow.DataType → GraphIR dtype (ONNX numbering); 0 where the IR has no such type (resource, variant). */
const TF_TO_IR: Readonly<Record<number, number>> = {
  1: 1,
  2: 11,
  3: 6,
  4: 2,
  5: 5,
  6: 3,
  7: 8,
  8: 14,
  9: 7,
  10: 9,
  11: 3,
  12: 2,
  13: 6,
  14: 16,
  15: 5,
  16: 4,
  17: 4,
  18: 15,
  19: 10,
  22: 12,
  23: 13,
  24: 19,
  25: 17,
  29: 22,
  30: 21,
};

export function irDtype(tf: number): number {
  return TF_TO_IR[tf >= 100 ? tf - 100 : tf] ?? 0;
}

export function tfDtypeName(tf: number): string {
  const base = tf >= 100 ? tf - 100 : tf;
  const name = TF_DTYPE_NAMES[base] ?? `DT_${base}`;
  return tf >= 100 ? `${name}_REF` : name;
}

/** The enum identifiers of the text format (`type: DT_FLOAT`) → numbers. */
export const TF_DTYPE_BY_NAME: ReadonlyMap<string, number> = new Map(
  Object.entries(TF_DTYPE_NAMES).flatMap(
    ([k, v]) =>
      [
        [v, Number(k)],
        [`${v}_REF`, Number(k) + 100],
      ] as [string, number][],
  ),
);
