import { isShared } from './column-buffers.ts';

/**
 * Where a finished model's columns are allocated. The decode worker of a cross-origin isolated page turns on shared
 * memory before it decodes, so the builder writes the final columns straight into SharedArrayBuffers, which the page
 * and the layout worker then read without a copy (see shareColumns). Copying them there afterwards took ~0.8 s at
 * 1M nodes, on the way to the first frame. Off (plain ArrayBuffers) everywhere else: Node, tests, other threads.
 *
 * Growable columns (the builder's, the string pool) also grow into shared memory while it is on, so a finished
 * column is a view of the memory it was built in rather than a copy: copying 200 MB of columns and names into fresh
 * shared memory took ~0.5 s at 1M nodes, most of it spent faulting in the new pages. A grown column's tail beyond
 * what was used is never written, so it takes address space but no memory.
 */
let shared = false;

type ColumnType<T> = { new (length: number): T; new (buffer: SharedArrayBuffer): T; BYTES_PER_ELEMENT: number };

/** Final columns of the models decoded from now on go to shared memory (`on`) or to plain buffers. */
export function allocateColumnsShared(on: boolean): void {
  shared = on && typeof SharedArrayBuffer !== 'undefined';
}

/** True while final columns go to shared memory. */
export function columnsShared(): boolean {
  return shared;
}

/** A zeroed column of `length` items for a finished model. */
export function newColumn<T extends ArrayBufferView>(type: ColumnType<T>, length: number): T {
  return shared ? new type(new SharedArrayBuffer(length * type.BYTES_PER_ELEMENT)) : new type(length);
}

/** A copy of growable column `a` with room for `length` items; the items past `a` are zero. */
export function grownColumn<T extends Uint8Array | Uint32Array | Int32Array | Float64Array>(a: T, length: number): T {
  const next = newColumn(a.constructor as ColumnType<T>, length);
  next.set(a as never);
  return next;
}

/** The first `length` items of `data` as a finished model's column: a view when `data` grew in shared memory. */
export function columnOf<T extends Uint8Array | Uint32Array | Int32Array | Float64Array>(data: T, length: number): T {
  if (!shared) return data.slice(0, length) as T;
  if (isShared(data)) return data.subarray(0, length) as T;
  const out = newColumn(data.constructor as ColumnType<T>, length);
  out.set(data.subarray(0, length) as never);
  return out;
}
