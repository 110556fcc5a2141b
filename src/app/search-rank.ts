import { NameMatch } from '../graph/name-search.ts';

/**
 * The order search results come in. A user typing `Conv` means the Conv operators, not the hundred weight tensors
 * named `conv2d_N.w_0`, so op-type matches outrank names, and names outrank tensors:
 *   0 op type equals the query      1 node name equals it      2 node name starts with it
 *   3 node name contains it         4 op type contains it
 *   5 tensor name equals it         6 tensor name starts with it      7 tensor name contains it
 */
export const SEARCH_RANKS = 8;

/** Rank of a node from how its name and its op type hold the query (see matchNames), or null when neither does. */
export function nodeRank(name: NameMatch, op: NameMatch): { rank: number; field: 'name' | 'op' } | null {
  if (op === NameMatch.Equal) return { rank: 0, field: 'op' };
  if (name === NameMatch.Equal) return { rank: 1, field: 'name' };
  if (name === NameMatch.Prefix) return { rank: 2, field: 'name' };
  if (name === NameMatch.Inside) return { rank: 3, field: 'name' };
  if (op !== NameMatch.None) return { rank: 4, field: 'op' };
  return null;
}

/** Rank of a tensor from how its name holds the query, or -1. */
export function tensorRank(name: NameMatch): number {
  if (name === NameMatch.Equal) return 5;
  if (name === NameMatch.Prefix) return 6;
  if (name === NameMatch.Inside) return 7;
  return -1;
}

/** The heading a result list shows over a run of matches of one kind. */
export type SearchGroup = 'Operators' | 'Nodes by name' | 'Tensors';

export function searchGroupOf(m: { kind: 'node' | 'tensor'; field: 'name' | 'op' | 'tensor' }): SearchGroup {
  if (m.kind === 'tensor') return 'Tensors';
  return m.field === 'op' ? 'Operators' : 'Nodes by name';
}
