import {
  INT64,
  MAX_RANK,
  MAX_VALUES,
  axesInput,
  definer,
  normAxis,
  type Kernel,
  type Shape,
  type KernelTable,
} from './kernel.ts';
import { product, broadcast, broadcastEval, strided } from './tensor-math.ts';

/**
 * Shape manipulation: Shape, Size, Reshape, Flatten, Transpose, (Un)squeeze, Concat, Split, Expand, Tile,
 * DepthToSpace/SpaceToDepth. Most also carry small tensor contents through, for Reshape targets.
 */
export const SHAPE_KERNELS: KernelTable = new Map();
const def = definer(SHAPE_KERNELS);

def(['Shape'], (c) => {
  const x = c.shape(0);
  if (!x || !c.attrs) return c.set(0, null, INT64);
  const r = x.length;
  const clampIdx = (i: number) => Math.min(r, Math.max(0, i < 0 ? i + r : i));
  const start = clampIdx(c.attrs.int(c.node, 'start', 0));
  const end = clampIdx(c.attrs.int(c.node, 'end', r));
  const dims = x.slice(start, Math.max(start, end));
  c.set(0, [dims.length], INT64, dims.every((d) => d >= 0) ? Float64Array.from(dims) : null);
});

def(['Size'], (c) => {
  const x = c.shape(0);
  const p = x ? product(x) : -1;
  c.set(0, [], INT64, p >= 0 ? Float64Array.of(p) : null);
});

def(['Reshape'], (c) => {
  const x = c.shape(0);
  const target = c.val(1);
  const t = c.dtype(0);
  if (!target) {
    const ts = c.shape(1);
    return c.set(
      0,
      ts && ts.length === 1 && ts[0] >= 0 && ts[0] <= MAX_RANK ? new Array<number>(ts[0]).fill(-1) : null,
      t,
    );
  }
  const allowZero = c.attrs ? c.attrs.int(c.node, 'allowzero', 0) : -1;
  if (allowZero < 0 && target.includes(0)) return c.set(0, new Array<number>(target.length).fill(-1), t);
  const out: Shape = [];
  let inferAt = -1;
  for (let i = 0; i < target.length; i++) {
    const s = target[i];
    if (s === 0 && !allowZero) out.push(x && i < x.length ? x[i] : -1);
    else if (s === -1) {
      inferAt = i;
      out.push(-1);
    } else out.push(s);
  }
  if (inferAt >= 0) {
    const total = x ? product(x) : -1;
    let rest = 1;
    for (let i = 0; i < out.length; i++) if (i !== inferAt) rest = out[i] < 0 || rest < 0 ? -1 : rest * out[i];
    out[inferAt] = total >= 0 && rest > 0 && total % rest === 0 ? total / rest : -1;
  }
  c.set(0, out, t, c.val(0));
});

def(['Flatten'], (c) => {
  const x = c.shape(0);
  if (!x || !c.attrs) return c.set(0, x ? [-1, -1] : null, c.dtype(0));
  let axis = c.attrs.int(c.node, 'axis', 1);
  if (axis < 0) axis += x.length;
  if (axis < 0 || axis > x.length) return c.set(0, null, c.dtype(0));
  c.set(0, [product(x, 0, axis), product(x, axis)], c.dtype(0), c.val(0));
});

def(['Transpose'], (c) => {
  const x = c.shape(0);
  if (!x) return c.set(0, null, c.dtype(0));
  if (!c.attrs)
    return c.set(
      0,
      x.length <= 1 ? x : new Array<number>(x.length).fill(-1),
      c.dtype(0),
      x.length <= 1 ? c.val(0) : null,
    );
  const perm = (c.attrs.ints(c.node, 'perm') ?? x.map((_, i) => x.length - 1 - i)).map((p) => normAxis(p, x.length));
  if (perm.length !== x.length) return c.set(0, null, c.dtype(0));
  const out = perm.map((p) => x[p]);
  const data = c.val(0);
  c.set(0, out, c.dtype(0), data ? strided(data, x, out, null, null, perm) : null);
});

def(['Unsqueeze'], (c) => {
  const x = c.shape(0);
  const axes = axesInput(c, 1, 'axes');
  if (!x || !axes) return c.set(0, null, c.dtype(0));
  const rank = x.length + axes.length;
  const at = new Uint8Array(rank);
  for (const a of axes) at[normAxis(a, rank)] = 1;
  const out: Shape = [];
  let j = 0;
  for (let i = 0; i < rank; i++) out.push(at[i] ? 1 : x[j++]);
  c.set(0, out, c.dtype(0), c.val(0));
});

def(['Squeeze'], (c) => {
  const x = c.shape(0);
  const axes = axesInput(c, 1, 'axes');
  if (!x || axes === null) return c.set(0, null, c.dtype(0));
  let out: Shape;
  if (!axes || axes.length === 0) {
    if (x.some((d) => d < 0)) return c.set(0, null, c.dtype(0));
    out = x.filter((d) => d !== 1);
  } else {
    const drop = new Set(axes.map((a) => normAxis(a, x.length)));
    out = x.filter((_, i) => !drop.has(i));
  }
  c.set(0, out, c.dtype(0), c.val(0));
});

def(['Concat'], (c) => {
  const shapes: Shape[] = [];
  for (let k = 0; k < c.ins.length; k++) {
    const s = c.shape(k);
    if (!s) return c.set(0, null, c.dtype(0));
    shapes.push(s);
  }
  if (!shapes.length || !c.attrs) return c.set(0, null, c.dtype(0));
  const rank = shapes[0].length;
  if (shapes.some((s) => s.length !== rank)) return c.set(0, null, c.dtype(0));
  const axis = normAxis(c.attrs.int(c.node, 'axis', 0), rank);
  const out = shapes[0].slice();
  let sum = 0;
  for (const s of shapes) sum = s[axis] < 0 || sum < 0 ? -1 : sum + s[axis];
  out[axis] = sum;
  for (let i = 0; i < rank; i++) if (i !== axis && out[i] < 0) out[i] = shapes.find((s) => s[i] >= 0)?.[i] ?? -1;
  let vals: Float64Array | null = null;
  const datas = shapes.map((_, k) => c.val(k));
  if (datas.every((d) => d) && product(out) >= 0 && product(out) <= MAX_VALUES) {
    const outer = product(out, 0, axis);
    const inner = product(out, axis + 1);
    vals = new Float64Array(product(out));
    let pos = 0;
    for (let o = 0; o < outer; o++) {
      for (let k = 0; k < shapes.length; k++) {
        const chunk = shapes[k][axis] * inner;
        vals.set(datas[k]!.subarray(o * chunk, (o + 1) * chunk), pos);
        pos += chunk;
      }
    }
  }
  c.set(0, out, c.dtype(0), vals);
});

def(['Split'], (c) => {
  const x = c.shape(0);
  const n = c.outs.length;
  if (!x || !c.attrs) return;
  const axis = normAxis(c.attrs.int(c.node, 'axis', 0), x.length);
  let sizes: number[] | null;
  if (c.ins.length > 1 && c.ins[1] >= 0) sizes = c.val(1) ? Array.from(c.val(1)!) : new Array<number>(n).fill(-1);
  else sizes = c.attrs.ints(c.node, 'split');
  if (!sizes || sizes.length === 0) {
    const d = x[axis];
    if (d < 0) sizes = new Array<number>(n).fill(-1);
    else {
      const chunk = Math.ceil(d / n);
      sizes = new Array<number>(n).fill(chunk);
      sizes[n - 1] = d - chunk * (n - 1);
    }
  }
  if (sizes.length !== n) return;
  const data = c.val(0);
  const known = data && product(x) === data.length && sizes.every((d) => d >= 0);
  const outer = product(x, 0, axis);
  const inner = product(x, axis + 1);
  let offset = 0;
  for (let k = 0; k < n; k++) {
    const out = x.slice();
    out[axis] = sizes[k];
    let vals: Float64Array | null = null;
    if (known) {
      // Shape vectors split into pieces (tf2onnx pads): outer × (size × inner) blocks.
      vals = new Float64Array(outer * sizes[k] * inner);
      for (let o = 0; o < outer; o++) {
        const from = (o * x[axis] + offset) * inner;
        vals.set(data.subarray(from, from + sizes[k] * inner), o * sizes[k] * inner);
      }
    }
    offset += sizes[k];
    c.set(k, out, c.dtype(0), vals);
  }
});

def(['Expand'], (c) => {
  const x = c.shape(0);
  const target = c.val(1);
  if (!x || !target) return c.set(0, null, c.dtype(0));
  const out = broadcast([x, Array.from(target)]);
  const data = c.val(0);
  c.set(
    0,
    out,
    c.dtype(0),
    out && data && product(out) <= MAX_VALUES ? broadcastEval(out, [{ shape: x, data }], (a) => a[0]) : null,
  );
});

def(['Tile'], (c) => {
  const x = c.shape(0);
  const reps = c.val(1);
  if (!x) return c.set(0, null, c.dtype(0));
  if (!reps || reps.length !== x.length) return c.set(0, new Array<number>(x.length).fill(-1), c.dtype(0));
  c.set(
    0,
    x.map((d, i) => (d < 0 ? -1 : d * reps[i])),
    c.dtype(0),
  );
});

function blockKernel(toSpace: boolean): Kernel {
  return (c) => {
    const x = c.shape(0);
    if (x?.length !== 4 || !c.attrs) return c.set(0, null, c.dtype(0));
    const b = c.attrs.int(c.node, 'blocksize', 0);
    if (b <= 0) return c.set(0, null, c.dtype(0));
    const [n, ch, h, w] = x;
    const mul = (d: number, m: number) => (d < 0 ? -1 : d * m);
    const div = (d: number, m: number) => (d < 0 || d % m ? -1 : d / m);
    c.set(
      0,
      toSpace ? [n, div(ch, b * b), mul(h, b), mul(w, b)] : [n, mul(ch, b * b), div(h, b), div(w, b)],
      c.dtype(0),
    );
  };
}
def(['DepthToSpace'], blockKernel(true));
def(['SpaceToDepth'], blockKernel(false));
