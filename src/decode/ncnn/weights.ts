import type { ByteSource } from '../io/byte-source.ts';

/**
 * Where each layer's weights sit in an ncnn `.bin`. The `.bin` has no index: every layer's `load_model` reads its
 * blobs in order, sized by the layer's params. A "tagged" blob starts with a 4-byte storage tag (fp32, fp16, int8
 * or a 256-entry quantization table); a raw blob is plain fp32. Walking the params reproduces the offsets while
 * reading only the tags. The walk must end exactly at the end of the `.bin`; if it does not, or a layer type with
 * unknown weights comes first, the offsets are not trusted and only the counts from the params are kept.
 */

export interface NcnnWeightSpec {
  name: string;
  count: number;
  /** A tagged (`load(w, 0)`) blob; otherwise raw fp32 (`load(w, 1)`). */
  tagged: boolean;
  shape: number[];
}

export interface NcnnWeightLocation {
  offset: number;
  length: number;
  /** IR dtype code of the stored elements. */
  dtype: number;
}

const TAG_FP16 = 0x01306b47;
const TAG_INT8 = 0x000d4b38;
const TAG_FP32_SCALED = 0x0002c056;

const FLOAT32 = 1;
const UINT8 = 2;
const INT8 = 3;
const FLOAT16 = 10;

/** Layer types whose `load_model` reads nothing from the `.bin`. */
const WEIGHTLESS = new Set([
  'AbsVal',
  'ArgMax',
  'BNLL',
  'BinaryOp',
  'Cast',
  'CELU',
  'Clip',
  'Concat',
  'CopyTo',
  'Crop',
  'CumulativeSum',
  'DeepCopy',
  'DetectionOutput',
  'Dropout',
  'ELU',
  'Eltwise',
  'Erf',
  'Exp',
  'ExpandDims',
  'Flatten',
  'Flip',
  'Fold',
  'GELU',
  'GLU',
  'GridSample',
  'HardSigmoid',
  'HardSwish',
  'Input',
  'Interp',
  'LRN',
  'Log',
  'LogSoftmax',
  'MVN',
  'Mish',
  'Noop',
  'Packing',
  'Padding',
  'Permute',
  'PixelShuffle',
  'Pooling',
  'Pooling1D',
  'Pooling3D',
  'Power',
  'PriorBox',
  'Proposal',
  'PSROIPooling',
  'ROIAlign',
  'ROIPooling',
  'Reduction',
  'ReLU',
  'Reorg',
  'Reshape',
  'Shrink',
  'ShuffleChannel',
  'Sigmoid',
  'Slice',
  'Softmax',
  'Softplus',
  'Split',
  'Squeeze',
  'Swish',
  'TanH',
  'Threshold',
  'Tile',
  'UnaryOp',
  'Unfold',
  'YoloDetectionOutput',
  'Yolov3DetectionOutput',
  'SELU',
  'Spectrogram',
  'InverseSpectrogram',
  'Diag',
  'Einsum',
  'StatisticsPooling',
]);

const CONVOLUTIONS = new Set([
  'Convolution',
  'ConvolutionDepthWise',
  'Convolution1D',
  'Convolution3D',
  'ConvolutionDepthWise1D',
  'ConvolutionDepthWise3D',
  'Deconvolution',
  'DeconvolutionDepthWise',
  'Deconvolution1D',
  'Deconvolution3D',
  'DeconvolutionDepthWise1D',
  'DeconvolutionDepthWise3D',
]);

const int = (p: Map<string, string>, key: string, fallback = 0): number => {
  const v = p.get(key);
  if (v === undefined) return fallback;
  const n = Number(v);
  return Number.isSafeInteger(n) ? n : fallback;
};

/** The blobs one layer reads, in order; null when the layer may read weights we do not know how to size. */
export function layerWeights(type: string, p: Map<string, string>): NcnnWeightSpec[] | null {
  if (WEIGHTLESS.has(type)) return [];
  const raw = (name: string, count: number, shape = [count]): NcnnWeightSpec => ({ name, count, tagged: false, shape });
  if (CONVOLUTIONS.has(type)) {
    if (int(p, '8') !== 0) return null; // int8 scales follow, sized by rules this walk does not model
    const out = int(p, '0');
    const size = int(p, '6');
    const kw = Math.max(1, int(p, '1', 1));
    const kh = Math.max(1, int(p, '11', kw));
    const perOut = out > 0 && size % (out * kw * kh) === 0 ? size / (out * kw * kh) : 0;
    const shape = perOut ? (type.endsWith('1D') ? [out, perOut * kh, kw] : [out, perOut, kh, kw]) : [size];
    const specs: NcnnWeightSpec[] = [{ name: 'weight', count: size, tagged: true, shape }];
    if (int(p, '5')) specs.push(raw('bias', out));
    return specs;
  }
  switch (type) {
    case 'InnerProduct': {
      if (int(p, '8') !== 0) return null;
      const out = int(p, '0');
      const size = int(p, '2');
      const specs: NcnnWeightSpec[] = [
        { name: 'weight', count: size, tagged: true, shape: out > 0 && size % out === 0 ? [out, size / out] : [size] },
      ];
      if (int(p, '1')) specs.push(raw('bias', out));
      return specs;
    }
    case 'Embed': {
      if (int(p, '18') !== 0) return null;
      const out = int(p, '0');
      const size = int(p, '3');
      const specs: NcnnWeightSpec[] = [
        { name: 'weight', count: size, tagged: true, shape: out > 0 && size % out === 0 ? [size / out, out] : [size] },
      ];
      if (int(p, '2')) specs.push(raw('bias', out));
      return specs;
    }
    case 'PReLU':
      return [raw('slope', int(p, '0'))];
    case 'BatchNorm': {
      const c = int(p, '0');
      return ['slope', 'mean', 'variance', 'bias'].map((n) => raw(n, c));
    }
    case 'Scale': {
      const n = int(p, '0');
      if (n === -233) return []; // the scale comes in as a second input
      return int(p, '1') ? [raw('scale', n), raw('bias', n)] : [raw('scale', n)];
    }
    case 'Bias':
      return [raw('bias', int(p, '0'))];
    case 'Normalize':
      return [raw('scale', int(p, '3'))];
    case 'LayerNorm':
      return int(p, '2', 1) ? [raw('gamma', int(p, '0')), raw('beta', int(p, '0'))] : [];
    case 'GroupNorm':
      return int(p, '3', 1) ? [raw('gamma', int(p, '1')), raw('beta', int(p, '1'))] : [];
    case 'InstanceNorm':
      return int(p, '2', 1) ? [raw('gamma', int(p, '0')), raw('beta', int(p, '0'))] : [];
    case 'MemoryData': {
      const dims = [int(p, '11'), int(p, '2'), int(p, '1'), int(p, '0')].filter((d) => d > 0);
      const count = dims.reduce((a, d) => a * d, 1);
      return [raw('data', dims.length ? count : 0, dims)];
    }
    default:
      return null;
  }
}

const align4 = (n: number) => (n + 3) & ~3;

/** Where a tagged blob's elements start after its tag, how long they are and how far the blob reaches. */
function taggedBlob(tag: number, pos: number, count: number): { loc: NcnnWeightLocation; end: number } {
  if (tag === TAG_FP16)
    return { loc: { offset: pos, length: 2 * count, dtype: FLOAT16 }, end: pos + align4(2 * count) };
  if (tag === TAG_INT8) return { loc: { offset: pos, length: count, dtype: INT8 }, end: pos + align4(count) };
  if (tag === TAG_FP32_SCALED || tag === 0) {
    return { loc: { offset: pos, length: 4 * count, dtype: FLOAT32 }, end: pos + 4 * count };
  }
  // A 256-entry fp32 table, then one byte index per element: the indices are what is stored per weight.
  return { loc: { offset: pos + 1024, length: count, dtype: UINT8 }, end: pos + 1024 + align4(count) };
}

/** The tag of the blob at `pos`, or null past the end of the file. */
type TagReader = (pos: number) => Promise<number | null>;

/**
 * Walks the blobs in `.bin` order with the tags `tagAt` gives. Null when the walk cannot be trusted: a layer with
 * unknown weights, a tag past the end, or a total that does not land exactly on `size`.
 */
async function walk(
  layers: (NcnnWeightSpec[] | null)[],
  size: number,
  tagAt: TagReader,
): Promise<NcnnWeightLocation[][] | null> {
  const out: NcnnWeightLocation[][] = [];
  let pos = 0;
  for (const specs of layers) {
    if (!specs) return null;
    const locs: NcnnWeightLocation[] = [];
    for (const s of specs) {
      if (!(s.count >= 0) || !Number.isSafeInteger(s.count)) return null;
      if (!s.tagged) {
        locs.push({ offset: pos, length: 4 * s.count, dtype: FLOAT32 });
        pos += 4 * s.count;
      } else {
        if (pos + 4 > size) return null;
        const tag = await tagAt(pos);
        if (tag === null) return null;
        const blob = taggedBlob(tag, pos + 4, s.count);
        locs.push(blob.loc);
        pos = blob.end;
      }
      if (pos > size) return null;
    }
    out.push(locs);
  }
  return pos === size ? out : null;
}

/**
 * Offsets for every layer's blobs (per layer, in order), or null when the walk cannot be trusted (see `walk`).
 *
 * A converted model stores all its tagged blobs one way (all fp16, or all fp32), so the walk is first tried with
 * every tag equal to the first one: one 4-byte read instead of one per blob, which over HTTP was one round trip per
 * convolution (realesrgan-x4plus: 350 reads spread over 33 MB). The guess is kept only if it lands exactly on the
 * end of the file. A different storage anywhere changes a blob's size (fp16 2 bytes an element, fp32 4, int8 1,
 * a table 1024 + 1), so a mix lands elsewhere unless its larger and smaller blobs cancel to the byte, and the tags
 * are then read one by one. (fp32 and scaled fp32 differ in tag only, and are placed alike.) Layers with int8
 * scales, where quantized and float blobs do mix, are not walked at all (`layerWeights` gives null for them).
 */
export async function locateWeights(
  bin: ByteSource,
  layers: (NcnnWeightSpec[] | null)[],
): Promise<NcnnWeightLocation[][] | null> {
  const readTag: TagReader = async (pos) => {
    const t = await bin.read(pos, 4);
    return t.length < 4 ? null : (t[0] | (t[1] << 8) | (t[2] << 16) | (t[3] << 24)) >>> 0;
  };
  let first: number | null | undefined;
  const guessed = await walk(layers, bin.size, async (pos) => {
    if (first === undefined) first = await readTag(pos);
    return first;
  });
  return guessed ?? (await walk(layers, bin.size, readTag));
}
