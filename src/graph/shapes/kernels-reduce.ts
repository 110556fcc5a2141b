import { INT64, axesInput, definer, normAxis, type Shape, type KernelTable } from './kernel.ts';
import { REDUCE_AXIS_OPS } from './op-families.ts';

/**
 * Reductions along axes: Reduce*, ArgMax/ArgMin, TopK, NonZero.
 */
export const REDUCE_KERNELS: KernelTable = new Map();
const def = definer(REDUCE_KERNELS);

def(REDUCE_AXIS_OPS, (c) => {
  const x = c.shape(0);
  if (!x || !c.attrs) return c.set(0, null, c.dtype(0));
  const keep = c.attrs.int(c.node, 'keepdims', 1) !== 0;
  const axes = axesInput(c, 1, 'axes');
  if (axes === null) return c.set(0, keep ? new Array<number>(x.length).fill(-1) : null, c.dtype(0));
  let reduce: Set<number>;
  if (!axes || axes.length === 0) {
    if (c.attrs.int(c.node, 'noop_with_empty_axes', 0)) return c.set(0, x, c.dtype(0), c.val(0));
    reduce = new Set(x.map((_, i) => i));
  } else reduce = new Set(axes.map((a) => normAxis(a, x.length)));
  const out: Shape = [];
  x.forEach((d, i) => {
    if (!reduce.has(i)) out.push(d);
    else if (keep) out.push(1);
  });
  c.set(0, out, c.dtype(0));
});

def(['ArgMax', 'ArgMin'], (c) => {
  const x = c.shape(0);
  if (!x || !c.attrs) return c.set(0, null, INT64);
  const axis = normAxis(c.attrs.int(c.node, 'axis', 0), x.length);
  const keep = c.attrs.int(c.node, 'keepdims', 1) !== 0;
  const out: Shape = [];
  x.forEach((d, i) => {
    if (i !== axis) out.push(d);
    else if (keep) out.push(1);
  });
  c.set(0, out, INT64);
});

def(['TopK'], (c) => {
  const x = c.shape(0);
  const k = c.val(1);
  if (!x || !c.attrs) return;
  const axis = normAxis(c.attrs.int(c.node, 'axis', -1), x.length);
  const out = x.slice();
  out[axis] = k ? k[0] : -1;
  c.set(0, out, c.dtype(0));
  c.set(1, out, INT64);
});

def(['NonZero'], (c) => {
  const x = c.shape(0);
  c.set(0, x ? [x.length, -1] : null, INT64);
});
