/**
 * The parts of the TFLite flatbuffer schema (schema.fbs, file identifier "TFL3") that Strata reads: vtable slot
 * numbers of the tables, the BuiltinOperator and TensorType enums, and the layouts of common builtin options.
 * Written from the schema's field order (a field's slot is its position in the table declaration).
 */

export const FILE_IDENTIFIER = 'TFL3';

/** Table field slots (0-based declaration order; the vtable entry sits at 4 + 2 * slot). */
export const Model = {
  version: 0,
  operatorCodes: 1,
  subgraphs: 2,
  description: 3,
  buffers: 4,
  metadataBuffer: 5,
  metadata: 6,
  signatureDefs: 7,
} as const;
export const OperatorCode = { deprecatedBuiltinCode: 0, customCode: 1, version: 2, builtinCode: 3 } as const;
export const SubGraph = { tensors: 0, inputs: 1, outputs: 2, operators: 3, name: 4 } as const;
export const Tensor = {
  shape: 0,
  type: 1,
  buffer: 2,
  name: 3,
  quantization: 4,
  isVariable: 5,
  sparsity: 6,
  shapeSignature: 7,
  hasRank: 8,
} as const;
export const Quantization = {
  min: 0,
  max: 1,
  scale: 2,
  zeroPoint: 3,
  detailsType: 4,
  details: 5,
  quantizedDimension: 6,
} as const;
export const Operator = {
  opcodeIndex: 0,
  inputs: 1,
  outputs: 2,
  builtinOptionsType: 3,
  builtinOptions: 4,
  customOptions: 5,
  customOptionsFormat: 6,
  mutatingVariableInputs: 7,
  intermediates: 8,
  largeCustomOptionsOffset: 9,
  largeCustomOptionsSize: 10,
} as const;
export const Buffer = { data: 0, offset: 1, size: 2 } as const;
export const Metadata = { name: 0, buffer: 1 } as const;
export const SignatureDef = { inputs: 0, outputs: 1, signatureKey: 2, subgraphIndex: 4 } as const;
export const TensorMap = { name: 0, tensorIndex: 1 } as const;

/** BuiltinOperator.CUSTOM: the op's name is OperatorCode.custom_code. */
export const BUILTIN_CUSTOM = 32;
/** deprecated_builtin_code holds this when the real code (> 127) is in builtin_code. */
export const PLACEHOLDER_FOR_GREATER_OP_CODES = 127;

/** BuiltinOperator enum, index = code. */
export const BUILTIN_OPS: readonly string[] = [
  'ADD',
  'AVERAGE_POOL_2D',
  'CONCATENATION',
  'CONV_2D',
  'DEPTHWISE_CONV_2D',
  'DEPTH_TO_SPACE',
  'DEQUANTIZE',
  'EMBEDDING_LOOKUP',
  'FLOOR',
  'FULLY_CONNECTED',
  'HASHTABLE_LOOKUP',
  'L2_NORMALIZATION',
  'L2_POOL_2D',
  'LOCAL_RESPONSE_NORMALIZATION',
  'LOGISTIC',
  'LSH_PROJECTION',
  'LSTM',
  'MAX_POOL_2D',
  'MUL',
  'RELU',
  'RELU_N1_TO_1',
  'RELU6',
  'RESHAPE',
  'RESIZE_BILINEAR',
  'RNN',
  'SOFTMAX',
  'SPACE_TO_DEPTH',
  'SVDF',
  'TANH',
  'CONCAT_EMBEDDINGS',
  'SKIP_GRAM',
  'CALL',
  'CUSTOM',
  'EMBEDDING_LOOKUP_SPARSE',
  'PAD',
  'UNIDIRECTIONAL_SEQUENCE_RNN',
  'GATHER',
  'BATCH_TO_SPACE_ND',
  'SPACE_TO_BATCH_ND',
  'TRANSPOSE',
  'MEAN',
  'SUB',
  'DIV',
  'SQUEEZE',
  'UNIDIRECTIONAL_SEQUENCE_LSTM',
  'STRIDED_SLICE',
  'BIDIRECTIONAL_SEQUENCE_RNN',
  'EXP',
  'TOPK_V2',
  'SPLIT',
  'LOG_SOFTMAX',
  'DELEGATE',
  'BIDIRECTIONAL_SEQUENCE_LSTM',
  'CAST',
  'PRELU',
  'MAXIMUM',
  'ARG_MAX',
  'MINIMUM',
  'LESS',
  'NEG',
  'PADV2',
  'GREATER',
  'GREATER_EQUAL',
  'LESS_EQUAL',
  'SELECT',
  'SLICE',
  'SIN',
  'TRANSPOSE_CONV',
  'SPARSE_TO_DENSE',
  'TILE',
  'EXPAND_DIMS',
  'EQUAL',
  'NOT_EQUAL',
  'LOG',
  'SUM',
  'SQRT',
  'RSQRT',
  'SHAPE',
  'POW',
  'ARG_MIN',
  'FAKE_QUANT',
  'REDUCE_PROD',
  'REDUCE_MAX',
  'PACK',
  'LOGICAL_OR',
  'ONE_HOT',
  'LOGICAL_AND',
  'LOGICAL_NOT',
  'UNPACK',
  'REDUCE_MIN',
  'FLOOR_DIV',
  'REDUCE_ANY',
  'SQUARE',
  'ZEROS_LIKE',
  'FILL',
  'FLOOR_MOD',
  'RANGE',
  'RESIZE_NEAREST_NEIGHBOR',
  'LEAKY_RELU',
  'SQUARED_DIFFERENCE',
  'MIRROR_PAD',
  'ABS',
  'SPLIT_V',
  'UNIQUE',
  'CEIL',
  'REVERSE_V2',
  'ADD_N',
  'GATHER_ND',
  'COS',
  'WHERE',
  'RANK',
  'ELU',
  'REVERSE_SEQUENCE',
  'MATRIX_DIAG',
  'QUANTIZE',
  'MATRIX_SET_DIAG',
  'ROUND',
  'HARD_SWISH',
  'IF',
  'WHILE',
  'NON_MAX_SUPPRESSION_V4',
  'NON_MAX_SUPPRESSION_V5',
  'SCATTER_ND',
  'SELECT_V2',
  'DENSIFY',
  'SEGMENT_SUM',
  'BATCH_MATMUL',
  'PLACEHOLDER_FOR_GREATER_OP_CODES',
  'CUMSUM',
  'CALL_ONCE',
  'BROADCAST_TO',
  'RFFT2D',
  'CONV_3D',
  'IMAG',
  'REAL',
  'COMPLEX_ABS',
  'HASHTABLE',
  'HASHTABLE_FIND',
  'HASHTABLE_IMPORT',
  'HASHTABLE_SIZE',
  'REDUCE_ALL',
  'CONV_3D_TRANSPOSE',
  'VAR_HANDLE',
  'READ_VARIABLE',
  'ASSIGN_VARIABLE',
  'BROADCAST_ARGS',
  'RANDOM_STANDARD_NORMAL',
  'BUCKETIZE',
  'RANDOM_UNIFORM',
  'MULTINOMIAL',
  'GELU',
  'DYNAMIC_UPDATE_SLICE',
  'RELU_0_TO_1',
  'UNSORTED_SEGMENT_PROD',
  'UNSORTED_SEGMENT_MAX',
  'UNSORTED_SEGMENT_SUM',
  'ATAN2',
  'UNSORTED_SEGMENT_MIN',
  'SIGN',
  'BITCAST',
  'BITWISE_XOR',
  'RIGHT_SHIFT',
  // StableHLO ops added to the schema from 2.15 on.
  'STABLEHLO_LOGISTIC',
  'STABLEHLO_ADD',
  'STABLEHLO_DIVIDE',
  'STABLEHLO_MULTIPLY',
  'STABLEHLO_MAXIMUM',
  'STABLEHLO_RESHAPE',
  'STABLEHLO_CLAMP',
  'STABLEHLO_CONCATENATE',
  'STABLEHLO_BROADCAST_IN_DIM',
  'STABLEHLO_CONVOLUTION',
  'STABLEHLO_SLICE',
  'STABLEHLO_CUSTOM_CALL',
  'STABLEHLO_REDUCE',
  'STABLEHLO_ABS',
  'STABLEHLO_AND',
  'STABLEHLO_COSINE',
  'STABLEHLO_EXPONENTIAL',
  'STABLEHLO_FLOOR',
  'STABLEHLO_LOG',
  'STABLEHLO_MINIMUM',
  'STABLEHLO_NEGATE',
  'STABLEHLO_OR',
  'STABLEHLO_POWER',
  'STABLEHLO_REMAINDER',
  'STABLEHLO_RSQRT',
  'STABLEHLO_SELECT',
  'STABLEHLO_SUBTRACT',
  'STABLEHLO_TANH',
  'STABLEHLO_SCATTER',
  'STABLEHLO_COMPARE',
  'STABLEHLO_CONVERT',
  'STABLEHLO_DYNAMIC_SLICE',
  'STABLEHLO_DYNAMIC_UPDATE_SLICE',
  'STABLEHLO_PAD',
  'STABLEHLO_IOTA',
  'STABLEHLO_DOT_GENERAL',
  'STABLEHLO_REDUCE_WINDOW',
  'STABLEHLO_SORT',
  'STABLEHLO_WHILE',
  'STABLEHLO_GATHER',
  'STABLEHLO_TRANSPOSE',
  'DILATE',
  'STABLEHLO_RNG_BIT_GENERATOR',
  'REDUCE_WINDOW',
  'STABLEHLO_COMPOSITE',
];

export function builtinName(code: number): string {
  return BUILTIN_OPS[code] ?? `BUILTIN_${code}`;
}

export const TENSOR_TYPE_NAMES: readonly string[] = [
  'FLOAT32',
  'FLOAT16',
  'INT32',
  'UINT8',
  'INT64',
  'STRING',
  'BOOL',
  'INT16',
  'COMPLEX64',
  'INT8',
  'FLOAT64',
  'COMPLEX128',
  'UINT64',
  'RESOURCE',
  'VARIANT',
  'UINT32',
  'UINT16',
  'INT4',
  'BFLOAT16',
];

/** TensorType → GraphIR dtype code (ONNX numbering); 0 where GraphIR has no such type (RESOURCE, VARIANT). */
const TENSOR_TYPE_TO_DTYPE: readonly number[] = [1, 10, 6, 2, 7, 8, 9, 5, 14, 3, 11, 15, 13, 0, 0, 12, 4, 22, 16];

export function tensorDtype(type: number): number {
  return TENSOR_TYPE_TO_DTYPE[type] ?? 0;
}

export const ACTIVATIONS: readonly string[] = ['NONE', 'RELU', 'RELU_N1_TO_1', 'RELU6', 'TANH', 'SIGN_BIT'];
export const PADDINGS: readonly string[] = ['SAME', 'VALID'];

/** Field kinds of an options table, in slot order. */
export type OptionKind =
  | 'bool'
  | 'i8'
  | 'i32'
  | 'u32'
  | 'f32'
  | 'i64'
  | 'activation'
  | 'padding'
  | 'tensorType'
  | 'i32[]'
  | 'enum';
export interface OptionField {
  name: string;
  kind: OptionKind;
  default?: number;
  /** Names for kind 'enum'. */
  values?: readonly string[];
}
export interface OptionsLayout {
  /** The BuiltinOptions union type of this table (checked before decoding). */
  type: number;
  name: string;
  fields: readonly OptionField[];
}

const f = (name: string, kind: OptionKind, def?: number, values?: readonly string[]): OptionField => ({
  name,
  kind,
  default: def,
  values,
});
const act = f('fused_activation_function', 'activation');

const CONV2D: OptionsLayout = {
  type: 1,
  name: 'Conv2DOptions',
  fields: [
    f('padding', 'padding'),
    f('stride_w', 'i32'),
    f('stride_h', 'i32'),
    act,
    f('dilation_w_factor', 'i32', 1),
    f('dilation_h_factor', 'i32', 1),
    f('quantized_bias_type', 'tensorType'),
  ],
};
const DEPTHWISE: OptionsLayout = {
  type: 2,
  name: 'DepthwiseConv2DOptions',
  fields: [
    f('padding', 'padding'),
    f('stride_w', 'i32'),
    f('stride_h', 'i32'),
    f('depth_multiplier', 'i32'),
    act,
    f('dilation_w_factor', 'i32', 1),
    f('dilation_h_factor', 'i32', 1),
  ],
};
const POOL: OptionsLayout = {
  type: 5,
  name: 'Pool2DOptions',
  fields: [
    f('padding', 'padding'),
    f('stride_w', 'i32'),
    f('stride_h', 'i32'),
    f('filter_width', 'i32'),
    f('filter_height', 'i32'),
    act,
  ],
};
const FULLY_CONNECTED: OptionsLayout = {
  type: 8,
  name: 'FullyConnectedOptions',
  fields: [
    act,
    f('weights_format', 'enum', 0, ['DEFAULT', 'SHUFFLED4x16INT8']),
    f('keep_num_dims', 'bool'),
    f('asymmetric_quantize_inputs', 'bool'),
    f('quantized_bias_type', 'tensorType'),
  ],
};
const ACT_ONLY = (type: number, name: string, extra: OptionField[] = []): OptionsLayout => ({
  type,
  name,
  fields: [act, ...extra],
});
const REDUCER: OptionsLayout = { type: 27, name: 'ReducerOptions', fields: [f('keep_dims', 'bool')] };

/** Options layouts by builtin code. An op whose options type differs from the expected one is shown raw. */
export const OPTIONS_BY_OP: ReadonlyMap<number, OptionsLayout> = new Map<number, OptionsLayout>([
  [0, ACT_ONLY(11, 'AddOptions', [f('pot_scale_int16', 'bool', 1)])],
  [1, POOL],
  [2, { type: 10, name: 'ConcatenationOptions', fields: [f('axis', 'i32'), act] }],
  [3, CONV2D],
  [4, DEPTHWISE],
  [5, { type: 94, name: 'DepthToSpaceOptions', fields: [f('block_size', 'i32')] }],
  [6, { type: 38, name: 'DequantizeOptions', fields: [] }],
  [9, FULLY_CONNECTED],
  [11, ACT_ONLY(12, 'L2NormOptions')],
  [12, POOL],
  [
    13,
    {
      type: 13,
      name: 'LocalResponseNormalizationOptions',
      fields: [f('radius', 'i32'), f('bias', 'f32'), f('alpha', 'f32'), f('beta', 'f32')],
    },
  ],
  [17, POOL],
  [18, ACT_ONLY(21, 'MulOptions')],
  [22, { type: 17, name: 'ReshapeOptions', fields: [f('new_shape', 'i32[]')] }],
  [
    23,
    {
      type: 15,
      name: 'ResizeBilinearOptions',
      fields: [
        f('new_height', 'i32'),
        f('new_width', 'i32'),
        f('align_corners', 'bool'),
        f('half_pixel_centers', 'bool'),
      ],
    },
  ],
  [25, { type: 9, name: 'SoftmaxOptions', fields: [f('beta', 'f32')] }],
  [26, { type: 19, name: 'SpaceToDepthOptions', fields: [f('block_size', 'i32')] }],
  [34, { type: 22, name: 'PadOptions', fields: [] }],
  [36, { type: 23, name: 'GatherOptions', fields: [f('axis', 'i32'), f('batch_dims', 'i32')] }],
  [40, REDUCER],
  [41, ACT_ONLY(28, 'SubOptions', [f('pot_scale_int16', 'bool', 1)])],
  [42, ACT_ONLY(29, 'DivOptions')],
  [43, { type: 30, name: 'SqueezeOptions', fields: [f('squeeze_dims', 'i32[]')] }],
  [
    45,
    {
      type: 32,
      name: 'StridedSliceOptions',
      fields: [
        f('begin_mask', 'i32'),
        f('end_mask', 'i32'),
        f('ellipsis_mask', 'i32'),
        f('new_axis_mask', 'i32'),
        f('shrink_axis_mask', 'i32'),
        f('offset', 'bool'),
      ],
    },
  ],
  [49, { type: 35, name: 'SplitOptions', fields: [f('num_splits', 'i32')] }],
  [53, { type: 37, name: 'CastOptions', fields: [f('in_data_type', 'tensorType'), f('out_data_type', 'tensorType')] }],
  [56, { type: 40, name: 'ArgMaxOptions', fields: [f('output_type', 'tensorType')] }],
  [
    67,
    {
      type: 49,
      name: 'TransposeConvOptions',
      fields: [
        f('padding', 'padding'),
        f('stride_w', 'i32'),
        f('stride_h', 'i32'),
        act,
        f('quantized_bias_type', 'tensorType'),
      ],
    },
  ],
  [74, REDUCER],
  [79, { type: 57, name: 'ArgMinOptions', fields: [f('output_type', 'tensorType')] }],
  [81, REDUCER],
  [82, REDUCER],
  [83, { type: 59, name: 'PackOptions', fields: [f('values_count', 'i32'), f('axis', 'i32')] }],
  [88, { type: 64, name: 'UnpackOptions', fields: [f('num', 'i32'), f('axis', 'i32')] }],
  [89, REDUCER],
  [91, REDUCER],
  [
    97,
    {
      type: 74,
      name: 'ResizeNearestNeighborOptions',
      fields: [f('align_corners', 'bool'), f('half_pixel_centers', 'bool')],
    },
  ],
  [98, { type: 75, name: 'LeakyReluOptions', fields: [f('alpha', 'f32')] }],
  [100, { type: 77, name: 'MirrorPadOptions', fields: [f('mode', 'enum', 0, ['REFLECT', 'SYMMETRIC'])] }],
  [102, { type: 79, name: 'SplitVOptions', fields: [f('num_splits', 'i32')] }],
  [118, { type: 92, name: 'IfOptions', fields: [f('then_subgraph_index', 'i32'), f('else_subgraph_index', 'i32')] }],
  [119, { type: 93, name: 'WhileOptions', fields: [f('cond_subgraph_index', 'i32'), f('body_subgraph_index', 'i32')] }],
  [
    126,
    {
      type: 101,
      name: 'BatchMatMulOptions',
      fields: [f('adj_x', 'bool'), f('adj_y', 'bool'), f('asymmetric_quantize_inputs', 'bool')],
    },
  ],
  [129, { type: 103, name: 'CallOnceOptions', fields: [f('init_subgraph_index', 'i32')] }],
  [140, REDUCER],
  [150, { type: 116, name: 'GeluOptions', fields: [f('approximate', 'bool')] }],
]);

/** Ops whose options name sub-graphs, with the option slots that hold the indices. */
export const SUBGRAPH_SLOTS: ReadonlyMap<number, { type: number; slots: readonly number[] }> = new Map([
  [118, { type: 92, slots: [0, 1] }],
  [119, { type: 93, slots: [0, 1] }],
  [129, { type: 103, slots: [0] }],
]);

export const QUANTIZATION_DETAILS: readonly string[] = ['NONE', 'CustomQuantization', 'BlockwiseQuantization'];
