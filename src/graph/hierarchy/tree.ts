import { ScopeIndex } from './scope-index.ts';
import { GroupKind } from './types.ts';
import { grownTo } from '../typed-arrays.ts';

/**
 * The mutable group tree used while building a Hierarchy: parallel arrays per group (a million-node chain creates
 * over half a million scopes, most of which fold away again).
 * Invariant until chunking: a parent's id is smaller than its children's.
 *
 * Paths are built on demand (`pathOf`): a scope's path is its scope parent's path plus its segment, so the groups
 * that fold away never get one.
 */
export class GroupTree {
  /** Columns over group ids, with spare capacity: valid up to `count`; a column is replaced when it grows. */
  parent = new Int32Array(1024);
  kind = new Uint8Array(1024);
  depth = new Int32Array(1024);
  alive = new Uint8Array(1024);
  readonly label: string[];
  /** Scope groups: the group they were created under (their path's prefix) and their segment; -1 and '' else. */
  private scopeParent = new Int32Array(1024);
  private readonly segment: string[] = [''];
  /** Paths given when the group was added (root, sub-graphs, functions, chunks), and built ones. */
  private readonly path: (string | undefined)[] = [''];
  private readonly scopes = new ScopeIndex();
  /** Sub-graph and function children, keyed `parent\u0001label` (rare). */
  private readonly trie = new Map<string, number>();
  private segmentWithHash = false;
  private size = 1;

  constructor(rootLabel: string) {
    this.label = [rootLabel];
    this.parent[0] = -1;
    this.kind[0] = GroupKind.Root;
    this.alive[0] = 1;
    this.scopeParent[0] = -1;
  }

  get count(): number {
    return this.size;
  }

  /**
   * True when no two groups can share a path: every group below the root is a scope or a chunk (scope paths follow
   * distinct segment sequences, chunk paths end in `#k`), and no segment holds a `#` that could mimic a chunk.
   */
  get pathsDistinct(): boolean {
    return this.trie.size === 0 && !this.segmentWithHash;
  }

  add(parent: number, label: string, path: string, kind: GroupKind): number {
    const id = this.push(parent, label, kind, -1);
    this.segment.push('');
    this.path.push(path);
    return id;
  }

  private push(parent: number, label: string, kind: GroupKind, scopeParent: number): number {
    const id = this.size++;
    if (id === this.parent.length) this.grow();
    this.parent[id] = parent;
    this.kind[id] = kind;
    this.depth[id] = parent >= 0 ? this.depth[parent] + 1 : 0;
    this.alive[id] = 1;
    this.scopeParent[id] = scopeParent;
    this.label.push(label);
    return id;
  }

  private grow(): void {
    const cap = this.parent.length * 2;
    this.parent = grownTo(this.parent, cap);
    this.kind = grownTo(this.kind, cap);
    this.depth = grownTo(this.depth, cap);
    this.alive = grownTo(this.alive, cap);
    this.scopeParent = grownTo(this.scopeParent, cap);
  }

  /** The scope child `segment` of `parent`, created on first use. */
  scopeChild(parent: number, segment: string): number {
    return this.scopeChildOf(parent, segment, 0, segment.length);
  }

  /** The scope child of `parent` named `text[start, end)` (non-empty), created on first use. */
  scopeChildOf(parent: number, text: string, start: number, end: number): number {
    const hash = ScopeIndex.hash(parent, text, start, end);
    const found = this.scopes.find(hash, parent, text, start, end, this.scopeParent, this.segment);
    if (found >= 0) return found;
    const segment = start === 0 && end === text.length ? text : text.slice(start, end);
    if (segment.includes('#')) this.segmentWithHash = true;
    const id = this.push(parent, segment, GroupKind.Scope, parent);
    this.segment.push(segment);
    this.path.push(undefined);
    this.scopes.insert(hash, id);
    return id;
  }

  /** Stable path of group g (see Hierarchy.groupPath): scope segments joined with `/` under their scope parent. */
  pathOf(g: number): string {
    const known = this.path[g];
    if (known !== undefined) return known;
    // Climb to the nearest group with a path, then build the chain back down (no recursion).
    const chain: number[] = [];
    let x = g;
    while (this.path[x] === undefined) {
      chain.push(x);
      x = this.scopeParent[x];
    }
    let base = this.path[x] as string;
    for (let i = chain.length - 1; i >= 0; i--) {
      const c = chain[i];
      base = base ? `${base}/${this.segment[c]}` : this.segment[c];
      this.path[c] = base;
    }
    return base;
  }

  /** A non-scope child (sub-graph, function) whose label must not clash with a sibling of the same kind. */
  uniqueChild(parent: number, label: string, path: string, kind: GroupKind): number {
    let name = label;
    for (let k = 2; this.trie.has(`${parent}\u0001${name}`); k++) name = `${label}~${k}`;
    const id = this.add(parent, name, name === label ? path : `${path}~${name.slice(label.length + 1)}`, kind);
    this.trie.set(`${parent}\u0001${name}`, id);
    return id;
  }

  lca(a: number, b: number): number {
    const { parent, depth } = this;
    while (depth[a] > depth[b]) a = parent[a];
    while (depth[b] > depth[a]) b = parent[b];
    while (a !== b) {
      a = parent[a];
      b = parent[b];
    }
    return a;
  }

  /** Recomputes depth from parents; valid while parents have smaller ids. */
  refreshDepth(): void {
    const { parent, depth } = this;
    depth[0] = 0;
    for (let g = 1; g < this.size; g++) depth[g] = parent[g] >= 0 ? depth[parent[g]] + 1 : 0;
  }
}

/**
 * Folds single-child structure. A scope with exactly one node and no child groups dissolves into its parent;
 * a group with no direct nodes and exactly one child group merges into that child, which keeps its own
 * (deepest) path and takes the label `outer/inner`. The root absorbs a lone
 * child the same way (its children move up), so a model wrapped in one top-level module opens on its blocks.
 */
export function foldChains(tree: GroupTree, nodeGroup: Int32Array): void {
  const n = tree.count;
  const direct = new Uint32Array(n);
  for (let v = 0; v < nodeGroup.length; v++) direct[nodeGroup[v]]++;
  // Live children per group, as a count and an id sum: when the count is 1, the sum is that child.
  const childCount = new Uint32Array(n);
  const childSum = new Float64Array(n);
  for (let g = 1; g < n; g++) {
    if (!tree.alive[g]) continue;
    childCount[tree.parent[g]]++;
    childSum[tree.parent[g]] += g;
  }

  // A scope holding a single node and nothing else (`q_proj` around one MatMul, `wte` around one Gather) is
  // folded into that node: a box and a frame for one op only add clicks (and, in Llama-style exports, about
  // half of all groups). Bottom-up, so a scope left with one node by this cascades. The name stays on the node.
  let dissolved = false;
  for (let g = n - 1; g >= 1; g--) {
    if (!tree.alive[g] || tree.kind[g] !== GroupKind.Scope || direct[g] !== 1 || childCount[g] !== 0) continue;
    const p = tree.parent[g];
    tree.alive[g] = 0;
    direct[p]++;
    childCount[p]--;
    childSum[p] -= g;
    dissolved = true;
  }
  if (dissolved) {
    for (let v = 0; v < nodeGroup.length; v++) {
      let g = nodeGroup[v];
      while (!tree.alive[g]) g = tree.parent[g];
      nodeGroup[v] = g;
    }
  }

  // Bottom-up: ids descend from children to parents, so a chain a › b › c folds c into b, then b+c into a's slot.
  for (let g = n - 1; g >= 1; g--) {
    if (!tree.alive[g] || direct[g] !== 0 || childCount[g] !== 1) continue;
    const c = childSum[g];
    const p = tree.parent[g];
    tree.label[c] = `${tree.label[g]}/${tree.label[c]}`;
    if (tree.kind[g] !== GroupKind.Scope) tree.kind[c] = tree.kind[g];
    tree.parent[c] = p;
    tree.alive[g] = 0;
    childSum[p] += c - g;
  }

  let spliced = false;
  while (direct[0] === 0 && childCount[0] === 1) {
    const c = childSum[0];
    tree.label[0] = tree.label[c];
    tree.alive[c] = 0;
    for (let k = 1; k < n; k++) if (tree.alive[k] && tree.parent[k] === c) tree.parent[k] = 0;
    childCount[0] = childCount[c];
    childSum[0] = childSum[c];
    direct[0] = direct[c];
    for (let v = 0; v < nodeGroup.length; v++) if (nodeGroup[v] === c) nodeGroup[v] = 0;
    spliced = true;
  }
  if (spliced || n > 1) tree.refreshDepth();
}
