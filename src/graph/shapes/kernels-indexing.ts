import { MAX_VALUES, definer, normAxis, type Ctx, type KernelTable } from './kernel.ts';
import { product, strided } from './tensor-math.ts';

/**
 * Indexing and resampling: Gather*, Slice, Pad, Resize/Upsample.
 */
export const INDEXING_KERNELS: KernelTable = new Map();
const def = definer(INDEXING_KERNELS);

def(['Gather'], (c) => {
  const d = c.shape(0);
  const idx = c.shape(1);
  if (!d || !idx || !c.attrs) return c.set(0, null, c.dtype(0));
  const axis = normAxis(c.attrs.int(c.node, 'axis', 0), d.length);
  const out = [...d.slice(0, axis), ...idx, ...d.slice(axis + 1)];
  const data = c.val(0);
  const indices = c.val(1);
  let vals: Float64Array | null = null;
  const total = product(out);
  if (data && indices && total >= 0 && total <= MAX_VALUES && product(d) === data.length) {
    const outer = product(d, 0, axis);
    const inner = product(d, axis + 1);
    const dim = d[axis];
    vals = new Float64Array(product(out));
    let pos = 0;
    for (let o = 0; o < outer; o++) {
      for (let j = 0; j < indices.length; j++) {
        const i = indices[j] < 0 ? indices[j] + dim : indices[j];
        if (!(i >= 0 && i < dim)) return c.set(0, out, c.dtype(0));
        vals.set(data.subarray((o * dim + i) * inner, (o * dim + i + 1) * inner), pos);
        pos += inner;
      }
    }
  }
  c.set(0, out, c.dtype(0), vals);
});

def(['GatherElements'], (c) => c.set(0, c.shape(1), c.dtype(0)));
def(['GatherND'], (c) => {
  const d = c.shape(0);
  const idx = c.shape(1);
  if (!d || !idx?.length || !c.attrs) return c.set(0, null, c.dtype(0));
  const batchDims = c.attrs.int(c.node, 'batch_dims', 0);
  const last = idx[idx.length - 1];
  if (last < 0) return c.set(0, null, c.dtype(0));
  c.set(0, [...idx.slice(0, -1), ...d.slice(batchDims + last)], c.dtype(0));
});

def(['Slice'], (c) => {
  const x = c.shape(0);
  if (!x) return c.set(0, null, c.dtype(0));
  let starts: ArrayLike<number> | null;
  let ends: ArrayLike<number> | null;
  let axes: ArrayLike<number> | null = null;
  let steps: ArrayLike<number> | null = null;
  if (c.ins.length > 1) {
    starts = c.val(1);
    ends = c.val(2);
    if (c.ins.length > 3 && c.ins[3] >= 0) {
      axes = c.val(3);
      if (!axes) return c.set(0, new Array<number>(x.length).fill(-1), c.dtype(0));
    }
    if (c.ins.length > 4 && c.ins[4] >= 0) {
      steps = c.val(4);
      if (!steps) return c.set(0, new Array<number>(x.length).fill(-1), c.dtype(0));
    }
  } else {
    if (!c.attrs) return c.set(0, new Array<number>(x.length).fill(-1), c.dtype(0));
    starts = c.attrs.ints(c.node, 'starts');
    ends = c.attrs.ints(c.node, 'ends');
    axes = c.attrs.ints(c.node, 'axes');
  }
  const out = x.slice();
  if (!starts || !ends || starts.length !== ends.length) {
    if (axes) for (let j = 0; j < axes.length; j++) out[normAxis(axes[j], x.length)] = -1;
    return c.set(0, axes ? out : new Array<number>(x.length).fill(-1), c.dtype(0));
  }
  const begin = new Array<number>(x.length).fill(0);
  const stride = new Array<number>(x.length).fill(1);
  for (let j = 0; j < starts.length; j++) {
    const ax = normAxis(axes ? axes[j] : j, x.length);
    const dim = x[ax];
    const step = steps ? steps[j] : 1;
    if (step === 0) return c.set(0, null, c.dtype(0));
    if (dim < 0) {
      out[ax] = -1;
      continue;
    }
    let s = starts[j] < 0 ? starts[j] + dim : starts[j];
    let e = ends[j] < 0 ? ends[j] + dim : ends[j];
    if (step > 0) {
      s = Math.min(Math.max(s, 0), dim);
      e = Math.min(Math.max(e, 0), dim);
    } else {
      s = Math.min(Math.max(s, 0), dim - 1);
      e = Math.min(Math.max(e, -1), dim - 1);
    }
    out[ax] = Math.max(0, Math.ceil((e - s) / step));
    begin[ax] = s;
    stride[ax] = step;
  }
  const data = c.val(0);
  const vals = data && product(out) >= 0 ? strided(data, x, out, begin, stride, null) : null;
  c.set(0, out, c.dtype(0), vals);
});

def(['Pad'], (c) => {
  const x = c.shape(0);
  if (!x) return c.set(0, null, c.dtype(0));
  let pads: ArrayLike<number> | null;
  if (c.ins.length > 1 && c.ins[1] >= 0) pads = c.val(1);
  else pads = c.attrs ? (c.attrs.ints(c.node, 'pads') ?? c.attrs.ints(c.node, 'paddings')) : null;
  let axes: number[] = x.map((_, i) => i);
  if (c.ins.length > 3 && c.ins[3] >= 0) {
    const a = c.val(3);
    axes = a ? Array.from(a, (v) => normAxis(v, x.length)) : [];
    if (!a) pads = null;
  }
  if (!pads || pads.length !== 2 * axes.length) return c.set(0, new Array<number>(x.length).fill(-1), c.dtype(0));
  const out = x.slice();
  axes.forEach((ax, j) => {
    out[ax] = x[ax] < 0 ? -1 : x[ax] + pads![j] + pads![j + axes.length];
  });
  c.set(0, out, c.dtype(0));
});

def(['Resize', 'Upsample'], (c) => {
  const x = c.shape(0);
  if (!x) return c.set(0, null, c.dtype(0));
  const unknown = () => c.set(0, new Array<number>(x.length).fill(-1), c.dtype(0));
  if (!c.attrs) return unknown();
  const axesAttr = c.attrs.ints(c.node, 'axes');
  const axes = axesAttr ? axesAttr.map((a) => normAxis(a, x.length)) : x.map((_, i) => i);
  const sizes = c.ins.length > 3 && c.ins[3] >= 0 ? c.val(3) : null;
  if (sizes && sizes.length > 0) {
    if (sizes.length !== axes.length || c.attrs.string(c.node, 'keep_aspect_ratio_policy', 'stretch') !== 'stretch')
      return unknown();
    const out = x.slice();
    axes.forEach((ax, j) => {
      out[ax] = sizes[j];
    });
    return c.set(0, out, c.dtype(0));
  }
  if (c.ins.length > 3 && c.ins[3] >= 0 && !sizes) return unknown();
  let scales: ArrayLike<number> | null;
  const scalesIndex = c.ins.length === 2 ? 1 : 2; // Resize-10 and Upsample-9: (X, scales); Resize-11+: (X, roi, scales[, sizes])
  if (c.ins.length > scalesIndex && c.ins[scalesIndex] >= 0) scales = c.val(scalesIndex);
  else scales = c.ins.length === 1 ? (c.attrs.ints(c.node, 'scales') ?? floatsAttr(c, 'scales')) : null;
  if (!scales || scales.length !== axes.length) return unknown();
  const out = x.slice();
  axes.forEach((ax, j) => {
    out[ax] = x[ax] < 0 ? -1 : Math.floor(x[ax] * scales![j] + 1e-9);
  });
  c.set(0, out, c.dtype(0));
});

function floatsAttr(c: Ctx, name: string): number[] | null {
  const v = c.attrs?.of(c.node)?.get(name);
  return Array.isArray(v) && typeof v[0] === 'number' ? (v as number[]) : null;
}
