import type { PackedHeat } from './heat.ts';

/**
 * How a comparison is drawn on model B: colours per node and per group (added, changed, unchanged dimmed; groups
 * by the changes inside, with `+added ~changed −removed` as their label suffix), ghosts for A's removed nodes beside
 * the B node they were next to, and minimap marks. Built by the app from the diff; the emitter and the minimap only
 * read it, so every sink (pixi, SVG) draws the same diff.
 */
export interface DiffPaint {
  /** Packed colours as for colour-by-metric; they take the place of the heat colours while a comparison is shown. */
  colours: PackedHeat;
  /** Ghosts per B node (their anchor): `ghostLabels[ghostOffsets[n] .. ghostOffsets[n + 1]]`, one label per ghost. */
  ghostOffsets: Uint32Array;
  ghostLabels: string[];
  /** Packed RGBA of ghost boxes (a translucent fill) and their labels. */
  ghostFill: number;
  ghostStroke: number;
  ghostText: number;
  /** Minimap mark colour (0xRRGGBB) per B node and per group, -1 for none. */
  nodeMark: Int32Array;
  groupMark: Int32Array;
}

/** Ghosts drawn beside one anchor at most; the last one then says how many more there are. */
export const MAX_GHOSTS_PER_ANCHOR = 6;

/**
 * Where ghost `i` of an anchor box (x, y, w, h) goes: a column to the right of the anchor, one box per row, so
 * the ghost reads as "this used to be next to that".
 */
export function ghostRect(x: number, y: number, w: number, h: number, i: number): { x: number; y: number } {
  return { x: x + w * 1.18, y: y + i * h * 1.2 };
}
