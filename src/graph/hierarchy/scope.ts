import type { GroupTree } from './tree.ts';
import { GroupKind } from './types.ts';
import { GraphKind, str, type GraphIR } from '../ir.ts';
import { grownTo } from '../typed-arrays.ts';

const enum NameMode {
  /** No usable scope separators: every node is unscoped. */
  None = 0,
  /** `a/b/Op` (PyTorch, TF, tf2onnx). */
  Slash = 1,
  /** `layers.0.attn.op` module paths, used only when a graph has no `/` at all. */
  Dot = 2,
}

/**
 * Puts every node into a scope group (from its name), a sub-graph group, or adopts it.
 *
 * Unscoped nodes in a scoped graph (weight-tying `Identity_12`, hoisted `Constant_353`) go to the innermost
 * group containing all their consumers, else all their producers: that is where a reader looks for them, and
 * it keeps them from piling up at the root. Returns the innermost group of each node.
 */
export function assignScopes(ir: GraphIR, tree: GroupTree, graphOrder: Uint32Array): Int32Array {
  const nodeGroup = new Int32Array(ir.nodeCount).fill(-1);
  for (const g of graphsOuterFirst(ir)) {
    const count = ir.graphNodeCount[g];
    if (count === 0) continue;
    const base = baseGroup(ir, tree, g, nodeGroup);
    const start = ir.graphNodeStart[g];
    const end = start + count;
    const mode = nameMode(ir, start, end);
    if (mode !== NameMode.None) assignNamed(ir, tree, start, end, base, mode, nodeGroup, redundantPrefix(tree, base));
    adopt(ir, tree, g, graphOrder, base, nodeGroup);
  }
  return nodeGroup;
}

/** Graphs sorted so that a sub-graph comes after the graph holding its owner node. */
function graphsOuterFirst(ir: GraphIR): number[] {
  const depth = new Int32Array(ir.graphCount).fill(-1);
  for (let g = 0; g < ir.graphCount; g++) {
    // Walk up owners iteratively; the guard stops on malformed cycles.
    let d = 0;
    let h = g;
    for (let guard = 0; guard <= ir.graphCount; guard++) {
      const p = ir.graphParentNode[h];
      if (p < 0 || p >= ir.nodeCount) break;
      h = ir.nodeGraph[p];
      d++;
    }
    depth[g] = d;
  }
  const ids = Array.from({ length: ir.graphCount }, (_, i) => i);
  ids.sort((a, b) => depth[a] - depth[b] || a - b);
  return ids;
}

function baseGroup(ir: GraphIR, tree: GroupTree, g: number, nodeGroup: Int32Array): number {
  if (g === 0) return 0;
  const name = str(ir, ir.graphName[g]);
  const owner = ir.graphParentNode[g];
  if (ir.graphKind[g] !== GraphKind.Function && owner >= 0 && owner < ir.nodeCount && nodeGroup[owner] >= 0) {
    const parent = nodeGroup[owner];
    const label = name || `${str(ir, ir.nodeOp[owner])} body`;
    const base = tree.pathOf(parent);
    return tree.uniqueChild(parent, label, base ? `${base}/${label}` : label, GroupKind.Subgraph);
  }
  const label = name || `graph ${g}`;
  return tree.uniqueChild(0, label, `function:${label}`, GroupKind.Function);
}

/**
 * Exporters name a body's nodes with the full scope (`/blk/then_branch/Neg` inside the If at `/blk/If`). The
 * body group already sits at `blk/then_branch`, so that leading part of a body node's scope is dropped.
 */
function redundantPrefix(tree: GroupTree, base: number): string[] {
  if (base === 0 || tree.kind[base] !== GroupKind.Subgraph) return [];
  const parentPath = tree.pathOf(tree.parent[base]);
  return [...(parentPath ? parentPath.split('/') : []), tree.label[base]];
}

function nameMode(ir: GraphIR, start: number, end: number): NameMode {
  let slash = 0;
  let dot = 0;
  for (let v = start; v < end; v++) {
    const name = ir.strings.at(ir.nodeName[v]) ?? '';
    if (name.includes('/')) slash++;
    else if (name.includes('.')) dot++;
  }
  if (slash > 0) return NameMode.Slash;
  return dot * 2 >= end - start ? NameMode.Dot : NameMode.None;
}

function assignNamed(
  ir: GraphIR,
  tree: GroupTree,
  start: number,
  end: number,
  base: number,
  mode: NameMode,
  nodeGroup: Int32Array,
  skip: string[],
): void {
  // `/a/b/Op` names of the graph itself (no prefix to strip) take the character walk; sub-graph bodies and dotted
  // names are far fewer and go through prefix strings.
  if (mode === NameMode.Slash && skip.length === 0) {
    assignSlashScopes(ir, tree, start, end, base, nodeGroup);
    return;
  }
  // Thousands of nodes share each scope prefix, so the trie walk runs once per distinct prefix.
  const cache = new Map<string, number>([['', base]]);
  const sep = mode === NameMode.Slash ? '/' : '.';
  for (let v = start; v < end; v++) {
    let name = ir.strings.at(ir.nodeName[v]) ?? '';
    // TFLite fuses names as `a/b/Conv;a/b/BiasAdd`: the first one carries the scope.
    const semi = name.indexOf(';');
    if (semi >= 0) name = name.slice(0, semi);
    const cut = name.lastIndexOf(sep);
    if (cut < 0) continue;
    const prefix = name.slice(0, cut);
    let group = cache.get(prefix);
    if (group === undefined) {
      group = resolveSegments(tree, base, prefix, mode, skip);
      cache.set(prefix, group);
    }
    nodeGroup[v] = group;
  }
}

/**
 * Scope group of every `/`-named node: the group of prefix `a/b/c` is base › a › b › c (empty segments skipped).
 * Names are read in place, character by character. Consecutive names share most of their prefix (`/h.3/attn/q`,
 * `/h.3/attn/k`), so the walk resumes after the last segment boundary the name shares with the previous one, and
 * only the segments after it are looked up (hashed where they lie, no slices).
 */
function assignSlashScopes(
  ir: GraphIR,
  tree: GroupTree,
  start: number,
  end: number,
  base: number,
  nodeGroup: Int32Array,
): void {
  const SLASH = 47;
  // Segment boundaries of the previous prefix (position of each `/`, then the prefix end) and the group after each.
  let bound = new Int32Array(64);
  let after = new Int32Array(64);
  let bounds = 0;
  let prev = '';
  let prevCut = 0;
  for (let v = start; v < end; v++) {
    const name = ir.strings.at(ir.nodeName[v]) ?? '';
    // TFLite fuses names as `a/b/Conv;a/b/BiasAdd`: the first one carries the scope.
    const semi = name.indexOf(';');
    const nameEnd = semi >= 0 ? semi : name.length;
    const cut = nameEnd > 0 ? name.lastIndexOf('/', nameEnd - 1) : -1;
    if (cut < 0) continue;
    // Common prefix with the previous prefix, then the deepest boundary both prefixes have there.
    const limit = cut < prevCut ? cut : prevCut;
    let common = 0;
    while (common < limit && name.charCodeAt(common) === prev.charCodeAt(common)) common++;
    let kept = 0;
    while (kept < bounds && bound[kept] < common) kept++;
    if (kept < bounds && bound[kept] === common && (common === cut || name.charCodeAt(common) === SLASH)) kept++;
    let group = kept > 0 ? after[kept - 1] : base;
    bounds = kept;
    let from = kept > 0 ? bound[kept - 1] + 1 : 0;
    while (from <= cut) {
      let to = from;
      while (to < cut && name.charCodeAt(to) !== SLASH) to++;
      if (to > from) group = tree.scopeChildOf(group, name, from, to);
      if (bounds === bound.length) {
        bound = grownTo(bound, bound.length * 2);
        after = grownTo(after, after.length * 2);
      }
      bound[bounds] = to;
      after[bounds++] = group;
      from = to + 1;
    }
    nodeGroup[v] = group;
    prev = name;
    prevCut = cut;
  }
}

function resolveSegments(tree: GroupTree, base: number, prefix: string, mode: NameMode, skip: string[]): number {
  let group = base;
  const segs = (mode === NameMode.Slash ? prefix.split('/') : dottedSegments(prefix)).filter((x) => x);
  // Drop as much of the redundant prefix as matches, in order.
  let from = 0;
  while (from < segs.length && from < skip.length && segs[from] === skip[from]) from++;
  for (let i = from; i < segs.length; i++) group = tree.scopeChild(group, segs[i]);
  return group;
}

/** `layers.0.attn` → [`layers.0`, `attn`]: an index belongs to the list it indexes (`h.3`, not `h` › `3`). */
function dottedSegments(prefix: string): string[] {
  const out: string[] = [];
  for (const part of prefix.split('.')) {
    if (out.length && /^\d+$/.test(part)) out[out.length - 1] += `.${part}`;
    else out.push(part);
  }
  return out;
}

function adopt(
  ir: GraphIR,
  tree: GroupTree,
  g: number,
  graphOrder: Uint32Array,
  base: number,
  nodeGroup: Int32Array,
): void {
  const start = ir.graphNodeStart[g];
  const end = start + ir.graphNodeCount[g];
  const { nodeOutputOffsets: outOff, nodeOutputs: outs, valueConsumerOffsets: cOff, valueConsumers: cons } = ir;
  const { nodeInputOffsets: inOff, nodeInputs: ins, valueProducer: prod } = ir;
  // Consumers come later in dataflow order, so walking backwards sees them already placed (chains of
  // unscoped nodes resolve in one pass).
  let pending = 0;
  for (let i = end - 1; i >= start; i--) {
    const v = graphOrder[i];
    if (nodeGroup[v] >= 0) continue;
    let acc = -1;
    for (let k = outOff[v]; k < outOff[v + 1]; k++) {
      const val = outs[k];
      if (val < 0) continue;
      for (let c = cOff[val]; c < cOff[val + 1]; c++) {
        const w = cons[c];
        if (w < start || w >= end || nodeGroup[w] < 0) continue;
        acc = acc < 0 ? nodeGroup[w] : tree.lca(acc, nodeGroup[w]);
      }
    }
    if (acc >= 0) nodeGroup[v] = acc;
    else pending++;
  }
  if (pending === 0) return;
  for (let i = start; i < end; i++) {
    const v = graphOrder[i];
    if (nodeGroup[v] >= 0) continue;
    let acc = -1;
    for (let k = inOff[v]; k < inOff[v + 1]; k++) {
      const val = ins[k];
      if (val < 0) continue;
      const u = prod[val];
      if (u < start || u >= end || nodeGroup[u] < 0) continue;
      acc = acc < 0 ? nodeGroup[u] : tree.lca(acc, nodeGroup[u]);
    }
    nodeGroup[v] = acc >= 0 ? acc : base;
  }
}
