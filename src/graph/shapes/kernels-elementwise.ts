import {
  BOOL,
  FLOAT,
  MAX_VALUES,
  UINT8,
  definer,
  isIntegerDtype,
  normAxis,
  type Ctx,
  type Kernel,
  type Shape,
  type KernelTable,
} from './kernel.ts';
import { product, broadcast, broadcastEval } from './tensor-math.ts';

/**
 * Elementwise ops: unary ops that keep their input's shape, casts and quantisation, and broadcasting
 * n-ary ops (evaluated when their inputs are small known tensors, so shape arithmetic resolves).
 */
export const ELEMENTWISE_KERNELS: KernelTable = new Map();
const def = definer(ELEMENTWISE_KERNELS);

// Output 0 has input 0's shape.
const sameShape: Kernel = (c) => c.set(0, c.shape(0), c.dtype(0));
def(
  [
    'Relu',
    'Sigmoid',
    'Tanh',
    'Erf',
    'Sqrt',
    'Exp',
    'Log',
    'Abs',
    'Neg',
    'Reciprocal',
    'Floor',
    'Ceil',
    'Round',
    'Sign',
    'Sin',
    'Cos',
    'Tan',
    'Asin',
    'Acos',
    'Atan',
    'Sinh',
    'Cosh',
    'Asinh',
    'Acosh',
    'Atanh',
    'Softplus',
    'Softsign',
    'Softmax',
    'LogSoftmax',
    'Hardmax',
    'Clip',
    'HardSigmoid',
    'HardSwish',
    'LeakyRelu',
    'Elu',
    'Selu',
    'Celu',
    'Gelu',
    'Mish',
    'ThresholdedRelu',
    'Shrink',
    'PRelu',
    'InstanceNormalization',
    'LRN',
    'GroupNormalization',
    'MeanVarianceNormalization',
    'LpNormalization',
    'Trilu',
    'CumSum',
    'BitwiseNot',
    'ScatterND',
    'ScatterElements',
    'Scatter',
    'ReverseSequence',
    'Binarizer',
    'com.microsoft.Gelu',
    'com.microsoft.FastGelu',
    'com.microsoft.BiasGelu',
    'com.microsoft.QuickGelu',
    'com.microsoft.SkipLayerNormalization',
    'com.microsoft.SkipSimplifiedLayerNormalization',
    'com.microsoft.SimplifiedLayerNormalization',
    'SimplifiedLayerNormalization',
    'RMSNormalization',
  ],
  sameShape,
);

def(['Identity'], (c) => c.set(0, c.shape(0), c.dtype(0), c.val(0)));
def(['Not'], (c) => c.set(0, c.shape(0), BOOL, c.val(0)?.map((x) => (x ? 0 : 1)) ?? null));
def(['IsNaN', 'IsInf'], (c) => c.set(0, c.shape(0), BOOL));
def(['Dropout'], (c) => {
  c.set(0, c.shape(0), c.dtype(0));
  c.set(1, c.shape(0), BOOL);
});
def(['BatchNormalization'], (c) => {
  const x = c.shape(0);
  c.set(0, x, c.dtype(0));
  if (x && x.length >= 2) for (let k = 1; k < 5; k++) c.set(k, [x[1]], c.dtype(0));
});
def(['LayerNormalization'], (c) => {
  const x = c.shape(0);
  c.set(0, x, c.dtype(0));
  if (!x || !c.attrs || c.outs.length < 2) return;
  const axis = normAxis(c.attrs.int(c.node, 'axis', -1), x.length);
  const reduced = x.map((d, i) => (i >= axis ? 1 : d));
  c.set(1, reduced, FLOAT);
  c.set(2, reduced, FLOAT);
});
def(['Cast'], (c) => {
  const to = c.attrs ? c.attrs.int(c.node, 'to', 0) : 0;
  const v = c.val(0);
  let vals: Float64Array | null = null;
  if (v && to) vals = to === BOOL ? v.map((x) => (x ? 1 : 0)) : isIntegerDtype(to) ? v.map(Math.trunc) : v;
  c.set(0, c.shape(0), to, vals);
});
def(['CastLike'], (c) => c.set(0, c.shape(0), c.dtype(1)));
def(['QuantizeLinear'], (c) => c.set(0, c.shape(0), c.ins.length > 2 && c.ins[2] >= 0 ? c.dtype(2) : UINT8));
def(['DequantizeLinear'], (c) => c.set(0, c.shape(0), c.dtype(1) || FLOAT));
def(['DynamicQuantizeLinear'], (c) => {
  c.set(0, c.shape(0), UINT8);
  c.set(1, [], FLOAT);
  c.set(2, [], UINT8);
});

// Numpy broadcasting over all inputs.
function broadcastKernel(dtypeOf: (c: Ctx) => number, fn: ((a: number[], intOut: boolean) => number) | null): Kernel {
  return (c) => {
    const t = dtypeOf(c);
    const all: Shape[] = [];
    for (let k = 0; k < c.ins.length; k++) {
      const s = c.shape(k);
      if (!s) return c.set(0, null, t);
      all.push(s);
    }
    const out = broadcast(all);
    let vals: Float64Array | null = null;
    const total = out ? product(out) : -1;
    if (fn && out && total >= 0 && total <= MAX_VALUES) {
      const inputs: { shape: Shape; data: Float64Array }[] = [];
      for (let k = 0; k < c.ins.length; k++) {
        const data = c.val(k);
        if (!data) break;
        inputs.push({ shape: all[k], data });
      }
      if (inputs.length === c.ins.length) {
        const intOut = isIntegerDtype(t);
        vals = broadcastEval(out, inputs, (a) => fn(a, intOut));
      }
    }
    c.set(0, out, t, vals);
  };
}

const dtype0 = (c: Ctx) => c.dtype(0);
const boolType = () => BOOL;
def(
  ['Add'],
  broadcastKernel(dtype0, (a) => a[0] + a[1]),
);
def(
  ['Sub'],
  broadcastKernel(dtype0, (a) => a[0] - a[1]),
);
def(
  ['Mul'],
  broadcastKernel(dtype0, (a) => a[0] * a[1]),
);
def(
  ['Div'],
  broadcastKernel(dtype0, (a, int) => (int ? (a[1] === 0 ? NaN : Math.trunc(a[0] / a[1])) : a[0] / a[1])),
);
def(
  ['Pow'],
  broadcastKernel(dtype0, (a) => a[0] ** a[1]),
);
def(
  ['Mod'],
  broadcastKernel(dtype0, (a) => a[0] % a[1]),
);
def(
  ['Max'],
  broadcastKernel(dtype0, (a) => Math.max(...a)),
);
def(
  ['Min'],
  broadcastKernel(dtype0, (a) => Math.min(...a)),
);
def(
  ['Sum'],
  broadcastKernel(dtype0, (a) => a.reduce((x, y) => x + y, 0)),
);
def(['Mean'], broadcastKernel(dtype0, null));
def(['BitShift', 'BitwiseAnd', 'BitwiseOr', 'BitwiseXor'], broadcastKernel(dtype0, null));
def(
  ['Equal'],
  broadcastKernel(boolType, (a) => (a[0] === a[1] ? 1 : 0)),
);
def(
  ['Less'],
  broadcastKernel(boolType, (a) => (a[0] < a[1] ? 1 : 0)),
);
def(
  ['Greater'],
  broadcastKernel(boolType, (a) => (a[0] > a[1] ? 1 : 0)),
);
def(
  ['LessOrEqual'],
  broadcastKernel(boolType, (a) => (a[0] <= a[1] ? 1 : 0)),
);
def(
  ['GreaterOrEqual'],
  broadcastKernel(boolType, (a) => (a[0] >= a[1] ? 1 : 0)),
);
def(
  ['And'],
  broadcastKernel(boolType, (a) => (a[0] && a[1] ? 1 : 0)),
);
def(
  ['Or'],
  broadcastKernel(boolType, (a) => (a[0] || a[1] ? 1 : 0)),
);
def(
  ['Xor'],
  broadcastKernel(boolType, (a) => (!a[0] !== !a[1] ? 1 : 0)),
);
def(
  ['Where'],
  broadcastKernel(
    (c) => c.dtype(1),
    (a) => (a[0] ? a[1] : a[2]),
  ),
);
