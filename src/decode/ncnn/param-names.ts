/**
 * Names of ncnn layer parameters by layer type and param id, as ncnn's operator reference documents them
 * (`0=16 1=3` on a Convolution line is `num_output=16 kernel_w=3`). Ids not listed keep their number.
 */
const CONV = ['num_output', 'kernel_w', 'dilation_w', 'stride_w', 'pad_left', 'bias_term', 'weight_data_size'];
const CONV_REST: Record<number, string> = {
  8: 'int8_scale_term',
  9: 'activation_type',
  10: 'activation_params',
  11: 'kernel_h',
  12: 'dilation_h',
  13: 'stride_h',
  14: 'pad_top',
  15: 'pad_right',
  16: 'pad_bottom',
  18: 'pad_value',
  19: 'dynamic_weight',
};
const conv = (extra: Record<number, string> = {}): Record<number, string> => ({
  ...Object.fromEntries(CONV.map((n, i) => [i, n])),
  ...CONV_REST,
  ...extra,
});
const DECONV_OUT = { 18: 'output_pad_right', 19: 'output_pad_bottom', 20: 'output_w', 21: 'output_h' };
const list = (...names: string[]): Record<number, string> => Object.fromEntries(names.map((n, i) => [i, n]));

export const NCNN_PARAM_NAMES: Readonly<Record<string, Readonly<Record<number, string>>>> = {
  Convolution: conv(),
  ConvolutionDepthWise: conv({ 7: 'group' }),
  Deconvolution: conv(DECONV_OUT),
  DeconvolutionDepthWise: conv({ 7: 'group', ...DECONV_OUT }),
  InnerProduct: {
    0: 'num_output',
    1: 'bias_term',
    2: 'weight_data_size',
    8: 'int8_scale_term',
    9: 'activation_type',
    10: 'activation_params',
  },
  Pooling: {
    0: 'pooling_type',
    1: 'kernel_w',
    2: 'stride_w',
    3: 'pad_left',
    4: 'global_pooling',
    5: 'pad_mode',
    6: 'avgpool_count_include_pad',
    7: 'adaptive_pooling',
    8: 'out_w',
    11: 'kernel_h',
    12: 'stride_h',
    13: 'pad_top',
    14: 'pad_right',
    15: 'pad_bottom',
    18: 'out_h',
  },
  ReLU: list('slope'),
  Clip: list('min', 'max'),
  BinaryOp: list('op_type', 'with_scalar', 'b'),
  UnaryOp: list('op_type'),
  Eltwise: list('op_type', 'coeffs'),
  Concat: list('axis'),
  Softmax: list('axis', 'fixbug0'),
  Reshape: { 0: 'w', 1: 'h', 2: 'c', 3: 'permute', 11: 'd' },
  Permute: list('order_type'),
  Interp: list(
    'resize_type',
    'height_scale',
    'width_scale',
    'output_height',
    'output_width',
    'dynamic_target_size',
    'align_corner',
  ),
  PixelShuffle: list('upscale_factor', 'mode'),
  BatchNorm: list('channels', 'eps'),
  Scale: list('scale_data_size', 'bias_term'),
  PReLU: list('num_slope'),
  Padding: list('top', 'bottom', 'left', 'right', 'type', 'value', 'per_channel_pad_data_size', 'front', 'behind'),
  Crop: list(
    'woffset',
    'hoffset',
    'coffset',
    'outw',
    'outh',
    'outc',
    'woffset2',
    'hoffset2',
    'coffset2',
    'starts',
    'ends',
    'axes',
  ),
  Dropout: list('scale'),
  HardSigmoid: list('alpha', 'beta'),
  HardSwish: list('alpha', 'beta'),
  Input: list('w', 'h', 'c'),
  MemoryData: list('w', 'h', 'c'),
  Slice: list('slices', 'axis'),
  LayerNorm: list('affine_size', 'eps', 'affine'),
  Gemm: list('alpha', 'beta', 'transA', 'transB'),
};

/** `num_output` for Convolution param 0; the id itself when the table does not know it. */
export function ncnnParamName(layerType: string, id: number): string {
  return NCNN_PARAM_NAMES[layerType]?.[id] ?? String(id);
}
