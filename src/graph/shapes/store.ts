import type { Shape } from './kernel.ts';

/** Packed per-value shapes: a growable dims buffer plus start/rank per value. */
export class ShapeStore {
  readonly start: Int32Array;
  readonly rank: Int32Array;
  private buf = new Float64Array(1024);
  private used = 0;

  constructor(n: number) {
    this.start = new Int32Array(n).fill(-1);
    this.rank = new Int32Array(n);
  }

  set(v: number, shape: ArrayLike<number>): void {
    let at = this.start[v];
    if (at < 0 || this.rank[v] !== shape.length) {
      if (this.used + shape.length > this.buf.length) {
        const next = new Float64Array(Math.max(this.buf.length * 2, this.used + shape.length));
        next.set(this.buf.subarray(0, this.used));
        this.buf = next;
      }
      at = this.used;
      this.start[v] = at;
      this.rank[v] = shape.length;
      this.used += shape.length;
    }
    const buf = this.buf;
    for (let i = 0; i < shape.length; i++) buf[at + i] = shape[i];
  }

  get(v: number): Shape | null {
    const s = this.start[v];
    if (s < 0) return null;
    const out: Shape = new Array(this.rank[v]);
    for (let i = 0; i < out.length; i++) out[i] = this.buf[s + i];
    return out;
  }

  known(v: number): boolean {
    const s = this.start[v];
    if (s < 0) return false;
    for (let i = s; i < s + this.rank[v]; i++) if (this.buf[i] < 0) return false;
    return true;
  }

  finish(): Float64Array {
    return this.buf.slice(0, this.used);
  }
}
