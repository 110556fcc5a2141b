import { GraphKind, MAIN_GRAPH, ValueFlag, type GraphIR } from './ir.ts';
import { isStrings } from './string-list.ts';

export interface ValidateOptions {
  /** When given, payload ranges stored in the model file itself (not External) must lie inside it. */
  fileSize?: number;
  /** Stop after this many problems (default 50): a broken IR of a million nodes need not produce a million lines. */
  maxProblems?: number;
}

/**
 * Checks the structural invariants everything downstream of a decoder relies on, and lists what is broken
 * (an empty list means the IR is consistent). Linear in the size of the IR, so it can run on every decode in
 * tests and on untrusted files: CSR offsets start at 0, never decrease and end at their list's length; every
 * node, value, graph and string reference is in range; producer and consumer links agree with the node lists;
 * each graph owns one contiguous range of nodes and of values; graph parents form no cycle; no NaN where an
 * integer is expected.
 */
export function validateIR(ir: GraphIR, options: ValidateOptions = {}): string[] {
  const problems: string[] = [];
  const max = options.maxProblems ?? 50;
  const report = (msg: string): boolean => {
    if (problems.length < max) problems.push(msg);
    else if (problems.length === max) problems.push('… more problems not listed');
    return false;
  };
  const full = () => problems.length > max;

  const G = ir.graphCount;
  const N = ir.nodeCount;
  const V = ir.valueCount;
  const tableOk = isStrings(ir.strings) && isCount(ir.strings.length);
  const S = tableOk ? ir.strings.length : 0;
  if (!tableOk) report('strings is not a string table');
  if (S === 0) report('string table is empty (index 0 must be the empty string)');
  if (!isCount(G)) return [`graphCount is not a non-negative integer: ${G}`];
  if (!isCount(N)) return [`nodeCount is not a non-negative integer: ${N}`];
  if (!isCount(V)) return [`valueCount is not a non-negative integer: ${V}`];

  // Column lengths: a wrong length makes every index check below meaningless, so stop there.
  const lengths: [string, ArrayLike<number> | undefined, number][] = [
    ['graphName', ir.graphName, G],
    ['graphKind', ir.graphKind, G],
    ['graphParentNode', ir.graphParentNode, G],
    ['graphNodeStart', ir.graphNodeStart, G],
    ['graphNodeCount', ir.graphNodeCount, G],
    ['graphValueStart', ir.graphValueStart, G],
    ['graphValueCount', ir.graphValueCount, G],
    ['graphInputOffsets', ir.graphInputOffsets, G + 1],
    ['graphOutputOffsets', ir.graphOutputOffsets, G + 1],
    ['nodeName', ir.nodeName, N],
    ['nodeOp', ir.nodeOp, N],
    ['nodeGraph', ir.nodeGraph, N],
    ['nodeInputOffsets', ir.nodeInputOffsets, N + 1],
    ['nodeOutputOffsets', ir.nodeOutputOffsets, N + 1],
    ['nodeSourceOffset', ir.nodeSourceOffset, N],
    ['nodeSourceLength', ir.nodeSourceLength, N],
    ['valueName', ir.valueName, V],
    ['valueDtype', ir.valueDtype, V],
    ['valueFlags', ir.valueFlags, V],
    ['valueGraph', ir.valueGraph, V],
    ['valueProducer', ir.valueProducer, V],
    ['valueShapeOffsets', ir.valueShapeOffsets, V + 1],
    ['valueDataOffset', ir.valueDataOffset, V],
    ['valueDataLength', ir.valueDataLength, V],
    ['valueDataEncoding', ir.valueDataEncoding, V],
    ['valueLocation', ir.valueLocation, V],
    ['valueConsumerOffsets', ir.valueConsumerOffsets, V + 1],
  ];
  for (const [name, arr, want] of lengths) {
    if (!arr || typeof arr.length !== 'number') report(`${name} is missing`);
    else if (arr.length !== want) report(`${name} has length ${arr.length}, expected ${want}`);
  }
  for (const [name, arr] of [
    ['nodeInputs', ir.nodeInputs],
    ['nodeOutputs', ir.nodeOutputs],
    ['graphInputs', ir.graphInputs],
    ['graphOutputs', ir.graphOutputs],
    ['valueShapeDims', ir.valueShapeDims],
    ['valueShapeSymbols', ir.valueShapeSymbols],
    ['valueConsumers', ir.valueConsumers],
  ] as const) {
    if (!arr || typeof arr.length !== 'number') report(`${name} is missing`);
  }
  checkLayerOps(ir.layerOps, report);
  if (problems.length) return problems;

  // CSR offsets.
  const csr = (name: string, offsets: ArrayLike<number>, listName: string, listLength: number): boolean => {
    if (offsets[0] !== 0) return report(`${name}[0] is ${offsets[0]}, expected 0`);
    for (let i = 1; i < offsets.length; i++) {
      const o = offsets[i];
      if (!Number.isInteger(o)) return report(`${name}[${i}] is not an integer (${o})`);
      if (o < offsets[i - 1]) return report(`${name} decreases at ${i} (${offsets[i - 1]} → ${o})`);
    }
    const last = offsets[offsets.length - 1];
    if (last !== listLength) return report(`${name} ends at ${last}, but ${listName} has ${listLength} entries`);
    return true;
  };
  const csrOk = [
    csr('nodeInputOffsets', ir.nodeInputOffsets, 'nodeInputs', ir.nodeInputs.length),
    csr('nodeOutputOffsets', ir.nodeOutputOffsets, 'nodeOutputs', ir.nodeOutputs.length),
    csr('graphInputOffsets', ir.graphInputOffsets, 'graphInputs', ir.graphInputs.length),
    csr('graphOutputOffsets', ir.graphOutputOffsets, 'graphOutputs', ir.graphOutputs.length),
    csr('valueShapeOffsets', ir.valueShapeOffsets, 'valueShapeDims', ir.valueShapeDims.length),
    csr('valueConsumerOffsets', ir.valueConsumerOffsets, 'valueConsumers', ir.valueConsumers.length),
  ].every(Boolean);
  if (ir.valueShapeSymbols.length !== ir.valueShapeDims.length) {
    report(`valueShapeSymbols has ${ir.valueShapeSymbols.length} entries, valueShapeDims ${ir.valueShapeDims.length}`);
  }
  if (!csrOk) return problems;

  const inRange = (x: number, n: number) => Number.isInteger(x) && x >= 0 && x < n;
  const stringRef = (what: string, x: number) =>
    inRange(x, S) || report(`${what} string index ${x} out of range (${S} strings)`);

  // Graph ranges: one contiguous run per graph, in graph order, covering every node and value exactly once.
  const ranges = (
    kind: 'node' | 'value',
    start: ArrayLike<number>,
    count: ArrayLike<number>,
    owner: ArrayLike<number>,
    total: number,
  ) => {
    let next = 0;
    for (let g = 0; g < G; g++) {
      if (!Number.isInteger(start[g]) || !Number.isInteger(count[g]))
        return report(`graph ${g} ${kind} range is not integral`);
      if (start[g] !== next)
        return report(`graph ${g} ${kind}s start at ${start[g]}, expected ${next} (ranges must be contiguous)`);
      next += count[g];
      if (next > total) return report(`graph ${g} ${kind} range ends at ${next}, past ${total} ${kind}s`);
      for (let i = start[g]; i < next; i++) {
        if (owner[i] !== g) return report(`${kind} ${i} belongs to graph ${owner[i]} but lies in graph ${g}'s range`);
      }
    }
    if (next !== total) return report(`graph ${kind} ranges cover ${next} of ${total} ${kind}s`);
    return true;
  };
  ranges('node', ir.graphNodeStart, ir.graphNodeCount, ir.nodeGraph, N);
  ranges('value', ir.graphValueStart, ir.graphValueCount, ir.valueGraph, V);

  // Graphs.
  if (G > 0 && ir.graphKind[MAIN_GRAPH] !== GraphKind.Main)
    report(`graph 0 has kind ${ir.graphKind[MAIN_GRAPH]}, expected Main`);
  for (let g = 0; g < G && !full(); g++) {
    stringRef(`graph ${g} name`, ir.graphName[g]);
    const p = ir.graphParentNode[g];
    if (p !== -1 && !inRange(p, N)) report(`graph ${g} parent node ${p} out of range`);
    if (p >= 0 && ir.nodeGraph[p] === g) report(`graph ${g} is held by its own node ${p}`);
  }
  // Parent chains (graph → parent node → that node's graph → ...) must end: at most G steps.
  for (let g = 0; g < G && !full(); g++) {
    let cur = g;
    let steps = 0;
    while (cur >= 0 && cur < G && ir.graphParentNode[cur] >= 0 && ir.graphParentNode[cur] < N && steps <= G) {
      cur = ir.nodeGraph[ir.graphParentNode[cur]];
      steps++;
    }
    if (steps > G) report(`graph ${g}: parent chain has a cycle`);
  }
  for (const [name, list] of [
    ['graphInputs', ir.graphInputs],
    ['graphOutputs', ir.graphOutputs],
  ] as const) {
    for (let i = 0; i < list.length && !full(); i++)
      if (!inRange(list[i], V)) report(`${name}[${i}] = ${list[i]} is not a value`);
  }

  // Nodes.
  for (let n = 0; n < N && !full(); n++) {
    stringRef(`node ${n} name`, ir.nodeName[n]);
    stringRef(`node ${n} op`, ir.nodeOp[n]);
    if (!inRange(ir.nodeGraph[n], G)) report(`node ${n} graph ${ir.nodeGraph[n]} out of range`);
    const off = ir.nodeSourceOffset[n];
    const len = ir.nodeSourceLength[n];
    if (!(off === -1 || (Number.isFinite(off) && off >= 0)) || !(Number.isFinite(len) && len >= 0)) {
      report(`node ${n} source range (${off}, ${len}) is not a valid range`);
    } else if (off >= 0 && options.fileSize !== undefined && off + len > options.fileSize) {
      report(`node ${n} source range ${off}+${len} is past the end of the file (${options.fileSize})`);
    }
  }
  const producedBy = new Uint8Array(V);
  for (let n = 0; n < N && !full(); n++) {
    for (let k = ir.nodeInputOffsets[n]; k < ir.nodeInputOffsets[n + 1]; k++) {
      const v = ir.nodeInputs[k];
      if (v !== -1 && !inRange(v, V)) report(`node ${n} input ${k - ir.nodeInputOffsets[n]} = ${v} is not a value`);
    }
    for (let k = ir.nodeOutputOffsets[n]; k < ir.nodeOutputOffsets[n + 1]; k++) {
      const v = ir.nodeOutputs[k];
      if (v === -1) continue;
      if (!inRange(v, V)) report(`node ${n} output ${k - ir.nodeOutputOffsets[n]} = ${v} is not a value`);
      else if (ir.valueProducer[v] === n) producedBy[v] = 1;
    }
  }

  // Values.
  for (let v = 0; v < V && !full(); v++) {
    stringRef(`value ${v} name`, ir.valueName[v]);
    if (!inRange(ir.valueGraph[v], G)) report(`value ${v} graph ${ir.valueGraph[v]} out of range`);
    const p = ir.valueProducer[v];
    if (p !== -1) {
      if (!inRange(p, N)) report(`value ${v} producer ${p} out of range`);
      else if (!producedBy[v]) report(`value ${v} names node ${p} as producer, but is not among its outputs`);
    }
    const loc = ir.valueLocation[v];
    if (loc !== -1) stringRef(`value ${v} location`, loc);
    const external = (ir.valueFlags[v] & ValueFlag.External) !== 0;
    if (external && loc === -1) report(`value ${v} is External without a location`);
    const off = ir.valueDataOffset[v];
    const len = ir.valueDataLength[v];
    if (!(off === -1 || (Number.isFinite(off) && off >= 0)) || !(Number.isFinite(len) && len >= 0)) {
      report(`value ${v} data range (${off}, ${len}) is not a valid range`);
    } else if (off >= 0 && !external && options.fileSize !== undefined && off + len > options.fileSize) {
      report(`value ${v} data range ${off}+${len} is past the end of the file (${options.fileSize})`);
    }
  }
  for (let i = 0; i < ir.valueShapeDims.length && !full(); i++) {
    const d = ir.valueShapeDims[i];
    if (Number.isNaN(d)) report(`shape dim ${i} is NaN`);
    const s = ir.valueShapeSymbols[i];
    if (s !== -1) stringRef(`shape dim ${i} symbol`, s);
  }

  // Consumers list exactly the (node, input) pairs, as a multiset: +1 per input use, -1 per consumer entry.
  const balance = new Map<number, number>();
  const key = (v: number, n: number) => v * (N + 1) + n;
  for (let n = 0; n < N; n++) {
    for (let k = ir.nodeInputOffsets[n]; k < ir.nodeInputOffsets[n + 1]; k++) {
      const v = ir.nodeInputs[k];
      if (inRange(v, V)) balance.set(key(v, n), (balance.get(key(v, n)) ?? 0) + 1);
    }
  }
  for (let v = 0; v < V && !full(); v++) {
    for (let k = ir.valueConsumerOffsets[v]; k < ir.valueConsumerOffsets[v + 1]; k++) {
      const n = ir.valueConsumers[k];
      if (!inRange(n, N)) {
        report(`value ${v} consumer ${n} out of range`);
        continue;
      }
      balance.set(key(v, n), (balance.get(key(v, n)) ?? 0) - 1);
    }
  }
  for (const [k, b] of balance) {
    if (b === 0) continue;
    const v = Math.floor(k / (N + 1));
    const n = k % (N + 1);
    report(
      b > 0
        ? `node ${n} reads value ${v}, which does not list it as a consumer`
        : `value ${v} lists node ${n} as a consumer, which does not read it`,
    );
    if (full()) break;
  }
  return problems;
}

/** layerOps is a histogram: type name → a positive count of records. */
function checkLayerOps(layerOps: unknown, report: (msg: string) => boolean): void {
  if (typeof layerOps !== 'object' || layerOps === null || Array.isArray(layerOps)) {
    report('layerOps is not an object of counts');
    return;
  }
  for (const [type, count] of Object.entries(layerOps)) {
    if (!isCount(count) || count === 0) report(`layerOps["${type}"] is not a positive integer: ${String(count)}`);
  }
}

function isCount(x: unknown): x is number {
  return typeof x === 'number' && Number.isInteger(x) && x >= 0;
}
