import {
  GraphKind,
  MAIN_GRAPH,
  ValueFlag,
  dtypeName,
  graphInputIds,
  graphOutputIds,
  mainGraphNodeCount,
  str,
  valueElementCount,
  valueShape,
  type GraphIR,
} from './ir.ts';

export interface TensorSummary {
  name: string;
  type: string;
  shape: (number | string)[] | null;
}

export interface GraphSummary {
  nodes: number;
  ops: Record<string, number>;
  /** Every record the file stores, counted as the format's own tools count them (GraphIR.layerOps). */
  layers: number;
  layerOps: Record<string, number>;
  initializers: number;
  parameters: number;
  inputs: TensorSummary[];
  outputs: TensorSummary[];
  subgraphs: number;
  functions: number;
}

/** The counts `strata inspect --json` reports, over the main graph only (ARCHITECTURE.md, contracts). */
export function summarize(ir: GraphIR): GraphSummary {
  const ops: Record<string, number> = {};
  const start = ir.graphNodeStart[MAIN_GRAPH] ?? 0;
  const count = mainGraphNodeCount(ir);
  const opCounts = new Map<number, number>();
  for (let n = start; n < start + count; n++) opCounts.set(ir.nodeOp[n], (opCounts.get(ir.nodeOp[n]) ?? 0) + 1);
  for (const [op, c] of [...opCounts].sort((a, b) => str(ir, a[0]).localeCompare(str(ir, b[0])))) ops[str(ir, op)] = c;

  let initializers = 0;
  let parameters = 0;
  const vStart = ir.graphValueStart[MAIN_GRAPH] ?? 0;
  const vEnd = vStart + (ir.graphValueCount[MAIN_GRAPH] ?? 0);
  for (let v = vStart; v < vEnd; v++) {
    if (!(ir.valueFlags[v] & ValueFlag.Initializer)) continue;
    initializers++;
    const n = valueElementCount(ir, v);
    if (n > 0) parameters += n;
  }
  const tensor = (v: number): TensorSummary => ({
    name: str(ir, ir.valueName[v]),
    type: dtypeName(ir.valueDtype[v]),
    shape: valueShape(ir, v),
  });
  let subgraphs = 0;
  let functions = 0;
  for (let g = 0; g < ir.graphCount; g++) {
    if (ir.graphKind[g] === GraphKind.Subgraph) subgraphs++;
    else if (ir.graphKind[g] === GraphKind.Function) functions++;
  }
  return {
    nodes: count,
    ops,
    layers: Object.values(ir.layerOps).reduce((sum, n) => sum + n, 0),
    layerOps: { ...ir.layerOps },
    initializers,
    parameters,
    inputs: ir.graphCount ? [...graphInputIds(ir, MAIN_GRAPH)].map(tensor) : [],
    outputs: ir.graphCount ? [...graphOutputIds(ir, MAIN_GRAPH)].map(tensor) : [],
    subgraphs,
    functions,
  };
}
