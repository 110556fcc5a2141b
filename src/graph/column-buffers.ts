/**
 * Objects made of typed-array columns (GraphIR, Hierarchy, the layout's output, metrics) cross threads by
 * transferring their buffers. These two helpers are the one place that walks such an object's columns.
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

/**
 * A shallow copy whose typed-array fields are fresh, exactly sized copies (views into larger or shared buffers
 * included), so the copy's buffers can be transferred while the original stays in use.
 */
export function copyColumns<T extends object>(columns: T): T {
  const copy = { ...columns };
  for (const [key, v] of Object.entries(columns)) {
    if (ArrayBuffer.isView(v) && !(v instanceof DataView)) Reflect.set(copy, key, (v as Uint8Array).slice());
  }
  return copy;
}
