import type { Hierarchy } from '../graph/hierarchy/types.ts';
import { GraphKind, nodeOutputIds, str, valueConsumerIds, type GraphIR } from '../graph/ir.ts';
import { edgeShapeText, inferredTypeText, tensorTypeText, type ValueShapes } from '../graph/shapes/value-shapes.ts';
import { BoxKind, type TensorBand, type ViewLayout } from '../layout/types.ts';
import { opCategory, type OpCategory } from '../scene/palette.ts';
import type { SceneSource } from '../scene/draw/emit.ts';
import { BoxContent } from './box-content.ts';
import { matchNames } from '../graph/name-search.ts';
import { SEARCH_RANKS, nodeRank, tensorRank } from './search-rank.ts';

export interface SearchMatch {
  kind: 'node' | 'tensor';
  /** Node name, or tensor name for tensor matches. */
  name: string;
  op: string;
  /** Node to show: the match itself, or the tensor's producer (first consumer for weights and inputs). */
  node: number;
  value?: number;
  /** What matched: 'name', 'op' or 'tensor'. */
  field: 'name' | 'op' | 'tensor';
}

/**
 * The open model as the viewer sees it: GraphIR + Hierarchy, with the cheap lookups the scene, search and
 * properties panel need. Everything here is O(1) per call or built lazily once.
 */
/** A graph input or output as `state().tensors` lists it. */
export interface TensorBoxState {
  name: string;
  type: string;
  kind: 'input' | 'output';
}

export class ModelView implements SceneSource {
  private readonly categoryByString: Int8Array;
  private nodeByName: Map<string, number> | null = null;
  private valueByName: Map<string, number> | null = null;
  private groupByPath: Map<string, number> | null = null;
  readonly mainNodeCount: number;
  /** Shapes after inference and the per-group metric totals: null until the analysis (after the first frame). */
  private shapes: ValueShapes | null = null;
  private totals: ((group: number) => string) | null = null;

  constructor(
    readonly ir: GraphIR,
    readonly hierarchy: Hierarchy,
    readonly fileName: string,
    readonly boxes: BoxContent = BoxContent.empty(ir.nodeCount),
  ) {
    this.categoryByString = new Int8Array(ir.strings.length).fill(-1);
    let main = 0;
    for (let g = 0; g < ir.graphCount; g++) if (ir.graphKind[g] === GraphKind.Main) main += ir.graphNodeCount[g];
    this.mainNodeCount = ir.graphCount > 0 ? main : ir.nodeCount;
  }

  get groupCount(): number {
    return Math.max(0, this.hierarchy.groupCount - 1);
  }

  nodeOp(node: number): string {
    return str(this.ir, this.ir.nodeOp[node]);
  }

  nodeName(node: number): string {
    return str(this.ir, this.ir.nodeName[node]);
  }

  /** Box title: the op type, with a fused activation (`CONV_2D | RELU6`). */
  nodeBoxTitle(node: number): string {
    return this.boxes.title(this.nodeOp(node), node);
  }

  nodeRowCount(node: number): number {
    return this.boxes.rowCount(node);
  }

  nodeRowText(node: number, row: number): string {
    return this.boxes.rowText(node, row);
  }

  /** The node whose box shows this one: its first consumer with a box when it is a folded constant, else itself. */
  shownNodeOf(node: number): number {
    if (!this.boxes.isFolded(node)) return node;
    for (const out of nodeOutputIds(this.ir, node)) {
      if (out < 0) continue;
      for (const c of valueConsumerIds(this.ir, out)) if (!this.boxes.isFolded(c)) return c;
    }
    return node;
  }

  /** Name, or a stand-in for unnamed nodes. */
  nodeTitle(node: number): string {
    return this.nodeName(node) || `${this.nodeOp(node)} #${node}`;
  }

  nodeCategory(node: number): OpCategory {
    const s = this.ir.nodeOp[node];
    let c = this.categoryByString[s];
    if (c < 0) {
      c = opCategory(str(this.ir, s));
      this.categoryByString[s] = c;
    }
    return c as OpCategory;
  }

  groupLabel(group: number): string {
    const l = this.hierarchy.groupLabel[group];
    if (l) return l;
    return group === 0 ? this.fileName || 'model' : `group ${group}`;
  }

  groupSize(group: number): number {
    return this.hierarchy.groupSize[group] ?? 0;
  }

  /** `1.2M params · 3.4 GFLOPs` for a collapsed group's box, once the analysis has summed them; '' before. */
  groupTotals(group: number): string {
    return this.totals ? this.totals(group) : '';
  }

  /** The analysis arrived: inferred shapes (edge labels, types the file leaves out) and group totals. */
  setAnalysis(shapes: ValueShapes | null, totals: ((group: number) => string) | null): void {
    this.shapes = shapes;
    this.totals = totals;
  }

  /** `float32[1,128] inferred`, for a value whose file records no shape; null when inference knows nothing. */
  inferredType(value: number): string | null {
    return inferredTypeText(this.shapes, value);
  }

  tensorName(value: number): string {
    return str(this.ir, this.ir.valueName[value]);
  }

  tensorType(value: number): string {
    return tensorTypeText(this.ir, this.shapes, value);
  }

  /** The drawn input and output boxes, in band order, with the text they show. */
  tensorBoxes(band: TensorBand): TensorBoxState[] {
    const out: TensorBoxState[] = [];
    for (let i = 0; i < band.count; i++) {
      const v = band.value[i];
      out.push({ name: this.tensorName(v), type: this.tensorType(v), kind: band.output[i] ? 'output' : 'input' });
    }
    return out;
  }

  edgeLabel(layout: ViewLayout, edge: number): string {
    const a = layout.edgeFrom[edge];
    const b = layout.edgeTo[edge];
    if (a < 0 || layout.boxKind[a] !== BoxKind.Node) return '';
    const from = layout.boxRef[a];
    const outs = nodeOutputIds(this.ir, from);
    let value = -1;
    if (b >= 0 && layout.boxKind[b] === BoxKind.Node) {
      const to = layout.boxRef[b];
      for (const v of outs) {
        if (v < 0) continue;
        for (const c of valueConsumerIds(this.ir, v)) if (c === to) value = v;
        if (value >= 0) break;
      }
    }
    if (value < 0) value = outs.find((v) => v >= 0) ?? -1;
    if (value < 0) return '';
    return edgeShapeText(this.ir, this.shapes, value);
  }

  /** Ancestor groups of a group, innermost first, excluding the root. */
  ancestors(group: number): number[] {
    const out: number[] = [];
    for (let g = group; g > 0; g = this.hierarchy.groupParent[g]) out.push(g);
    return out;
  }

  groupOfPath(path: string): number {
    if (!this.groupByPath) {
      this.groupByPath = new Map();
      const paths = this.hierarchy.groupPath;
      for (let g = 0; g < paths.length; g++) if (!this.groupByPath.has(paths[g])) this.groupByPath.set(paths[g], g);
    }
    return this.groupByPath.get(path) ?? -1;
  }

  /** Node by exact name (first of duplicates); also accepts a tensor name (its producer). */
  findNode(name: string): number {
    if (!this.nodeByName) {
      this.nodeByName = new Map();
      for (let n = this.ir.nodeCount - 1; n >= 0; n--) this.nodeByName.set(this.nodeName(n), n);
    }
    const hit = this.nodeByName.get(name);
    if (hit !== undefined) return hit;
    const v = this.findValue(name);
    return v >= 0 ? this.nodeOfValue(v) : -1;
  }

  findValue(name: string): number {
    if (!this.valueByName) {
      this.valueByName = new Map();
      for (let v = this.ir.valueCount - 1; v >= 0; v--) this.valueByName.set(str(this.ir, this.ir.valueName[v]), v);
    }
    return this.valueByName.get(name) ?? -1;
  }

  nodeOfValue(value: number): number {
    const p = this.ir.valueProducer[value];
    if (p >= 0) return p;
    const consumers = valueConsumerIds(this.ir, value);
    return consumers.length ? consumers[0] : -1;
  }

  /**
   * Case-insensitive search, ranked by what the user most likely meant: operators whose op type is the query,
   * then nodes by name (exact, prefix, substring), then operators whose op type contains the query, then tensors
   * (exact, prefix, substring). Within a rank, model order. `searchRank` (search-rank.ts) holds the order.
   */
  search(query: string, limit = Infinity): SearchMatch[] {
    const q = query.trim().toLowerCase();
    if (!q) return [];
    const ir = this.ir;
    // One pass over the names for the whole query (matchNames): no name becomes a string unless it matches.
    const match = matchNames(ir.strings, q);
    const ranked: SearchMatch[][] = Array.from({ length: SEARCH_RANKS }, () => []);
    for (let n = 0; n < ir.nodeCount; n++) {
      const hit = nodeRank(match[ir.nodeName[n]], match[ir.nodeOp[n]]);
      if (hit)
        ranked[hit.rank].push({ kind: 'node', name: this.nodeName(n), op: this.nodeOp(n), node: n, field: hit.field });
    }
    for (let v = 0; v < ir.valueCount; v++) {
      const rank = tensorRank(match[ir.valueName[v]]);
      if (rank < 0) continue;
      const node = this.nodeOfValue(v);
      if (node < 0) continue;
      const name = str(ir, ir.valueName[v]);
      // A tensor named like its producer adds nothing to the node match.
      if (this.nodeName(node).toLowerCase() === name.toLowerCase()) continue;
      ranked[rank].push({ kind: 'tensor', name, op: this.nodeOp(node), node, value: v, field: 'tensor' });
    }
    const out = ranked.flat();
    return out.length > limit ? out.slice(0, limit) : out;
  }
}

// The opening expansion is decided in the layout worker now (it lays out the first view without the page); the
// page and its tests keep importing it from here.
export { EXPAND_ALL_OPERATORS, OPEN_BOX_BUDGET, initialExpansion } from '../layout/initial-expansion.ts';
