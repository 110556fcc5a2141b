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

/** An operator box's rows (folded constants, key attributes) sit below its title band, one `ROW_HEIGHT` each. */
export const ROW_HEIGHT = 13;
const ROWS_PAD = 5;
/** A box with rows is at least this wide, so `W ⟨64×64×3×3⟩` or `strides = [2, 2]` fits. */
export const ROW_BOX_MIN_WIDTH = 150;

/** Height of an operator box listing `rows` rows: the title band, then the rows. */
export function nodeHeight(rows: number): number {
  return rows > 0 ? NODE_HEIGHT + rows * ROW_HEIGHT + ROWS_PAD : NODE_HEIGHT;
}

/** Width of an operator box: by its op label, wider when it lists rows. */
export function nodeBoxWidth(opLabel: string, rows: number): number {
  const w = nodeWidth(opLabel);
  return rows > 0 ? Math.max(w, ROW_BOX_MIN_WIDTH) : w;
}
