/**
 * The group tree over a GraphIR's main graph (and nested graphs). Group 0 is the root (the whole model).
 * Children of a group: child groups and direct nodes, kept in dataflow order.
 *
 * Group ids are assigned in depth-first pre-order, so a parent's id is always smaller than its children's:
 * iterating ids upwards visits parents first, downwards visits children first (no recursion needed).
 *
 * `groupPath` format (stable for a given model file, human-readable, unique):
 * - root: `''`.
 * - scope groups: the scope segments joined with `/`, e.g. `h.3/attn` for a node named `/h.3/attn/MatMul`
 *   (PyTorch), `model/dense` for `model/dense/MatMul` (TF). When a chain of single-child groups is folded into
 *   one, the group keeps the deepest path (`model/decoder`) and its label shows the chain (`model/decoder`).
 * - sub-graphs (If/Loop/Scan bodies): `<path of the owning node's group>/<graph name>`, with `~2`, `~3` … added
 *   when two bodies in the same group share a name. Functions: `function:<name>`.
 * - chunks (ordered slices of a group with too many children, and the structural groups of flat graphs):
 *   `<parent path>#<k>`, k counting the parent's chunks from 0 in dataflow order: `#0`, `#3#1`, `layers#2`.
 *   A group inside a chunk keeps its own scope path (`h.3`, not `#0/h.3`).
 * - any remaining clash gets `~2`, `~3` … appended.
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

  // Additions (beyond the original contract) -------------------------------------------------------------

  /** What made the group: see GroupKind. */
  groupKind: Uint8Array;
  /**
   * CSR: all children of a group (nodes and groups) merged in dataflow order; entry `x >= 0` is node x,
   * `x < 0` is group `-1 - x`. This is the order layout uses.
   */
  groupItemOffsets: Uint32Array;
  groupItems: Int32Array;
  /**
   * Exact structural class: two groups share a class iff their item sequences (op types, child classes) and
   * internal wiring are identical, so one's layout can be reused for the other. No hash collisions here;
   * `groupHash` is a 32-bit digest of the same signature.
   */
  groupClass: Uint32Array;
  /** Position of each node in the dataflow order used for all orderings above. */
  nodeRank: Uint32Array;
}

export const enum GroupKind {
  Root = 0,
  /** From a scope in node names. */
  Scope = 1,
  /** Body of an If/Loop/Scan node. */
  Subgraph = 2,
  /** Model-local function. */
  Function = 3,
  /** An ordered slice of a larger group, or a structural segment of a flat graph. */
  Chunk = 4,
}

/** The `groupItems` encoding: nodes are themselves (>= 0), group g is `-1 - g` (< 0). */
export const isGroupItem = (item: number): boolean => item < 0;
export const itemGroup = (item: number): number => -1 - item;
export const groupItem = (group: number): number => -1 - group;
