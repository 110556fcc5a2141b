/**
 * Scope children keyed by (parent group, segment text), where the segment is a character range of a longer string
 * (a node name). Lookups hash the characters in place: walking a million names never slices a prefix or builds a
 * key string, and only a new group's segment becomes a string of its own.
 *
 * Open addressing over typed arrays; the caller keeps each group's parent and segment (`keyParent`, `keySegment`),
 * which verify a hit.
 */
export class ScopeIndex {
  private slots = new Int32Array(1024).fill(-1);
  private hashes = new Uint32Array(1024);
  private size = 0;

  /** Hash of `text[start, end)` under `parent`. */
  static hash(parent: number, text: string, start: number, end: number): number {
    let h = Math.imul(parent ^ 0x9e3779b9, 0x85ebca6b) ^ (end - start);
    for (let i = start; i < end; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
    return (h ^ (h >>> 15)) >>> 0;
  }

  /** The group keyed (parent, `text[start, end)`), or -1; `hash` is `ScopeIndex.hash` of that key. */
  find(
    hash: number,
    parent: number,
    text: string,
    start: number,
    end: number,
    keyParent: ArrayLike<number>,
    keySegment: readonly string[],
  ): number {
    const mask = this.slots.length - 1;
    for (let i = hash & mask; ; i = (i + 1) & mask) {
      const g = this.slots[i];
      if (g < 0) return -1;
      if (this.hashes[i] === hash && keyParent[g] === parent && sameText(keySegment[g], text, start, end)) return g;
    }
  }

  insert(hash: number, group: number): void {
    if ((this.size + 1) * 2 > this.slots.length) this.grow();
    this.place(hash, group);
    this.size++;
  }

  private place(hash: number, group: number): void {
    const mask = this.slots.length - 1;
    let i = hash & mask;
    while (this.slots[i] >= 0) i = (i + 1) & mask;
    this.slots[i] = group;
    this.hashes[i] = hash;
  }

  private grow(): void {
    const { slots, hashes } = this;
    this.slots = new Int32Array(slots.length * 2).fill(-1);
    this.hashes = new Uint32Array(slots.length * 2);
    for (let i = 0; i < slots.length; i++) if (slots[i] >= 0) this.place(hashes[i], slots[i]);
  }
}

function sameText(segment: string, text: string, start: number, end: number): boolean {
  if (segment.length !== end - start) return false;
  for (let i = 0; i < segment.length; i++) if (segment.charCodeAt(i) !== text.charCodeAt(start + i)) return false;
  return true;
}
