/**
 * Field numbers and enums of PaddlePaddle's framework.proto (ProgramDesc, the `.pdmodel` / `__model__` file).
 * The file is proto2: repeated scalars may arrive packed or unpacked, both are accepted.
 */
export const F = {
  program: { blocks: 1, version: 4 },
  version: { version: 1 },
  block: { idx: 1, parentIdx: 2, vars: 3, ops: 4, forwardBlockIdx: 5 },
  var: { name: 1, type: 2, persistable: 3 },
  varType: { type: 1, selectedRows: 2, lodTensor: 3, tensorArray: 4 },
  lodTensor: { tensor: 1, lodLevel: 2 },
  tensorDesc: { dataType: 1, dims: 2 },
  op: { inputs: 1, outputs: 2, type: 3, attrs: 4, isTarget: 5 },
  opVar: { parameter: 1, arguments: 2 },
  attr: {
    name: 1,
    type: 2,
    i: 3,
    f: 4,
    s: 5,
    ints: 6,
    floats: 7,
    strings: 8,
    b: 10,
    bools: 11,
    blockIdx: 12,
    l: 13,
    blocksIdx: 14,
    longs: 15,
    float64s: 16,
    varName: 17,
    varsName: 18,
    float64: 19,
  },
} as const;

/** OpDesc.AttrType. */
export const ATTR_TYPE_NAMES: Record<number, string> = {
  0: 'int',
  1: 'float',
  2: 'string',
  3: 'int[]',
  4: 'float[]',
  5: 'string[]',
  6: 'bool',
  7: 'bool[]',
  8: 'block',
  9: 'long',
  10: 'block[]',
  11: 'long[]',
  12: 'float64[]',
  13: 'var',
  14: 'var[]',
  15: 'float64',
};

/** VarType.Type element types → GraphIR dtype codes (ONNX numbering). */
export const PADDLE_DTYPE: Record<number, number> = {
  0: 9, // BOOL
  1: 5, // INT16
  2: 6, // INT32
  3: 7, // INT64
  4: 10, // FP16
  5: 1, // FP32
  6: 11, // FP64
  20: 2, // UINT8
  21: 3, // INT8
  22: 16, // BF16
  23: 14, // COMPLEX64
  24: 15, // COMPLEX128
};

/** VarType.Type container kinds that matter here. */
export const VAR_KIND = {
  LOD_TENSOR: 7,
  SELECTED_ROWS: 8,
  FEED_MINIBATCH: 9,
  FETCH_LIST: 10,
  LOD_TENSOR_ARRAY: 13,
} as const;
