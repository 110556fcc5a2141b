/**
 * The group tree over a GraphIR's main graph (and nested graphs). Group 0 is the root (the whole model).
 * Children of a group: child groups and direct nodes, kept in dataflow order.
 */
export interface Hierarchy {
  groupCount: number;
  /** Parent group, -1 for the root. */
  groupParent: Int32Array;
  /** Display label (last path segment, or a chunk label such as `blocks[0..7]`). */
  groupLabel: string[];
  /** Stable path used by `window.strata.expand(path)`, e.g. `blocks.3/attn`; '' for the root. */
  groupPath: string[];
  groupDepth: Uint16Array;
  /** CSR: child groups of each group. */
  groupChildOffsets: Uint32Array;
  groupChildren: Uint32Array;
  /** CSR: nodes directly inside each group. */
  groupNodeOffsets: Uint32Array;
  groupNodes: Uint32Array;
  /** Nodes under the group at any depth. */
  groupSize: Uint32Array;
  /** Structure hash: equal for groups with identical op structure, wiring and child structure. */
  groupHash: Uint32Array;
  /** Innermost group of each node. */
  nodeGroup: Uint32Array;
}
