/** Ranges closer than this are read together: the bytes between cost less than another request (an HTTP range). */
export const MERGE_GAP = 64 << 10;

/**
 * One merged read over ranges sorted by offset: `order` lists them (indices into `offsets` and `lengths`); from
 * `order[first]` on, it takes the ranges that start within `gap` of the span so far while the span stays within
 * `maxSpan`. Returns the span's end and the position in `order` after the last range taken (at least first + 1).
 */
export function nextSpan(
  order: ArrayLike<number>,
  first: number,
  offsets: ArrayLike<number>,
  lengths: ArrayLike<number>,
  maxSpan: number,
  gap = MERGE_GAP,
): { end: number; next: number } {
  const start = offsets[order[first]];
  let end = start + lengths[order[first]];
  let next = first + 1;
  while (next < order.length) {
    const at = offsets[order[next]];
    const spanEnd = Math.max(end, at + lengths[order[next]]);
    if (at - end > gap || spanEnd - start > maxSpan) break;
    end = spanEnd;
    next++;
  }
  return { end, next };
}
