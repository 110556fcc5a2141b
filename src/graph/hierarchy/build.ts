import { chunkLargeGroups, DEFAULT_CHUNKING, type ChunkOptions } from './chunk.ts';
import { collectEdges, placeEdges, withoutNodes, type EdgePlacement, type NodeEdges } from './edges.ts';
import { computeDataflowOrder, type DataflowOrder } from './order.ts';
import { assignScopes } from './scope.ts';
import { hoistSources } from './hoist.ts';
import { foldChains, GroupTree } from './tree.ts';
import { GroupKind, groupItem, type Hierarchy } from './types.ts';
import { str, type GraphIR } from '../ir.ts';
import { operatorCount } from '../operator-count.ts';
import { contentLabel, isLayerIdLabel } from './content-name.ts';
import { structureClasses } from './structure-hash.ts';

export interface HierarchyOptions {
  chunking?: ChunkOptions;
  /**
   * Graphs with at most this many operators (Constant-like nodes not counted) are never chunked: they open fully
   * expanded, and a slice named `part 3` would only hide structure a reader can take in at once. Default 2,000.
   */
  chunkAboveOperators?: number;
  /**
   * Nodes left out of the tree (folded constants, see graph/fold.ts): they are no item of any group, have no
   * edges, and count in no group size. Each is filed under its first consumer's group (`nodeGroup`), so revealing
   * it reveals the box that lists it.
   */
  skipNodes?: Uint8Array;
  /** Rows each operator box lists (its height): part of the structure, so equal blocks stay equal in size. */
  nodeRows?: Uint16Array;
}

export const CHUNK_ABOVE_OPERATORS = 2000;

/** A hierarchy plus the intermediate results layout needs too (computed once, not twice). */
export interface HierarchyBuild {
  hierarchy: Hierarchy;
  order: DataflowOrder;
  edges: NodeEdges;
  placement: EdgePlacement;
}

/**
 * Builds the group tree of a model: scopes from node names, sub-graph bodies, adopted unscoped nodes, folded
 * single-child chains, and ordered chunks for oversized groups (which is also how flat graphs get their
 * structural groups). Pure and synchronous; every pass is iterative and linear or n·log n in the node count.
 */
export function buildHierarchy(ir: GraphIR, options: HierarchyOptions = {}): Hierarchy {
  return buildHierarchyDetailed(ir, options).hierarchy;
}

export function buildHierarchyDetailed(ir: GraphIR, options: HierarchyOptions = {}): HierarchyBuild {
  const order = computeDataflowOrder(ir);
  const skip = options.skipNodes ?? null;
  const edges = skip ? withoutNodes(collectEdges(ir), skip) : collectEdges(ir);
  const rootLabel = (ir.graphCount > 0 && str(ir, ir.graphName[0])) || 'model';
  const tree = new GroupTree(rootLabel);
  const nodeGroup = assignScopes(ir, tree, order.graphOrder);
  foldChains(tree, nodeGroup);
  if (operatorCount(ir) > (options.chunkAboveOperators ?? CHUNK_ABOVE_OPERATORS)) {
    chunkLargeGroups(tree, nodeGroup, order, edges, options.chunking ?? DEFAULT_CHUNKING);
  }
  const hierarchy = finalize(ir, tree, nodeGroup, order, skip);
  const placement = placeEdges(hierarchy, edges, ir.nodeCount);
  const { hash, cls } = structureClasses(ir, hierarchy, edges, placement, options.nodeRows);
  hierarchy.groupHash = hash;
  hierarchy.groupClass = cls;
  return { hierarchy, order, edges, placement };
}

/** Renumbers live groups in pre-order (children by first node in dataflow order) and packs the CSR arrays. */
function finalize(
  ir: GraphIR,
  tree: GroupTree,
  nodeGroupOld: Int32Array,
  order: DataflowOrder,
  skip: Uint8Array | null,
): Hierarchy {
  const oldCount = tree.count;
  const n = ir.nodeCount;

  // First node of each group's subtree: own first node, then fold children in, deepest first.
  const minRank = new Float64Array(oldCount).fill(Infinity);
  for (let v = 0; v < n; v++) {
    const g = nodeGroupOld[v];
    if (order.rank[v] < minRank[g] && !skip?.[v]) minRank[g] = order.rank[v];
  }
  const pre = preOrder(tree, oldCount, n, null);
  for (let i = pre.length - 1; i > 0; i--) {
    const g = pre[i];
    const p = tree.parent[g];
    if (minRank[g] < minRank[p]) minRank[p] = minRank[g];
  }
  // Children by first node; groups left without nodes (cannot normally happen) sort last and are dropped below.
  const sorted = preOrder(tree, oldCount, n, minRank);

  const newId = new Int32Array(oldCount).fill(-1);
  const oldOf = new Int32Array(sorted.length);
  let live = 0;
  for (let i = 0; i < sorted.length; i++) {
    const g = sorted[i];
    if (g !== 0 && (minRank[g] === Infinity || newId[tree.parent[g]] < 0)) continue;
    newId[g] = live;
    oldOf[live++] = g;
  }
  const G = live;

  const groupParent = new Int32Array(G);
  const groupDepth = new Uint16Array(G);
  const groupKind = new Uint8Array(G);
  const groupLabel: string[] = new Array(G);
  const groupPath: string[] = new Array(G);
  groupParent[0] = -1;
  for (let g = 0; g < G; g++) {
    const old = oldOf[g];
    groupKind[g] = tree.kind[old];
    groupLabel[g] = tree.label[old];
    groupPath[g] = tree.pathOf(old);
    if (g > 0) {
      groupParent[g] = newId[tree.parent[old]];
      groupDepth[g] = Math.min(65535, groupDepth[groupParent[g]] + 1);
    }
  }
  const nodeGroup = new Uint32Array(n);
  for (let v = 0; v < n; v++) nodeGroup[v] = newId[nodeGroupOld[v]];
  if (skip) fileSkippedNodes(ir, skip, nodeGroup, newId, nodeGroupOld);
  // Skipped nodes are in no group's node list: `live` is the number of listed nodes.
  const listed = (v: number) => !skip?.[v];

  // Child groups: pre-order numbering already lists them contiguously per parent, in sorted order.
  const groupChildOffsets = new Uint32Array(G + 1);
  for (let g = 1; g < G; g++) groupChildOffsets[groupParent[g] + 1]++;
  for (let g = 0; g < G; g++) groupChildOffsets[g + 1] += groupChildOffsets[g];
  const groupChildren = new Uint32Array(Math.max(0, G - 1));
  {
    const fill = groupChildOffsets.slice(0, G);
    for (let g = 1; g < G; g++) groupChildren[fill[groupParent[g]]++] = g;
  }
  // Direct nodes in dataflow order: counting sort by group over the dataflow sequence.
  const groupNodeOffsets = new Uint32Array(G + 1);
  for (let v = 0; v < n; v++) if (listed(v)) groupNodeOffsets[nodeGroup[v] + 1]++;
  for (let g = 0; g < G; g++) groupNodeOffsets[g + 1] += groupNodeOffsets[g];
  const groupNodes = new Uint32Array(groupNodeOffsets[G]);
  {
    const fill = groupNodeOffsets.slice(0, G);
    for (let i = 0; i < n; i++) {
      const v = order.order[i];
      if (listed(v)) groupNodes[fill[nodeGroup[v]]++] = v;
    }
  }
  const itemRank = hoistSources(
    ir,
    groupParent,
    groupDepth,
    groupNodeOffsets,
    groupNodes,
    nodeGroup,
    (g) => minRank[oldOf[g]],
    order.rank,
  );
  // Merged items: both lists are sorted by first rank, so a merge keeps dataflow order.
  const groupItemOffsets = new Uint32Array(G + 1);
  for (let g = 0; g < G; g++) {
    groupItemOffsets[g + 1] =
      groupItemOffsets[g] +
      (groupChildOffsets[g + 1] - groupChildOffsets[g]) +
      (groupNodeOffsets[g + 1] - groupNodeOffsets[g]);
  }
  const groupItems = new Int32Array(groupItemOffsets[G]);
  for (let g = 0; g < G; g++) {
    let i = groupNodeOffsets[g];
    let j = groupChildOffsets[g];
    const iEnd = groupNodeOffsets[g + 1];
    const jEnd = groupChildOffsets[g + 1];
    for (let k = groupItemOffsets[g]; k < groupItemOffsets[g + 1]; k++) {
      if (j >= jEnd || (i < iEnd && itemRank[groupNodes[i]] < minRank[oldOf[groupChildren[j]]])) {
        groupItems[k] = groupNodes[i++];
      } else {
        groupItems[k] = groupItem(groupChildren[j++]);
      }
    }
  }

  const groupSize = new Uint32Array(G);
  for (let g = G - 1; g >= 0; g--) {
    groupSize[g] += groupNodeOffsets[g + 1] - groupNodeOffsets[g];
    if (g > 0) groupSize[groupParent[g]] += groupSize[g];
  }

  // Scope paths first (chunk paths derive from their parent's final path), then everything. Trees of scopes and
  // chunks only have distinct paths by construction.
  const distinct = tree.pathsDistinct;
  if (!distinct) uniquePaths(groupPath);
  nameChunks(groupParent, groupKind, groupLabel, groupPath, groupChildOffsets, groupChildren);
  if (!distinct) uniquePaths(groupPath);
  nameByContent(ir, groupKind, groupLabel, groupParent, groupNodeOffsets, groupNodes, order.rank);

  return {
    groupCount: G,
    groupParent,
    groupLabel,
    groupPath,
    groupDepth,
    groupChildOffsets,
    groupChildren,
    groupNodeOffsets,
    groupNodes,
    groupSize,
    groupHash: new Uint32Array(G),
    nodeGroup,
    groupKind,
    groupItemOffsets,
    groupItems,
    groupClass: new Uint32Array(G),
    nodeRank: rerank(itemRank),
  };
}

/**
 * Live groups in depth-first pre-order from the root, each group's children visited by ascending `key` (a node
 * rank, or Infinity, which sorts last; ties by id), or by id without keys. Counting sorts only: one by key, then
 * one bucketing children by parent, which keeps the key order within each parent.
 */
function preOrder(tree: GroupTree, count: number, nodeCount: number, key: Float64Array | null): Int32Array {
  let byKey = new Int32Array(count);
  let live = 0;
  for (let g = 1; g < count; g++) if (tree.alive[g]) byKey[live++] = g;
  byKey = byKey.subarray(0, live);
  if (key) {
    const keyOf = (g: number) => (key[g] === Infinity ? nodeCount : key[g]);
    const start = new Uint32Array(nodeCount + 2);
    for (let i = 0; i < live; i++) start[keyOf(byKey[i]) + 1]++;
    for (let k = 0; k <= nodeCount; k++) start[k + 1] += start[k];
    const out = new Int32Array(live);
    for (let i = 0; i < live; i++) out[start[keyOf(byKey[i])]++] = byKey[i];
    byKey = out;
  }
  const offsets = new Uint32Array(count + 1);
  for (let i = 0; i < live; i++) offsets[tree.parent[byKey[i]] + 1]++;
  for (let g = 0; g < count; g++) offsets[g + 1] += offsets[g];
  const children = new Int32Array(live);
  const fill = offsets.slice(0, count);
  for (let i = 0; i < live; i++) children[fill[tree.parent[byKey[i]]]++] = byKey[i];
  const order = new Int32Array(live + 1);
  let w = 0;
  const stack = new Int32Array(live + 1);
  let top = 0;
  stack[top++] = 0;
  while (top > 0) {
    const g = stack[--top];
    order[w++] = g;
    for (let k = offsets[g + 1]; k-- > offsets[g]; ) stack[top++] = children[k];
  }
  return order.subarray(0, w);
}

/**
 * Chunk paths are `<parent path>#k`; labels summarise numbered children (`h[0..63]`) when they share a
 * prefix, else `part k` (1-based, as shown to people).
 */
function nameChunks(
  parent: Int32Array,
  kind: Uint8Array,
  label: string[],
  path: string[],
  childOff: Uint32Array,
  children: Uint32Array,
): void {
  const G = parent.length;
  const index = new Int32Array(G);
  for (let g = 0; g < G; g++) {
    let k = 0;
    for (let c = childOff[g]; c < childOff[g + 1]; c++) {
      const child = children[c];
      if (kind[child] === GroupKind.Chunk) index[child] = k++;
    }
  }
  for (let g = 1; g < G; g++) {
    if (kind[g] === GroupKind.Chunk) path[g] = `${path[parent[g]]}#${index[g]}`;
  }
  // Bottom-up so a chunk of chunks can merge its children's ranges.
  for (let g = G - 1; g >= 1; g--) {
    if (kind[g] !== GroupKind.Chunk) continue;
    let prefix: string | null = null;
    let lo = Infinity;
    let hi = -Infinity;
    let numbered = 0;
    const total = childOff[g + 1] - childOff[g];
    for (let c = childOff[g]; c < childOff[g + 1]; c++) {
      const child = children[c];
      // Ranges of inner chunks merge (`h[0..63]` + `h[64..127]`); their `part k` fallbacks do not.
      const text = label[child];
      const m =
        (text.charCodeAt(text.length - 1) === 93 ? /^(.*?)\[(\d+)\.\.(\d+)\]$/.exec(text) : null) ??
        (kind[child] === GroupKind.Chunk ? null : /^(.*?)(\d+)$/.exec(text));
      if (!m) continue;
      const p = m[1].replace(/[._-]$/, '');
      if (prefix === null) prefix = p;
      else if (prefix !== p) {
        numbered = 0;
        break;
      }
      numbered++;
      lo = Math.min(lo, Number(m[2]));
      hi = Math.max(hi, Number(m[3] ?? m[2]));
    }
    // `part k` is a placeholder: nameByContent replaces it with what the chunk holds.
    label[g] =
      prefix !== null && numbered >= 2 && numbered * 2 >= total ? `${prefix}[${lo}..${hi}]` : `part ${index[g] + 1}`;
  }
}

/**
 * A skipped node belongs to its first listed consumer's group (the box that shows it as a row); without one, to
 * its own scope group if that survived, else the root.
 */
function fileSkippedNodes(
  ir: GraphIR,
  skip: Uint8Array,
  nodeGroup: Uint32Array,
  newId: Int32Array,
  oldGroup: Int32Array,
): void {
  for (let v = 0; v < ir.nodeCount; v++) {
    if (!skip[v]) continue;
    let home = newId[oldGroup[v]] >= 0 ? newId[oldGroup[v]] : 0;
    search: for (let k = ir.nodeOutputOffsets[v]; k < ir.nodeOutputOffsets[v + 1]; k++) {
      const val = ir.nodeOutputs[k];
      if (val < 0) continue;
      for (let c = ir.valueConsumerOffsets[val]; c < ir.valueConsumerOffsets[val + 1]; c++) {
        const consumer = ir.valueConsumers[c];
        if (!skip[consumer]) {
          home = newId[oldGroup[consumer]] >= 0 ? newId[oldGroup[consumer]] : 0;
          break search;
        }
      }
    }
    nodeGroup[v] = home;
  }
}

function uniquePaths(path: string[]): void {
  const seen = new Set<string>();
  for (let g = 0; g < path.length; g++) {
    let p = path[g];
    for (let k = 2; seen.has(p); k++) p = `${path[g]}~${k}`;
    path[g] = p;
    seen.add(p);
  }
}

/**
 * Chunks still called `part k`, and scopes named after one generated layer id (OpenVINO's `Add1_8042`), get a
 * name from their content (see contentLabel). Ids are pre-order, so a group's subtree is the id range up to the
 * next group that is not its descendant.
 */
function nameByContent(
  ir: GraphIR,
  kind: Uint8Array,
  label: string[],
  parent: Int32Array,
  nodeOff: Uint32Array,
  nodes: Uint32Array,
  rank: Uint32Array,
): void {
  const G = label.length;
  const end = new Int32Array(G);
  for (let g = G - 1; g >= 0; g--) {
    end[g] = Math.max(end[g], g + 1);
    if (g > 0 && end[g] > end[parent[g]]) end[parent[g]] = end[g];
  }
  for (let g = 1; g < G; g++) {
    const chunk = kind[g] === GroupKind.Chunk && /^part \d+$/.test(label[g]);
    const layerId = kind[g] === GroupKind.Scope && isLayerIdLabel(label[g]);
    if (!chunk && !layerId) continue;
    const under = Array.from(nodes.subarray(nodeOff[g], nodeOff[end[g]])).sort((a, b) => rank[a] - rank[b]);
    const name = contentLabel(ir, under, chunk);
    if (name) label[g] = chunk ? name : `${name} · ${label[g]}`;
  }
}

/**
 * Integer ranks in the order items were merged by (hoisted sources just before their consumers). Item ranks are
 * node ranks or a node rank minus 0.5, so `2 * rank + 1` is an integer key below 2n: a counting sort, ties by id.
 */
function rerank(itemRank: Float64Array): Uint32Array {
  const n = itemRank.length;
  const start = new Uint32Array(2 * n + 2);
  for (let v = 0; v < n; v++) start[2 * itemRank[v] + 2]++;
  for (let k = 0; k <= 2 * n; k++) start[k + 1] += start[k];
  const out = new Uint32Array(n);
  for (let v = 0; v < n; v++) out[v] = start[2 * itemRank[v] + 1]++;
  return out;
}
