import { FLOAT, INT64, MAX_RANK, MAX_VALUES, definer, type KernelTable } from './kernel.ts';
import { product } from './tensor-math.ts';

/**
 * Tensors made from attributes and small inputs: Constant, ConstantOfShape, Range, EyeLike.
 */
export const CONSTANT_KERNELS: KernelTable = new Map();
const def = definer(CONSTANT_KERNELS);

def(['ConstantOfShape'], (c) => {
  const dims = c.val(0);
  const fill = c.attrs ? c.attrs.tensor(c.node, 'value') : null;
  const t = fill ? fill.dtype : c.attrs ? FLOAT : 0;
  if (!dims) {
    const s = c.shape(0);
    return c.set(0, s && s.length === 1 && s[0] >= 0 && s[0] <= MAX_RANK ? new Array<number>(s[0]).fill(-1) : null, t);
  }
  const out = Array.from(dims);
  const total = product(out);
  const value = fill ? fill.data?.[0] : c.attrs ? 0 : undefined;
  c.set(
    0,
    out,
    t,
    value !== undefined && total >= 0 && total <= MAX_VALUES ? new Float64Array(total).fill(value) : null,
  );
});

def(['Range'], (c) => {
  const start = c.val(0);
  const limit = c.val(1);
  const delta = c.val(2);
  if (!start || !limit || !delta || delta[0] === 0) return c.set(0, [-1], c.dtype(0));
  const count = Math.max(Math.ceil((limit[0] - start[0]) / delta[0]), 0);
  let vals: Float64Array | null = null;
  if (count <= MAX_VALUES) {
    vals = new Float64Array(count);
    for (let i = 0; i < count; i++) vals[i] = start[0] + i * delta[0];
  }
  c.set(0, [count], c.dtype(0), vals);
});

def(['EyeLike'], (c) => c.set(0, c.shape(0), c.attrs ? c.attrs.int(c.node, 'dtype', c.dtype(0)) : 0));

def(['Constant'], (c) => {
  // The decoder records the `value` tensor's type; value_int(s)/value_float(s) come from attributes.
  const a = c.attrs;
  if (!a) return;
  const attrs = a.of(c.node)!;
  const tensor = a.tensor(c.node, 'value');
  if (tensor) return c.set(0, tensor.dims.slice(), tensor.dtype, tensor.data);
  if (attrs.has('value_int')) return c.set(0, [], INT64, Float64Array.of(a.int(c.node, 'value_int', 0)));
  if (attrs.has('value_float')) return c.set(0, [], FLOAT, Float64Array.of(attrs.get('value_float') as number));
  const ints = attrs.get('value_ints');
  if (Array.isArray(ints)) return c.set(0, [ints.length], INT64, Float64Array.from(ints as number[]));
  const floats = attrs.get('value_floats');
  if (Array.isArray(floats)) return c.set(0, [floats.length], FLOAT, Float64Array.from(floats as number[]));
});
