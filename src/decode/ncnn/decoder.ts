import { GraphBuilder } from '../../graph/builder.ts';
import { GraphKind, ValueFlag, type GraphIR } from '../../graph/ir.ts';
import type { ByteSource } from '../io/byte-source.ts';
import { BlobWiring, layerBlobCounts } from '../blob-wiring.ts';
import { DecodeError } from '../errors.ts';
import { layerWeights, locateWeights, type NcnnWeightLocation } from './weights.ts';
import { openModel, type DecodeOptions, type OpenModel } from '../decoder.ts';
import { ncnnNodeDetails } from './details.ts';
import { ncnnBinName } from './companion.ts';

/**
 * ncnn text `.param`: magic 7767517, `layer_count blob_count`, then one line per layer:
 * `Type name input_count output_count inputs… outputs… key=value…` (array params as `-233xx=n,a,b,…`).
 * Every layer is a node (Input layers too; their blobs are the graph inputs); blobs nothing reads are outputs.
 * Weights are sized from each layer's params and located in the sibling `.bin` without reading them (weights.ts).
 */

const MAGIC = '7767517';
const MAX_PARAM = 64 << 20;
const latin1 = new TextDecoder('latin1');

interface NcnnLayer {
  type: string;
  name: string;
  inputs: string[];
  outputs: string[];
  params: [string, string][];
  line: number;
  start: number;
  end: number;
}

function parseParam(text: string, file: string): { layerCount: number; blobCount: number; layers: NcnnLayer[] } {
  const fail = (line: number, message: string): never => {
    throw new DecodeError(`line ${line}: ${message}`, file, `line ${line}`);
  };
  let pos = 0;
  let lineNo = 0;
  const lines: { text: string; line: number; start: number; end: number }[] = [];
  while (pos < text.length) {
    let end = text.indexOf('\n', pos);
    if (end < 0) end = text.length;
    lineNo++;
    const t = text.slice(pos, end).replace(/\r$/, '');
    if (t.trim()) lines.push({ text: t.trim(), line: lineNo, start: pos, end });
    pos = end + 1;
  }
  if (!lines.length || lines[0].text !== MAGIC)
    fail(lines[0]?.line ?? 1, `not an ncnn .param: the first line must be ${MAGIC}`);
  const counts = (lines[1]?.text ?? '').split(/\s+/).map(Number);
  if (counts.length !== 2 || !counts.every((n) => Number.isSafeInteger(n) && n >= 0))
    fail(lines[1]?.line ?? 2, 'expected "layer_count blob_count"');
  const [layerCount, blobCount] = counts;
  const layers: NcnnLayer[] = [];
  for (const l of lines.slice(2)) {
    const tok = l.text.split(/\s+/);
    const { nIn, nOut } = layerBlobCounts(tok, (message) => fail(l.line, message));
    const params: [string, string][] = [];
    for (const kv of tok.slice(4 + nIn + nOut)) {
      const eq = kv.indexOf('=');
      if (eq <= 0) fail(l.line, `parameter "${kv}" is not key=value`);
      params.push([kv.slice(0, eq), kv.slice(eq + 1)]);
    }
    layers.push({
      type: tok[0],
      name: tok[1],
      inputs: tok.slice(4, 4 + nIn),
      outputs: tok.slice(4 + nIn, 4 + nIn + nOut),
      params,
      line: l.line,
      start: l.start,
      end: l.end,
    });
  }
  if (layers.length !== layerCount) {
    throw new DecodeError(
      `the header says ${layerCount} layers, the file has ${layers.length} (truncated?)`,
      file,
      'layer_count',
    );
  }
  return { layerCount, blobCount, layers };
}

async function decodeNcnn(source: ByteSource, options: DecodeOptions = {}): Promise<GraphIR> {
  const file = source.name;
  if (source.size === 0) throw new DecodeError('empty file', file, 'file');
  if (source.size > MAX_PARAM)
    throw new DecodeError(`too large for an ncnn .param (${source.size} bytes)`, file, 'file');
  // The .bin is opened while the params are read and parsed (over HTTP, one round trip fewer on the way).
  const binName = ncnnBinName(file);
  const binOpening = source.sibling ? source.sibling(binName).catch(() => null) : Promise.resolve(null);
  let parsed: ReturnType<typeof parseParam>;
  try {
    const text = latin1.decode(await source.read(0, source.size));
    options.onProgress?.(source.size, source.size);
    parsed = parseParam(text, file);
  } catch (err) {
    void binOpening.then((bin) => bin?.close?.());
    throw err;
  }
  const { blobCount, layers } = parsed;
  const b = new GraphBuilder('ncnn');
  b.beginGraph('ncnn', GraphKind.Main);
  b.metadata.layers = String(layers.length);
  b.metadata.blobs = String(blobCount);
  const wiring = new BlobWiring(b, file);
  const specs = layers.map((l) => layerWeights(l.type, new Map(l.params)));
  const bin = await binOpening;
  let located: NcnnWeightLocation[][] | null = null;
  try {
    located = bin ? await locateWeights(bin, specs) : null;
  } finally {
    await bin?.close?.();
  }
  b.metadata.weights = !bin
    ? `${binName} not opened: weights are counted from the params, not located`
    : located
      ? `located in ${binName}`
      : `${binName} does not match the params layer by layer: weights are counted, not located`;
  layers.forEach((l, li) => {
    const weights = (specs[li] ?? []).map((spec, wi) => {
      const v = b.value(0, `${l.name}/${spec.name}`);
      const loc: NcnnWeightLocation | undefined = located?.[li]?.[wi];
      b.addFlags(v, ValueFlag.Initializer);
      b.setValueType(v, loc?.dtype ?? 1, spec.shape);
      if (loc) b.setValueData(v, loc.offset, loc.length, 0, binName);
      return v;
    });
    const ins = [...wiring.inputs(l.inputs), ...weights];
    const outs = wiring.outputs(l.outputs, l.name, l.line);
    if (l.type === 'Input') {
      // 0=w 1=h 2=c (0 or absent = unknown) → shape [c, h, w].
      const p = new Map(l.params);
      const dim = (k: string) => {
        const n = Number(p.get(k) ?? 0);
        return Number.isSafeInteger(n) && n > 0 ? n : -1;
      };
      const [w, h, c] = [dim('0'), dim('1'), dim('2')];
      const shape = c > 0 ? [c, h, w] : h > 0 ? [h, w] : w > 0 ? [w] : null;
      for (const v of outs) {
        b.setValueType(v, 1, shape);
        b.addGraphInput(0, v);
      }
    }
    b.countLayer(l.type);
    b.addNode(0, l.name, l.type, ins, outs, l.start, l.end - l.start);
  });
  wiring.addUnconsumedOutputs();
  return b.finish();
}

export async function openNcnn(source: ByteSource, options: DecodeOptions = {}): Promise<OpenModel> {
  const ir = await decodeNcnn(source, options);
  return openModel(ir, source, (node) => ncnnNodeDetails(source, ir, node));
}
