import type { HierarchyOptions } from '../graph/hierarchy/build.ts';
import { buildHierarchyDetailed } from '../graph/hierarchy/build.ts';
import type { EdgePlacement, NodeEdges } from '../graph/hierarchy/edges.ts';
import type { Hierarchy } from '../graph/hierarchy/types.ts';
import type { GraphIR } from '../graph/ir.ts';
import type { LayoutApi, NodeBoxes } from './api.ts';
import { elkLayout } from './elk-layout.ts';
import { fastLayout, orderOf, type FixedOrder } from './fast-layout.ts';
import { longestPathLayers, routeLongEdges, splitLongEdges } from './long-edges.ts';
import {
  FRAME_PAD,
  FRAME_TITLE,
  GROUP_HEIGHT,
  GROUP_WIDTH,
  NODE_HEIGHT,
  nodeBoxWidth,
  nodeHeight,
  type Layouter,
  type GroupGraph,
  type GroupLayout,
  type RawLayout,
} from './group-graph.ts';
import { aggregateItemEdges, type ItemEdges } from './item-edges.ts';
import { type GraphEnds, graphEnds } from './tensor-band.ts';
import { buildViewLayout } from './view-layout.ts';
import type { ViewLayout } from './types.ts';

export interface LayoutEngineOptions {
  /** Use ELK at all (false: our layered layout everywhere; handy for quick tests). Default true. */
  useElk?: boolean;
  /** Groups with more items than this skip ELK (the appendix: 400 items ≈ 1 s). Default 400. */
  elkMaxItems?: number;
  /**
   * ELK time allowed per layout() call. Once spent, the remaining new groups of that call use the fast layout,
   * so a big expand never hangs; their result is cached like any other. Default 15 s.
   */
  elkBudgetMs?: number;
  hierarchy?: HierarchyOptions;
}

export interface LayoutStats {
  /** Group layouts computed in the last call by ELK / by our layered layout / by re-placing a kept order. */
  elkCalls: number;
  fastCalls: number;
  stableCalls: number;
  /** ELK calls that threw (their groups used the fast layout). */
  elkErrors: number;
  /** Expanded groups whose layout came from the cache (same structure and expansion seen before). */
  cacheHits: number;
  elkMs: number;
  totalMs: number;
  /** Time spent emitting the ViewLayout (boxes, aggregated edges, polylines). */
  emitMs: number;
}

/**
 * Hierarchy + per-group layout with caching. Runs as-is in Node (tests, benches) and behind the layout worker.
 *
 * Layout is bottom-up over the expanded groups: a group's layout depends only on its structural class and the
 * layouts of its expanded children, which is exactly the cache key, so identical blocks with identical
 * expansion share one layout (translated at emission), and expanding or collapsing a group recomputes only
 * that group's ancestors.
 */
export class LayoutEngine implements LayoutApi {
  /**
   * Node count of the grouped model. The IR itself is not kept: everything later layouts read was derived from it
   * in group(), and dropping it lets this worker free its copy of the string table and columns.
   */
  private nodeCount = 0;
  /** Graph inputs and outputs of the loaded model, drawn around every view (outside the cached group layouts). */
  private ends: GraphEnds | null = null;
  private h: Hierarchy | null = null;
  private edges: NodeEdges | null = null;
  private placement: EdgePlacement | null = null;
  private itemEdges: ItemEdges | null = null;
  private nodeW = new Float64Array(0);
  private nodeH = new Float64Array(0);
  private readonly keys = new Map<string, number>();
  /** Layering and order of the first layout of each structural class. */
  private readonly bases = new Map<number, FixedOrder>();
  private layouts: GroupLayout[] = [];
  private readonly options: Required<Omit<LayoutEngineOptions, 'hierarchy'>> & { hierarchy: HierarchyOptions };
  lastStats: LayoutStats = {
    elkCalls: 0,
    fastCalls: 0,
    stableCalls: 0,
    elkErrors: 0,
    cacheHits: 0,
    elkMs: 0,
    totalMs: 0,
    emitMs: 0,
  };
  private warm: Promise<void> | null = null;
  private warnedElk = false;
  /** Time spent in group(): hierarchy, edge placement and aggregation. */
  groupMs = 0;

  constructor(options: LayoutEngineOptions = {}) {
    this.options = {
      useElk: options.useElk ?? true,
      elkMaxItems: options.elkMaxItems ?? 400,
      elkBudgetMs: options.elkBudgetMs ?? 15_000,
      hierarchy: options.hierarchy ?? {},
    };
  }

  get hierarchy(): Hierarchy {
    if (!this.h) throw new Error('LayoutEngine: group() a model first');
    return this.h;
  }

  /**
   * Calls run one at a time: ELK yields to the event loop, so in the worker a second request could otherwise
   * start while the first awaits ELK, and a group() in between would swap the model under it.
   */
  private queue: Promise<unknown> = Promise.resolve();
  private serial<T>(task: () => Promise<T>): Promise<T> {
    const run = this.queue.then(task, task);
    this.queue = run.catch(() => undefined);
    return run;
  }

  group(ir: GraphIR, boxes?: NodeBoxes): Promise<Hierarchy> {
    return this.serial(() => this.groupNow(ir, boxes));
  }

  layout(expanded: Uint32Array, elkBudgetMs?: number): Promise<ViewLayout> {
    return this.serial(() => this.layoutNow(expanded, elkBudgetMs ?? this.options.elkBudgetMs));
  }

  private async groupNow(ir: GraphIR, boxes?: NodeBoxes): Promise<Hierarchy> {
    const t0 = performance.now();
    const rows = boxes?.rows ?? null;
    const built = buildHierarchyDetailed(ir, {
      ...this.options.hierarchy,
      skipNodes: boxes?.folded ?? this.options.hierarchy.skipNodes,
      nodeRows: rows ?? this.options.hierarchy.nodeRows,
    });
    this.nodeCount = ir.nodeCount;
    this.h = built.hierarchy;
    this.edges = built.edges;
    this.placement = built.placement;
    this.itemEdges = aggregateItemEdges(this.h.groupCount, built.edges, built.placement);
    this.ends = graphEnds(ir);
    this.sizeNodes(ir, rows);
    this.keys.clear();
    this.bases.clear();
    this.layouts = [];
    this.groupMs = performance.now() - t0;
    // No ELK preload here: compiling its 1.46 MB would hold this thread right when the first layout call arrives
    // (which uses the fast layout anyway); it is loaded once that layout has been handed back (see layoutNow).
    return this.h;
  }

  /** Box sizes by op type and row count (structure only, so equal blocks keep sharing one layout). */
  private sizeNodes(ir: GraphIR, rows: Uint16Array | null): void {
    // Width per (op, has rows), indexed by op id: a Map lookup per node cost a third of a second at 1M nodes.
    let maxOp = 0;
    for (let v = 0; v < ir.nodeCount; v++) if (ir.nodeOp[v] > maxOp) maxOp = ir.nodeOp[v];
    const widthOf = new Float64Array(2 * (maxOp + 1)).fill(-1);
    this.nodeW = new Float64Array(ir.nodeCount);
    this.nodeH = new Float64Array(ir.nodeCount);
    for (let v = 0; v < ir.nodeCount; v++) {
      const op = ir.nodeOp[v];
      const r = rows ? rows[v] : 0;
      const key = 2 * op + (r > 0 ? 1 : 0);
      let w = widthOf[key];
      if (w < 0) {
        w = nodeBoxWidth(ir.strings.at(op) ?? '', r);
        widthOf[key] = w;
      }
      this.nodeW[v] = w;
      this.nodeH[v] = nodeHeight(r);
    }
  }

  /**
   * While set, a layout does not start the ELK warm-up: the open pipeline (layout/open-view.ts) sets it for the
   * opening view, whose page asks for the warm-up (LayoutWorkerApi.warmUp) once that view is drawn.
   */
  holdWarmUp = false;

  /**
   * Loads and warms ELK in a later task, after the current reply has been posted (not before: the first view
   * should not queue behind the ELK compile), so the first expand finds it at speed. Never when ELK is off.
   */
  warmUpSoon(): void {
    if (!this.options.useElk || this.warm) return;
    setTimeout(() => void this.warmUp().catch(() => undefined), 0);
  }

  /**
   * Loads ELK and runs a few layouts of a group-sized graph: the JIT needs a few realistic calls before ELK
   * reaches its steady speed (a first 100-node call takes ~0.5 s, later ones ~0.1 s). Safe to call repeatedly.
   */
  warmUp(): Promise<void> {
    this.warm ??= (async () => {
      const sample = warmUpGraph(60);
      for (let i = 0; i < 3; i++) await elkLayout(sample);
    })();
    return this.warm;
  }

  private async layoutNow(expanded: Uint32Array, elkBudgetMs: number): Promise<ViewLayout> {
    const t0 = performance.now();
    const h = this.hierarchy;
    const G = h.groupCount;
    const stats: LayoutStats = {
      elkCalls: 0,
      fastCalls: 0,
      stableCalls: 0,
      elkErrors: 0,
      cacheHits: 0,
      elkMs: 0,
      totalMs: 0,
      emitMs: 0,
    };

    // A group is open when it and all its ancestors are expanded (ids are pre-order: parents first).
    const open = new Uint8Array(G);
    for (let i = 0; i < expanded.length; i++) if (expanded[i] < G) open[expanded[i]] = 1;
    open[0] = 1;
    for (let g = 1; g < G; g++) if (open[g] && !open[h.groupParent[g]]) open[g] = 0;

    // Bottom-up (descending ids) over open groups: key = class + layouts of open children.
    const layoutOf = new Int32Array(G).fill(-1);
    for (let g = G - 1; g >= 0; g--) {
      if (!open[g]) continue;
      let key = `${h.groupClass[g]}`;
      for (let k = h.groupItemOffsets[g]; k < h.groupItemOffsets[g + 1]; k++) {
        const item = h.groupItems[k];
        if (item < 0 && open[-1 - item]) key += `,${k - h.groupItemOffsets[g]}:${layoutOf[-1 - item]}`;
      }
      if (g === 0) key = `root|${key}`;
      let id = this.keys.get(key);
      if (id === undefined) {
        const graph = this.groupGraph(g, open, layoutOf);
        const raw = await this.computeRaw(h.groupClass[g], graph, stats, elkBudgetMs);
        id = this.layouts.length;
        this.layouts.push(frame(raw.layout, graph, g !== 0, raw.engine));
        this.keys.set(key, id);
      } else {
        stats.cacheHits++;
      }
      layoutOf[g] = id;
    }

    const te = performance.now();
    const view = buildViewLayout({
      h,
      edges: this.edges!,
      placement: this.placement!,
      itemEdges: this.itemEdges!,
      open,
      layoutOf,
      layouts: this.layouts,
      nodeCount: this.nodeCount,
      ends: this.ends,
    });
    stats.emitMs = performance.now() - te;
    stats.totalMs = performance.now() - t0;
    this.lastStats = stats;
    if (!this.holdWarmUp) this.warmUpSoon();
    return view;
  }

  /** Item sizes and aggregated edges of group g under the current expansion. */
  private groupGraph(g: number, open: Uint8Array, layoutOf: Int32Array): GroupGraph {
    const h = this.h!;
    const ie = this.itemEdges!;
    const first = h.groupItemOffsets[g];
    const m = h.groupItemOffsets[g + 1] - first;
    const width = new Float64Array(m);
    const height = new Float64Array(m);
    for (let k = 0; k < m; k++) {
      const item = h.groupItems[first + k];
      if (item >= 0) {
        width[k] = this.nodeW[item];
        height[k] = this.nodeH[item];
      } else if (open[-1 - item]) {
        const child = this.layouts[layoutOf[-1 - item]];
        width[k] = child.width;
        height[k] = child.height;
      } else {
        width[k] = GROUP_WIDTH;
        height[k] = GROUP_HEIGHT;
      }
    }
    return {
      itemCount: m,
      width,
      height,
      edgeCount: ie.offsets[g + 1] - ie.offsets[g],
      edgeSrc: ie.src.subarray(ie.offsets[g], ie.offsets[g + 1]),
      edgeDst: ie.dst.subarray(ie.offsets[g], ie.offsets[g + 1]),
    };
  }

  /**
   * One group's layout. The first layout of a structural class runs ELK (or the fast layout when ELK is not
   * allowed); its layering and order are kept per class, and later layouts of that class under other
   * expansions only recompute coordinates with that order fixed. Long edges are taken out first either way.
   */
  private async computeRaw(
    cls: number,
    graph: GroupGraph,
    stats: LayoutStats,
    elkBudgetMs: number,
  ): Promise<{ layout: RawLayout; engine: Layouter }> {
    const { kept, dropped } = splitLongEdges(graph);
    const base = this.bases.get(cls);
    let layout: RawLayout | null = null;
    let engine: Layouter = 'stable';
    if (base) {
      layout = fastLayout(kept, base);
      stats.stableCalls++;
    } else {
      const { useElk, elkMaxItems } = this.options;
      // Up to three items there is nothing for ELK to optimise; our layout is exact there and costs nothing.
      if (
        useElk &&
        kept.itemCount > 3 &&
        kept.itemCount <= elkMaxItems &&
        stats.elkMs < elkBudgetMs &&
        !chainLike(kept)
      ) {
        const t = performance.now();
        try {
          layout = await elkLayout(kept);
          engine = 'elk';
          stats.elkCalls++;
        } catch (err) {
          // ELK failures (internal errors, stack overflow on odd inputs) fall through to our own layout.
          stats.elkErrors++;
          if (!this.warnedElk) console.warn('strata: ELK failed, using the fallback layout:', err);
          this.warnedElk = true;
        } finally {
          stats.elkMs += performance.now() - t;
        }
      }
      if (!layout) {
        layout = fastLayout(kept);
        engine = 'fast';
        stats.fastCalls++;
      }
      this.bases.set(cls, orderOf(kept, layout));
    }
    return { layout: routeLongEdges(graph, dropped, layout), engine };
  }
}

/** A deterministic DAG shaped like an op-level group: a spine with side branches and skip edges. */
function warmUpGraph(n: number): GroupGraph {
  const src: number[] = [];
  const dst: number[] = [];
  for (let i = 1; i < n; i++) {
    src.push(i % 5 === 0 ? i - 3 : i - 1);
    dst.push(i);
    if (i % 7 === 0) {
      src.push(i - 6);
      dst.push(i);
    }
  }
  return {
    itemCount: n,
    width: Float64Array.from({ length: n }, (_, i) => 56 + (i % 4) * 20),
    height: new Float64Array(n).fill(NODE_HEIGHT),
    edgeCount: src.length,
    edgeSrc: Uint32Array.from(src),
    edgeDst: Uint32Array.from(dst),
  };
}

/**
 * Mostly a path (a run of blocks, a chunk of layers): ELK would spend 0.3–2 s here on these machines to
 * produce what our layered layout produces in a millisecond, so skip it. Small groups always go to ELK.
 */
function chainLike(g: GroupGraph): boolean {
  if (g.itemCount <= CHAIN_MIN_ITEMS) return false;
  const layer = longestPathLayers(g);
  let layers = 0;
  for (let i = 0; i < g.itemCount; i++) layers = Math.max(layers, layer[i] + 1);
  return layers >= g.itemCount * CHAIN_LAYER_RATIO;
}

const CHAIN_MIN_ITEMS = 8;
const CHAIN_LAYER_RATIO = 0.5;

/** Wraps a raw layout in a frame (title bar + padding) unless it is the root, which has no box of its own. */
function frame(raw: RawLayout, graph: GroupGraph, framed: boolean, engine: Layouter): GroupLayout {
  const dx = framed ? FRAME_PAD : 0;
  const dy = framed ? FRAME_TITLE + FRAME_PAD : 0;
  const x = raw.x;
  const y = raw.y;
  for (let i = 0; i < x.length; i++) {
    x[i] += dx;
    y[i] += dy;
  }
  const pts = raw.routePoints;
  for (let i = 0; i < pts.length; i += 2) {
    pts[i] += dx;
    pts[i + 1] += dy;
  }
  return {
    width: raw.width + 2 * dx,
    height: raw.height + dy + (framed ? FRAME_PAD : 0),
    x,
    y,
    w: graph.width,
    h: graph.height,
    routeOffsets: raw.routeOffsets,
    routePoints: pts,
    engine,
  };
}
