/**
 * File-name endings that tell a model definition from the weights stored beside it. The UI uses them to pick the
 * model among dropped files, the CLI server to serve a model's companion files but no other model. A unit test
 * keeps MODEL_EXTENSIONS in step with every decoder's `extensions`.
 */

export const MODEL_EXTENSIONS: readonly string[] = [
  '.onnx',
  '.ort',
  '.tflite',
  '.lite',
  '.pb',
  '.pbtxt',
  '.graphdef',
  '.mlmodel',
  '.h5',
  '.hdf5',
  '.keras',
  '.pt',
  '.pth',
  '.torchscript',
  '.xml',
  '-symbol.json',
  '.json',
  '.param',
  '.nnef',
  '.pdmodel',
  '__model__',
  '.tnnproto',
  '.nn',
  '.prototxt',
  '.caffemodel',
  '.cfg',
  '.safetensors',
  '.safetensors.index.json',
  '.gguf',
  'config.json',
  '.ckpt',
  '.pkl',
];

/** Files that hold weights for a definition file (a `.caffemodel` can also be opened on its own). */
export const WEIGHT_EXTENSIONS: readonly string[] = [
  '.bin',
  '.weights',
  '.dat',
  '.params',
  '.pdiparams',
  '.tnnmodel',
  '.caffemodel',
  '.data',
];

export const endsWithAny = (name: string, list: readonly string[]): boolean =>
  list.some((ext) => name.toLowerCase().endsWith(ext));

/**
 * Files that travel with a checkpoint rather than being one: the shards of a sharded safetensors set (opened
 * through their index) and a Hugging Face folder's JSON configs, tokenizer and vocabulary. A lone config.json still
 * opens (as its folder), but beside weights it is their companion, and the server serves it with them.
 */
const CHECKPOINT_COMPANION =
  /(-\d{5}-of-\d{5}\.safetensors|(^|[\\/])(config|generation_config|tokenizer_config|tokenizer|special_tokens_map|vocab|added_tokens|preprocessor_config)\.json|(^|[\\/])merges\.txt)$/i;

export const isCheckpointCompanion = (name: string): boolean => CHECKPOINT_COMPANION.test(name);

/** A model definition file (not a weights file, not a checkpoint's companion). */
export const isModelDefinition = (name: string): boolean =>
  endsWithAny(name, MODEL_EXTENSIONS) && !endsWithAny(name, WEIGHT_EXTENSIONS) && !isCheckpointCompanion(name);
