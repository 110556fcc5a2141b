import { isText } from './text/is-text.ts';

/** A failed open in the user's words, with the decoder's own line kept as the technical detail. */
export interface FailureExplanation {
  /** One line a user can act on: `model.onnx: the file ends early (…): it may be incomplete`. */
  summary: string;
  /** The decoder's message, naming the field (shown behind "Technical detail"). */
  detail: string;
}

const FORMAT_BY_EXTENSION: [RegExp, string][] = [
  [/\.onnx$/i, 'ONNX'],
  [/\.(tflite|lite)$/i, 'TensorFlow Lite'],
  [/\.pb$/i, 'TensorFlow'],
  [/\.mlmodel$/i, 'Core ML'],
  [/\.(pt|pth|ptl|bin)$/i, 'PyTorch'],
  [/\.(h5|hdf5|keras)$/i, 'Keras'],
  [/\.caffemodel$/i, 'Caffe'],
  [/\.gguf$/i, 'GGUF'],
  [/\.safetensors$/i, 'safetensors'],
  [/\.weights$/i, 'Darknet'],
  [/\.(pdmodel|pdiparams)$/i, 'Paddle'],
];

/** Binary containers: a text file with one of these names is not that kind of model. */
const BINARY_ONLY =
  /\.(onnx|tflite|lite|mlmodel|pt|pth|ptl|h5|hdf5|keras|caffemodel|gguf|safetensors|pdmodel|pdiparams)$/i;

const TRUNCATED = /truncated: needs (\d+) bytes at offset (\d+), file has (\d+)/;
const ENDS_EARLY =
  /unexpected end of file|read past the end of the file|points past the end of the file|runs past the end of the file/i;

/**
 * Explains why a model did not open. `message` is the decoder's line (already naming the file), `head` the file's
 * first bytes and `size` its length. Recognised: a text file under a binary model's name, and a file that ends
 * before its own structure does (a partial download or copy). Anything else keeps the decoder's words.
 */
export function explainFailure(message: string, fileName: string, head: Uint8Array, size: number): FailureExplanation {
  const detail = message;
  const prefix = fileName ? `${fileName}: ` : '';
  const format = FORMAT_BY_EXTENSION.find(([re]) => re.test(fileName))?.[1];
  const t = TRUNCATED.exec(message);
  if (t) {
    const atLeast = Number(t[1]) + Number(t[2]);
    // A length no real file has (a terabyte and more) is damage or another format, not a partial download.
    if (atLeast > 2 ** 40)
      return {
        summary: `${prefix}the file is damaged or not ${format ? `${article(format)} ${format}` : 'a'} model (a length field points far past its end)`,
        detail,
      };
    return {
      summary: `${prefix}the file ends early (read ${formatSize(size)} of at least ${formatSize(atLeast)}): it may be incomplete`,
      detail,
    };
  }
  if (head.length > 0 && BINARY_ONLY.test(fileName) && isText(head)) {
    const what = format ? `${article(format)} ${format} model` : 'a model';
    return { summary: `${prefix}not ${what}: the file is plain text`, detail };
  }
  if (ENDS_EARLY.test(message))
    return { summary: `${prefix}the file ends early (read ${formatSize(size)}): it may be incomplete`, detail };
  return { summary: message, detail: '' };
}

/** `300 KB`, `4.7 MB`: decimal units, as file managers show sizes. */
export function formatSize(bytes: number): string {
  if (bytes < 1000) return `${bytes} B`;
  const units = ['KB', 'MB', 'GB', 'TB'];
  let v = bytes / 1000;
  let u = 0;
  while (v >= 1000 && u < units.length - 1) {
    v /= 1000;
    u++;
  }
  return `${v >= 100 ? Math.round(v) : Number(v.toPrecision(2))} ${units[u]}`;
}

function article(word: string): string {
  return /^[AEIO]/i.test(word) ? 'an' : 'a';
}
