/** The typed arrays the graph's growable columns are made of. */
export type NumericArray = Uint8Array | Uint32Array | Int32Array | Float64Array;

/** A copy of `a` with room for `length` elements (the ones past `a` are zero); `a` is left as it is. */
export function grownTo<T extends NumericArray>(a: T, length: number): T {
  const next = new (a.constructor as { new (n: number): T })(length);
  next.set(a as never);
  return next;
}
