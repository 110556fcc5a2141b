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
}
