/**
 * Field numbers of Apple's Core ML specification (coremltools mlmodel/format: Model.proto, FeatureTypes.proto,
 * NeuralNetwork.proto). Only numbers this decoder uses; unknown layer fields are shown as `layer_<n>`.
 */
export const F = {
  model: { specificationVersion: 1, description: 2, isUpdatable: 10 },
  description: { input: 1, output: 10, predictedFeatureName: 11, predictedProbabilitiesName: 12, metadata: 100 },
  metadata: { shortDescription: 1, versionString: 2, author: 3, license: 4 },
  feature: { name: 1, shortDescription: 2, type: 3 },
  featureType: { int64: 1, double: 2, string: 3, image: 4, multiArray: 5, dictionary: 6, sequence: 7 },
  image: { width: 1, height: 2, colorSpace: 3 },
  multiArray: { shape: 1, dataType: 2 },
  network: { layers: 1 },
  layer: { name: 1, input: 2, output: 3 },
  pipeline: { models: 1 },
  /** PipelineClassifier / PipelineRegressor hold a Pipeline at field 1. */
  pipelineHolder: { pipeline: 1 },
  weights: { floatValue: 1, float16Value: 2, rawValue: 30, int8RawValue: 31 },
} as const;

/** Model.Type oneof: field number → model kind. */
export const MODEL_TYPES: Record<number, string> = {
  200: 'pipelineClassifier',
  201: 'pipelineRegressor',
  202: 'pipeline',
  300: 'glmRegressor',
  301: 'supportVectorRegressor',
  302: 'treeEnsembleRegressor',
  303: 'neuralNetworkRegressor',
  400: 'glmClassifier',
  401: 'supportVectorClassifier',
  402: 'treeEnsembleClassifier',
  403: 'neuralNetworkClassifier',
  404: 'kNearestNeighborsClassifier',
  500: 'neuralNetwork',
  502: 'mlProgram',
  600: 'oneHotEncoder',
  601: 'imputer',
  602: 'featureVectorizer',
  603: 'dictVectorizer',
  604: 'scaler',
  606: 'categoricalMapping',
  607: 'normalizer',
  609: 'arrayFeatureExtractor',
  610: 'nonMaximumSuppression',
  900: 'identity',
};
export const NN_MODELS = new Set([303, 403, 500]);
export const PIPELINE_MODELS = new Set([200, 201, 202]);

/** NeuralNetworkLayer.layer oneof: field number → layer type. */
export const LAYER_TYPES: Record<number, string> = {
  100: 'convolution',
  120: 'pooling',
  130: 'activation',
  140: 'innerProduct',
  150: 'embedding',
  160: 'batchnorm',
  165: 'mvn',
  170: 'l2normalize',
  175: 'softmax',
  180: 'lrn',
  190: 'crop',
  200: 'padding',
  210: 'upsample',
  211: 'resizeBilinear',
  212: 'cropResize',
  220: 'unary',
  230: 'add',
  231: 'multiply',
  240: 'average',
  245: 'scale',
  250: 'bias',
  260: 'max',
  261: 'min',
  270: 'dot',
  280: 'reduce',
  290: 'loadConstant',
  300: 'reshape',
  301: 'flatten',
  310: 'permute',
  320: 'concat',
  330: 'split',
  340: 'sequenceRepeat',
  345: 'reorganizeData',
  350: 'slice',
  400: 'simpleRecurrent',
  410: 'gru',
  420: 'uniDirectionalLSTM',
  430: 'biDirectionalLSTM',
  500: 'custom',
  600: 'copy',
  605: 'branch',
  615: 'loop',
};

export const LAYER = {
  convolution: 100,
  pooling: 120,
  activation: 130,
  innerProduct: 140,
  embedding: 150,
  batchnorm: 160,
  branch: 605,
  loop: 615,
} as const;

/** Weight fields of the layers whose weights are indexed: [field, name]. */
export const WEIGHT_FIELDS: Record<number, [number, string][]> = {
  100: [
    [90, 'weights'],
    [91, 'bias'],
  ],
  140: [
    [20, 'weights'],
    [21, 'bias'],
  ],
  150: [
    [20, 'weights'],
    [21, 'bias'],
  ],
  160: [
    [15, 'gamma'],
    [16, 'beta'],
    [17, 'mean'],
    [18, 'variance'],
  ],
};

/** Sub-networks of control-flow layers: [field, name]. */
export const SUBNET_FIELDS: Record<number, [number, string][]> = {
  605: [
    [1, 'ifBranch'],
    [2, 'elseBranch'],
  ],
  615: [
    [3, 'conditionNetwork'],
    [4, 'bodyNetwork'],
  ],
};

/** Scalar parameters shown in node details, per layer type: field → name. */
export const PARAM_NAMES: Record<number, Record<number, string>> = {
  100: {
    1: 'outputChannels',
    2: 'kernelChannels',
    10: 'nGroups',
    20: 'kernelSize',
    30: 'stride',
    40: 'dilationFactor',
    50: 'valid',
    51: 'same',
    60: 'isDeconvolution',
    70: 'hasBias',
  },
  120: {
    1: 'type',
    10: 'kernelSize',
    20: 'stride',
    30: 'valid',
    31: 'same',
    32: 'includeLastPixel',
    50: 'avgPoolExcludePadding',
    60: 'globalPooling',
  },
  130: { 5: 'linear', 10: 'ReLU', 15: 'leakyReLU', 30: 'tanh', 40: 'sigmoid' },
  140: { 1: 'inputChannels', 2: 'outputChannels', 10: 'hasBias' },
  150: { 1: 'inputDim', 2: 'outputChannels', 10: 'hasBias' },
  160: { 1: 'channels', 5: 'computeMeanVar', 6: 'instanceNormalization', 10: 'epsilon' },
};

/** Parameter fields that are packed repeated integers (the other message-typed ones are shown by size). */
export const PACKED_PARAMS: Record<number, readonly number[]> = { 100: [20, 30, 40], 120: [10, 20] };

/** ArrayFeatureType.ArrayDataType → GraphIR dtype. */
export const ARRAY_DTYPE: Record<number, number> = { 65568: 1, 65600: 11, 131104: 6, 65552: 10 };
