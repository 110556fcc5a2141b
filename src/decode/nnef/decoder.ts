import { GraphBuilder } from '../../graph/builder.ts';
import { GraphKind, ValueFlag, type GraphIR } from '../../graph/ir.ts';
import { openModel, type DecodeOptions, type OpenModel } from '../decoder.ts';
import { DecodeError } from '../errors.ts';
import type { ByteSource } from '../io/byte-source.ts';
import { nnefNodeDetails } from './details.ts';
import { NnefParser, tokenize, type Invocation } from './parser.ts';

/**
 * NNEF `graph.nnef` (flat syntax): `version`, `extension`, `fragment` declarations (skipped), then
 * `graph name( inputs ) -> ( outputs ) { out = op<type>(args); … }`. One node per invocation except `external`
 * (graph inputs) and `variable` (constants: bytes in `<label>.dat` beside the graph, after a 128-byte header, read
 * from that header when the file can be reached).
 */

const MAX_TEXT = 256 << 20;
const DAT_HEADER = 128;
const latin1 = new TextDecoder('latin1');

async function datHeader(source: ByteSource, label: string): Promise<{ length: number; dtype: number } | null> {
  if (!source.sibling) return null;
  const s = await source.sibling(`${label}.dat`).catch(() => null);
  if (!s) return null;
  try {
    const h = await s.read(0, DAT_HEADER);
    if (h.length < DAT_HEADER || h[0] !== 0x4e || h[1] !== 0xef) return null;
    const dv = new DataView(h.buffer, h.byteOffset, h.byteLength);
    const length = dv.getUint32(4, true);
    const bits = dv.getUint32(44, true);
    const code = dv.getUint32(48, true);
    if (DAT_HEADER + length > s.size) return null;
    // Item type 0 is IEEE float; other codes (integers, quantized) are left untyped.
    const dtype = code === 0 ? (bits === 32 ? 1 : bits === 16 ? 10 : bits === 64 ? 11 : 0) : 0;
    return { length, dtype };
  } finally {
    await s.close?.().catch(() => undefined);
  }
}

async function decodeNnef(source: ByteSource, options: DecodeOptions = {}): Promise<GraphIR> {
  const file = source.name;
  if (source.size === 0) throw new DecodeError('empty file', file, 'file');
  if (source.size > MAX_TEXT) throw new DecodeError(`too large for an NNEF graph (${source.size} bytes)`, file, 'file');
  const text = latin1.decode(await source.read(0, source.size));
  options.onProgress?.(source.size, source.size);
  const fail = (m: string, at: number): never => {
    const line = text.slice(0, at).split('\n').length;
    throw new DecodeError(`line ${line}: ${m}`, file, `line ${line}`);
  };
  const p = new NnefParser(tokenize(text, fail), text, file);
  const g = p.parse();
  const b = new GraphBuilder('nnef');
  b.beginGraph(g.name, GraphKind.Main);
  if (g.version) b.metadata.nnef_version = g.version;
  const defined = new Set<string>();
  const shapeArg = (inv: Invocation) =>
    inv.args.find((a) => a.key === 'shape' || (!a.key && a === inv.args[0]))?.numbers ?? null;
  let datFiles = 0;
  for (const inv of g.body) {
    for (const a of inv.args)
      for (const id of a.ids) if (!defined.has(id)) p.fail(`"${id}" is used before it is defined`, inv.start);
    b.countLayer(inv.op);
    if (inv.op === 'external' && inv.outputs.length === 1) {
      const v = b.value(0, inv.outputs[0]);
      b.setValueType(v, 1, shapeArg(inv));
      b.addGraphInput(0, v);
    } else if (inv.op === 'variable' && inv.outputs.length === 1) {
      const v = b.value(0, inv.outputs[0]);
      b.setValueType(v, 1, shapeArg(inv));
      b.addFlags(v, ValueFlag.Initializer);
      const label = inv.args.find((a) => a.key === 'label')?.str;
      if (label && !label.includes('..')) {
        const dat = await datHeader(source, label);
        if (dat) {
          datFiles++;
          b.setValueType(v, dat.dtype, shapeArg(inv));
          b.setValueData(v, DAT_HEADER, dat.length, 0, `${label}.dat`);
        }
      }
      options.checkCancelled?.();
    } else {
      const ins = inv.args.flatMap((a) => a.ids.map((id) => b.value(0, id)));
      const outs = inv.outputs.map((o) => b.value(0, o));
      b.addNode(0, inv.outputs[0] ?? inv.op, inv.op, ins, outs, inv.start, inv.end - inv.start);
    }
    for (const o of inv.outputs) {
      if (defined.has(o)) p.fail(`"${o}" is assigned twice`, inv.start);
      defined.add(o);
    }
  }
  for (const o of g.outputs) {
    if (!defined.has(o)) p.fail(`graph output "${o}" is never assigned`);
    b.addGraphOutput(0, b.value(0, o));
  }
  b.metadata.weights = `${datFiles} .dat files found beside the graph`;
  return b.finish();
}

export async function openNnef(source: ByteSource, options: DecodeOptions = {}): Promise<OpenModel> {
  const ir = await decodeNnef(source, options);
  return openModel(ir, source, (node) => nnefNodeDetails(source, ir, node));
}
