import { BoxKind, type ViewLayout } from '../layout/types.ts';

/** Level of detail, chosen from the on-screen height of a typical operator box (DESIGN.md). */
export const enum Tier {
  /** h < 3 px: single-colour dots, edges hidden or one faint batch. */
  Dots = 0,
  /** 3 <= h < 12: coloured boxes, straight edges. */
  Boxes = 1,
  /** 12 <= h < 28: op-type labels, routed edges. */
  OpLabels = 2,
  /** h >= 28: names, key attributes, tensor shapes on edges. */
  Full = 3,
}

export const TIER_NAMES = ['dots', 'boxes', 'op-labels', 'full'] as const;

export const TIER_DOTS_MAX = 3;
export const TIER_BOXES_MAX = 12;
export const TIER_OPLABELS_MAX = 28;

export function tierFor(screenNodeHeight: number): Tier {
  if (screenNodeHeight < TIER_DOTS_MAX) return Tier.Dots;
  if (screenNodeHeight < TIER_BOXES_MAX) return Tier.Boxes;
  if (screenNodeHeight < TIER_OPLABELS_MAX) return Tier.OpLabels;
  return Tier.Full;
}

/**
 * Height of a typical drawn item in world units: the title band of operator boxes (their smallest height), or the
 * median height of collapsed group boxes when no operator is drawn. Sampled so it stays O(1) on huge layouts.
 */
export function typicalNodeHeight(layout: ViewLayout): number {
  const pick = (kind: BoxKind): number[] => {
    const out: number[] = [];
    const n = layout.boxCount;
    const step = Math.max(1, Math.floor(n / 2048));
    for (let i = 0; i < n; i += step) if (layout.boxKind[i] === kind && layout.boxH[i] > 0) out.push(layout.boxH[i]);
    if (out.length === 0 && step > 1) {
      for (let i = 0; i < n && out.length < 2048; i++)
        if (layout.boxKind[i] === kind && layout.boxH[i] > 0) out.push(layout.boxH[i]);
    }
    return out;
  };
  // Operator boxes share one title band height; rows below it make some boxes taller without making text larger,
  // so the band is the typical height. The layout states it: the smallest box is not always a bare band (where
  // every operator lists rows, as in OpenVINO, it would take a row in and squeeze the rows' text).
  const nodes = pick(BoxKind.Node);
  if (nodes.length && layout.nodeBand) return layout.nodeBand;
  if (nodes.length) return nodes.reduce((a, b) => Math.min(a, b));
  const hs = pick(BoxKind.Group);
  if (hs.length === 0) return 32;
  hs.sort((a, b) => a - b);
  return hs[hs.length >> 1];
}
