import { GraphBuilder } from '../../graph/builder.ts';
import { GraphKind, ValueFlag, type GraphIR } from '../../graph/ir.ts';
import type { ByteSource } from '../io/byte-source.ts';
import { BlobWiring, layerBlobCounts } from '../blob-wiring.ts';
import { DecodeError } from '../errors.ts';
import { openModel, type DecodeOptions, type OpenModel } from '../decoder.ts';
import { tnnNodeDetails } from './details.ts';
import { readTnnWeights, type TnnBuffer, type TnnWeights } from './model-file.ts';

/**
 * Tencent TNN text `.tnnproto`: every line is one double-quoted record ending in ` ,`:
 *   1. header: `"v blob_count n magic ,"` (numbers, kept as metadata);
 *   2. inputs: `"name d0 d1 … : name2 … ,"` (newer writers put the dim count first and a data type last);
 *   3. optionally every blob name on one line, then the output names;
 *   4. the layer count `" N ,"`;
 *   5. one layer per line: `"Type name n_in n_out inputs… outputs… params… ,"`.
 * Layer params are positional numbers whose meaning depends on the layer type; they are shown by position.
 * The weights are in the `.tnnmodel` beside it: each layer's buffers are located there (model-file.ts) and become
 * its constant inputs. layerOps counts the layer lines.
 */

const MAX_PROTO = 64 << 20;
const latin1 = new TextDecoder('latin1');

interface Line {
  tokens: string[];
  line: number;
  start: number;
  end: number;
}

interface TnnLayer extends Line {
  type: string;
  name: string;
  inputs: string[];
  outputs: string[];
}

/** Splits the file into records: the text between the quotes of a line, without the trailing comma. */
function records(text: string, file: string): Line[] {
  const out: Line[] = [];
  let pos = 0;
  let lineNo = 0;
  while (pos < text.length) {
    let end = text.indexOf('\n', pos);
    if (end < 0) end = text.length;
    lineNo++;
    const raw = text.slice(pos, end).trim();
    if (raw) {
      if (raw.length < 2 || raw[0] !== '"' || raw[raw.length - 1] !== '"') {
        throw new DecodeError(
          `line ${lineNo}: a .tnnproto line must be one quoted record, found "${raw.slice(0, 60)}"`,
          file,
          `line ${lineNo}`,
        );
      }
      const body = raw.slice(1, -1).trim().replace(/\s*,$/, '');
      out.push({ tokens: body ? body.split(/\s+/) : [], line: lineNo, start: pos, end });
    }
    pos = end + 1;
  }
  return out;
}

function isCountLine(l: Line): boolean {
  return l.tokens.length === 1 && /^\d+$/.test(l.tokens[0]);
}

interface TnnInput {
  name: string;
  dims: number[];
}

function parseInputs(l: Line, file: string): TnnInput[] {
  const entries: string[][] = [[]];
  for (const t of l.tokens) {
    if (t === ':') entries.push([]);
    else entries[entries.length - 1].push(t);
  }
  return entries
    .filter((e) => e.length)
    .map((e) => {
      const nums = e.slice(1).map(Number);
      if (!nums.every((n) => Number.isSafeInteger(n))) {
        throw new DecodeError(`line ${l.line}: input "${e[0]}" has a non-integer dimension`, file, `line ${l.line}`);
      }
      // `name count d0 … d(count-1) dtype` (newer) or `name d0 d1 …` (older).
      const count = nums[0];
      const dims = nums.length === count + 2 && count >= 0 ? nums.slice(1, 1 + count) : nums;
      return { name: e[0], dims: dims.map((d) => (d > 0 ? d : -1)) };
    });
}

function parseProto(text: string, file: string) {
  const lines = records(text, file);
  const header = lines[0];
  if (!header || !header.tokens.length || !header.tokens.every((t) => /^-?\d+$/.test(t))) {
    throw new DecodeError('not a .tnnproto: the first line must be a quoted list of numbers', file, 'line 1');
  }
  const inputLine = lines[1];
  if (!inputLine) throw new DecodeError('truncated: no input line', file, 'line 2');
  const inputs = parseInputs(inputLine, file);
  let i = 2;
  const between: Line[] = [];
  while (i < lines.length && !isCountLine(lines[i]) && between.length < 2) between.push(lines[i++]);
  const countLine = lines[i];
  if (!countLine || !isCountLine(countLine)) {
    throw new DecodeError(
      'expected the layer count line after the output names',
      file,
      `line ${countLine?.line ?? (lines[lines.length - 1]?.line ?? 0) + 1}`,
    );
  }
  const outputs = between.length ? between[between.length - 1].tokens : [];
  const blobCount = between.length === 2 ? between[0].tokens.length : -1;
  const layerCount = Number(countLine.tokens[0]);
  const layers: TnnLayer[] = [];
  for (const l of lines.slice(i + 1)) {
    const tok = l.tokens;
    const fail = (message: string): never => {
      throw new DecodeError(`line ${l.line}: ${message}`, file, `line ${l.line}`);
    };
    const { nIn, nOut } = layerBlobCounts(tok, fail);
    layers.push({
      ...l,
      type: tok[0],
      name: tok[1],
      inputs: tok.slice(4, 4 + nIn),
      outputs: tok.slice(4 + nIn, 4 + nIn + nOut),
    });
  }
  if (layers.length !== layerCount) {
    throw new DecodeError(
      `the layer count line says ${layerCount} layers, the file has ${layers.length} (truncated?)`,
      file,
      `line ${countLine.line}`,
    );
  }
  return { header: header.tokens, inputs, outputs, blobCount, layers };
}

const weightFileName = (proto: string) => `${proto.replace(/^.*[\\/]/, '').replace(/\.tnnproto$/i, '')}.tnnmodel`;

/** The .tnnmodel beside the .tnnproto, its buffers located per layer; null when it cannot be reached or read. */
async function findWeights(
  source: ByteSource,
  layers: TnnLayer[],
  options: DecodeOptions,
): Promise<(TnnWeights & { file: string }) | null> {
  const file = weightFileName(source.name);
  const model = source.sibling ? await source.sibling(file).catch(() => null) : null;
  if (!model) return null;
  try {
    const types = new Map(layers.map((l) => [l.name, l.type]));
    const blobs = new Set(layers.flatMap((l) => [...l.inputs, ...l.outputs]));
    const weights = await readTnnWeights(model, new Set(types.keys()), types, blobs, options.checkCancelled);
    return weights && { ...weights, file };
  } finally {
    await model.close?.().catch(() => undefined);
  }
}

async function decodeTnn(source: ByteSource, options: DecodeOptions = {}): Promise<GraphIR> {
  const file = source.name;
  if (source.size === 0) throw new DecodeError('empty file', file, 'file');
  if (source.size > MAX_PROTO) throw new DecodeError(`too large for a .tnnproto (${source.size} bytes)`, file, 'file');
  const text = latin1.decode(await source.read(0, source.size));
  options.onProgress?.(source.size, source.size);
  const p = parseProto(text, file);
  const b = new GraphBuilder('tnn');
  b.beginGraph('tnn', GraphKind.Main);
  b.metadata.header = p.header.join(' ');
  b.metadata.layers = String(p.layers.length);
  if (p.blobCount >= 0) b.metadata.blobs = String(p.blobCount);
  const weights = await findWeights(source, p.layers, options);
  b.metadata.weights = weights
    ? `${weights.resources} layer resources located in ${weights.file}`
    : `${weightFileName(source.name)} not found beside the .tnnproto`;
  const constant = (buffer: TnnBuffer): number => {
    const v = b.value(0, buffer.name);
    b.setValueType(v, buffer.dtype, buffer.dims);
    b.addFlags(v, ValueFlag.Initializer);
    b.setValueData(v, buffer.offset, buffer.length, 0, weights!.file);
    return v;
  };
  const wiring = new BlobWiring(b, file);
  for (const inp of p.inputs) {
    const v = b.value(0, inp.name);
    if (!b.hasShape(v)) {
      b.setValueType(v, 1, inp.dims);
      b.addGraphInput(0, v);
    }
    wiring.provide(v);
  }
  // A constant-map blob no layer produces is a constant input of the graph's layers.
  const layerOutputs = new Set(p.layers.flatMap((l) => l.outputs));
  for (const buffer of weights?.constants ?? []) if (!layerOutputs.has(buffer.name)) wiring.provide(constant(buffer));
  for (const l of p.layers) {
    options.checkCancelled?.();
    b.countLayer(l.type);
    const ins = wiring.inputs(l.inputs);
    for (const buffer of weights?.layers.get(l.name) ?? []) ins.push(constant(buffer));
    const outs = wiring.outputs(l.outputs, l.name, l.line);
    b.addNode(0, l.name, l.type, ins, outs, l.start, l.end - l.start);
  }
  const outNames = p.outputs.length ? p.outputs : null;
  if (outNames) {
    const seen = new Set<number>();
    for (const n of outNames) {
      const v = b.value(0, n);
      if (!seen.has(v)) b.addGraphOutput(0, v);
      seen.add(v);
    }
  } else {
    wiring.addUnconsumedOutputs();
  }
  return b.finish();
}

export async function openTnn(source: ByteSource, options: DecodeOptions = {}): Promise<OpenModel> {
  const ir = await decodeTnn(source, options);
  return openModel(ir, source, (node) => tnnNodeDetails(source, ir, node));
}
