/**
 * Objects made of typed-array columns (GraphIR, Hierarchy, the layout's output, metrics) cross threads by
 * transferring their buffers, or, where the page is cross-origin isolated, by sharing them. These helpers are the
 * one place that walks such an object's columns.
 */

/** The distinct ArrayBuffers behind an object's typed-array fields: what postMessage may transfer. */
export function columnBuffers(columns: object): ArrayBuffer[] {
  const buffers = new Set<ArrayBuffer>();
  for (const v of Object.values(columns)) {
    // SharedArrayBuffers are shared, not transferred.
    if (ArrayBuffer.isView(v) && v.buffer instanceof ArrayBuffer) buffers.add(v.buffer);
  }
  return [...buffers];
}

/** Whether a typed array lives in shared memory, so sending it hands the receiver the same bytes. */
export function isShared(view: ArrayBufferView): boolean {
  return typeof SharedArrayBuffer !== 'undefined' && view.buffer instanceof SharedArrayBuffer;
}

/**
 * A shallow copy whose typed-array fields are fresh, exactly sized copies (views into larger buffers included), so
 * the copy's buffers can be transferred while the original stays in use. Columns in shared memory stay shared:
 * sending them never detaches them, and every thread reads them and none writes (see `shareColumns`).
 */
export function copyColumns<T extends object>(columns: T): T {
  const copy = { ...columns };
  for (const [key, v] of Object.entries(columns)) {
    if (ArrayBuffer.isView(v) && !(v instanceof DataView) && !isShared(v)) {
      Reflect.set(copy, key, (v as Uint8Array).slice());
    }
  }
  return copy;
}

/** The typed-array types columns are made of. */
type Column = Uint8Array | Uint16Array | Uint32Array | Int32Array | Float32Array | Float64Array;
type ColumnType = { new (buffer: SharedArrayBuffer): Column; BYTES_PER_ELEMENT: number };

/** `view`'s contents in a SharedArrayBuffer of its own, as the same kind of typed array. */
export function sharedCopy<T extends Column>(view: T): T {
  const type = view.constructor as ColumnType;
  const copy = new type(new SharedArrayBuffer(view.length * type.BYTES_PER_ELEMENT)) as T;
  copy.set(view as never);
  return copy;
}

/**
 * Moves an object's typed-array columns into shared memory, in place, so that sending the object to other threads
 * gives them the same bytes instead of a copy each. A model's columns are written while it is decoded and only read
 * after: at 1M nodes they are 131 MB, which the decode worker, the page and the layout worker each held a copy of.
 * Needs a cross-origin isolated context (the caller checks); the unshared columns become garbage.
 */
export function shareColumns<T extends object>(columns: T): T {
  for (const [key, v] of Object.entries(columns)) {
    if (ArrayBuffer.isView(v) && !(v instanceof DataView) && !isShared(v))
      Reflect.set(columns, key, sharedCopy(v as Column));
  }
  return columns;
}
