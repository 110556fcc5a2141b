import { concat, pb } from './protobuf-writer.ts';

/**
 * Writes PaddlePaddle ProgramDesc messages (field numbers from Paddle's framework.proto) for tests and fixtures.
 * Repeated scalars are written unpacked, as Paddle's proto2 schema does.
 */
const FP32 = 5;
const INT64 = 3;
const LOD_TENSOR = 7;
const FEED_MINIBATCH = 9;
const FETCH_LIST = 10;
const ATTR = { INT: 0, FLOAT: 1, STRING: 2, INTS: 3, BOOLEAN: 6, BLOCK: 8 } as const;

export interface PdVarSpec {
  name: string;
  dims?: number[];
  dtype?: number;
  persistable?: boolean;
  kind?: number;
}
export type PdAttrSpec =
  | { name: string; i: number }
  | { name: string; f: number }
  | { name: string; s: string }
  | { name: string; ints: number[] }
  | { name: string; b: boolean }
  | { name: string; block: number };
export interface PdOpSpec {
  type: string;
  inputs: Record<string, string[]>;
  outputs: Record<string, string[]>;
  attrs?: PdAttrSpec[];
}

const int64 = (v: number) => BigInt.asUintN(64, BigInt(v));

export function varDesc(v: PdVarSpec): Uint8Array {
  const kind = v.kind ?? LOD_TENSOR;
  const tensor = v.dims
    ? pb.msg(3, pb.msg(1, pb.varint(1, v.dtype ?? FP32), ...v.dims.map((d) => pb.varint(2, int64(d)))))
    : new Uint8Array(0);
  return concat(pb.string(1, v.name), pb.msg(2, pb.varint(1, kind), tensor), pb.varint(3, v.persistable ? 1 : 0));
}

export function attrDesc(a: PdAttrSpec): Uint8Array {
  const name = pb.string(1, a.name);
  if ('i' in a) return concat(name, pb.varint(2, ATTR.INT), pb.varint(3, int64(a.i)));
  if ('f' in a) return concat(name, pb.varint(2, ATTR.FLOAT), pb.float(4, a.f));
  if ('s' in a) return concat(name, pb.varint(2, ATTR.STRING), pb.string(5, a.s));
  if ('ints' in a) return concat(name, pb.varint(2, ATTR.INTS), ...a.ints.map((v) => pb.varint(6, int64(v))));
  if ('b' in a) return concat(name, pb.varint(2, ATTR.BOOLEAN), pb.varint(10, a.b ? 1 : 0));
  return concat(name, pb.varint(2, ATTR.BLOCK), pb.varint(12, a.block));
}

export function opDesc(o: PdOpSpec): Uint8Array {
  const slot = (field: number, m: Record<string, string[]>) =>
    Object.entries(m).map(([k, args]) => pb.msg(field, pb.string(1, k), ...args.map((a) => pb.string(2, a))));
  return concat(
    ...slot(1, o.inputs),
    ...slot(2, o.outputs),
    pb.string(3, o.type),
    ...(o.attrs ?? []).map((a) => pb.msg(4, attrDesc(a))),
  );
}

export function blockDesc(idx: number, parent: number, vars: PdVarSpec[], ops: PdOpSpec[]): Uint8Array {
  return concat(
    pb.varint(1, idx),
    pb.varint(2, int64(parent)),
    ...vars.map((v) => pb.msg(3, varDesc(v))),
    ...ops.map((o) => pb.msg(4, opDesc(o))),
  );
}

export function programDesc(blocks: Uint8Array[], version = 2005000): Uint8Array {
  return concat(...blocks.map((b) => pb.bytes(1, b)), pb.msg(4, pb.varint(1, version)));
}

/**
 * A small inference program as paddle.jit.save writes one: feed → conv2d → batch_norm → relu → pool2d →
 * conditional_block (sub-block 1: scale on an outer var) → flatten → matmul_v2 + elementwise_add → softmax → fetch.
 */
export function tinyPaddleProgram(): Uint8Array {
  const main = blockDesc(
    0,
    -1,
    [
      { name: 'feed', kind: FEED_MINIBATCH, persistable: true },
      { name: 'fetch', kind: FETCH_LIST, persistable: true },
      { name: 'image', dims: [-1, 3, 32, 32] },
      { name: 'conv_w', dims: [8, 3, 3, 3], persistable: true },
      { name: 'conv_out', dims: [-1, 8, 32, 32] },
      { name: 'bn_scale', dims: [8], persistable: true },
      { name: 'bn_bias', dims: [8], persistable: true },
      { name: 'bn_mean', dims: [8], persistable: true },
      { name: 'bn_var', dims: [8], persistable: true },
      { name: 'bn_out', dims: [-1, 8, 32, 32] },
      { name: 'relu_out', dims: [-1, 8, 32, 32] },
      { name: 'pool_out', dims: [-1, 8, 16, 16] },
      { name: 'cond', dims: [1], dtype: 0 },
      { name: 'cond_out', dims: [-1, 8, 16, 16] },
      { name: 'flat', dims: [-1, 2048] },
      { name: 'fc_w', dims: [2048, 10], persistable: true },
      { name: 'fc_b', dims: [10], persistable: true },
      { name: 'mm_out', dims: [-1, 10] },
      { name: 'logits', dims: [-1, 10] },
      { name: 'prob', dims: [-1, 10] },
      { name: 'steps', dims: [1], dtype: INT64, persistable: true },
    ],
    [
      { type: 'feed', inputs: { X: ['feed'] }, outputs: { Out: ['image'] }, attrs: [{ name: 'col', i: 0 }] },
      {
        type: 'conv2d',
        inputs: { Input: ['image'], Filter: ['conv_w'] },
        outputs: { Output: ['conv_out'] },
        attrs: [
          { name: 'strides', ints: [1, 1] },
          { name: 'paddings', ints: [1, 1] },
          { name: 'groups', i: 1 },
          { name: 'data_format', s: 'NCHW' },
        ],
      },
      {
        type: 'batch_norm',
        inputs: { X: ['conv_out'], Scale: ['bn_scale'], Bias: ['bn_bias'], Mean: ['bn_mean'], Variance: ['bn_var'] },
        outputs: { Y: ['bn_out'] },
        attrs: [
          { name: 'epsilon', f: 0.5 },
          { name: 'is_test', b: true },
        ],
      },
      { type: 'relu', inputs: { X: ['bn_out'] }, outputs: { Out: ['relu_out'] } },
      {
        type: 'pool2d',
        inputs: { X: ['relu_out'] },
        outputs: { Out: ['pool_out'] },
        attrs: [
          { name: 'pooling_type', s: 'max' },
          { name: 'ksize', ints: [2, 2] },
        ],
      },
      { type: 'greater_than', inputs: { X: ['steps'], Y: ['steps'] }, outputs: { Out: ['cond'] } },
      {
        type: 'conditional_block',
        inputs: { Cond: ['cond'], Input: ['pool_out'] },
        outputs: { Out: ['cond_out'] },
        attrs: [
          { name: 'sub_block', block: 1 },
          { name: 'is_scalar_condition', b: true },
        ],
      },
      {
        type: 'flatten_contiguous_range',
        inputs: { X: ['cond_out'] },
        outputs: { Out: ['flat'] },
        attrs: [
          { name: 'start_axis', i: 1 },
          { name: 'stop_axis', i: -1 },
        ],
      },
      { type: 'matmul_v2', inputs: { X: ['flat'], Y: ['fc_w'] }, outputs: { Out: ['mm_out'] } },
      {
        type: 'elementwise_add',
        inputs: { X: ['mm_out'], Y: ['fc_b'] },
        outputs: { Out: ['logits'] },
        attrs: [{ name: 'axis', i: -1 }],
      },
      { type: 'softmax', inputs: { X: ['logits'] }, outputs: { Out: ['prob'] }, attrs: [{ name: 'axis', i: -1 }] },
      { type: 'fetch', inputs: { X: ['prob'] }, outputs: { Out: ['fetch'] }, attrs: [{ name: 'col', i: 0 }] },
    ],
  );
  const sub = blockDesc(
    1,
    0,
    [{ name: 'scaled', dims: [-1, 8, 16, 16] }],
    [
      {
        type: 'scale',
        inputs: { X: ['pool_out'] },
        outputs: { Out: ['scaled'] },
        attrs: [
          { name: 'scale', f: 2 },
          { name: 'bias', f: 0 },
        ],
      },
      { type: 'assign', inputs: { X: ['scaled'] }, outputs: { Out: ['cond_out'] } },
    ],
  );
  return programDesc([main, sub]);
}
