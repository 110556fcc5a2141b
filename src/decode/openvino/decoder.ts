import { GraphBuilder } from '../../graph/builder.ts';
import { GraphKind, ValueFlag, type GraphIR } from '../../graph/ir.ts';
import type { ByteSource } from '../io/byte-source.ts';
import { DecodeError } from '../errors.ts';
import { openModel, type DecodeOptions, type OpenModel } from '../decoder.ts';
import { XmlEvent, XmlTokenizer } from './xml.ts';
import { openvinoNodeDetails } from './details.ts';
import { openvinoBinName } from './companion.ts';

/**
 * OpenVINO IR (`model.xml` + `model.bin`, IR v10/v11): one node per layer; Parameter layers are graph inputs,
 * Result layers graph outputs, Const layers constants whose bytes are recorded as (offset, size) in the sibling
 * .bin. Edges come from `<edges>`; shapes and element types from the ports. TensorIterator / Loop / If bodies are
 * sub-graphs of their layer.
 */

const MAX_XML = 512 << 20;
const MAX_DEPTH = 256;
const latin1 = new TextDecoder('latin1');

interface Port {
  id: string;
  dims: number[];
  precision: string;
  names: string;
}

interface Layer {
  id: string;
  name: string;
  type: string;
  version: string;
  data: Record<string, string>;
  inputs: Port[];
  outputs: Port[];
  start: number;
  end: number;
  bodies: Graph[];
}

interface Edge {
  fromLayer: string;
  fromPort: string;
  toLayer: string;
  toPort: string;
}

interface Graph {
  name: string;
  layers: Layer[];
  edges: Edge[];
}

const ELEMENT_TYPES: Readonly<Record<string, number>> = {
  f32: 1,
  fp32: 1,
  u8: 2,
  i8: 3,
  u16: 4,
  i16: 5,
  i32: 6,
  i64: 7,
  string: 8,
  boolean: 9,
  bool: 9,
  f16: 10,
  fp16: 10,
  f64: 11,
  fp64: 11,
  u32: 12,
  u64: 13,
  bf16: 16,
  f8e4m3: 17,
  f8e5m2: 19,
  u4: 21,
  i4: 22,
};

function elementType(s: string | undefined): number {
  return s ? (ELEMENT_TYPES[s.toLowerCase()] ?? 0) : 0;
}

function parseXml(text: string, file: string): { net: Record<string, string>; graph: Graph } {
  const fail = (message: string, at: number): never => {
    let line = 1;
    for (let i = 0; i < at && i < text.length; i++) if (text.charCodeAt(i) === 10) line++;
    throw new DecodeError(`line ${line}: ${message}`, file, `line ${line}`);
  };
  const t = new XmlTokenizer(text, fail);
  const stack: string[] = [];
  const graphs: Graph[] = [];
  const layers: Layer[] = [];
  let net: Record<string, string> | null = null;
  let root: Graph | null = null;
  let ports: Port[] | null = null;
  let port: Port | null = null;
  let dimText: string | null = null;
  for (;;) {
    const ev = t.next();
    if (ev === XmlEvent.End) break;
    if (ev === XmlEvent.Text) {
      if (dimText !== null) dimText += t.text;
      continue;
    }
    if (ev === XmlEvent.Close) {
      const open = stack.pop();
      if (open !== t.name) fail(`</${t.name}> closes <${open ?? 'nothing'}>`, t.start);
      const parent = stack[stack.length - 1];
      if (t.name === 'dim' && port && dimText !== null) {
        const s = dimText.trim();
        const n = Number(s);
        port.dims.push(Number.isSafeInteger(n) && n >= 0 ? n : -1);
        dimText = null;
      } else if (t.name === 'port') port = null;
      else if ((t.name === 'input' || t.name === 'output') && parent === 'layer') ports = null;
      else if (t.name === 'layer' && parent === 'layers') {
        const l = layers.pop();
        if (l) l.end = t.pos;
      } else if ((t.name === 'body' || t.name === 'then_body' || t.name === 'else_body') && parent === 'layer')
        graphs.pop();
      continue;
    }
    // Open tag.
    const parent = stack[stack.length - 1];
    const a = t.attrs;
    const layer = layers[layers.length - 1];
    const graph = graphs[graphs.length - 1];
    switch (t.name) {
      case 'net':
        if (!net && stack.length === 0) {
          net = a;
          root = { name: a.name ?? 'net', layers: [], edges: [] };
          graphs.push(root);
        }
        break;
      case 'layer':
        if (parent === 'layers' && graph) {
          const l: Layer = {
            id: a.id ?? '',
            name: a.name ?? '',
            type: a.type ?? '',
            version: a.version ?? '',
            data: {},
            inputs: [],
            outputs: [],
            start: t.start,
            end: t.pos,
            bodies: [],
          };
          graph.layers.push(l);
          if (!t.selfClosing) layers.push(l);
        }
        break;
      case 'data':
        if (parent === 'layer' && layer) layer.data = a;
        break;
      case 'input':
      case 'output':
        if (parent === 'layer' && layer) ports = t.name === 'input' ? layer.inputs : layer.outputs;
        break;
      case 'port':
        if ((parent === 'input' || parent === 'output') && ports) {
          const p: Port = {
            id: a.id ?? '',
            dims: [],
            precision: a.precision ?? a.element_type ?? '',
            names: a.names ?? '',
          };
          ports.push(p);
          if (!t.selfClosing) port = p;
        }
        break;
      case 'dim':
        if (parent === 'port' && port && !t.selfClosing) dimText = '';
        break;
      case 'body':
      case 'then_body':
      case 'else_body':
        if (parent === 'layer' && layer && !t.selfClosing) {
          const g: Graph = { name: `${layer.name}/${t.name}`, layers: [], edges: [] };
          layer.bodies.push(g);
          graphs.push(g);
        }
        break;
      case 'edge':
        if (parent === 'edges' && graph)
          graph.edges.push({
            fromLayer: a['from-layer'] ?? '',
            fromPort: a['from-port'] ?? '',
            toLayer: a['to-layer'] ?? '',
            toPort: a['to-port'] ?? '',
          });
        break;
      default:
    }
    if (!t.selfClosing) {
      if (stack.length >= MAX_DEPTH) fail(`elements nested more than ${MAX_DEPTH} deep`, t.start);
      stack.push(t.name);
    }
  }
  if (!net || !root) throw new DecodeError('not an OpenVINO IR: no <net> element', file, '<net>');
  if (stack.length) fail(`missing </${stack[stack.length - 1]}> (the file ends inside it)`, text.length);
  return { net, graph: root };
}

class OvBuilder {
  readonly b = new GraphBuilder('openvino');
  private readonly used: Set<string>[] = [];

  constructor(
    private readonly file: string,
    private readonly binName: string,
    private readonly binSize: number,
  ) {}

  graph(g: Graph, gid: number): void {
    const { b } = this;
    this.used[gid] = new Set();
    const byId = new Map<string, Layer>();
    for (const l of g.layers) {
      if (byId.has(l.id)) throw new DecodeError(`two layers have id ${l.id}`, this.file, `layer id=${l.id}`);
      byId.set(l.id, l);
    }
    // Output values of every layer port.
    const out = new Map<string, number>();
    for (const l of g.layers) {
      for (const p of l.outputs) {
        const v = this.newValue(
          gid,
          p.names.split(',')[0]?.trim() || (l.outputs.length > 1 ? `${l.name}:${p.id}` : l.name),
        );
        b.setValueType(v, elementType(p.precision), p.dims);
        out.set(`${l.id}:${p.id}`, v);
      }
    }
    const source = new Map<string, number>();
    for (const e of g.edges) {
      const v = out.get(`${e.fromLayer}:${e.fromPort}`);
      if (v === undefined) {
        throw new DecodeError(
          `edge from layer ${e.fromLayer} port ${e.fromPort}: no such output port`,
          this.file,
          `edge from-layer=${e.fromLayer}`,
        );
      }
      if (!byId.has(e.toLayer))
        throw new DecodeError(`edge to layer ${e.toLayer}: no such layer`, this.file, `edge to-layer=${e.toLayer}`);
      source.set(`${e.toLayer}:${e.toPort}`, v);
    }
    for (const l of g.layers) {
      // layerOps counts the top-level <layer>s, as OpenVINO's own tools list them (bodies belong to their layer).
      if (gid === 0) b.countLayer(l.type || 'Layer');
      const outs = l.outputs.map((p) => out.get(`${l.id}:${p.id}`)!);
      const ins = l.inputs.map((p) => source.get(`${l.id}:${p.id}`) ?? -1);
      if (l.type === 'Parameter') {
        for (const v of outs) {
          if (!b.hasShape(v) && l.data.shape !== undefined)
            b.setValueType(v, elementType(l.data.element_type), shapeAttr(l.data.shape));
          b.addGraphInput(gid, v);
        }
        continue;
      }
      if (l.type === 'Result') {
        for (const v of ins) if (v >= 0) b.addGraphOutput(gid, v);
        continue;
      }
      if (l.type === 'Const' && outs.length === 1) {
        const v = outs[0];
        b.addFlags(v, ValueFlag.Initializer);
        if (l.data.shape !== undefined) b.setValueType(v, elementType(l.data.element_type), shapeAttr(l.data.shape));
        const offset = Number(l.data.offset);
        const size = Number(l.data.size);
        if (Number.isSafeInteger(offset) && Number.isSafeInteger(size) && offset >= 0 && size >= 0) {
          if (this.binSize >= 0 && offset + size > this.binSize) {
            throw new DecodeError(
              `Const "${l.name}" reads bytes ${offset}..${offset + size} of ${this.binName}, which has ${this.binSize}`,
              this.file,
              `layer id=${l.id} data.offset`,
            );
          }
          b.setValueData(v, offset, size, 0, this.binName);
        }
        continue;
      }
      const node = b.addNode(gid, l.name, l.type || 'Layer', ins, outs, l.start, l.end - l.start);
      for (const body of l.bodies) {
        const sub = b.beginGraph(body.name, GraphKind.Subgraph, gid);
        b.setGraphParent(sub, node);
        this.graph(body, sub);
      }
    }
  }

  private newValue(g: number, base: string): number {
    let name = base || 'value';
    for (let k = 1; this.used[g].has(name); k++) name = `${base}#${k}`;
    this.used[g].add(name);
    return this.b.value(g, name);
  }
}

/** `1,3,224,224` (or `?`, `-1`, `1..10` for dynamic dimensions) → dims, -1 where unknown; `` is a scalar. */
function shapeAttr(s: string): number[] {
  if (!s.trim()) return [];
  return s.split(',').map((d) => {
    const n = Number(d.trim());
    return Number.isSafeInteger(n) && n >= 0 ? n : -1;
  });
}

async function decodeOpenvino(source: ByteSource, options: DecodeOptions = {}): Promise<GraphIR> {
  const file = source.name;
  if (source.size === 0) throw new DecodeError('empty file', file, 'file');
  if (source.size > MAX_XML)
    throw new DecodeError(`too large for an OpenVINO .xml (${source.size} bytes)`, file, 'file');
  // Only the .bin's size is needed: it is asked for while the .xml is read and parsed (over HTTP, a round trip).
  const binName = openvinoBinName(file);
  const binSizing = siblingSize(source, binName);
  const text = latin1.decode(await source.read(0, source.size));
  options.onProgress?.(source.size, source.size);
  const { net, graph } = parseXml(text, file);
  const binSize = await binSizing;
  const ob = new OvBuilder(file, binName, binSize);
  const { b } = ob;
  b.metadata.ir_version = net.version ?? '';
  if (net.name) b.metadata.name = net.name;
  b.metadata.weights = binSize >= 0 ? `${binName} (${binSize} bytes)` : `${binName} (not found beside the .xml)`;
  b.beginGraph(net.name || 'net', GraphKind.Main);
  ob.graph(graph, 0);
  b.metadata.layers = String(graph.layers.length);
  return b.finish();
}

export async function openOpenvino(source: ByteSource, options: DecodeOptions = {}): Promise<OpenModel> {
  const ir = await decodeOpenvino(source, options);
  return openModel(ir, source, (node) => openvinoNodeDetails(source, ir, node));
}

/** The size of the file `name` beside `source`, or -1 when there is none; never throws. */
async function siblingSize(source: ByteSource, name: string): Promise<number> {
  const bin = source.sibling ? await source.sibling(name).catch(() => null) : null;
  if (!bin) return -1;
  await bin.close?.().catch(() => undefined);
  return bin.size;
}
