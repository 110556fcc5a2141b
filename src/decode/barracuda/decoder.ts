import { GraphBuilder } from '../../graph/builder.ts';
import { GraphKind, ValueFlag, type GraphIR } from '../../graph/ir.ts';
import type { ByteSource } from '../io/byte-source.ts';
import { DecodeError } from '../errors.ts';
import { openModel, type DecodeOptions, type OpenModel } from '../decoder.ts';
import { BinaryCursor } from './reader.ts';
import { barracudaNodeDetails } from './details.ts';
import {
  ACTIVATION,
  LOAD,
  activationOp,
  readLayer,
  shapeOf,
  typeName,
  type BarracudaLayer,
  type DataSet,
} from './schema.ts';
import { SUPPORTED } from './sniff.ts';

/**
 * Unity Barracuda `.nn` (format versions 16–19, as Barracuda's ModelWriter writes them): an int64 version; inputs
 * (name, shape); output names; memories; then per layer its name, type, fused activation, pad/stride/pool, axis,
 * alpha/beta, input names and datasets (name, shape, offset in floats, item size, length); then every dataset's
 * floats in one block (aligned to 16 bytes from version 19); then importer info. Each layer is a node, except
 * `Load` layers, which are the constants they hold; dataset bytes are located, not read. A standalone
 * `Activation` layer is shown as the function it applies (`Swish`, `Exp`, `Identity` for `None`), which is what
 * a reader of the graph wants to see and what shape inference and FLOP counts know; its details name the layer
 * type and the function, and layerOps counts it as `Activation`, as Barracuda does.
 */

const FLOAT32 = 1;
/** Version 19 aligns the weight block to this many bytes. */
const WEIGHTS_ALIGNMENT = 16;

async function readVersion(r: BinaryCursor): Promise<number> {
  const raw = await r.i64();
  const version = raw % 0xff;
  if (!SUPPORTED.has(version)) r.fail(`Barracuda format version ${version} is not supported (16 to 19 are)`);
  return version;
}

async function decodeBarracuda(source: ByteSource, options: DecodeOptions = {}): Promise<GraphIR> {
  let section = 'header';
  const r = new BinaryCursor(source, () => section);
  const version = await readVersion(r);
  const b = new GraphBuilder('barracuda');
  b.beginGraph('barracuda', GraphKind.Main);
  b.metadata.version = String(version);

  section = 'inputs';
  const inputCount = await r.count(8, 'input');
  for (let i = 0; i < inputCount; i++) {
    const name = await r.string('input name');
    const shape = shapeOf(await r.i32Array('input shape'));
    const v = b.value(0, name);
    b.setValueType(
      v,
      FLOAT32,
      shape.map((d) => (d < 0 ? -1 : d)),
    );
    b.addGraphInput(0, v);
  }
  section = 'outputs';
  const outputs = await r.stringArray('outputs');
  section = 'memories';
  const memoryCount = await r.count(12, 'memory');
  for (let i = 0; i < memoryCount; i++) {
    const shape = shapeOf(await r.i32Array('memory shape'));
    const input = await r.string('memory input');
    const output = await r.string('memory output');
    // A memory is a recurrent state: read as an input, written back from an output.
    const v = b.value(0, input);
    b.setValueType(v, FLOAT32, shape);
    b.addGraphInput(0, v);
    outputs.push(output);
  }

  section = 'layers';
  const layerCount = await r.count(40, 'layer');
  const layers: BarracudaLayer[] = [];
  for (let i = 0; i < layerCount; i++) {
    section = `layer ${i}`;
    layers.push(await readLayer(r));
    if ((i & 255) === 255) {
      options.checkCancelled?.();
      options.onProgress?.(r.pos, source.size);
    }
  }

  // The weight block follows the layers; every dataset is located in it, and it must fit in the file.
  let weightsStart = r.pos;
  if (version >= 19) weightsStart += WEIGHTS_ALIGNMENT - (weightsStart % WEIGHTS_ALIGNMENT);
  let floats = 0;
  for (const l of layers) for (const d of l.datasets) floats += d.length;
  const weightsEnd = weightsStart + floats * 4;
  const located =
    weightsEnd <= source.size &&
    layers.every((l) => l.datasets.every((d) => d.itemSize === 4 && d.offset + d.length <= floats));
  if (!located) b.metadata.weights = `the weight block (${floats} floats) does not fit in the file: shapes only`;

  const constant = (d: DataSet, name = d.name): number => {
    const v = b.value(0, name);
    b.addFlags(v, ValueFlag.Initializer);
    b.setValueType(v, FLOAT32, d.shape);
    if (located) b.setValueData(v, weightsStart + d.offset * 4, d.length * 4);
    return v;
  };
  for (const l of layers) {
    b.countLayer(typeName(l.type));
    if (l.type === LOAD) {
      if (l.datasets.length === 1) constant(l.datasets[0], l.name);
      else for (const d of l.datasets) constant(d);
      continue;
    }
    const ins = l.inputs.map((name) => b.value(0, name));
    for (const d of l.datasets) ins.push(constant(d));
    const op = l.type === ACTIVATION ? activationOp(l.activation) : typeName(l.type);
    b.addNode(0, l.name, op, ins, [b.value(0, l.name)], l.start, l.end - l.start);
  }
  for (const name of outputs) b.addGraphOutput(0, b.value(0, name));

  section = 'importer info';
  if (weightsEnd + 4 <= source.size) {
    try {
      r.pos = weightsEnd;
      const irSource = await r.string('source');
      const irVersion = await r.string('version');
      const producer = await r.string('producer');
      if (irSource) b.metadata.source = irSource;
      if (irVersion) b.metadata.ir_version = irVersion;
      if (producer) b.metadata.producer = producer;
    } catch (err) {
      // Older writers end at the weights; the importer info is optional.
      if (!(err instanceof DecodeError)) throw err;
    }
  }
  options.onProgress?.(source.size, source.size);
  return b.finish();
}

export async function openBarracuda(source: ByteSource, options: DecodeOptions = {}): Promise<OpenModel> {
  const ir = await decodeBarracuda(source, options);
  return openModel(ir, source, (node) => barracudaNodeDetails(source, ir, node));
}
