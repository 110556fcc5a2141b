import type { Hierarchy } from '../graph/hierarchy/types.ts';
import { str, type GraphIR } from '../graph/ir.ts';
import { sumByGroup } from '../graph/metric-sums.ts';

/**
 * ONNX Runtime profiles (`enableProfiling` / `session.endProfiling()`): a chrome-trace JSON array. Each executed
 * kernel is one event `{cat: 'Node', name: '<node name>_kernel_time', dur: µs, args: {op_name, node_index,
 * provider, output_type_shape, ...}}`; each `run()` adds one `{cat: 'Session', name: 'model_run'}`.
 *
 * Events are mapped to IR nodes by node name (names unique in the model); events that carry no usable name (ONNX
 * files with unnamed nodes) fall back to `node_index` — ORT's index of the node in the main graph, which is the
 * NodeProto position when graph optimizations are off — accepted only if the op type matches. Nodes ORT fused or
 * created (graph optimizations on) have names the file does not know: they are reported as unmapped, with time.
 */

export interface OrtTraceEvent {
  cat?: string;
  name?: string;
  dur?: number;
  ts?: number;
  ph?: string;
  args?: {
    op_name?: string;
    node_index?: string | number;
    provider?: string;
    output_type_shape?: Record<string, number[]>[];
    [key: string]: unknown;
  };
}

export interface UnmappedKernel {
  name: string;
  op: string;
  /** Total µs over all runs. */
  us: number;
  calls: number;
}

export interface OrtProfile {
  /** Total kernel time per IR node over all runs, µs. */
  nodeUs: Float64Array;
  /** Kernel executions per IR node. */
  nodeCalls: Uint32Array;
  /** `model_run` events (1 if the profile has none but has kernels). */
  runs: number;
  kernelEvents: number;
  mappedEvents: number;
  /** Events mapped by node_index because their name was missing or unknown. */
  mappedByIndex: number;
  totalKernelUs: number;
  mappedKernelUs: number;
  /** Distinct IR nodes with at least one kernel event. */
  nodesWithTime: number;
  unmapped: UnmappedKernel[];
  /** Op type → total µs (ORT's op names, mapped or not). */
  byOp: Record<string, { us: number; calls: number }>;
  /** Execution provider → kernel events. */
  providers: Record<string, number>;
  /** Sum of `model_run` durations, µs (wall time of the runs, including framework overhead). */
  runUs: number;
}

const KERNEL_SUFFIX = '_kernel_time';

/** Parses a profile (JSON text or the parsed array) against the IR it was recorded from. */
export function parseOrtProfile(profile: string | readonly unknown[], ir: GraphIR): OrtProfile {
  const events = typeof profile === 'string' ? (JSON.parse(profile) as unknown) : profile;
  if (!Array.isArray(events)) throw new Error('not an ONNX Runtime profile: expected a JSON array of trace events');

  // Unique node names → node; a name used twice cannot identify a node.
  const byName = new Map<string, number>();
  const duplicate = new Set<string>();
  for (let n = 0; n < ir.nodeCount; n++) {
    const name = str(ir, ir.nodeName[n]);
    if (!name) continue;
    if (byName.has(name)) duplicate.add(name);
    else byName.set(name, n);
  }
  for (const name of duplicate) byName.delete(name);
  const mainStart = ir.graphCount ? ir.graphNodeStart[0] : 0;
  const mainCount = ir.graphCount ? ir.graphNodeCount[0] : 0;

  const nodeUs = new Float64Array(ir.nodeCount);
  const nodeCalls = new Uint32Array(ir.nodeCount);
  const unmapped = new Map<string, UnmappedKernel>();
  // Null-prototype maps: op and provider names come from the file.
  const byOp: Record<string, { us: number; calls: number }> = Object.create(null);
  const providers: Record<string, number> = Object.create(null);
  let runs = 0;
  let runUs = 0;
  let kernelEvents = 0;
  let mappedEvents = 0;
  let mappedByIndex = 0;
  let totalKernelUs = 0;
  let mappedKernelUs = 0;

  for (const raw of events) {
    if (!raw || typeof raw !== 'object') continue;
    const e = raw as OrtTraceEvent;
    if (e.cat === 'Session' && e.name === 'model_run') {
      runs++;
      runUs += num(e.dur);
      continue;
    }
    if (e.cat !== 'Node' || typeof e.name !== 'string' || !e.name.endsWith(KERNEL_SUFFIX)) continue;
    kernelEvents++;
    const us = num(e.dur);
    totalKernelUs += us;
    const name = e.name.slice(0, -KERNEL_SUFFIX.length);
    const op = typeof e.args?.op_name === 'string' ? e.args.op_name : '';
    const provider = typeof e.args?.provider === 'string' ? e.args.provider : '';
    if (provider) providers[provider] = (providers[provider] ?? 0) + 1;
    const opRow = (byOp[op || '?'] ??= { us: 0, calls: 0 });
    opRow.us += us;
    opRow.calls++;

    let node = byName.get(name) ?? -1;
    if (node < 0) {
      const index = Number(e.args?.node_index);
      if (Number.isInteger(index) && index >= 0 && index < mainCount) {
        const candidate = mainStart + index;
        if (!op || opMatches(str(ir, ir.nodeOp[candidate]), op)) {
          node = candidate;
          mappedByIndex++;
        }
      }
    }
    if (node >= 0) {
      nodeUs[node] += us;
      nodeCalls[node]++;
      mappedEvents++;
      mappedKernelUs += us;
    } else {
      const key = `${name}\u0000${op}`;
      const row = unmapped.get(key) ?? { name, op, us: 0, calls: 0 };
      row.us += us;
      row.calls++;
      unmapped.set(key, row);
    }
  }
  let nodesWithTime = 0;
  for (let n = 0; n < ir.nodeCount; n++) if (nodeCalls[n]) nodesWithTime++;
  return {
    nodeUs,
    nodeCalls,
    runs: runs || (kernelEvents ? 1 : 0),
    kernelEvents,
    mappedEvents,
    mappedByIndex,
    totalKernelUs,
    mappedKernelUs,
    nodesWithTime,
    unmapped: [...unmapped.values()].sort((a, b) => b.us - a.us),
    byOp,
    providers,
    runUs,
  };
}

/** ORT reports the bare op type; the IR prefixes non-default domains (`com.microsoft.FusedMatMul`). */
function opMatches(irOp: string, ortOp: string): boolean {
  return irOp === ortOp || irOp.endsWith(`.${ortOp}`);
}

function num(v: unknown): number {
  return typeof v === 'number' && Number.isFinite(v) ? v : 0;
}

/** Mean time per run of each node, in milliseconds. */
export function nodeMsPerRun(p: OrtProfile): Float64Array {
  const out = new Float64Array(p.nodeUs.length);
  const scale = 1 / (1000 * Math.max(1, p.runs));
  for (let i = 0; i < out.length; i++) out[i] = p.nodeUs[i] * scale;
  return out;
}

/** Mean time per run of each group (subtree), in milliseconds. */
export function groupMsPerRun(h: Hierarchy, p: OrtProfile): Float64Array {
  return sumByGroup(h, nodeMsPerRun(p));
}

/** IR nodes that executed kernels in ORT (Constant nodes never do: ORT folds them into initializers). */
export function profileCoverage(ir: GraphIR, p: OrtProfile): { executable: number; timed: number; share: number } {
  let executable = 0;
  let timed = 0;
  for (let n = 0; n < ir.nodeCount; n++) {
    if (str(ir, ir.nodeOp[n]) === 'Constant') continue;
    executable++;
    if (p.nodeCalls[n]) timed++;
  }
  return { executable, timed, share: executable ? timed / executable : 0 };
}
