import { GraphBuilder } from '../../graph/builder.ts';
import { GraphKind, ValueFlag, type GraphIR } from '../../graph/ir.ts';
import type { ByteSource } from '../io/byte-source.ts';
import { DecodeError } from '../errors.ts';
import { openModel, type OpenModel, type DecodeOptions } from '../decoder.ts';
import { parseCfg, type CfgSection } from './cfg.ts';
import { darknetNodeDetails } from './details.ts';

/** A .cfg is a few KB; anything this large is not one. */
const MAX_CFG_BYTES = 32 << 20;
const FLOAT32 = 1;

/** Output of a layer: channels × height × width, or a flat vector (`flat`, c = length). null where unknown. */
interface Shape {
  c: number;
  h: number;
  w: number;
  flat: boolean;
}

/** A weight tensor of a layer, in the order darknet stores it in a .weights file. */
interface Weight {
  name: string;
  dims: number[];
}

/** Section types that are one more name for another. */
const ALIASES: Record<string, string> = {
  conv: 'convolutional',
  network: 'net',
  deconv: 'deconvolutional',
  conn: 'connected',
  max: 'maxpool',
  avg: 'avgpool',
  soft: 'softmax',
  lrn: 'normalization',
};

/** Layers whose output has the shape of their (first) input. */
const SAME_SHAPE = new Set([
  'softmax',
  'dropout',
  'cost',
  'logistic',
  'activation',
  'l2norm',
  'normalization',
  'batchnorm',
  'yolo',
  'region',
  'detection',
  'gaussian_yolo',
  'iseg',
  'scale_channels',
  'sam',
  'contrastive',
  'empty',
  'silence',
]);

/**
 * Decodes a Darknet network definition: one node per layer section (op = section name), edges from the implicit
 * previous-layer input and from `layers=` / `from=` references, output shapes computed from [net] and each
 * layer's options. Weights (conv, connected, batchnorm) are listed as initializers with their shapes; when a
 * `<name>.weights` file sits beside the .cfg their byte ranges in it are recorded too.
 */
async function decodeDarknet(source: ByteSource, options: DecodeOptions = {}): Promise<GraphIR> {
  const file = source.name;
  if (source.size > MAX_CFG_BYTES)
    throw new DecodeError(`too large for a Darknet .cfg (${source.size} bytes)`, file, 'file');
  const bytes = await source.read(0, source.size);
  options.onProgress?.(bytes.length, source.size);
  const sections = parseCfg(bytes, file);
  if (!sections.length) throw new DecodeError('not a Darknet .cfg: no [net] section', file, '[net]');
  const net = sections[0];
  if (net.type !== 'net' && net.type !== 'network') {
    throw new DecodeError(
      `not a Darknet .cfg: the first section is [${net.type}] (line ${net.line}), expected [net]`,
      file,
      '[net]',
    );
  }
  const weightsFile = await findWeights(source);
  return new DarknetBuilder(file, net, sections.slice(1), weightsFile).build();
}

interface WeightsFile {
  name: string;
  size: number;
  /** Bytes before the first weight. */
  header: number;
}

/** `<stem>.weights` beside `<stem>.cfg`, with its header size read from its version numbers. */
async function findWeights(source: ByteSource): Promise<WeightsFile | null> {
  if (!source.sibling) return null;
  const base = source.name.replace(/^.*[\\/]/, '');
  const stem = base.replace(/\.cfg$/i, '');
  if (stem === base) return null;
  const name = `${stem}.weights`;
  let s: ByteSource | null = null;
  try {
    s = await source.sibling(name);
    if (!s || s.size < 16) return null;
    const head = await s.read(0, 8);
    if (head.length < 8) return null;
    const dv = new DataView(head.buffer, head.byteOffset, 8);
    const major = dv.getInt32(0, true);
    const minor = dv.getInt32(4, true);
    // major, minor, revision (int32 each), then `seen`: 64 bits from format 0.2 on, 32 before.
    const wide = major * 10 + minor >= 2 && major < 1000 && minor < 1000;
    return { name, size: s.size, header: 12 + (wide ? 8 : 4) };
  } catch {
    return null;
  } finally {
    await s?.close?.().catch(() => undefined);
  }
}

class DarknetBuilder {
  private readonly b = new GraphBuilder('darknet');
  private readonly out: (Shape | null)[] = [];
  private readonly outValue: number[] = [];
  private readonly consumed: boolean[] = [];
  /** Next byte in the .weights file, or -1 once a layer's weights cannot be placed (unsupported layer type). */
  private weightPos = -1;

  constructor(
    private readonly file: string,
    private readonly net: CfgSection,
    private readonly layers: CfgSection[],
    private readonly weights: WeightsFile | null,
  ) {}

  build(): GraphIR {
    const { b, net } = this;
    b.beginGraph('network', GraphKind.Main);
    const w = this.int(net, 'width', 0);
    const h = this.int(net, 'height', 0);
    const c = this.int(net, 'channels', 0);
    const inputs = this.int(net, 'inputs', 0);
    const input = b.value(0, 'data');
    let inShape: Shape | null;
    if (w > 0 && h > 0 && c > 0) inShape = { c, h, w, flat: false };
    else if (inputs > 0) inShape = { c: inputs, h: 1, w: 1, flat: true };
    else inShape = null;
    this.setShape(input, inShape);
    b.addGraphInput(0, input);
    b.metadata.input = inShape ? (inShape.flat ? `${inShape.c}` : `${inShape.w}×${inShape.h}×${inShape.c}`) : 'unknown';
    for (const key of ['batch', 'subdivisions', 'max_batches', 'learning_rate', 'policy']) {
      const v = net.options.get(key);
      if (v !== undefined) b.metadata[key] = v;
    }
    if (this.weights) {
      b.metadata.weights = this.weights.name;
      this.weightPos = this.weights.header;
    }

    for (let i = 0; i < this.layers.length; i++) this.layer(i, input, inShape);
    // Outputs: layers nothing later reads (detection heads, the final classifier).
    for (let i = 0; i < this.layers.length; i++) if (!this.consumed[i]) b.addGraphOutput(0, this.outValue[i]);
    if (this.weights && this.weightPos >= 0) b.metadata.weightsBytesUsed = String(this.weightPos);
    return b.finish();
  }

  private layer(i: number, netInput: number, netShape: Shape | null): void {
    const { b } = this;
    const sec = this.layers[i];
    const type = ALIASES[sec.type] ?? sec.type;
    const prev = (): { v: number; s: Shape | null; index: number } =>
      i === 0 ? { v: netInput, s: netShape, index: -1 } : { v: this.outValue[i - 1], s: this.out[i - 1], index: i - 1 };
    const ref = (key: string): number[] => this.refs(i, sec, key);
    const ins: { v: number; s: Shape | null; index: number }[] = [];
    let shape: Shape | null = null;
    let weights: Weight[] = [];
    const name = `${sec.type}_${i}`;

    switch (type) {
      case 'route': {
        const refs = ref('layers');
        if (!refs.length) this.fail(sec, 'layers', 'lists no layers');
        for (const r of refs) ins.push({ v: this.outValue[r], s: this.out[r], index: r });
        const first = ins[0].s;
        if (ins.every((x) => x.s && !x.s.flat) && first) {
          let sum = 0;
          for (const x of ins) sum += x.s!.c;
          const groups = Math.max(1, this.int(sec, 'groups', 1));
          shape = { c: Math.floor(sum / groups), h: first.h, w: first.w, flat: false };
        } else if (ins.every((x) => x.s)) {
          let sum = 0;
          for (const x of ins) sum += x.s!.c * x.s!.h * x.s!.w;
          shape = { c: sum, h: 1, w: 1, flat: true };
        }
        break;
      }
      case 'shortcut':
      case 'scale_channels':
      case 'sam': {
        const p = prev();
        ins.push(p);
        for (const r of ref('from')) ins.push({ v: this.outValue[r], s: this.out[r], index: r });
        shape = type === 'shortcut' ? p.s : (ins[1]?.s ?? p.s);
        break;
      }
      default: {
        const p = prev();
        ins.push(p);
        const r = this.shapeOf(type, sec, p.s);
        shape = r.shape;
        weights = r.weights;
      }
    }

    const outValue = b.value(0, name);
    this.setShape(outValue, shape);
    const inputIds = ins.map((x) => x.v);
    for (const x of ins) if (x.index >= 0) this.consumed[x.index] = true;
    for (const wt of weights) {
      const v = b.value(0, `${name}.${wt.name}`);
      b.setValueType(v, FLOAT32, wt.dims);
      b.addFlags(v, ValueFlag.Initializer);
      this.placeWeight(v, wt.dims);
      inputIds.push(v);
    }
    if (
      !weights.length &&
      type !== 'route' &&
      type !== 'shortcut' &&
      this.weightPos >= 0 &&
      HAS_UNSUPPORTED_WEIGHTS.has(type)
    ) {
      // Recurrent layers store weights we do not lay out: offsets after them would be wrong, so stop here.
      this.weightPos = -1;
    }
    b.countLayer(sec.type);
    b.addNode(0, name, sec.type, inputIds, [outValue], sec.start, sec.end - sec.start);
    this.out[i] = shape;
    this.outValue[i] = outValue;
    this.consumed[i] = false;
  }

  /** Output shape and weights of a layer that reads the previous layer's output. */
  private shapeOf(type: string, sec: CfgSection, s: Shape | null): { shape: Shape | null; weights: Weight[] } {
    const none = { shape: null, weights: [] as Weight[] };
    const bn = this.int(sec, 'batch_normalize', 0) !== 0;
    const bnWeights = (n: number): Weight[] =>
      bn
        ? [
            { name: 'scales', dims: [n] },
            { name: 'rolling_mean', dims: [n] },
            { name: 'rolling_variance', dims: [n] },
          ]
        : [];
    switch (type) {
      case 'convolutional': {
        const n = this.int(sec, 'filters', 1);
        const size = this.int(sec, 'size', 1);
        const stride = this.int(sec, 'stride', 1);
        const sx = this.int(sec, 'stride_x', stride);
        const sy = this.int(sec, 'stride_y', stride);
        const dilation = Math.max(1, this.int(sec, 'dilation', 1));
        const groups = Math.max(1, this.int(sec, 'groups', 1));
        const pad = this.int(sec, 'pad', 0) ? Math.floor(size / 2) : this.int(sec, 'padding', 0);
        const k = dilation * (size - 1) + 1;
        const inC = s ? s.c : -1;
        const weights: Weight[] = [
          { name: 'biases', dims: [n] },
          ...bnWeights(n),
          { name: 'weights', dims: [n, inC >= 0 ? Math.floor(inC / groups) : -1, size, size] },
        ];
        if (!s) return { shape: null, weights };
        return {
          shape: {
            c: n,
            h: Math.floor((s.h + 2 * pad - k) / sy) + 1,
            w: Math.floor((s.w + 2 * pad - k) / sx) + 1,
            flat: false,
          },
          weights,
        };
      }
      case 'deconvolutional': {
        const n = this.int(sec, 'filters', 1);
        const size = this.int(sec, 'size', 1);
        const stride = this.int(sec, 'stride', 1);
        const pad = this.int(sec, 'pad', 0) ? Math.floor(size / 2) : this.int(sec, 'padding', 0);
        const weights: Weight[] = [
          { name: 'biases', dims: [n] },
          ...bnWeights(n),
          { name: 'weights', dims: [s ? s.c : -1, n, size, size] },
        ];
        if (!s) return { shape: null, weights };
        return {
          shape: { c: n, h: (s.h - 1) * stride + size - 2 * pad, w: (s.w - 1) * stride + size - 2 * pad, flat: false },
          weights,
        };
      }
      case 'connected': {
        const n = this.int(sec, 'output', 1);
        const inputs = s ? s.c * s.h * s.w : -1;
        // Stored as biases, weights, then the batch-norm vectors.
        return {
          shape: { c: n, h: 1, w: 1, flat: true },
          weights: [{ name: 'biases', dims: [n] }, { name: 'weights', dims: [n, inputs] }, ...bnWeights(n)],
        };
      }
      case 'local': {
        const n = this.int(sec, 'filters', 1);
        const size = this.int(sec, 'size', 1);
        const stride = Math.max(1, this.int(sec, 'stride', 1));
        const pad = this.int(sec, 'pad', 0) !== 0;
        if (!s) return none;
        const oh = Math.floor((pad ? s.h - 1 : s.h - size) / stride) + 1;
        const ow = Math.floor((pad ? s.w - 1 : s.w - size) / stride) + 1;
        return {
          shape: { c: n, h: oh, w: ow, flat: false },
          weights: [
            { name: 'biases', dims: [oh * ow * n] },
            { name: 'weights', dims: [oh * ow, n, s.c, size, size] },
          ],
        };
      }
      case 'batchnorm':
        return { shape: s, weights: s ? bnWeightsAlways(s.c) : [] };
      case 'maxpool': {
        const stride = this.int(sec, 'stride', 1);
        const sx = this.int(sec, 'stride_x', stride);
        const sy = this.int(sec, 'stride_y', stride);
        const size = this.int(sec, 'size', stride);
        const padding = this.int(sec, 'padding', size - 1);
        if (!s) return none;
        if (this.int(sec, 'global', 0)) return { shape: { c: s.c, h: 1, w: 1, flat: false }, weights: [] };
        return {
          shape: {
            c: s.c,
            h: Math.floor((s.h + padding - size) / sy) + 1,
            w: Math.floor((s.w + padding - size) / sx) + 1,
            flat: false,
          },
          weights: [],
        };
      }
      case 'avgpool':
        return { shape: s ? { c: s.c, h: 1, w: 1, flat: false } : null, weights: [] };
      case 'upsample': {
        const stride = this.int(sec, 'stride', 2);
        if (!s || stride === 0) return none;
        if (stride < 0)
          return {
            shape: { c: s.c, h: Math.floor(s.h / -stride), w: Math.floor(s.w / -stride), flat: false },
            weights: [],
          };
        return { shape: { c: s.c, h: s.h * stride, w: s.w * stride, flat: false }, weights: [] };
      }
      case 'reorg': {
        const stride = Math.max(1, this.int(sec, 'stride', 1));
        if (!s) return none;
        if (this.int(sec, 'reverse', 0))
          return {
            shape: { c: Math.floor(s.c / (stride * stride)), h: s.h * stride, w: s.w * stride, flat: false },
            weights: [],
          };
        return {
          shape: { c: s.c * stride * stride, h: Math.floor(s.h / stride), w: Math.floor(s.w / stride), flat: false },
          weights: [],
        };
      }
      case 'crop': {
        if (!s) return none;
        return {
          shape: { c: s.c, h: this.int(sec, 'crop_height', 1), w: this.int(sec, 'crop_width', 1), flat: false },
          weights: [],
        };
      }
      case 'rnn':
      case 'gru':
      case 'lstm':
        return { shape: { c: this.int(sec, 'output', 1), h: 1, w: 1, flat: true }, weights: [] };
      case 'crnn':
        return { shape: s ? { c: this.int(sec, 'output', 1), h: s.h, w: s.w, flat: false } : null, weights: [] };
      default:
        return SAME_SHAPE.has(type) ? { shape: s, weights: [] } : none;
    }
  }

  /** Layer indices named by a `layers=` / `from=` list: negative ones count back from this layer. */
  private refs(i: number, sec: CfgSection, key: string): number[] {
    const raw = sec.options.get(key);
    if (raw === undefined || raw === '') return [];
    return raw
      .split(',')
      .filter((t) => t !== '')
      .map((t) => {
        if (!/^[-+]?\d+$/.test(t)) this.fail(sec, key, `has "${t}", which is not a layer index`);
        const n = Number(t);
        const r = n < 0 ? i + n : n;
        if (!(r >= 0 && r < i))
          this.fail(sec, key, `refers to layer ${r} (${t}), but only layers 0..${i - 1} come before layer ${i}`);
        return r;
      });
  }

  private int(sec: CfgSection, key: string, def: number): number {
    const raw = sec.options.get(key);
    if (raw === undefined) return def;
    // darknet reads numbers with atoi: a leading number, 0 when there is none.
    const m = /^[-+]?\d+/.exec(raw);
    const n = m ? Number(m[0]) : 0;
    return Number.isSafeInteger(n) ? n : def;
  }

  private fail(sec: CfgSection, key: string, what: string): never {
    throw new DecodeError(`[${sec.type}] at line ${sec.line}: ${key}= ${what}`, this.file, `${key} (line ${sec.line})`);
  }

  private setShape(v: number, s: Shape | null): void {
    if (!s) {
      this.b.setValueType(v, FLOAT32, null);
      return;
    }
    const dims = s.flat ? [-1, s.c] : [-1, s.c, s.h, s.w];
    for (let k = 1; k < dims.length; k++) if (!(Number.isSafeInteger(dims[k]) && dims[k] >= 0)) dims[k] = -1;
    this.b.setValueType(v, FLOAT32, dims, s.flat ? ['batch', null] : ['batch', null, null, null]);
  }

  private placeWeight(v: number, dims: number[]): void {
    if (this.weightPos < 0 || !this.weights) return;
    let n = 1;
    for (const d of dims) n = d >= 0 ? n * d : NaN;
    const len = n * 4;
    if (!Number.isFinite(len) || this.weightPos + len > this.weights.size) {
      this.weightPos = -1;
      return;
    }
    this.b.setValueData(v, this.weightPos, len, 0, this.weights.name);
    this.weightPos += len;
  }
}

function bnWeightsAlways(n: number): Weight[] {
  return [
    { name: 'scales', dims: [n] },
    { name: 'rolling_mean', dims: [n] },
    { name: 'rolling_variance', dims: [n] },
  ];
}

/** Layer types that have weights in a .weights file which this decoder does not lay out. */
const HAS_UNSUPPORTED_WEIGHTS = new Set(['rnn', 'gru', 'lstm', 'crnn', 'conv_lstm', 'history']);

export async function openDarknet(source: ByteSource, options: DecodeOptions = {}): Promise<OpenModel> {
  const ir = await decodeDarknet(source, options);
  return openModel(ir, source, (node) => darknetNodeDetails(source, ir, node));
}
