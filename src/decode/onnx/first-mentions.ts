import { Column } from '../../graph/columns.ts';
import type { StringTable } from '../../graph/string-table.ts';

/**
 * The names that node inputs mention before anything defines them, in the order first mentioned: nearly all of
 * them are the weights, whose initializer records come after every node and, as exporters write them, in the
 * same order. An initializer's name is then checked against the next expected one (its bytes sit next to the
 * previous one's in the string pool) instead of looked up in the string index, where each weight name is a cold
 * cache miss: ~16 ms of a 100k-node chain's decode went to those lookups.
 */
export class FirstMentions {
  private readonly mentioned = new Column(Int32Array, 1024);
  private cursor = 0;

  /** Notes `id`, which an input just added to the table. Ids arrive increasing. */
  add(id: number): void {
    this.mentioned.push(id);
  }

  /** The string id of the name `bytes[start, end)`, as `table.internBytes` gives it. */
  intern(table: StringTable, bytes: Uint8Array, start: number, end: number): number {
    const { cursor } = this;
    const ids = this.mentioned.data;
    if (cursor < this.mentioned.length && table.hasBytes(ids[cursor], bytes, start, end)) {
      this.cursor++;
      return ids[cursor];
    }
    const id = table.internBytes(bytes, start, end);
    // Out of step (an input that is not a weight, or weights in another order): go on from this one.
    const at = this.indexOf(id);
    if (at >= 0) this.cursor = at + 1;
    return id;
  }

  private indexOf(id: number): number {
    let lo = 0;
    let hi = this.mentioned.length - 1;
    const ids = this.mentioned.data;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const v = ids[mid];
      if (v === id) return mid;
      if (v < id) lo = mid + 1;
      else hi = mid - 1;
    }
    return -1;
  }
}
