/** caffe.proto field numbers Strata reads (NetParameter, LayerParameter, V1LayerParameter, BlobProto). */

export const Net = { name: 1, layers: 2, input: 3, inputDim: 4, inputShape: 8, layer: 100 } as const;
export const Layer = { name: 1, type: 2, bottom: 3, top: 4, lossWeight: 5, param: 6, blobs: 7, phase: 10, inputParam: 143 } as const;
export const V1Layer = { layer: 1, bottom: 2, top: 3, name: 4, type: 5, blobs: 6 } as const;
export const Blob = { num: 1, channels: 2, height: 3, width: 4, data: 5, diff: 6, shape: 7, doubleData: 8, doubleDiff: 9 } as const;
export const BlobShape = { dim: 1 } as const;
export const InputParameter = { shape: 1 } as const;

/** V1LayerParameter.LayerType values → the layer type strings of the current format. */
export const V1_TYPES: Readonly<Record<number, string>> = {
  0: 'None', 1: 'Accuracy', 2: 'BNLL', 3: 'Concat', 4: 'Convolution', 5: 'Data', 6: 'Dropout', 7: 'EuclideanLoss',
  8: 'Flatten', 9: 'HDF5Data', 10: 'HDF5Output', 11: 'Im2col', 12: 'ImageData', 13: 'InfogainLoss', 14: 'InnerProduct',
  15: 'LRN', 16: 'MultinomialLogisticLoss', 17: 'Pooling', 18: 'ReLU', 19: 'Sigmoid', 20: 'Softmax', 21: 'SoftmaxWithLoss',
  22: 'Split', 23: 'TanH', 24: 'WindowData', 25: 'Eltwise', 26: 'Power', 27: 'SigmoidCrossEntropyLoss', 28: 'HingeLoss',
  29: 'MemoryData', 30: 'ArgMax', 31: 'Threshold', 32: 'DummyData', 33: 'Slice', 34: 'MVN', 35: 'AbsVal', 36: 'Silence',
  37: 'ContrastiveLoss', 38: 'Exp', 39: 'Deconvolution',
};

/** V1 enum identifiers as written in old prototxt files (`type: CONVOLUTION`) → current type strings. */
export const V1_TYPE_NAMES: Readonly<Record<string, string>> = {
  NONE: 'None', ABSVAL: 'AbsVal', ACCURACY: 'Accuracy', ARGMAX: 'ArgMax', BNLL: 'BNLL', CONCAT: 'Concat',
  CONTRASTIVE_LOSS: 'ContrastiveLoss', CONVOLUTION: 'Convolution', DATA: 'Data', DECONVOLUTION: 'Deconvolution',
  DROPOUT: 'Dropout', DUMMY_DATA: 'DummyData', EUCLIDEAN_LOSS: 'EuclideanLoss', ELTWISE: 'Eltwise', EXP: 'Exp',
  FLATTEN: 'Flatten', HDF5_DATA: 'HDF5Data', HDF5_OUTPUT: 'HDF5Output', HINGE_LOSS: 'HingeLoss', IM2COL: 'Im2col',
  IMAGE_DATA: 'ImageData', INFOGAIN_LOSS: 'InfogainLoss', INNER_PRODUCT: 'InnerProduct', LRN: 'LRN',
  MEMORY_DATA: 'MemoryData', MULTINOMIAL_LOGISTIC_LOSS: 'MultinomialLogisticLoss', MVN: 'MVN', POOLING: 'Pooling',
  POWER: 'Power', RELU: 'ReLU', SIGMOID: 'Sigmoid', SIGMOID_CROSS_ENTROPY_LOSS: 'SigmoidCrossEntropyLoss',
  SILENCE: 'Silence', SOFTMAX: 'Softmax', SOFTMAX_LOSS: 'SoftmaxWithLoss', SPLIT: 'Split', SLICE: 'Slice', TANH: 'TanH',
  WINDOW_DATA: 'WindowData', THRESHOLD: 'Threshold',
};

/** LayerParameter's `*_param` messages: field number → name, for showing a binary layer's parameters. */
export const LAYER_PARAMS: Readonly<Record<number, string>> = {
  100: 'transform_param', 101: 'loss_param', 102: 'accuracy_param', 103: 'argmax_param', 104: 'concat_param',
  105: 'contrastive_loss_param', 106: 'convolution_param', 107: 'data_param', 108: 'dropout_param',
  109: 'dummy_data_param', 110: 'eltwise_param', 111: 'exp_param', 112: 'hdf5_data_param', 113: 'hdf5_output_param',
  114: 'hinge_loss_param', 115: 'image_data_param', 116: 'infogain_loss_param', 117: 'inner_product_param',
  118: 'lrn_param', 119: 'memory_data_param', 120: 'mvn_param', 121: 'pooling_param', 122: 'power_param',
  123: 'relu_param', 124: 'sigmoid_param', 125: 'softmax_param', 126: 'slice_param', 127: 'tanh_param',
  128: 'threshold_param', 129: 'window_data_param', 130: 'python_param', 131: 'prelu_param', 132: 'spp_param',
  133: 'reshape_param', 134: 'log_param', 135: 'flatten_param', 136: 'reduction_param', 137: 'embed_param',
  138: 'tile_param', 139: 'batch_norm_param', 140: 'elu_param', 141: 'bias_param', 142: 'scale_param',
  143: 'input_param', 144: 'crop_param', 145: 'parameter_param', 146: 'recurrent_param', 147: 'swish_param',
};

type Kind = 'uint' | 'int' | 'bool' | 'float' | 'string' | 'enum';
interface ParamField { name: string; kind: Kind; values?: readonly string[] }
const p = (name: string, kind: Kind, values?: readonly string[]): ParamField => ({ name, kind, values });

/** Field names of common parameter messages (others are shown by field number). */
export const PARAM_FIELDS: Readonly<Record<string, Readonly<Record<number, ParamField>>>> = {
  convolution_param: {
    1: p('num_output', 'uint'), 2: p('bias_term', 'bool'), 3: p('pad', 'uint'), 4: p('kernel_size', 'uint'),
    5: p('group', 'uint'), 6: p('stride', 'uint'), 9: p('pad_h', 'uint'), 10: p('pad_w', 'uint'), 11: p('kernel_h', 'uint'),
    12: p('kernel_w', 'uint'), 13: p('stride_h', 'uint'), 14: p('stride_w', 'uint'), 15: p('engine', 'enum', ['DEFAULT', 'CAFFE', 'CUDNN']),
    16: p('axis', 'int'), 17: p('force_nd_im2col', 'bool'), 18: p('dilation', 'uint'),
  },
  pooling_param: {
    1: p('pool', 'enum', ['MAX', 'AVE', 'STOCHASTIC']), 2: p('kernel_size', 'uint'), 3: p('stride', 'uint'), 4: p('pad', 'uint'),
    5: p('kernel_h', 'uint'), 6: p('kernel_w', 'uint'), 7: p('stride_h', 'uint'), 8: p('stride_w', 'uint'), 9: p('pad_h', 'uint'),
    10: p('pad_w', 'uint'), 11: p('engine', 'enum', ['DEFAULT', 'CAFFE', 'CUDNN']), 12: p('global_pooling', 'bool'),
    13: p('round_mode', 'enum', ['CEIL', 'FLOOR']),
  },
  inner_product_param: { 1: p('num_output', 'uint'), 2: p('bias_term', 'bool'), 5: p('axis', 'int'), 6: p('transpose', 'bool') },
  relu_param: { 1: p('negative_slope', 'float'), 2: p('engine', 'enum', ['DEFAULT', 'CAFFE', 'CUDNN']) },
  concat_param: { 1: p('concat_dim', 'uint'), 2: p('axis', 'int') },
  eltwise_param: { 1: p('operation', 'enum', ['PROD', 'SUM', 'MAX']), 2: p('coeff', 'float'), 3: p('stable_prod_grad', 'bool') },
  dropout_param: { 1: p('dropout_ratio', 'float') },
  lrn_param: { 1: p('local_size', 'uint'), 2: p('alpha', 'float'), 3: p('beta', 'float'), 4: p('norm_region', 'enum', ['ACROSS_CHANNELS', 'WITHIN_CHANNEL']), 5: p('k', 'float') },
  softmax_param: { 1: p('engine', 'enum', ['DEFAULT', 'CAFFE', 'CUDNN']), 2: p('axis', 'int') },
  batch_norm_param: { 1: p('use_global_stats', 'bool'), 2: p('moving_average_fraction', 'float'), 3: p('eps', 'float') },
  scale_param: { 1: p('axis', 'int'), 2: p('num_axes', 'int'), 4: p('bias_term', 'bool') },
  flatten_param: { 1: p('axis', 'int'), 2: p('end_axis', 'int') },
  power_param: { 1: p('power', 'float'), 2: p('scale', 'float'), 3: p('shift', 'float') },
  prelu_param: { 2: p('channel_shared', 'bool') },
  slice_param: { 1: p('slice_dim', 'uint'), 2: p('slice_point', 'uint'), 3: p('axis', 'int') },
};
export type { ParamField };
