import { INT32, INT64, UINT8, definer, type Ctx, type Kernel, type Shape, type KernelTable } from './kernel.ts';
import { broadcast } from './tensor-math.ts';

/**
 * Neural-network layers: convolution, pooling, matrix products, recurrent layers.
 */
export const NN_KERNELS: KernelTable = new Map();
const def = definer(NN_KERNELS);

function spatialOut(
  input: number,
  kernel: number,
  stride: number,
  dilation: number,
  padBegin: number,
  padEnd: number,
  autoPad: string,
  ceilMode = false,
): number {
  if (input < 0 || kernel < 0) return -1;
  const ek = (kernel - 1) * dilation + 1;
  if (autoPad === 'SAME_UPPER' || autoPad === 'SAME_LOWER') return Math.ceil(input / stride);
  if (autoPad === 'VALID') return Math.floor((input - ek) / stride) + 1;
  const span = input + padBegin + padEnd - ek;
  if (!ceilMode) return Math.floor(span / stride) + 1;
  let out = Math.ceil(span / stride) + 1;
  // The last window must start inside the input or the leading padding (ONNX Runtime and PyTorch agree).
  if ((out - 1) * stride >= input + padBegin) out--;
  return out;
}

function convKernel(xi: number, wi: number, outType: number): Kernel {
  return (c) => {
    const x = c.shape(xi);
    const w = c.shape(wi);
    if (!x || !w || x.length < 3 || w.length !== x.length) return c.set(0, null, outType || c.dtype(xi));
    const nsp = x.length - 2;
    const out: Shape = [x[0], w[0]];
    const a = c.attrs;
    for (let i = 0; i < nsp; i++) {
      if (!a) {
        out.push(-1);
        continue;
      }
      const k = a.ints(c.node, 'kernel_shape')?.[i] ?? w[2 + i];
      const s = a.ints(c.node, 'strides')?.[i] ?? 1;
      const d = a.ints(c.node, 'dilations')?.[i] ?? 1;
      const pads = a.ints(c.node, 'pads');
      out.push(
        spatialOut(x[2 + i], k, s, d, pads?.[i] ?? 0, pads?.[i + nsp] ?? 0, a.string(c.node, 'auto_pad', 'NOTSET')),
      );
    }
    c.set(0, out, outType || c.dtype(xi));
  };
}
def(['Conv'], convKernel(0, 1, 0));
def(['ConvInteger'], convKernel(0, 1, INT32));
def(['QLinearConv'], (c) => convKernel(0, 3, c.dtype(7) || UINT8)(c));

def(['ConvTranspose'], (c) => {
  const x = c.shape(0);
  const w = c.shape(1);
  if (!x || !w || x.length < 3 || w.length !== x.length) return c.set(0, null, c.dtype(0));
  const nsp = x.length - 2;
  const a = c.attrs;
  if (!a) return c.set(0, [x[0], -1, ...new Array<number>(nsp).fill(-1)], c.dtype(0));
  const group = a.int(c.node, 'group', 1);
  const out: Shape = [x[0], w[1] < 0 ? -1 : w[1] * group];
  const outputShape = a.ints(c.node, 'output_shape');
  const autoPad = a.string(c.node, 'auto_pad', 'NOTSET');
  for (let i = 0; i < nsp; i++) {
    if (outputShape && outputShape.length >= nsp) {
      out.push(outputShape[outputShape.length - nsp + i]);
      continue;
    }
    const input = x[2 + i];
    const k = a.ints(c.node, 'kernel_shape')?.[i] ?? w[2 + i];
    const s = a.ints(c.node, 'strides')?.[i] ?? 1;
    const d = a.ints(c.node, 'dilations')?.[i] ?? 1;
    const op = a.ints(c.node, 'output_padding')?.[i] ?? 0;
    const pads = a.ints(c.node, 'pads');
    if (input < 0 || k < 0) out.push(-1);
    else if (autoPad === 'SAME_UPPER' || autoPad === 'SAME_LOWER') out.push(input * s);
    else {
      const pb = autoPad === 'VALID' ? 0 : (pads?.[i] ?? 0);
      const pe = autoPad === 'VALID' ? 0 : (pads?.[i + nsp] ?? 0);
      out.push(s * (input - 1) + op + (k - 1) * d + 1 - pb - pe);
    }
  }
  c.set(0, out, c.dtype(0));
});

def(['MaxPool', 'AveragePool', 'LpPool'], (c) => {
  const x = c.shape(0);
  const a = c.attrs;
  if (!x || x.length < 3) return c.set(0, null, c.dtype(0));
  const nsp = x.length - 2;
  const k = a?.ints(c.node, 'kernel_shape');
  const out: Shape = [x[0], x[1]];
  for (let i = 0; i < nsp; i++) {
    if (!a || !k || k.length !== nsp) {
      out.push(-1);
      continue;
    }
    const pads = a.ints(c.node, 'pads');
    out.push(
      spatialOut(
        x[2 + i],
        k[i],
        a.ints(c.node, 'strides')?.[i] ?? 1,
        a.ints(c.node, 'dilations')?.[i] ?? 1,
        pads?.[i] ?? 0,
        pads?.[i + nsp] ?? 0,
        a.string(c.node, 'auto_pad', 'NOTSET'),
        a.int(c.node, 'ceil_mode', 0) === 1,
      ),
    );
  }
  c.set(0, out, c.dtype(0));
  c.set(1, out, INT64);
});

def(['GlobalAveragePool', 'GlobalMaxPool', 'GlobalLpPool'], (c) => {
  const x = c.shape(0);
  c.set(0, x && x.length >= 2 ? x.map((d, i) => (i < 2 ? d : 1)) : null, c.dtype(0));
});

function matmulShape(a: Shape, b: Shape): Shape | null {
  if (!a.length || !b.length) return null;
  const a2 = a.length === 1 ? [1, a[0]] : a;
  const b2 = b.length === 1 ? [b[0], 1] : b;
  const batch = broadcast([a2.slice(0, -2), b2.slice(0, -2)]);
  if (!batch) return null;
  const out = [...batch];
  if (a.length > 1) out.push(a2[a2.length - 2]);
  if (b.length > 1) out.push(b2[b2.length - 1]);
  return out;
}
function matmulKernel(ai: number, bi: number, outType: (c: Ctx) => number): Kernel {
  return (c) => {
    const a = c.shape(ai);
    const b = c.shape(bi);
    c.set(0, a && b ? matmulShape(a, b) : null, outType(c));
  };
}
def(
  ['MatMul'],
  matmulKernel(0, 1, (c) => c.dtype(0)),
);
def(
  ['MatMulInteger'],
  matmulKernel(0, 1, () => INT32),
);
def(
  ['QLinearMatMul'],
  matmulKernel(0, 3, (c) => c.dtype(7) || UINT8),
);

def(['Gemm'], (c) => {
  const a = c.shape(0);
  const b = c.shape(1);
  if (!a || !b || a.length !== 2 || b.length !== 2 || !c.attrs) return c.set(0, a && b ? [-1, -1] : null, c.dtype(0));
  const m = c.attrs.int(c.node, 'transA', 0) ? a[1] : a[0];
  const n = c.attrs.int(c.node, 'transB', 0) ? b[0] : b[1];
  c.set(0, [m, n], c.dtype(0));
});

def(['LSTM', 'GRU', 'RNN'], (c) => {
  const x = c.shape(0);
  const w = c.shape(1);
  const r = c.shape(2);
  if (!x || !w || !r || x.length !== 3 || w.length !== 3 || r.length !== 3 || !c.attrs) return;
  const layout = c.attrs.int(c.node, 'layout', 0);
  const dirs = w[0];
  const hidden = c.attrs.int(c.node, 'hidden_size', r[2]);
  const [seq, batch] = layout ? [x[1], x[0]] : [x[0], x[1]];
  c.set(0, layout ? [batch, seq, dirs, hidden] : [seq, dirs, batch, hidden], c.dtype(0));
  const state = layout ? [batch, dirs, hidden] : [dirs, batch, hidden];
  c.set(1, state, c.dtype(0));
  c.set(2, state.slice(), c.dtype(0));
});
