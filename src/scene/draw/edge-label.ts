/**
 * Where an edge's shape label goes: beside the edge's longest vertical run (to its right), or just above its longest
 * horizontal run, so the text sits next to the line and never on it. Returns the anchor point and alignment.
 */
export interface EdgeLabelSpot {
  x: number;
  y: number;
  anchorX: number;
  anchorY: number;
}

/** `along`: where on the chosen run, from its start (0) to its end (1). */
export function edgeLabelSpot(pts: ArrayLike<number>, p0: number, p1: number, gap: number, along = 0.5): EdgeLabelSpot {
  const run = (p: number) => {
    const dx = Math.abs(pts[2 * p + 2] - pts[2 * p]);
    const dy = Math.abs(pts[2 * p + 3] - pts[2 * p + 1]);
    // Vertical runs are preferred (the layout flows top to bottom): a horizontal one must be twice as long.
    return { len: dy >= dx ? dy : dx / 2, vertical: dy >= dx };
  };
  // The middle segment wins ties, so a straight edge keeps its label half-way down.
  let best = p0 + ((p1 - p0 - 1) >> 1);
  let { len: bestLen, vertical } = run(best);
  for (let p = p0; p < p1 - 1; p++) {
    const r = run(p);
    if (r.len > bestLen) {
      bestLen = r.len;
      best = p;
      vertical = r.vertical;
    }
  }
  const mx = pts[2 * best] + (pts[2 * best + 2] - pts[2 * best]) * along;
  const my = pts[2 * best + 1] + (pts[2 * best + 3] - pts[2 * best + 1]) * along;
  return vertical
    ? { x: mx + gap, y: my, anchorX: 0, anchorY: 0.5 }
    : { x: mx + gap, y: my - gap, anchorX: 0, anchorY: 1 };
}
