import type { Hierarchy } from '../graph/hierarchy/types.ts';
import { NodeStatus } from '../diff/types.ts';
import type { DiffPaint } from '../scene/draw/diff-paint.ts';
import { rgba, type Theme, type ThemeName } from '../scene/palette.ts';
import type { Comparison } from './comparison.ts';

/** Fill, stroke and text (0xRRGGBB) of one diff status in one theme. */
interface Swatch {
  fill: number;
  stroke: number;
  text: number;
}

/** Diff colours: added green, changed amber, removed red (ghosts), unchanged dimmed towards the background. */
export const DIFF_COLOURS: Record<ThemeName, { added: Swatch; changed: Swatch; removed: Swatch; unchanged: Swatch }> = {
  light: {
    added: { fill: 0x5cc47a, stroke: 0x1c7a37, text: 0x0b2e14 },
    changed: { fill: 0xf5b841, stroke: 0xa36600, text: 0x3a2600 },
    removed: { fill: 0xf4b4b6, stroke: 0xd1242b, text: 0xb01f25 },
    unchanged: { fill: 0xeef0f4, stroke: 0xcdd2db, text: 0xa0a7b5 },
  },
  dark: {
    added: { fill: 0x2f8a4a, stroke: 0x74e092, text: 0xeafff0 },
    changed: { fill: 0x8f6210, stroke: 0xf5c453, text: 0xfff4d6 },
    removed: { fill: 0x6b2427, stroke: 0xff6b70, text: 0xff8f93 },
    unchanged: { fill: 0x1c2028, stroke: 0x323846, text: 0x5b6475 },
  },
};

/** Ghost boxes: the removed swatch at this opacity, so what lies under a ghost still shows through. */
const GHOST_ALPHA = 0.8;

/** `+3 ~2 −1`: the differences inside a group (only the non-zero parts). */
export function badgeText(added: number, changed: number, removed: number): string {
  const parts: string[] = [];
  if (added) parts.push(`+${added}`);
  if (changed) parts.push(`~${changed}`);
  if (removed) parts.push(`−${removed}`);
  return parts.join(' ');
}

/** The scene's drawing of a comparison on model B (see scene/draw/diff-paint.ts). Linear in nodes + groups. */
export function comparisonPaint(c: Comparison, theme: Theme): DiffPaint {
  const colours = DIFF_COLOURS[theme.name];
  const { diff, groups } = c;
  const h: Hierarchy = c.b.hierarchy;
  const N = diff.statusB.length;
  const G = h.groupCount;
  const swatchOf = [colours.unchanged, colours.changed, colours.added, colours.removed];
  const nodeFill = new Uint32Array(N);
  const nodeStroke = new Uint32Array(N);
  const nodeText = new Uint32Array(N);
  const nodeMark = new Int32Array(N).fill(-1);
  for (let n = 0; n < N; n++) {
    const s = diff.statusB[n];
    const sw = swatchOf[s];
    nodeFill[n] = rgba(sw.fill);
    nodeStroke[n] = rgba(sw.stroke);
    nodeText[n] = rgba(sw.text);
    if (s !== NodeStatus.Unchanged) nodeMark[n] = sw.stroke;
  }

  // Ghosts: removed A nodes grouped by their anchor B node (CSR).
  const ghostOffsets = new Uint32Array(N + 1);
  for (const a of diff.removed) {
    const anchor = diff.ghostAnchorA[a];
    if (anchor >= 0) ghostOffsets[anchor + 1]++;
  }
  for (let n = 0; n < N; n++) ghostOffsets[n + 1] += ghostOffsets[n];
  const fill = ghostOffsets.slice(0, N);
  const ghostLabels = new Array<string>(ghostOffsets[N]);
  for (const a of diff.removed) {
    const anchor = diff.ghostAnchorA[a];
    if (anchor < 0) continue;
    ghostLabels[fill[anchor]++] = c.a.nodeOp(a);
    if (nodeMark[anchor] < 0) nodeMark[anchor] = colours.removed.stroke;
  }

  // Groups: dimmed without differences, else in the colour of the kind of difference they hold most of.
  const groupFill = new Uint32Array(G);
  const groupStroke = new Uint32Array(G);
  const groupText = new Uint32Array(G);
  const groupMark = new Int32Array(G).fill(-1);
  const badges: string[] = new Array(G);
  for (let g = 0; g < G; g++) {
    const ad = groups.added[g];
    const ch = groups.changed[g];
    const rm = groups.removed[g];
    const sw =
      ad + ch + rm === 0
        ? colours.unchanged
        : rm >= ad && rm >= ch
          ? colours.removed
          : ad >= ch
            ? colours.added
            : colours.changed;
    groupFill[g] = rgba(sw.fill);
    groupStroke[g] = rgba(sw.stroke);
    groupText[g] = rgba(sw.text);
    if (sw !== colours.unchanged) groupMark[g] = sw.stroke;
    badges[g] = badgeText(ad, ch, rm);
  }
  return {
    colours: { nodeFill, nodeStroke, nodeText, groupFill, groupStroke, groupText, groupSuffix: (g) => badges[g] },
    ghostOffsets,
    ghostLabels,
    ghostFill: rgba(colours.removed.fill, GHOST_ALPHA),
    ghostStroke: rgba(colours.removed.stroke),
    ghostText: rgba(colours.removed.text),
    nodeMark,
    groupMark,
  };
}
