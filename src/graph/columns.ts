/** Growable typed-array columns: amortised O(1) push without per-element objects. */
import { grownColumn } from './column-memory.ts';
import type { NumericArray } from './typed-arrays.ts';

type TypedArrayCtor<T extends NumericArray> = { new (length: number): T };

export class Column<T extends NumericArray> {
  data: T;
  length = 0;
  constructor(ctor: TypedArrayCtor<T>, capacity = 64) {
    this.data = new ctor(capacity);
  }

  push(v: number): number {
    if (this.length === this.data.length) this.grow(this.length + 1);
    this.data[this.length] = v;
    return this.length++;
  }

  set(i: number, v: number): void {
    this.data[i] = v;
  }

  get(i: number): number {
    return this.data[i];
  }

  /** Makes room for `capacity` elements up front (a size known or guessed before pushing). */
  reserve(capacity: number): void {
    if (capacity > this.data.length) this.grow(capacity);
  }

  private grow(min: number): void {
    this.data = grownColumn(this.data, Math.max(min, this.data.length * 2));
  }

  /** A right-sized copy; the column stays usable. */
  toArray(): T {
    return this.data.slice(0, this.length) as T;
  }
}

export const u8 = () => new Column(Uint8Array);
export const u32 = () => new Column(Uint32Array);
export const i32 = () => new Column(Int32Array);
export const f64 = () => new Column(Float64Array);

export { StringTable } from './string-table.ts';
export { decodeUtf8 } from './text.ts';
