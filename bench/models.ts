/**
 * Graphs built in code for the benches and tests (flat, synthetic, tiled); generated model files come from
 * tests/helpers/models.ts, the one place that runs the generators.
 */
import { GraphBuilder } from '../src/graph/builder.ts';
import { buildHierarchy } from '../src/graph/hierarchy/build.ts';
import { GraphKind, ValueFlag, type GraphIR, str } from '../src/graph/ir.ts';

export { cacheDir } from '../tests/helpers/models.ts';
/**
 * The same main graph with every node and tensor name replaced by `node_<i>` / `t<i>`: what a flat export
 * (no scopes) looks like, for the structural-grouping path. Sub-graphs are dropped.
 */
export function stripNames(ir: GraphIR): GraphIR {
  const b = new GraphBuilder(ir.format);
  const g = b.beginGraph('flat', GraphKind.Main);
  const start = ir.graphValueStart[0];
  const end = start + ir.graphValueCount[0];
  const vid = new Int32Array(ir.valueCount).fill(-1);
  for (let v = start; v < end; v++) {
    vid[v] = b.value(g, `t${v}`);
    const f = ir.valueFlags[v] & (ValueFlag.Initializer | ValueFlag.ConstantNode);
    if (f) b.addFlags(vid[v], f);
  }
  for (let k = ir.graphInputOffsets[0]; k < ir.graphInputOffsets[1]; k++) b.addGraphInput(g, vid[ir.graphInputs[k]]);
  const nStart = ir.graphNodeStart[0];
  for (let v = nStart; v < nStart + ir.graphNodeCount[0]; v++) {
    const ins = Array.from(ir.nodeInputs.subarray(ir.nodeInputOffsets[v], ir.nodeInputOffsets[v + 1]), (x) =>
      x >= 0 ? vid[x] : -1,
    );
    const outs = Array.from(ir.nodeOutputs.subarray(ir.nodeOutputOffsets[v], ir.nodeOutputOffsets[v + 1]), (x) =>
      x >= 0 ? vid[x] : -1,
    );
    b.addNode(g, `node_${v - nStart}`, str(ir, ir.nodeOp[v]), ins, outs);
  }
  for (let k = ir.graphOutputOffsets[0]; k < ir.graphOutputOffsets[1]; k++)
    b.addGraphOutput(g, vid[ir.graphOutputs[k]]);
  return b.finish();
}

/**
 * A transformer-like graph built in code (no python, any size): an embedding, `blocks` pre-norm blocks of
 * 32 ops (layer norm, attention with a broadcast mask, residual adds, MLP), a final norm and head.
 * `scoped` names nodes like a PyTorch export (`/blocks.3/attn/MatMul`); otherwise names are `node_<i>`.
 */
export function syntheticTransformer(blocks: number, scoped = true): GraphIR {
  const b = new GraphBuilder('synthetic');
  const g = b.beginGraph('synthetic', GraphKind.Main);
  let nodes = 0;
  let tensors = 0;
  const t = () => b.value(g, `t${tensors++}`);
  const weight = () => {
    const w = t();
    b.addFlags(w, ValueFlag.Initializer);
    return w;
  };
  const op = (scope: string, type: string, inputs: number[], outs = 1): number[] => {
    const o = Array.from({ length: outs }, t);
    b.addNode(g, scoped ? `${scope}/${type}_${nodes}` : `node_${nodes}`, type, inputs, o);
    nodes++;
    return o;
  };
  const norm = (s: string, x: number) => {
    const [mean] = op(s, 'ReduceMean', [x]);
    const [d] = op(s, 'Sub', [x, mean]);
    const [two] = op(s, 'Constant', []);
    const [sq] = op(s, 'Pow', [d, two]);
    const [v] = op(s, 'ReduceMean', [sq]);
    const [sd] = op(s, 'Sqrt', [v]);
    const [n] = op(s, 'Div', [d, sd]);
    const [m] = op(s, 'Mul', [n, weight()]);
    return op(s, 'Add', [m, weight()])[0];
  };
  const ids = t();
  b.addGraphInput(g, ids);
  let [x] = op('/embed', 'Gather', [weight(), ids]);
  const [mask] = op('', 'Constant', []);
  for (let i = 0; i < blocks; i++) {
    const s = `/blocks.${i}`;
    const h = norm(`${s}/ln_1`, x);
    const [q] = op(`${s}/attn/q`, 'MatMul', [h, weight()]);
    const [k] = op(`${s}/attn/k`, 'MatMul', [h, weight()]);
    const [v] = op(`${s}/attn/v`, 'MatMul', [h, weight()]);
    const [kt] = op(`${s}/attn`, 'Transpose', [k]);
    const [sc] = op(`${s}/attn`, 'MatMul', [q, kt]);
    const [masked] = op(`${s}/attn`, 'Where', [mask, sc]);
    const [p] = op(`${s}/attn`, 'Softmax', [masked]);
    const [ctx] = op(`${s}/attn`, 'MatMul', [p, v]);
    const [proj] = op(`${s}/attn/proj`, 'MatMul', [ctx, weight()]);
    [x] = op(s, 'Add', [x, proj]);
    const h2 = norm(`${s}/ln_2`, x);
    const [up] = op(`${s}/mlp/fc`, 'MatMul', [h2, weight()]);
    const [act] = op(`${s}/mlp`, 'Gelu', [up]);
    const [down] = op(`${s}/mlp/proj`, 'MatMul', [act, weight()]);
    [x] = op(s, 'Add', [x, down]);
  }
  const [logits] = op('/head', 'MatMul', [norm('/ln_f', x), weight()]);
  b.addGraphOutput(g, logits);
  return b.finish();
}

/**
 * A deeper GPT built from a real export by repeating its `h.<i>` blocks `times` times (renumbered
 * `h.<i + k·L>`): exporter-made structure at sizes torch cannot export in reasonable time (780 layers take
 * ~45 min here). Block membership comes from the hierarchy (so adopted unscoped nodes travel with their
 * block); the residual input of the first block is rewired to the previous copy's output, everything else a
 * block reads from outside (weights, the causal mask) is shared.
 */
export function tileGptBlocks(ir: GraphIR, times: number): GraphIR {
  const h = buildHierarchy(ir);
  const n = ir.nodeCount;
  // Block index of each node (-1 outside blocks).
  const blockOfGroup = new Int32Array(h.groupCount).fill(-1);
  for (let g = 1; g < h.groupCount; g++) {
    const m = /^h\.(\d+)$/.exec(h.groupPath[g]);
    blockOfGroup[g] = m ? Number(m[1]) : blockOfGroup[h.groupParent[g]];
  }
  const block = Int32Array.from(h.nodeGroup, (g) => blockOfGroup[g]);
  let layers = 0;
  for (let v = 0; v < n; v++) layers = Math.max(layers, block[v] + 1);
  // Residual input: produced by a node outside blocks, read by block 0 and by no other block.
  const readers = new Map<number, Set<number>>();
  for (let v = 0; v < n; v++) {
    if (block[v] < 0) continue;
    for (let k = ir.nodeInputOffsets[v]; k < ir.nodeInputOffsets[v + 1]; k++) {
      const val = ir.nodeInputs[k];
      if (val < 0) continue;
      const p = ir.valueProducer[val];
      if (p >= 0 && block[p] >= 0) continue;
      let s = readers.get(val);
      if (!s) readers.set(val, (s = new Set()));
      s.add(block[v]);
    }
  }
  const xIn = [...readers]
    .filter(([val, s]) => s.size === 1 && s.has(0) && ir.valueProducer[val] >= 0)
    .map(([val]) => val);
  // Residual output: produced by the last block, read outside blocks.
  const xOut = new Set<number>();
  for (let v = 0; v < n; v++) {
    if (block[v] >= 0) continue;
    for (let k = ir.nodeInputOffsets[v]; k < ir.nodeInputOffsets[v + 1]; k++) {
      const val = ir.nodeInputs[k];
      if (val >= 0 && ir.valueProducer[val] >= 0 && block[ir.valueProducer[val]] === layers - 1) xOut.add(val);
    }
  }
  if (xIn.length !== 1 || xOut.size !== 1)
    throw new Error(`tileGptBlocks: residual not found (${xIn.length}, ${xOut.size})`);
  const [xOutVal] = xOut;

  const b = new GraphBuilder(ir.format);
  const g = b.beginGraph(str(ir, ir.graphName[0]), GraphKind.Main);
  const base = new Int32Array(ir.valueCount);
  for (let v = 0; v < ir.valueCount; v++) {
    base[v] = b.value(g, str(ir, ir.valueName[v]));
    const f = ir.valueFlags[v] & (ValueFlag.Initializer | ValueFlag.ConstantNode);
    if (f) b.addFlags(base[v], f);
  }
  for (let k = ir.graphInputOffsets[0]; k < ir.graphInputOffsets[1]; k++) b.addGraphInput(g, base[ir.graphInputs[k]]);
  const copyOf = (val: number, tile: number) => b.value(g, `${str(ir, ir.valueName[val])}~${tile}`);
  const rename = (name: string, tile: number) =>
    name.replace(/\/h\.(\d+)\//, (_, i) => `/h.${Number(i) + tile * layers}/`) +
    (tile && !name.includes('/h.') ? `~${tile}` : '');
  const map = (val: number, tile: number, inBlock: boolean) => {
    if (val < 0) return -1;
    const p = ir.valueProducer[val];
    if (p >= 0 && block[p] >= 0) return copyOf(val, inBlock ? tile : times - 1);
    if (inBlock && tile > 0 && val === xIn[0]) return copyOf(xOutVal, tile - 1);
    return base[val];
  };
  const emit = (v: number, tile: number, inBlock: boolean) => {
    const ins = Array.from(ir.nodeInputs.subarray(ir.nodeInputOffsets[v], ir.nodeInputOffsets[v + 1]), (x) =>
      map(x, tile, inBlock),
    );
    const outs = Array.from(ir.nodeOutputs.subarray(ir.nodeOutputOffsets[v], ir.nodeOutputOffsets[v + 1]), (x) =>
      x < 0 ? -1 : inBlock ? copyOf(x, tile) : base[x],
    );
    b.addNode(g, rename(str(ir, ir.nodeName[v]), inBlock ? tile : 0), str(ir, ir.nodeOp[v]), ins, outs);
  };
  // Outside nodes before the blocks, the tiled blocks, then the rest, each in file order.
  let firstBlockNode = 0;
  while (firstBlockNode < n && block[firstBlockNode] < 0) firstBlockNode++;
  for (let v = 0; v < firstBlockNode; v++) emit(v, 0, false);
  for (let t = 0; t < times; t++) for (let v = firstBlockNode; v < n; v++) if (block[v] >= 0) emit(v, t, true);
  for (let v = firstBlockNode; v < n; v++) if (block[v] < 0) emit(v, 0, false);
  for (let k = ir.graphOutputOffsets[0]; k < ir.graphOutputOffsets[1]; k++)
    b.addGraphOutput(g, map(ir.graphOutputs[k], 0, false));
  return b.finish();
}
