import { DecodeError } from '../errors.ts';
import { TextFormatParser, field, fields, stringOf, parseNumber, type TextMessage } from '../text/text-format.ts';
import { OUTPUT_TYPE_ATTRS, newNode, newTensor, type TfFunction, type TfModel, type TfNode } from './model.ts';
import { TF_DTYPE_BY_NAME } from './schema.ts';

const TYPE_ATTRS = new Set<string>(OUTPUT_TYPE_ATTRS);

/** Reads a GraphDef or SavedModel in protobuf text format (`.pbtxt`, `saved_model.pbtxt`). */
export function parseTfText(bytes: Uint8Array, file: string): TfModel {
  const msg = new TextFormatParser(bytes, file).parse();
  const model: TfModel = { nodes: [], functions: [], metadata: {} };
  let graph: TextMessage | undefined = msg;
  const metaGraphs = fields(msg, 'meta_graphs').filter((f) => f.message);
  if (metaGraphs.length) {
    model.metadata.container = 'saved_model_text';
    model.metadata.meta_graphs = String(metaGraphs.length);
    const meta = metaGraphs[0].message!;
    const info = field(meta, 'meta_info_def')?.message;
    if (info) {
      const tags = fields(info, 'tags').map((f) => f.text);
      if (tags.length) model.metadata.tags = tags.join(', ');
      const v = stringOf(info, 'tensorflow_version');
      if (v) model.metadata.tensorflow_version = v;
    }
    graph = field(meta, 'graph_def')?.message ?? undefined;
    if (!graph)
      throw new DecodeError('SavedModel has no graph_def in its first meta graph', file, 'MetaGraphDef.graph_def');
  } else {
    model.metadata.container = 'graphdef_text';
  }
  for (const f of fields(graph, 'node')) if (f.message) model.nodes.push(nodeOf(f.message, f.start, f.end, file));
  const versions = field(graph, 'versions')?.message;
  const producer = versions && stringOf(versions, 'producer');
  if (producer) model.metadata.producer = producer;
  const library = field(graph, 'library')?.message;
  if (library) {
    for (const f of fields(library, 'function')) {
      if (!f.message) continue;
      const sig = field(f.message, 'signature')?.message;
      const args = (name: string) =>
        (sig ? fields(sig, name) : [])
          .filter((a) => a.message)
          .map((a) => ({
            name: stringOf(a.message!, 'name') ?? '',
            dtype: dtypeOf(field(a.message!, 'type')?.text ?? ''),
          }));
      const fn: TfFunction = {
        name: (sig && stringOf(sig, 'name')) ?? '',
        inputs: args('input_arg'),
        outputs: args('output_arg'),
        ret: new Map(),
        nodes: [],
      };
      for (const n of fields(f.message, 'node_def'))
        if (n.message) fn.nodes.push(nodeOf(n.message, n.start, n.end, file));
      for (const r of fields(f.message, 'ret'))
        if (r.message) fn.ret.set(stringOf(r.message, 'key') ?? '', stringOf(r.message, 'value') ?? '');
      model.functions.push(fn);
    }
  }
  if (!model.nodes.length && !model.functions.length) {
    throw new DecodeError('not a TensorFlow graph: no "node" found', file, 'GraphDef.node');
  }
  return model;
}

function nodeOf(m: TextMessage, start: number, end: number, file: string): TfNode {
  const node = newNode(start);
  node.end = end;
  node.name = stringOf(m, 'name') ?? '';
  node.op = stringOf(m, 'op') ?? '';
  node.device = stringOf(m, 'device') ?? '';
  node.inputs = fields(m, 'input')
    .filter((f) => f.kind === 'string')
    .map((f) => f.text);
  for (const a of fields(m, 'attr')) {
    if (!a.message) continue;
    const key = stringOf(a.message, 'key') ?? '';
    const value = field(a.message, 'value')?.message;
    if (!value) continue;
    if (TYPE_ATTRS.has(key)) {
      const t = field(value, 'type');
      if (t) node.types.set(key, dtypeOf(t.text));
    } else if (key === 'shape') {
      const s = field(value, 'shape')?.message;
      if (s) node.shape = shapeOf(s, file);
    } else if (key === '_output_shapes') {
      const list = field(value, 'list')?.message;
      if (list) node.outputShapes = fields(list, 'shape').map((s) => (s.message ? shapeOf(s.message, file) : null));
    } else if (key === 'value') {
      const t = field(value, 'tensor')?.message;
      if (t) {
        const tensor = newTensor();
        tensor.dtype = dtypeOf(field(t, 'dtype')?.text ?? '');
        const s = field(t, 'tensor_shape')?.message;
        tensor.dims = s ? shapeOf(s, file) : [];
        node.tensor = tensor;
      }
    }
  }
  return node;
}

function shapeOf(m: TextMessage, file: string): number[] | null {
  const unknown = field(m, 'unknown_rank');
  if (unknown && unknown.text === 'true') return null;
  return fields(m, 'dim').map((d) => {
    const size = d.message ? field(d.message, 'size') : undefined;
    const n = size ? parseNumber(size.text) : -1;
    if (!Number.isSafeInteger(n))
      throw new DecodeError(`dimension size "${size?.text}" is not an integer`, file, 'TensorShapeProto.dim.size');
    return n >= 0 ? n : -1;
  });
}

/** `DT_FLOAT` or a number. */
function dtypeOf(text: string): number {
  const known = TF_DTYPE_BY_NAME.get(text);
  if (known !== undefined) return known;
  const n = Number(text);
  return Number.isSafeInteger(n) && n >= 0 ? n : 0;
}
