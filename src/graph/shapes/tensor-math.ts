import type { Shape } from './kernel.ts';

/** Small-tensor arithmetic the kernels share: products of dims, broadcasting, strided reads. */

export function product(s: ArrayLike<number>, from = 0, to = s.length): number {
  let p = 1;
  for (let i = from; i < to; i++) {
    if (s[i] < 0) return -1;
    p *= s[i];
  }
  return p;
}

/** Numpy broadcasting; -1 dims stay -1 unless another input fixes them. Null when incompatible. */
export function broadcast(shapes: Shape[]): Shape | null {
  let rank = 0;
  for (const s of shapes) rank = Math.max(rank, s.length);
  const out: Shape = new Array(rank);
  for (let i = 0; i < rank; i++) {
    let d = 1;
    let unknown = false;
    for (const s of shapes) {
      const idx = s.length - rank + i;
      if (idx < 0) continue;
      const x = s[idx];
      if (x === 1) continue;
      if (x < 0) {
        unknown = true;
        continue;
      }
      if (d === 1) d = x;
      else if (d !== x) return null;
    }
    out[i] = d !== 1 ? d : unknown ? -1 : 1;
  }
  return out;
}

/** Evaluates an elementwise function over broadcast inputs (small tensors only). */
export function broadcastEval(
  out: Shape,
  inputs: { shape: Shape; data: Float64Array }[],
  fn: (args: number[]) => number,
): Float64Array | null {
  const total = product(out);
  if (total < 0) return null;
  const rank = out.length;
  const strides = inputs.map(({ shape }) => {
    const st = new Array<number>(rank).fill(0);
    let acc = 1;
    for (let i = shape.length - 1; i >= 0; i--) {
      st[rank - shape.length + i] = shape[i] === 1 ? 0 : acc;
      acc *= shape[i];
    }
    return st;
  });
  for (const x of inputs) if (x.data.length !== product(x.shape)) return null;
  const result = new Float64Array(total);
  const idx = new Array<number>(rank).fill(0);
  const args = new Array<number>(inputs.length);
  for (let flat = 0; flat < total; flat++) {
    for (let j = 0; j < inputs.length; j++) {
      let off = 0;
      for (let i = 0; i < rank; i++) off += idx[i] * strides[j][i];
      args[j] = inputs[j].data[off];
    }
    result[flat] = fn(args);
    for (let i = rank - 1; i >= 0; i--) {
      if (++idx[i] < out[i]) break;
      idx[i] = 0;
    }
  }
  return result;
}

/**
 * Reads `out`-shaped elements from a small row-major tensor: output index i maps to input index
 * begin + i·stride on each axis, after permuting output axes by `perm` (output axis a reads input axis perm[a]).
 */
export function strided(
  data: Float64Array,
  shape: Shape,
  out: Shape,
  begin: number[] | null,
  stride: number[] | null,
  perm: number[] | null,
): Float64Array | null {
  const total = product(out);
  if (total < 0 || product(shape) !== data.length) return null;
  const rank = shape.length;
  const inStride = new Array<number>(rank);
  let acc = 1;
  for (let i = rank - 1; i >= 0; i--) {
    inStride[i] = acc;
    acc *= shape[i];
  }
  const result = new Float64Array(total);
  const idx = new Array<number>(rank).fill(0);
  for (let flat = 0; flat < total; flat++) {
    let off = 0;
    for (let a = 0; a < rank; a++) {
      const ax = perm ? perm[a] : a;
      off += ((begin ? begin[ax] : 0) + idx[a] * (stride ? stride[ax] : 1)) * inStride[ax];
    }
    result[flat] = data[off];
    for (let a = rank - 1; a >= 0; a--) {
      if (++idx[a] < out[a]) break;
      idx[a] = 0;
    }
  }
  return result;
}
