import type { BoxRows } from '../decode/api.ts';
import type { NodeBoxes } from './api.ts';

/**
 * What the layout needs of a model's box rows: which nodes have no box, and how many rows (so how tall) each box
 * is. Row text never matters to the layout. The arrays are fresh, so they can be transferred.
 */
export function nodeBoxesFor(rows: Pick<BoxRows, 'folded' | 'rowOffsets'>): NodeBoxes {
  const n = rows.folded.length;
  const counts = new Uint16Array(n);
  for (let v = 0; v < n; v++) counts[v] = Math.min(65535, rows.rowOffsets[v + 1] - rows.rowOffsets[v]);
  return { folded: rows.folded.slice(), rows: counts };
}
