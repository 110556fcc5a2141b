import { describeError } from '../decode/errors.ts';
import { NodeFileSource } from '../decode/node-file-source.ts';
import { decode } from '../decode/registry.ts';
import { buildHierarchy } from '../graph/hierarchy.ts';
import { summarize, type GraphSummary, type TensorSummary } from '../graph/summary.ts';

export interface InspectReport {
  file: string;
  format: string;
  metadata: Record<string, string>;
  graph: GraphSummary & { groups: number };
  timings: { decodeMs: number; hierarchyMs: number };
}

export async function inspectFile(path: string): Promise<InspectReport> {
  const source = await NodeFileSource.open(path);
  try {
    const t0 = performance.now();
    const { ir, decoder } = await decode(source);
    const t1 = performance.now();
    const hierarchy = buildHierarchy(ir);
    const t2 = performance.now();
    return {
      file: path,
      format: decoder.id,
      metadata: ir.metadata,
      graph: { ...summarize(ir), groups: Math.max(0, hierarchy.groupCount - 1) },
      timings: { decodeMs: round(t1 - t0), hierarchyMs: round(t2 - t1) },
    };
  } finally {
    await source.close();
  }
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
  for (const [op, n] of ops) lines.push(`    ${op.padEnd(width)}  ${String(n).padStart(8)}  ${((100 * n) / Math.max(1, g.nodes)).toFixed(1).padStart(5)}%`);
  lines.push('');
  lines.push(`  decoded in ${r.timings.decodeMs} ms, grouped in ${r.timings.hierarchyMs} ms`);
  return lines.join('\n');
}

export { describeError };
