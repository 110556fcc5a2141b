/**
 * The input and output of one group's layout, independent of which layouter produced it.
 * Items are the group's children (`Hierarchy.groupItems` order); edges are aggregated item→item edges.
 */
export interface GroupGraph {
  itemCount: number;
  width: Float64Array;
  height: Float64Array;
  edgeCount: number;
  edgeSrc: Uint32Array;
  edgeDst: Uint32Array;
}

/** Positions are top-left corners relative to the layout's own origin; routes are CSR polylines per edge. */
export interface RawLayout {
  width: number;
  height: number;
  x: Float64Array;
  y: Float64Array;
  routeOffsets: Uint32Array;
  /** Interleaved x, y. */
  routePoints: Float32Array;
}

/** A group's layout in its own box coordinates (frame title and padding included, except for the root). */
export interface GroupLayout {
  width: number;
  height: number;
  x: Float64Array;
  y: Float64Array;
  w: Float64Array;
  h: Float64Array;
  routeOffsets: Uint32Array;
  routePoints: Float32Array;
  engine: Layouter;
}

/** Who computed a group layout: ELK, our layered layout, or our coordinates on a kept order ('stable'). */
export type Layouter = 'elk' | 'fast' | 'stable';

// Box geometry. Sizes depend only on structure (op type, expansion), never on names, so structurally equal
// groups get equal layouts and can share one.
export const NODE_HEIGHT = 32;
export const NODE_MIN_WIDTH = 56;
export const NODE_MAX_WIDTH = 220;
const CHAR_WIDTH = 7;
export const GROUP_WIDTH = 180;
export const GROUP_HEIGHT = 44;
/** Frame of an expanded group: title bar on top, padding around the contents. */
export const FRAME_TITLE = 26;
export const FRAME_PAD = 14;

export function nodeWidth(opLabel: string): number {
  return Math.max(NODE_MIN_WIDTH, Math.min(NODE_MAX_WIDTH, opLabel.length * CHAR_WIDTH + 24));
}
