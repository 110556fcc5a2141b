/** Op categories and the two colour themes. Pure data: no pixi, no DOM. */

export const enum OpCategory {
  Compute = 0,
  Activation = 1,
  Normalization = 2,
  Shape = 3,
  Elementwise = 4,
  Constant = 5,
  ControlFlow = 6,
  Pooling = 7,
  Other = 8,
}

export const CATEGORY_NAMES = [
  'compute',
  'activation',
  'normalization',
  'shape',
  'elementwise',
  'constant',
  'control flow',
  'pool / reduce',
  'other',
] as const;

const GROUPS: Record<number, string[]> = {
  [OpCategory.Compute]: [
    'conv',
    'convtranspose',
    'convinteger',
    'qlinearconv',
    'matmul',
    'matmulinteger',
    'qlinearmatmul',
    'gemm',
    'fusedmatmul',
    'fusedgemm',
    'fusedconv',
    'einsum',
    'attention',
    'multiheadattention',
    'groupqueryattention',
    'lstm',
    'gru',
    'rnn',
    'deformconv',
    'matmulnbits',
    'conv2d',
    'conv3d',
    'depthwiseconv2d',
    'transposeconv',
    'fullyconnected',
    'batchmatmul',
    'unidirectionalsequencelstm',
    'bidirectionalsequencelstm',
    'svdf',
    'embedding',
    'embedlayernormalization',
    'linear',
  ],
  [OpCategory.Activation]: [
    'relu',
    'relu6',
    'relun1to1',
    'relu0to1',
    'leakyrelu',
    'prelu',
    'elu',
    'selu',
    'celu',
    'gelu',
    'fastgelu',
    'biasgelu',
    'quickgelu',
    'sigmoid',
    'logistic',
    'hardsigmoid',
    'tanh',
    'softmax',
    'logsoftmax',
    'softplus',
    'softsign',
    'mish',
    'hardswish',
    'swish',
    'silu',
    'thresholdedrelu',
    'shrink',
    'erf',
    'clip',
    'hardmax',
  ],
  [OpCategory.Normalization]: [
    'batchnormalization',
    'layernormalization',
    'instancenormalization',
    'groupnormalization',
    'lpnormalization',
    'meanvariancenormalization',
    'lrn',
    'localresponsenormalization',
    'skiplayernormalization',
    'simplifiedlayernormalization',
    'skipsimplifiedlayernormalization',
    'rmsnormalization',
    'rmsnorm',
    'l2normalization',
    'dropout',
  ],
  [OpCategory.Shape]: [
    'reshape',
    'transpose',
    'flatten',
    'squeeze',
    'unsqueeze',
    'concat',
    'concatenation',
    'split',
    'splitv',
    'slice',
    'stridedslice',
    'gather',
    'gatherelements',
    'gathernd',
    'scatter',
    'scatterelements',
    'scatternd',
    'shape',
    'size',
    'expand',
    'tile',
    'pad',
    'padv2',
    'mirrorpad',
    'resize',
    'resizebilinear',
    'resizenearestneighbor',
    'upsample',
    'depthtospace',
    'spacetodepth',
    'identity',
    'pack',
    'unpack',
    'broadcastto',
    'expanddims',
    'onehot',
    'trilu',
    'reverse',
    'reversev2',
    'compress',
    'nonzero',
    'topk',
    'topkv2',
    'argmax',
    'argmin',
    'col2im',
    'centercroppad',
    'batchtospacend',
    'spacetobatchnd',
  ],
  [OpCategory.Elementwise]: [
    'add',
    'sub',
    'mul',
    'div',
    'pow',
    'sqrt',
    'rsqrt',
    'exp',
    'log',
    'abs',
    'neg',
    'reciprocal',
    'floor',
    'ceil',
    'round',
    'sign',
    'sin',
    'cos',
    'tan',
    'asin',
    'acos',
    'atan',
    'sinh',
    'cosh',
    'min',
    'max',
    'minimum',
    'maximum',
    'sum',
    'mean',
    'mod',
    'floormod',
    'floordiv',
    'equal',
    'notequal',
    'greater',
    'greaterequal',
    'greaterorequal',
    'less',
    'lessequal',
    'lessorequal',
    'not',
    'and',
    'or',
    'xor',
    'logicaland',
    'logicalor',
    'logicalnot',
    'where',
    'select',
    'selectv2',
    'cast',
    'castlike',
    'isnan',
    'isinf',
    'bitshift',
    'bitwiseand',
    'bitwiseor',
    'bitwisexor',
    'bitwisenot',
    'square',
    'squareddifference',
    'quantizelinear',
    'dequantizelinear',
    'dynamicquantizelinear',
    'quantize',
    'dequantize',
    'addn',
    'biasadd',
    'rotaryembedding',
  ],
  [OpCategory.Constant]: [
    'constant',
    'constantofshape',
    'range',
    'eyelike',
    'randomnormal',
    'randomnormallike',
    'randomuniform',
    'randomuniformlike',
    'multinomial',
    'bernoulli',
    'fill',
    'zeroslike',
    'oneslike',
  ],
  [OpCategory.ControlFlow]: [
    'if',
    'loop',
    'scan',
    'while',
    'callonce',
    'call',
    'sequenceat',
    'sequenceconstruct',
    'sequenceinsert',
    'sequenceempty',
    'splittosequence',
    'concatfromsequence',
    'sequencelength',
    'optional',
    'optionalhaselement',
    'optionalgetelement',
  ],
  [OpCategory.Pooling]: [
    'maxpool',
    'averagepool',
    'globalaveragepool',
    'globalmaxpool',
    'lppool',
    'globallppool',
    'maxroipool',
    'roialign',
    'maxunpool',
    'reducemean',
    'reducesum',
    'reducemax',
    'reducemin',
    'reduceprod',
    'reducel1',
    'reducel2',
    'reducelogsum',
    'reducelogsumexp',
    'reducesumsquare',
    'averagepool2d',
    'maxpool2d',
    'l2pool2d',
    'reduceany',
    'reduceall',
    'cumsum',
    'nonmaxsuppression',
  ],
};

const LOOKUP = new Map<string, OpCategory>();
for (const [cat, names] of Object.entries(GROUPS)) for (const n of names) LOOKUP.set(n, Number(cat) as OpCategory);

/** Category of an op type (ONNX `Conv`, `com.microsoft.FusedMatMul`, TFLite `CONV_2D` ...). */
export function opCategory(op: string): OpCategory {
  const base = op
    .slice(op.lastIndexOf('.') + 1)
    .replace(/[_\s-]/g, '')
    .toLowerCase();
  const hit = LOOKUP.get(base);
  if (hit !== undefined) return hit;
  if (base.startsWith('qlinear') || base.startsWith('fused')) return opCategory(base.replace(/^(qlinear|fused)/, ''));
  if (base.startsWith('reduce')) return OpCategory.Pooling;
  if (base.includes('norm')) return OpCategory.Normalization;
  if (base.includes('conv') || base.includes('matmul') || base.includes('attention')) return OpCategory.Compute;
  return OpCategory.Other;
}

export type ThemeName = 'light' | 'dark';

/** Colours as 0xRRGGBB; alpha given separately where it matters. */
export interface Theme {
  name: ThemeName;
  background: number;
  categoryFill: number[];
  categoryStroke: number[];
  text: number;
  textDim: number;
  groupFill: number;
  groupStroke: number;
  groupText: number;
  frameFill: number;
  frameFillAlpha: number;
  frameStroke: number;
  frameText: number;
  edge: number;
  edgeAlpha: number;
  hover: number;
  selection: number;
  /** RGBA bytes. */
  minimapBox: [number, number, number, number];
  minimapFrame: [number, number, number, number];
  minimapView: string;
}

export const THEMES: Record<ThemeName, Theme> = {
  light: {
    name: 'light',
    background: 0xf6f7f9,
    categoryFill: [0xc9dbf7, 0xfde0c2, 0xd4ebca, 0xe3e4ea, 0xf2d3e4, 0xf4edc3, 0xf7cdcd, 0xcdeceb, 0xe6dbf4],
    categoryStroke: [0x3566c2, 0xc56f16, 0x458a35, 0x7a7c8c, 0xab4384, 0x9c851a, 0xbd3737, 0x2a8a89, 0x7a52b3],
    text: 0x1b2130,
    textDim: 0x4d5568,
    groupFill: 0xe9edf4,
    groupStroke: 0x6f7d96,
    groupText: 0x1f2a3d,
    frameFill: 0x5a6b86,
    frameFillAlpha: 0.055,
    frameStroke: 0xaab4c4,
    frameText: 0x55627a,
    edge: 0x7e889a,
    edgeAlpha: 0.9,
    hover: 0x1a8cf0,
    selection: 0xff6a00,
    minimapBox: [80, 96, 125, 170],
    minimapFrame: [80, 96, 125, 50],
    minimapView: '#ff6a00',
  },
  dark: {
    name: 'dark',
    background: 0x14171d,
    categoryFill: [0x24406d, 0x5e3a13, 0x2b4a25, 0x393c47, 0x55263f, 0x4d4516, 0x5c2323, 0x1d4645, 0x3b2c58],
    categoryStroke: [0x6fa0f2, 0xf0a052, 0x7cc46a, 0x9fa3b3, 0xe07bbb, 0xd9c050, 0xf07474, 0x5cc9c7, 0xae8ae8],
    text: 0xe8ebf2,
    textDim: 0xa9b1c2,
    groupFill: 0x283040,
    groupStroke: 0x8594ae,
    groupText: 0xe3e8f2,
    frameFill: 0xb4c3dc,
    frameFillAlpha: 0.04,
    frameStroke: 0x4a556a,
    frameText: 0x9aa6bd,
    edge: 0x77839a,
    edgeAlpha: 0.9,
    hover: 0x47a8ff,
    selection: 0xff8a30,
    minimapBox: [160, 176, 205, 170],
    minimapFrame: [160, 176, 205, 45],
    minimapView: '#ff8a30',
  },
};

/** Packs 0xRRGGBB + alpha into the little-endian RGBA byte order that `unorm8x4` attributes read. */
export function rgba(rgb: number, alpha = 1): number {
  const a = Math.max(0, Math.min(255, Math.round(alpha * 255)));
  return ((a << 24) | ((rgb & 0xff) << 16) | (rgb & 0xff00) | ((rgb >> 16) & 0xff)) >>> 0;
}

export function cssColor(rgb: number): string {
  return `#${rgb.toString(16).padStart(6, '0')}`;
}

/** Inverse of `rgba`: 0xRRGGBB and alpha in [0, 1]. */
export function unpackRgba(packed: number): { rgb: number; alpha: number } {
  const rgb = ((packed & 0xff) << 16) | (packed & 0xff00) | ((packed >> 16) & 0xff);
  return { rgb, alpha: (packed >>> 24) / 255 };
}
