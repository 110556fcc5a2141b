import { analyzeModel } from '../profile/analyze.ts';
import type { DiffSide } from './types.ts';

/** Size and cost of one side (conventions of src/graph/metrics.ts, symbolic dims at the analysis defaults). */
export interface SideTotals {
  nodes: number;
  parameters: number;
  macs: number;
  flops: number;
}

export interface DiffTotals {
  a: SideTotals;
  b: SideTotals;
  /** b − a. */
  delta: SideTotals;
  /** Set when a side could not be sized (its numbers are then zeros). */
  error?: string;
}

export async function diffTotals(a: DiffSide, b: DiffSide, dims?: Record<string, number>): Promise<DiffTotals> {
  const errors: string[] = [];
  const side = async (s: DiffSide, label: string): Promise<SideTotals> => {
    try {
      const t = (await analyzeModel(s, { dims })).metrics.totals;
      return { nodes: s.ir.nodeCount, parameters: t.parameters, macs: t.macs, flops: t.flops };
    } catch (err) {
      errors.push(`${label}: ${err instanceof Error ? err.message : String(err)}`);
      return { nodes: s.ir.nodeCount, parameters: 0, macs: 0, flops: 0 };
    }
  };
  const ta = await side(a, 'A');
  const tb = await side(b, 'B');
  const delta = {
    nodes: tb.nodes - ta.nodes,
    parameters: tb.parameters - ta.parameters,
    macs: tb.macs - ta.macs,
    flops: tb.flops - ta.flops,
  };
  return errors.length ? { a: ta, b: tb, delta, error: errors.join('; ') } : { a: ta, b: tb, delta };
}
