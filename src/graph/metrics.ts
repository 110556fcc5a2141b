import { DTYPE_BITS, ValueFlag, str, valueElementCount, type GraphIR } from './ir.ts';
import type { AttributeLookup } from './shapes/attributes.ts';
import { inferredElementCount, inferredShape, type InferredShapes } from './shapes/infer.ts';
import { product } from './shapes/tensor-math.ts';
import { topologicalOrder } from './topological-order.ts';
import { REDUCE_AXIS_OPS } from './shapes/op-families.ts';

/**
 * Per-node cost columns (parameters, MACs, FLOPs, activation bytes); `metric-sums.ts` adds them up per hierarchy
 * group and per op type.
 * Pure: give it the IR and inferred shapes (`inferShapes`); everything is a Float64Array indexed like the nodes.
 *
 * Conventions (stated so numbers can be checked by hand):
 * - MACs count multiply-accumulates of the contraction ops (Conv, ConvTranspose, MatMul, Gemm, RNNs and the TFLite
 *   CONV_2D, DEPTHWISE_CONV_2D, FULLY_CONNECTED, BATCH_MATMUL, TRANSPOSE_CONV, CONV_3D). Their FLOPs are 2 × MACs, plus
 *   one per output element when a bias is added.
 *   Conv: MACs = output elements × (C/group × kH × kW), read off the weight shape [M, C/group, kH, kW], so no
 *   attribute is needed. ConvTranspose: input elements × (M/group × kH × kW) from W [C, M/group, kH, kW].
 *   MatMul: output elements × K (A's last dim). Gemm: output elements × K, K = elements(A) / M.
 * - Elementwise ops: FLOPs per output element from `ELEMENTWISE_FLOPS` (1 for arithmetic and activations, also
 *   transcendental ones; Softmax 3; LayerNormalization 8; BatchNormalization 2). Reductions and global pooling: one
 *   per input element. Windowed pooling: output elements × window size when attributes are given, else one per
 *   input element. Resize: one per output element. Data movement (Reshape, Transpose, Gather, Concat, ...): 0.
 * - Parameters: every constant tensor (initializer, Constant-node output, sparse initializer) is counted once, on
 *   the first node that computes with it: a weight that only passes through Identity/Cast/DequantizeLinear/
 *   Transpose/... on its way (TFLite DEQUANTIZE of fp16 weights, tied embeddings) is counted at the consumer of that
 *   chain. So group sums add up to the model's total. Note: `strata inspect`'s `graph.parameters` counts
 *   initializers only; this total also counts Constant-node payloads (some exporters put all weights there).
 * - Activation bytes: bytes of every output a node computes (not Constant-node payloads); an unknown element
 *   type counts 4 bytes.
 * - Unknown shapes give 0 and set `unknownCost` for nodes that would have a cost, as do compute ops without a
 *   cost model here (Einsum, fused attention, DFT, ...): sums are lower bounds then.
 * - Sub-graph bodies count once (both If branches; a Loop body once, not per iteration).
 */

export interface MetricTotals {
  parameters: number;
  macs: number;
  flops: number;
  activationBytes: number;
  /** Nodes whose arithmetic could not be sized (a shape is unknown). */
  unknownCostNodes: number;
  /** Constants no node uses. */
  unusedParameters: number;
}

export interface NodeMetrics {
  parameters: Float64Array;
  macs: Float64Array;
  flops: Float64Array;
  activationBytes: Float64Array;
  unknownCost: Uint8Array;
  totals: MetricTotals;
}

/** FLOPs per output element of elementwise ops (ONNX and TFLite names). */
const ELEMENTWISE_FLOPS: Readonly<Record<string, number>> = {
  // ONNX binary / variadic
  Add: 1,
  Sub: 1,
  Mul: 1,
  Div: 1,
  Pow: 1,
  Mod: 1,
  Max: 1,
  Min: 1,
  Sum: 1,
  Mean: 1,
  PRelu: 1,
  Where: 1,
  Equal: 1,
  Less: 1,
  Greater: 1,
  LessOrEqual: 1,
  GreaterOrEqual: 1,
  And: 1,
  Or: 1,
  Xor: 1,
  Not: 1,
  BitShift: 1,
  // ONNX unary
  Relu: 1,
  LeakyRelu: 1,
  Sigmoid: 1,
  Tanh: 1,
  Erf: 1,
  Exp: 1,
  Log: 1,
  Sqrt: 1,
  Reciprocal: 1,
  Neg: 1,
  Abs: 1,
  Floor: 1,
  Ceil: 1,
  Round: 1,
  Sign: 1,
  Sin: 1,
  Cos: 1,
  Elu: 1,
  Selu: 1,
  Celu: 1,
  Softplus: 1,
  Softsign: 1,
  ThresholdedRelu: 1,
  Shrink: 1,
  Clip: 1,
  HardSigmoid: 3,
  HardSwish: 4,
  Gelu: 8,
  Mish: 4,
  IsNaN: 1,
  IsInf: 1,
  'com.microsoft.Gelu': 8,
  'com.microsoft.FastGelu': 8,
  'com.microsoft.BiasGelu': 9,
  'com.microsoft.QuickGelu': 3,
  // normalisation and softmax
  Softmax: 3,
  LogSoftmax: 3,
  LayerNormalization: 8,
  'com.microsoft.SkipLayerNormalization': 9,
  'com.microsoft.SimplifiedLayerNormalization': 5,
  SimplifiedLayerNormalization: 5,
  RMSNormalization: 5,
  BatchNormalization: 2,
  InstanceNormalization: 8,
  GroupNormalization: 8,
  MeanVarianceNormalization: 8,
  LpNormalization: 3,
  LRN: 4,
  CumSum: 1,
  QuantizeLinear: 2,
  DequantizeLinear: 2,
  DynamicQuantizeLinear: 3,
  // TFLite
  ADD: 1,
  SUB: 1,
  MUL: 1,
  DIV: 1,
  POW: 1,
  MAXIMUM: 1,
  MINIMUM: 1,
  SQUARED_DIFFERENCE: 2,
  FLOOR_DIV: 1,
  FLOOR_MOD: 1,
  RELU: 1,
  RELU6: 1,
  RELU_N1_TO_1: 1,
  RELU_0_TO_1: 1,
  LEAKY_RELU: 1,
  PRELU: 1,
  LOGISTIC: 1,
  TANH: 1,
  EXP: 1,
  LOG: 1,
  SQRT: 1,
  RSQRT: 1,
  SQUARE: 1,
  NEG: 1,
  ABS: 1,
  HARD_SWISH: 4,
  GELU: 8,
  ELU: 1,
  SIN: 1,
  COS: 1,
  FLOOR: 1,
  CEIL: 1,
  ROUND: 1,
  EQUAL: 1,
  NOT_EQUAL: 1,
  LESS: 1,
  GREATER: 1,
  LESS_EQUAL: 1,
  GREATER_EQUAL: 1,
  LOGICAL_AND: 1,
  LOGICAL_OR: 1,
  LOGICAL_NOT: 1,
  SELECT: 1,
  SELECT_V2: 1,
  SOFTMAX: 3,
  LOG_SOFTMAX: 3,
  L2_NORMALIZATION: 3,
  LOCAL_RESPONSE_NORMALIZATION: 4,
  QUANTIZE: 2,
  DEQUANTIZE: 0,
  ADD_N: 1,
  CUMSUM: 1,
};

/** One FLOP per input element. */
const REDUCE_OPS = new Set([
  ...REDUCE_AXIS_OPS,
  'ArgMax',
  'ArgMin',
  'TopK',
  'GlobalAveragePool',
  'GlobalMaxPool',
  'GlobalLpPool',
  'MEAN',
  'SUM',
  'REDUCE_MAX',
  'REDUCE_MIN',
  'REDUCE_PROD',
  'ARG_MAX',
  'ARG_MIN',
  'TOPK_V2',
]);
const WINDOW_POOL_OPS = new Set(['MaxPool', 'AveragePool', 'LpPool', 'MAX_POOL_2D', 'AVERAGE_POOL_2D', 'L2_POOL_2D']);
const RESIZE_OPS = new Set(['Resize', 'Upsample', 'RESIZE_BILINEAR', 'RESIZE_NEAREST_NEIGHBOR']);
/** Compute ops without a cost model here: flagged in `unknownCost` so totals read as lower bounds. */
const UNSIZED_OPS = new Set([
  'Einsum',
  'Attention',
  'com.microsoft.Attention',
  'com.microsoft.MultiHeadAttention',
  'com.microsoft.GroupQueryAttention',
  'com.microsoft.QAttention',
  'com.microsoft.DecoderMaskedMultiHeadAttention',
  'DFT',
  'STFT',
  'NonMaxSuppression',
  'RoiAlign',
  'GridSample',
  'Det',
  'UNIDIRECTIONAL_SEQUENCE_LSTM',
  'BIDIRECTIONAL_SEQUENCE_LSTM',
  'CUSTOM',
]);
/** Ops a weight may flow through before it is used; a constant is counted where such a chain ends. */
const WEIGHT_PASSTHROUGH = new Set([
  'Identity',
  'Cast',
  'CastLike',
  'DequantizeLinear',
  'QuantizeLinear',
  'Transpose',
  'Reshape',
  'Unsqueeze',
  'Squeeze',
  'Flatten',
  'DEQUANTIZE',
  'QUANTIZE',
  'TRANSPOSE',
  'RESHAPE',
  'CAST',
  'com.microsoft.DequantizeLinear',
]);

export interface MetricsOptions {
  /** Attributes, for windowed pooling (kernel_shape). Optional. */
  attributes?: AttributeLookup | null;
}

export function computeMetrics(ir: GraphIR, shapes: InferredShapes, options: MetricsOptions = {}): NodeMetrics {
  const count = ir.nodeCount;
  const parameters = new Float64Array(count);
  const macs = new Float64Array(count);
  const flops = new Float64Array(count);
  const activationBytes = new Float64Array(count);
  const unknownCost = new Uint8Array(count);
  const attrs = options.attributes ?? null;

  const elems = (v: number) => (v < 0 ? -1 : inferredElementCount(shapes, v));
  const dims = (v: number) => (v < 0 ? null : inferredShape(shapes, v));
  let i0 = 0;
  let inCount = 0;
  const input = (k: number) => (k < inCount ? ir.nodeInputs[i0 + k] : -1);
  const hasBias = (k: number) => input(k) >= 0;
  // Op names resolved once per distinct op, not per node.
  const opNames = new Map<number, string>();

  for (let n = 0; n < count; n++) {
    let op = opNames.get(ir.nodeOp[n]);
    if (op === undefined) {
      op = str(ir, ir.nodeOp[n]);
      opNames.set(ir.nodeOp[n], op);
    }
    i0 = ir.nodeInputOffsets[n];
    inCount = ir.nodeInputOffsets[n + 1] - i0;
    const out0 = ir.nodeOutputOffsets[n] < ir.nodeOutputOffsets[n + 1] ? ir.nodeOutputs[ir.nodeOutputOffsets[n]] : -1;

    // Activation memory.
    let bytes = 0;
    for (let k = ir.nodeOutputOffsets[n]; k < ir.nodeOutputOffsets[n + 1]; k++) {
      const v = ir.nodeOutputs[k];
      if (v < 0 || ir.valueFlags[v] & ValueFlag.ConstantNode) continue;
      const e = elems(v);
      if (e > 0) bytes += (e * (DTYPE_BITS[shapes.dtype[v]] || 32)) / 8;
    }
    activationBytes[n] = bytes;

    const outElems = elems(out0);
    let m = 0;
    let f = 0;
    let known = true;
    switch (op) {
      case 'Conv':
      case 'ConvInteger':
      case 'QLinearConv': {
        const w = dims(input(op === 'QLinearConv' ? 3 : 1));
        const per = w && w.length >= 2 ? product(w, 1) : -1;
        if (outElems < 0 || per < 0) known = false;
        else {
          m = outElems * per;
          f =
            2 * m + (op === 'Conv' && hasBias(2) ? outElems : 0) + (op === 'QLinearConv' && hasBias(8) ? outElems : 0);
        }
        break;
      }
      case 'ConvTranspose': {
        const w = dims(input(1));
        const inElems = elems(input(0));
        const per = w && w.length >= 2 ? product(w, 1) : -1;
        if (inElems < 0 || per < 0 || outElems < 0) known = false;
        else {
          m = inElems * per;
          f = 2 * m + (hasBias(2) ? outElems : 0);
        }
        break;
      }
      case 'MatMul':
      case 'MatMulInteger':
      case 'QLinearMatMul':
      case 'com.microsoft.FusedMatMul':
      case 'BATCH_MATMUL': {
        const a = dims(input(0));
        const k = a?.length ? a[a.length - 1] : -1;
        if (outElems < 0 || k < 0) known = false;
        else {
          m = outElems * k;
          f = 2 * m;
        }
        break;
      }
      case 'Gemm': {
        const out = dims(out0);
        const aElems = elems(input(0));
        if (out?.length !== 2 || outElems < 0 || aElems < 0 || out[0] <= 0) known = false;
        else {
          m = outElems * (aElems / out[0]);
          f = 2 * m + (hasBias(2) ? outElems : 0);
        }
        break;
      }
      case 'LSTM':
      case 'GRU':
      case 'RNN': {
        // X [seq, batch, I], W [dirs, gates·H, I], R [dirs, gates·H, H]: per step and direction gates·H·(I + H) MACs.
        const x = dims(input(0));
        const w = dims(input(1));
        const r = dims(input(2));
        if (
          !x ||
          !w ||
          !r ||
          x.length !== 3 ||
          w.length !== 3 ||
          r.length !== 3 ||
          [...x, ...w, ...r].some((d) => d < 0)
        )
          known = false;
        else {
          m = x[0] * x[1] * w[0] * w[1] * (w[2] + r[2]);
          f = 2 * m + x[0] * x[1] * w[0] * w[1] * 4;
        }
        break;
      }
      case 'CONV_2D':
      case 'CONV_3D':
      case 'FULLY_CONNECTED': {
        const w = dims(input(1));
        let per = w && w.length >= 2 ? product(w, 1) : -1;
        if (op === 'CONV_3D' && w && w.length === 5) per = w[0] * w[1] * w[2] * w[3]; // [kd, kh, kw, I, O]
        if (outElems < 0 || per < 0) known = false;
        else {
          m = outElems * per;
          f = 2 * m + (hasBias(2) ? outElems : 0);
        }
        break;
      }
      case 'DEPTHWISE_CONV_2D': {
        const w = dims(input(1)); // [1, kH, kW, C·multiplier]
        if (outElems < 0 || !w || w.length !== 4 || w[1] < 0 || w[2] < 0) known = false;
        else {
          m = outElems * w[1] * w[2];
          f = 2 * m + (hasBias(2) ? outElems : 0);
        }
        break;
      }
      case 'TRANSPOSE_CONV': {
        const w = dims(input(1)); // [O, kH, kW, I]; input(2) is the data
        const inElems = elems(input(2));
        if (inElems < 0 || !w || w.length !== 4 || w.some((d) => d < 0)) known = false;
        else {
          m = inElems * w[0] * w[1] * w[2];
          f = 2 * m + (hasBias(3) && outElems >= 0 ? outElems : 0);
        }
        break;
      }
      default:
        if (Object.hasOwn(ELEMENTWISE_FLOPS, op)) {
          const per = ELEMENTWISE_FLOPS[op];
          if (per === 0) break;
          if (outElems < 0) known = false;
          else
            f =
              per *
              outElems *
              (op === 'Sum' || op === 'Max' || op === 'Min' || op === 'Mean' || op === 'ADD_N'
                ? Math.max(1, inCount - 1)
                : 1);
        } else if (REDUCE_OPS.has(op)) {
          const e = elems(input(0));
          if (e < 0) known = false;
          else f = e;
        } else if (WINDOW_POOL_OPS.has(op)) {
          const k = attrs?.of(n) ? attrs.ints(n, 'kernel_shape') : null;
          if (k && outElems >= 0) f = outElems * k.reduce((a, b) => a * b, 1);
          else {
            const e = elems(input(0));
            if (e < 0) known = false;
            else f = e;
          }
        } else if (RESIZE_OPS.has(op)) {
          if (outElems < 0) known = false;
          else f = outElems;
        } else if (UNSIZED_OPS.has(op)) known = false;
    }
    macs[n] = m;
    flops[n] = f;
    if (!known) unknownCost[n] = 1;
  }

  const unusedParameters = attributeParameters(ir, parameters);
  const totals: MetricTotals = {
    parameters: sum(parameters),
    macs: sum(macs),
    flops: sum(flops),
    activationBytes: sum(activationBytes),
    unknownCostNodes: unknownCost.reduce((a, b) => a + b, 0),
    unusedParameters,
  };
  return { parameters, macs, flops, activationBytes, unknownCost, totals };
}

function sum(a: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i];
  return s;
}

/**
 * Adds each constant's element count to one node: the first consumer (in dataflow order) that computes with it,
 * following pass-through chains (Identity, DEQUANTIZE, ...). Returns the elements of constants no node uses.
 */
function attributeParameters(ir: GraphIR, parameters: Float64Array): number {
  const count = ir.nodeCount;
  const order = topologicalOrder(ir);
  const rank = new Uint32Array(count);
  for (let i = 0; i < count; i++) rank[order[i]] = i;

  const isConstant = (v: number) => (ir.valueFlags[v] & (ValueFlag.Initializer | ValueFlag.ConstantNode)) !== 0;
  // weightLike[v]: constant, or produced by a pass-through node whose inputs are all weight-like.
  const weightLike = new Uint8Array(ir.valueCount);
  const passthrough = new Uint8Array(count);
  const passOp = new Set<number>();
  for (let n = 0; n < count; n++) if (WEIGHT_PASSTHROUGH.has(str(ir, ir.nodeOp[n]))) passOp.add(ir.nodeOp[n]);
  for (let v = 0; v < ir.valueCount; v++) if (isConstant(v)) weightLike[v] = 1;
  for (let i = 0; i < count; i++) {
    const n = order[i];
    if (!passOp.has(ir.nodeOp[n])) continue;
    let all = ir.nodeInputOffsets[n + 1] > ir.nodeInputOffsets[n];
    for (let k = ir.nodeInputOffsets[n]; k < ir.nodeInputOffsets[n + 1]; k++) {
      const v = ir.nodeInputs[k];
      if (v >= 0 && !weightLike[v]) all = false;
    }
    if (!all) continue;
    passthrough[n] = 1;
    for (let k = ir.nodeOutputOffsets[n]; k < ir.nodeOutputOffsets[n + 1]; k++)
      if (ir.nodeOutputs[k] >= 0) weightLike[ir.nodeOutputs[k]] = 1;
  }

  /** The node a weight-like value is counted at, or -1. Depth-bounded walk down pass-through chains. */
  const target = (start: number): number => {
    let v = start;
    for (let depth = 0; depth < 64; depth++) {
      let best = -1;
      let bestPass = -1;
      for (let c = ir.valueConsumerOffsets[v]; c < ir.valueConsumerOffsets[v + 1]; c++) {
        const n = ir.valueConsumers[c];
        if (passthrough[n]) {
          if (bestPass < 0 || rank[n] < rank[bestPass]) bestPass = n;
        } else if (best < 0 || rank[n] < rank[best]) best = n;
      }
      if (best >= 0) return best;
      if (bestPass < 0) return -1;
      let next = -1;
      for (let k = ir.nodeOutputOffsets[bestPass]; k < ir.nodeOutputOffsets[bestPass + 1] && next < 0; k++) {
        const o = ir.nodeOutputs[k];
        if (o >= 0 && ir.valueConsumerOffsets[o + 1] > ir.valueConsumerOffsets[o]) next = o;
      }
      if (next < 0) return bestPass; // a chain that ends unused: count it at its last node
      v = next;
    }
    return -1;
  };

  let unused = 0;
  for (let v = 0; v < ir.valueCount; v++) {
    if (!isConstant(v)) continue;
    const e = valueElementCount(ir, v);
    if (e <= 0) continue;
    const n = target(v);
    if (n >= 0) parameters[n] += e;
    else if (ir.valueProducer[v] >= 0)
      parameters[ir.valueProducer[v]] += e; // an unused Constant node
    else unused += e;
  }
  return unused;
}
