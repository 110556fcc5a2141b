/**
 * The order search results come in. A user typing `Conv` means the Conv operators, not the hundred weight tensors
 * named `conv2d_N.w_0`, so op-type matches outrank names, and names outrank tensors:
 *   0 op type equals the query      1 node name equals it      2 node name starts with it
 *   3 node name contains it         4 op type contains it
 *   5 tensor name equals it         6 tensor name starts with it      7 tensor name contains it
 */
export const SEARCH_RANKS = 8;

/** Rank of a node for a lower-cased query (name and op lower-cased too), or null when it does not match. */
export function nodeRank(q: string, name: string, op: string): { rank: number; field: 'name' | 'op' } | null {
  if (op === q) return { rank: 0, field: 'op' };
  if (name === q) return { rank: 1, field: 'name' };
  if (name.startsWith(q)) return { rank: 2, field: 'name' };
  if (name.includes(q)) return { rank: 3, field: 'name' };
  if (op.includes(q)) return { rank: 4, field: 'op' };
  return null;
}

/** Rank of a tensor by its lower-cased name, or -1. */
export function tensorRank(q: string, name: string): number {
  if (name === q) return 5;
  if (name.startsWith(q)) return 6;
  if (name.includes(q)) return 7;
  return -1;
}

/** The heading a result list shows over a run of matches of one kind. */
export type SearchGroup = 'Operators' | 'Nodes by name' | 'Tensors';

export function searchGroupOf(m: { kind: 'node' | 'tensor'; field: 'name' | 'op' | 'tensor' }): SearchGroup {
  if (m.kind === 'tensor') return 'Tensors';
  return m.field === 'op' ? 'Operators' : 'Nodes by name';
}
