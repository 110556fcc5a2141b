import type { ELK, ElkExtendedEdge, ElkNode, LayoutOptions } from 'elkjs/lib/elk-api';
import type { GroupGraph, RawLayout } from './group-graph.ts';

/**
 * Layered, top-down. Speed choices, measured here on ~100-node groups (warm): low thoroughness, no greedy-switch
 * post-pass and no component splitting take a call from ~120 to ~80 ms with little visible difference; groups
 * are small after chunking, so more crossing-minimisation sweeps buy little. Model order is kept as a
 * tie-break so dataflow reads top-to-bottom, left-to-right as in the file.
 */
export const ELK_OPTIONS: LayoutOptions = {
  'elk.algorithm': 'layered',
  'elk.direction': 'DOWN',
  'elk.padding': '[top=0,left=0,bottom=0,right=0]',
  'elk.spacing.nodeNode': '20',
  'elk.layered.spacing.nodeNodeBetweenLayers': '32',
  'elk.spacing.edgeNode': '12',
  'elk.spacing.edgeEdge': '8',
  'elk.layered.spacing.edgeNodeBetweenLayers': '12',
  'elk.layered.thoroughness': '2',
  'elk.layered.considerModelOrder.strategy': 'NODES_AND_EDGES',
  'elk.layered.crossingMinimization.greedySwitch.type': 'OFF',
  'elk.separateConnectedComponents': 'false',
  'elk.edgeRouting': 'ORTHOGONAL',
};

let elkPromise: Promise<ELK> | null = null;

/**
 * Loads elk.bundled.js on first use. In a worker, that file installs its own `self.onmessage` (it assumes it
 * *is* the ELK worker) when the ELK instance is constructed; its dispatcher would answer our comlink messages
 * with error replies, so the previous handler is put back right after construction.
 */
export function loadElk(): Promise<ELK> {
  elkPromise ??= (async () => {
    const scope = globalThis as { onmessage?: unknown };
    const saved = scope.onmessage;
    const mod = (await import('elkjs/lib/elk.bundled.js')) as unknown as { default?: new () => ELK };
    const Ctor = (mod.default ?? mod) as new () => ELK;
    const elk = new Ctor();
    if (scope.onmessage !== saved) scope.onmessage = saved ?? null;
    return elk;
  })();
  return elkPromise;
}

export async function elkLayout(g: GroupGraph): Promise<RawLayout> {
  const elk = await loadElk();
  const children: ElkNode[] = new Array(g.itemCount);
  for (let i = 0; i < g.itemCount; i++) children[i] = { id: `n${i}`, width: g.width[i], height: g.height[i] };
  const edges: ElkExtendedEdge[] = new Array(g.edgeCount);
  for (let e = 0; e < g.edgeCount; e++) {
    edges[e] = { id: `e${e}`, sources: [`n${g.edgeSrc[e]}`], targets: [`n${g.edgeDst[e]}`] };
  }
  const graph: ElkNode = { id: 'root', layoutOptions: ELK_OPTIONS, children, edges };
  const out: ElkNode = await elk.layout(graph);

  const x = new Float64Array(g.itemCount);
  const y = new Float64Array(g.itemCount);
  for (const c of out.children ?? []) {
    const i = Number(c.id.slice(1));
    x[i] = c.x ?? 0;
    y[i] = c.y ?? 0;
  }
  const routeOffsets = new Uint32Array(g.edgeCount + 1);
  const pts: number[] = [];
  const routed = new Array<ElkExtendedEdge | undefined>(g.edgeCount);
  for (const e of (out.edges ?? []) as ElkExtendedEdge[]) routed[Number(e.id.slice(1))] = e;
  for (let e = 0; e < g.edgeCount; e++) {
    const sections = routed[e]?.sections;
    if (sections?.length) {
      for (const s of sections) {
        pts.push(s.startPoint.x, s.startPoint.y);
        for (const b of s.bendPoints ?? []) pts.push(b.x, b.y);
        pts.push(s.endPoint.x, s.endPoint.y);
      }
    } else {
      // No route (should not happen): centre to centre.
      const a = g.edgeSrc[e];
      const b = g.edgeDst[e];
      pts.push(x[a] + g.width[a] / 2, y[a] + g.height[a], x[b] + g.width[b] / 2, y[b]);
    }
    routeOffsets[e + 1] = pts.length / 2;
  }
  return { width: out.width ?? 0, height: out.height ?? 0, x, y, routeOffsets, routePoints: Float32Array.from(pts) };
}
