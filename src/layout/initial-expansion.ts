import type { Hierarchy } from '../graph/hierarchy/types.ts';

/** Graphs with at most this many operators open with every group expanded (the issue-12 rule). */
export const EXPAND_ALL_OPERATORS = 2000;
/** Larger graphs open at the deepest whole level whose layout draws about this many boxes. */
export const OPEN_BOX_BUDGET = 300;

/**
 * Groups to expand when a model opens. A graph of at most `EXPAND_ALL_OPERATORS` operators (`operators`, counted
 * by `operatorCount`: Constant-like nodes left out) opens fully expanded: it is small enough to read at once, and a
 * collapsed box would only hide it. A larger one opens whole depth levels, top-down, while the drawn item count
 * stays within `budget`, so huge models open at the group level.
 */
export function initialExpansion(h: Hierarchy, budget = OPEN_BOX_BUDGET, operators = Infinity): number[] {
  if (operators <= EXPAND_ALL_OPERATORS) return Array.from({ length: Math.max(0, h.groupCount - 1) }, (_, i) => i + 1);
  const items = (g: number) =>
    h.groupItemOffsets
      ? h.groupItemOffsets[g + 1] - h.groupItemOffsets[g]
      : h.groupChildOffsets[g + 1] - h.groupChildOffsets[g] + h.groupNodeOffsets[g + 1] - h.groupNodeOffsets[g];
  const byDepth: number[][] = [];
  for (let g = 1; g < h.groupCount; g++) {
    const d = h.groupDepth[g];
    (byDepth[d] ??= []).push(g);
  }
  let total = items(0);
  const expanded: number[] = [];
  for (let d = 1; d < byDepth.length; d++) {
    const level = byDepth[d] ?? [];
    if (level.length === 0) continue;
    let add = 0;
    for (const g of level) add += items(g);
    if (total + add > budget) break;
    total += add;
    expanded.push(...level);
  }
  return expanded;
}
