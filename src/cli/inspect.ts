import { describeError } from '../decode/errors.ts';
import { NodeFileSource } from '../decode/io/node-file-source.ts';
import type { OpenModel } from '../decode/decoder.ts';
import { openModelFile } from '../decode/registry.ts';
import { buildHierarchy } from '../graph/hierarchy/build.ts';
import type { Hierarchy } from '../graph/hierarchy/types.ts';
import { groupMetrics, topGroups } from '../graph/metric-sums.ts';
import { summarize, type GraphSummary, type TensorSummary } from '../graph/summary.ts';
import { analyzeModel, unresolvedSummary } from '../profile/analyze.ts';
import { storedTypeHistogram } from '../decode/checkpoint/type-histogram.ts';

export interface InspectReport {
  file: string;
  format: string;
  metadata: Record<string, string>;
  graph: GraphSummary & { groups: number };
  metrics: InspectMetrics;
  /** Initializers per stored element type (ggml quantization types by name). */
  tensorTypes: Record<string, number>;
  timings: { decodeMs: number; hierarchyMs: number; metricsMs: number };
}

/**
 * Cost of one inference at the bound dims (see src/graph/metrics.ts for the conventions). `parameters` counts
 * every constant tensor, Constant-node payloads included, so it can exceed `graph.parameters` (initializers only).
 */
export interface InspectMetrics {
  parameters: number;
  macs: number;
  flops: number;
  activationBytes: number;
  topGroupsByParams: { path: string; params: number; share: number }[];
  topGroupsByFlops: { path: string; flops: number; share: number }[];
  /** Symbolic dims (and unnamed input dims as `input:axis`) and the values they were given. */
  dims: Record<string, number>;
  /** Nodes whose arithmetic could not be sized because a shape stayed unknown: totals are lower bounds then. */
  unknownCostNodes: number;
  /** Op type → nodes with an output shape inference could not resolve. */
  unresolvedOps: Record<string, number>;
  /** Set when sizing failed (the structure still decoded): the numbers above are then zeros. */
  error?: string;
}

export interface InspectOptions {
  /** Values for symbolic dimensions (`--dim name=value`). */
  dims?: Record<string, number>;
}

export async function inspectFile(path: string, options: InspectOptions = {}): Promise<InspectReport> {
  const source = await NodeFileSource.open(path);
  let model: OpenModel | null = null;
  try {
    const t0 = performance.now();
    const opened = await openModelFile(source);
    model = opened.model;
    const { decoder } = opened;
    const { ir } = model;
    const t1 = performance.now();
    const hierarchy = buildHierarchy(ir);
    const t2 = performance.now();
    let metrics: InspectMetrics;
    try {
      metrics = await inspectMetrics(model, hierarchy, options);
    } catch (err) {
      // The structure decoded; a failure while sizing it must not hide the summary.
      metrics = { ...EMPTY_METRICS, error: err instanceof Error ? err.message : String(err) };
    }
    const t3 = performance.now();
    return {
      file: path,
      format: decoder.id,
      metadata: ir.metadata,
      graph: { ...summarize(ir), groups: Math.max(0, hierarchy.groupCount - 1) },
      metrics,
      tensorTypes: storedTypeHistogram(ir),
      timings: { decodeMs: round(t1 - t0), hierarchyMs: round(t2 - t1), metricsMs: round(t3 - t2) },
    };
  } finally {
    // A folder opened through one file (config.json) hands back a model that owns the weights file it opened.
    if (model && model.source !== source) await model.source.close?.();
    await source.close();
  }
}

const EMPTY_METRICS: InspectMetrics = {
  parameters: 0,
  macs: 0,
  flops: 0,
  activationBytes: 0,
  topGroupsByParams: [],
  topGroupsByFlops: [],
  dims: {},
  unknownCostNodes: 0,
  unresolvedOps: {},
};

async function inspectMetrics(
  model: OpenModel,
  hierarchy: Hierarchy,
  options: InspectOptions,
): Promise<InspectMetrics> {
  const analysis = await analyzeModel(model, { dims: options.dims });
  const groups = groupMetrics(hierarchy, analysis.metrics);
  const totals = analysis.metrics.totals;
  const share = (s: number) => Math.round(s * 10000) / 10000;
  return {
    parameters: totals.parameters,
    macs: totals.macs,
    flops: totals.flops,
    activationBytes: totals.activationBytes,
    topGroupsByParams: topGroups(hierarchy, groups.parameters, totals.parameters).map((t) => ({
      path: t.path,
      params: t.value,
      share: share(t.share),
    })),
    topGroupsByFlops: topGroups(hierarchy, groups.flops, totals.flops).map((t) => ({
      path: t.path,
      flops: t.value,
      share: share(t.share),
    })),
    dims: analysis.shapes.bindings,
    unknownCostNodes: totals.unknownCostNodes,
    unresolvedOps: analysis.shapes.unresolved,
  };
}

const round = (ms: number) => Math.round(ms * 10) / 10;

export function formatReport(r: InspectReport): string {
  const g = r.graph;
  const lines: string[] = [];
  lines.push(`${r.file}  (${r.format})`);
  for (const [k, v] of Object.entries(r.metadata)) if (k !== 'doc') lines.push(`  ${k}: ${v}`);
  lines.push('');
  lines.push(`  nodes         ${g.nodes.toLocaleString('en-US')}`);
  lines.push(`  initializers  ${g.initializers.toLocaleString('en-US')}`);
  lines.push(`  parameters    ${g.parameters.toLocaleString('en-US')}`);
  lines.push(`  groups        ${g.groups.toLocaleString('en-US')}`);
  const types = Object.entries(r.tensorTypes)
    .sort((a, b) => b[1] - a[1])
    .map(([t, n]) => `${t} ×${n}`)
    .join(', ');
  if (types) lines.push(`  tensor types  ${types}`);
  lines.push(`  subgraphs     ${g.subgraphs.toLocaleString('en-US')}`);
  if (g.functions) lines.push(`  functions     ${g.functions.toLocaleString('en-US')}`);
  lines.push('');
  const tensor = (t: TensorSummary) => `    ${t.name}  ${t.type}${t.shape ? `[${t.shape.join(', ')}]` : ''}`;
  lines.push('  inputs');
  lines.push(...g.inputs.map(tensor));
  lines.push('  outputs');
  lines.push(...g.outputs.map(tensor));
  lines.push('');
  lines.push('  op histogram');
  const ops = Object.entries(g.ops).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  const width = Math.max(8, ...ops.map(([op]) => op.length));
  for (const [op, n] of ops)
    lines.push(
      `    ${op.padEnd(width)}  ${String(n).padStart(8)}  ${((100 * n) / Math.max(1, g.nodes)).toFixed(1).padStart(5)}%`,
    );
  lines.push('');
  const m = r.metrics;
  const dims = Object.entries(m.dims)
    .map(([k, v]) => `${k}=${v}`)
    .join(', ');
  lines.push(`  cost of one inference${dims ? ` (${dims})` : ''}`);
  lines.push(`    parameters    ${si(m.parameters)}  (constants included)`);
  lines.push(`    MACs          ${si(m.macs)}`);
  lines.push(`    FLOPs         ${si(m.flops)}`);
  lines.push(`    activations   ${si(m.activationBytes)}B`);
  if (m.error) lines.push(`    (not computed: ${m.error})`);
  if (m.unknownCostNodes) {
    const ops = unresolvedSummary(m.unresolvedOps).slice(0, 5).join(', ');
    lines.push(
      `    (lower bounds: ${m.unknownCostNodes} nodes with unknown shapes${ops ? `; unresolved: ${ops}` : ''})`,
    );
  }
  const table = (title: string, rows: { path: string; value: number; share: number }[]) => {
    if (!rows.length) return;
    lines.push(`  top groups by ${title}`);
    const w = Math.min(60, Math.max(8, ...rows.map((row) => row.path.length)));
    for (const row of rows) {
      const path = row.path.length > w ? `…${row.path.slice(row.path.length - w + 1)}` : row.path;
      lines.push(`    ${path.padEnd(w)}  ${si(row.value).padStart(9)}  ${(100 * row.share).toFixed(1).padStart(5)}%`);
    }
  };
  table(
    'FLOPs',
    m.topGroupsByFlops.map((t) => ({ path: t.path, value: t.flops, share: t.share })),
  );
  table(
    'parameters',
    m.topGroupsByParams.map((t) => ({ path: t.path, value: t.params, share: t.share })),
  );
  lines.push('');
  lines.push(
    `  decoded in ${r.timings.decodeMs} ms, grouped in ${r.timings.hierarchyMs} ms, metrics in ${r.timings.metricsMs} ms`,
  );
  return lines.join('\n');
}

/** 1234567 → `1.23 M`: three significant digits with an SI prefix. */
export function si(n: number): string {
  if (!Number.isFinite(n)) return '?';
  const units = ['', 'k', 'M', 'G', 'T', 'P', 'E'];
  let u = 0;
  let v = Math.abs(n);
  while (v >= 1000 && u < units.length - 1) {
    v /= 1000;
    u++;
  }
  const text = u === 0 ? String(Math.round(v)) : v.toPrecision(3);
  return `${n < 0 ? '-' : ''}${text}${units[u] ? ` ${units[u]}` : ''}`;
}

export { describeError };
