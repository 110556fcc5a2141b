import type { OpenModel } from '../decode/decoder.ts';

/**
 * Types of the model diff engine. Everything per node is a typed array indexed by node id of its side, so the
 * result can be transferred from the decode worker to the page without copying and read by the scene directly.
 */

/** One side of a comparison: an open model (its IR, the bytes it came from, and its format's attribute reader). */
export type DiffSide = OpenModel;

export interface DiffOptions {
  /** Also compare the bytes of paired constants (hashed by bounded range reads). Default false. */
  bytes?: boolean;
  /** Largest single read while hashing constant payloads. Default 4 MiB. */
  maxReadBytes?: number;
}

/** Status of one node. A side uses Unchanged/Changed/Added (B) or Unchanged/Changed/Removed (A). */
export const enum NodeStatus {
  Unchanged = 0,
  Changed = 1,
  Added = 2,
  Removed = 3,
}

/** Why a matched pair differs: a bit set per node (`reasonsA/B`). `Renamed` alone does not make a pair changed. */
export const enum ChangeBit {
  OpType = 1,
  Attributes = 2,
  ConstantShape = 4,
  ConstantDtype = 8,
  ConstantBytes = 16,
  /** An input now comes from another producer (or a graph input/constant became a computed value, or back). */
  Rewired = 32,
  /** Number of inputs or outputs differs. */
  Arity = 64,
  /** Declared output element type or shape differs (where both files state it). */
  OutputType = 128,
  Renamed = 256,
}

/** Bits that make a matched pair "changed". */
export const CHANGE_MASK = 0xff;

/** Reason names for the bits above, in bit order, as the JSON report and the viewer show them. */
export const CHANGE_KINDS = [
  'op',
  'attributes',
  'constant-shape',
  'constant-dtype',
  'constant-bytes',
  'rewired',
  'arity',
  'output-type',
  'renamed',
] as const;

/** How a pair was found (per B node in `matchedBy`). */
export const enum MatchMethod {
  None = 0,
  /** Same node name on both sides. */
  Name = 1,
  /** Reached from already matched neighbours (same op, same input slot / output index). */
  Neighbours = 2,
  /** A structural signature (op, attributes, constant shapes, k-hop neighbourhood) unique on both sides. */
  Signature = 3,
}

export interface NodeChange {
  /** Node ids on each side. */
  nodeA: number;
  nodeB: number;
  /** Display names (the node name, or `Op#index` for unnamed nodes). */
  a: string;
  b: string;
  /** Reason kinds (from CHANGE_KINDS, `renamed` excluded). */
  kinds: string[];
  /** One readable line per difference, e.g. `attribute axis: 1 → -1`, `input 0: now from X (was Y)`. */
  what: string[];
}

export interface NodeRename {
  nodeA: number;
  nodeB: number;
  a: string;
  b: string;
}

export interface DiffCounts {
  nodesA: number;
  nodesB: number;
  matched: number;
  unchanged: number;
  changed: number;
  added: number;
  removed: number;
  renamed: number;
  /** Pairs found by each method. */
  byName: number;
  byNeighbours: number;
  bySignature: number;
}

export interface ModelDiff {
  /** Matched partner of each A node in B, or -1 (removed). */
  pairOfA: Int32Array;
  /** Matched partner of each B node in A, or -1 (added). */
  pairOfB: Int32Array;
  /** NodeStatus per A node: Unchanged, Changed or Removed. */
  statusA: Uint8Array;
  /** NodeStatus per B node: Unchanged, Changed or Added. */
  statusB: Uint8Array;
  /** ChangeBit set per node (the same bits on both nodes of a pair), 0 for unchanged or unmatched nodes. */
  reasonsA: Uint16Array;
  reasonsB: Uint16Array;
  /** MatchMethod per B node. */
  matchedBy: Uint8Array;
  /**
   * For each removed A node, a B node next to where it was (its nearest matched producer or consumer, found by
   * walking through the removed region), so the viewer can draw it as a ghost there; -1 when none (or not removed).
   */
  ghostAnchorA: Int32Array;
  /** Added B nodes and removed A nodes, ascending. */
  added: Uint32Array;
  removed: Uint32Array;
  /** Changed pairs in B node order, with readable reasons. */
  changes: NodeChange[];
  /** Pairs whose names differ, in B node order. */
  renames: NodeRename[];
  counts: DiffCounts;
  /** What was not compared and why (e.g. attributes for formats whose decoder does not expose them). */
  notes: string[];
  timings: {
    indexMs: number;
    attributesMs: number;
    matchMs: number;
    compareMs: number;
    bytesMs: number;
    totalMs: number;
  };
}
