import type { GroupTree } from './tree.ts';
import { GroupKind } from './types.ts';
import { GraphKind, str, type GraphIR } from '../ir.ts';

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
    const base = tree.path[parent];
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
  const parentPath = tree.path[tree.parent[base]];
  return [...(parentPath ? parentPath.split('/') : []), tree.label[base]];
}

function nameMode(ir: GraphIR, start: number, end: number): NameMode {
  let slash = 0;
  let dot = 0;
  for (let v = start; v < end; v++) {
    const name = ir.strings[ir.nodeName[v]] ?? '';
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
  // Thousands of nodes share each scope prefix, so the trie walk runs once per distinct prefix.
  const cache = new Map<string, number>([['', base]]);
  const sep = mode === NameMode.Slash ? '/' : '.';
  // `/a/b/c` extends the cached `/a/b` by one segment: no full split per new scope (Llama-style exports have
  // one new scope every two nodes). Sub-graphs (prefix stripping) and dotted names take the general path.
  const incremental = mode === NameMode.Slash && skip.length === 0;
  // Neighbouring nodes usually share a scope: compare against the last prefix before slicing and hashing.
  let lastPrefix = '\u0000';
  let lastGroup = base;
  for (let v = start; v < end; v++) {
    let name = ir.strings[ir.nodeName[v]] ?? '';
    // TFLite fuses names as `a/b/Conv;a/b/BiasAdd`: the first one carries the scope.
    const semi = name.indexOf(';');
    if (semi >= 0) name = name.slice(0, semi);
    const cut = name.lastIndexOf(sep);
    if (cut < 0) continue;
    if (cut === lastPrefix.length && name.startsWith(lastPrefix)) {
      nodeGroup[v] = lastGroup;
      continue;
    }
    const prefix = name.slice(0, cut);
    let group = cache.get(prefix);
    if (group === undefined) {
      group = incremental ? resolveSlashPrefix(tree, cache, prefix) : resolveSegments(tree, base, prefix, mode, skip);
      cache.set(prefix, group);
    }
    nodeGroup[v] = group;
    lastPrefix = prefix;
    lastGroup = group;
  }
}

/** Group of a `/`-separated prefix, creating groups for the segments not seen yet; iterative. */
function resolveSlashPrefix(tree: GroupTree, cache: Map<string, number>, prefix: string): number {
  const missing: string[] = [];
  const prefixes: string[] = [];
  let p = prefix;
  let group: number | undefined;
  for (;;) {
    group = cache.get(p);
    if (group !== undefined) break;
    const j = p.lastIndexOf('/');
    missing.push(p.slice(j + 1));
    prefixes.push(p);
    p = j < 0 ? '' : p.slice(0, j);
  }
  for (let i = missing.length - 1; i >= 0; i--) {
    if (missing[i]) group = tree.scopeChild(group, missing[i]);
    cache.set(prefixes[i], group);
  }
  return group;
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
