/** Box kinds in a ViewLayout. */
export const enum BoxKind {
  Node = 0,
  /** A collapsed group drawn as one box. */
  Group = 1,
  /** The frame of an expanded group; its children are drawn inside it. */
  Frame = 2,
}

/**
 * The laid-out view of a model, as the layout worker hands it to the main thread (culling, the pixi scene, SVG
 * export): absolute coordinates in typed arrays, transferable.
 * Boxes are ordered parents before children so frames draw under their contents.
 *
 * The root group (always expanded) has no box: its items are the depth-0 boxes and `groupBox[0]` is -1.
 * `boxDepth` counts the expanded frames around a box. A Frame's title bar is its top `FRAME_TITLE` pixels
 * (see `src/layout/group-graph.ts`). Polylines run from the source box's bottom edge to the target box's top
 * edge (top-down layout); the points are ELK's orthogonal routes, or our fallback's straight segments.
 */
export interface ViewLayout {
  width: number;
  height: number;
  /**
   * Height of an operator box's title band, the size its text is drawn for (rows make boxes taller below it).
   * Absent in hand-built layouts, where the smallest operator box is taken for it.
   */
  nodeBand?: number;
  boxCount: number;
  boxX: Float32Array;
  boxY: Float32Array;
  boxW: Float32Array;
  boxH: Float32Array;
  boxKind: Uint8Array;
  boxDepth: Uint8Array;
  /** Node index for Node boxes, group id for Group and Frame boxes. */
  boxRef: Int32Array;
  edgeCount: number;
  /** Box indices at both ends. */
  edgeFrom: Int32Array;
  edgeTo: Int32Array;
  /** Number of IR edges this drawn edge stands for (aggregated between collapsed groups). */
  edgeWeight: Uint32Array;
  /** CSR polyline: points of edge e are edgePoints[2*k], edgePoints[2*k+1] for k in offsets[e]..offsets[e+1]. */
  edgePointOffsets: Uint32Array;
  edgePoints: Float32Array;
  /** Box of each IR node, or -1 if it is inside a collapsed group (see nodeVisibleBox). */
  nodeBox: Int32Array;
  /** Box that shows each group (Group or Frame), or -1 if an ancestor is collapsed. */
  groupBox: Int32Array;
  /** The graph's inputs and outputs, drawn around the model; absent when the layout has none. */
  tensors?: TensorBand;
}

/**
 * Graph inputs (a row above the model) and outputs (a row below it) as boxes with their edges. They are kept out of
 * the box and edge arrays: they are not operators, so counts, hit testing and culling over boxes never see them;
 * they are few, and drawn whole in every frame.
 */
export interface TensorBand {
  count: number;
  x: Float32Array;
  y: Float32Array;
  w: Float32Array;
  h: Float32Array;
  /** IR value of each tensor box. */
  value: Int32Array;
  /** 1 for a graph output, 0 for an input. */
  output: Uint8Array;
  edgeCount: number;
  /** Tensor box and model box at the ends of each edge (inputs run tensor → box, outputs box → tensor). */
  edgeTensor: Int32Array;
  edgeBox: Int32Array;
  /** CSR polylines in drawing direction, as ViewLayout's. */
  edgePointOffsets: Uint32Array;
  edgePoints: Float32Array;
}
