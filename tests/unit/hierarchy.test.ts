import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { stripNames, syntheticTransformer } from '../../bench/models.ts';
import { decodeFile } from '../../src/decode/decode-file.ts';
import { GraphBuilder } from '../../src/graph/builder.ts';
import { splitSequence } from '../../src/graph/hierarchy/chunk.ts';
import { buildHierarchy } from '../../src/graph/hierarchy/build.ts';
import { GroupKind, type Hierarchy } from '../../src/graph/hierarchy/types.ts';
import { GraphKind, type GraphIR, str } from '../../src/graph/ir.ts';

const here = dirname(fileURLToPath(import.meta.url));
const GPT_10K = resolve(here, '../../../shared/models/onnx/gpt_decoder_10k.onnx');
const MAX_DIRECT = 150;

/** Structural invariants every hierarchy must satisfy (collects problems, one expect: loops stay fast). */
function checkInvariants(h: Hierarchy, ir: GraphIR): void {
  const G = h.groupCount;
  const problems: string[] = [];
  const fail = (msg: string) => {
    if (problems.length < 20) problems.push(msg);
  };
  if (h.groupParent[0] !== -1 || h.groupPath[0] !== '') fail('root');
  for (let g = 1; g < G; g++) {
    // Pre-order ids: parent first.
    if (h.groupParent[g] >= g) fail(`parent of ${g} after it`);
    if (h.groupDepth[g] !== h.groupDepth[h.groupParent[g]] + 1) fail(`depth of ${g}`);
  }
  if (new Set(h.groupPath).size !== G) fail('paths not unique');
  // Every node in exactly one group, consistent with the CSR lists.
  const seen = new Uint8Array(ir.nodeCount);
  for (let g = 0; g < G; g++) {
    for (let k = h.groupNodeOffsets[g]; k < h.groupNodeOffsets[g + 1]; k++) {
      const v = h.groupNodes[k];
      if (seen[v]++) fail(`node ${v} twice`);
      if (h.nodeGroup[v] !== g) fail(`node ${v} listed in ${g} but nodeGroup says ${h.nodeGroup[v]}`);
    }
    for (let k = h.groupChildOffsets[g]; k < h.groupChildOffsets[g + 1]; k++) {
      if (h.groupParent[h.groupChildren[k]] !== g) fail(`child list of ${g}`);
    }
    const items = h.groupItemOffsets[g + 1] - h.groupItemOffsets[g];
    const direct =
      h.groupNodeOffsets[g + 1] - h.groupNodeOffsets[g] + h.groupChildOffsets[g + 1] - h.groupChildOffsets[g];
    if (items !== direct) fail(`items of ${g}`);
    if (items > MAX_DIRECT) fail(`group ${h.groupPath[g]} has ${items} direct children`);
    // Items are in dataflow order: each item's first node rank increases.
    let last = -1;
    for (let k = h.groupItemOffsets[g]; k < h.groupItemOffsets[g + 1]; k++) {
      const item = h.groupItems[k];
      const rank = item >= 0 ? h.nodeRank[item] : firstRank(h, -1 - item);
      if (rank <= last) fail(`items of ${h.groupPath[g]} out of dataflow order`);
      last = rank;
    }
  }
  for (let v = 0; v < ir.nodeCount; v++) if (seen[v] !== 1) fail(`node ${v} in no group`);
  // Sizes add up.
  if (h.groupSize[0] !== ir.nodeCount) fail('root size');
  for (let g = 0; g < G; g++) {
    let sum = h.groupNodeOffsets[g + 1] - h.groupNodeOffsets[g];
    for (let k = h.groupChildOffsets[g]; k < h.groupChildOffsets[g + 1]; k++) sum += h.groupSize[h.groupChildren[k]];
    if (h.groupSize[g] !== sum) fail(`size of ${g}`);
  }
  expect(problems).toEqual([]);
}

function firstRank(h: Hierarchy, g: number): number {
  let item = h.groupItems[h.groupItemOffsets[g]];
  while (item < 0) item = h.groupItems[h.groupItemOffsets[-1 - item]];
  return h.nodeRank[item];
}

const byPath = (h: Hierarchy) => new Map(h.groupPath.map((p, i) => [p, i]));

describe('hierarchy of a real GPT export (gpt_decoder_10k.onnx)', () => {
  let ir: GraphIR;
  let h: Hierarchy;
  beforeAll(async () => {
    ir = await decodeFile(GPT_10K);
    h = buildHierarchy(ir);
  });

  it('satisfies the structural invariants', () => {
    checkInvariants(h, ir);
  });

  it('groups nodes by module scope', () => {
    const paths = byPath(h);
    for (const p of ['h.0', 'h.3', 'h.3/attn', 'h.3/attn/c_attn', 'h.3/ln_1', 'h.3/mlp/act', 'h.77', 'ln_f']) {
      expect(paths.has(p), p).toBe(true);
    }
    // Scopes around a single op (`wte` holds one Gather) fold into that node.
    expect(paths.has('wte')).toBe(false);
    const wte = Array.from({ length: ir.nodeCount }, (_, v) => v).find(
      (v) => ir.strings.at(ir.nodeName[v]) === '/wte/Gather',
    )!;
    expect(h.nodeGroup[wte]).toBe(0);
    const attn = paths.get('h.3/attn')!;
    expect(h.groupLabel[attn]).toBe('attn');
    expect(h.groupKind[attn]).toBe(GroupKind.Scope);
    // A node's group path is its name's scope.
    for (let v = 0; v < ir.nodeCount; v++) {
      const name = str(ir, ir.nodeName[v]);
      if (name.startsWith('/h.3/attn/c_attn/')) expect(h.groupPath[h.nodeGroup[v]]).toBe('h.3/attn/c_attn');
    }
  });

  it('adopts unscoped nodes into the group of their consumers', () => {
    // Weight-tying `Identity_<n>` and hoisted `Constant_<n>` nodes carry no scope in their names.
    let unscoped = 0;
    let atRoot = 0;
    for (let v = 0; v < ir.nodeCount; v++) {
      if (str(ir, ir.nodeName[v]).includes('/')) continue;
      unscoped++;
      if (h.nodeGroup[v] === 0) atRoot++;
    }
    expect(unscoped).toBeGreaterThan(300);
    expect(atRoot).toBeLessThan(unscoped / 10);
  });

  it('hashes identical blocks equal and different ones apart', () => {
    const paths = byPath(h);
    const hashOf = (p: string) => h.groupHash[paths.get(p)!];
    for (let i = 2; i < 77; i++) {
      expect(hashOf(`h.${i}`)).toBe(hashOf('h.1'));
      expect(h.groupClass[paths.get(`h.${i}`)!]).toBe(h.groupClass[paths.get('h.1')!]);
    }
    expect(hashOf('h.5/attn')).toBe(hashOf('h.40/attn'));
    expect(hashOf('h.5/attn')).not.toBe(hashOf('h.5/mlp'));
    expect(hashOf('h.5/attn/c_attn')).toBe(hashOf('h.5/mlp/c_fc'));
    expect(hashOf('h.5')).not.toBe(hashOf('h.5/attn'));
  });

  it('a one-edge change breaks equality', () => {
    const paths = byPath(h);
    // Rewire one input of a node inside h.5/mlp/act to another value produced earlier in the same group.
    const act = paths.get('h.5/mlp/act')!;
    const nodes = Array.from(h.groupNodes.subarray(h.groupNodeOffsets[act], h.groupNodeOffsets[act + 1]));
    let changed: GraphIR | null = null;
    for (let i = 2; i < nodes.length && !changed; i++) {
      const v = nodes[i];
      for (let k = ir.nodeInputOffsets[v]; k < ir.nodeInputOffsets[v + 1] && !changed; k++) {
        const old = ir.nodeInputs[k];
        if (old < 0 || ir.valueProducer[old] < 0 || h.nodeGroup[ir.valueProducer[old]] !== act) continue;
        for (let j = 0; j < i; j++) {
          const alt = ir.nodeOutputs[ir.nodeOutputOffsets[nodes[j]]];
          if (alt === old || alt < 0) continue;
          const nodeInputs = ir.nodeInputs.slice();
          nodeInputs[k] = alt;
          changed = { ...ir, nodeInputs };
          break;
        }
      }
    }
    expect(changed).not.toBeNull();
    const h2 = buildHierarchy(changed!);
    const p2 = byPath(h2);
    const hashOf = (p: string) => h2.groupHash[p2.get(p)!];
    expect(hashOf('h.5/mlp/act')).not.toBe(hashOf('h.4/mlp/act'));
    expect(hashOf('h.5/mlp')).not.toBe(hashOf('h.4/mlp'));
    expect(hashOf('h.5')).not.toBe(hashOf('h.4'));
    expect(h2.groupClass[p2.get('h.5')!]).not.toBe(h2.groupClass[p2.get('h.4')!]);
    // Untouched blocks still match.
    expect(hashOf('h.4')).toBe(hashOf('h.6'));
    expect(hashOf('h.4')).toBe(h.groupHash[paths.get('h.4')!]);
  });

  it('gives the same graph without names structural groups', () => {
    const flat = stripNames(ir);
    const hf = buildHierarchy(flat);
    checkInvariants(hf, flat);
    expect(hf.groupCount).toBeGreaterThan(20);
    for (let g = 1; g < hf.groupCount; g++) {
      expect(hf.groupKind[g]).toBe(GroupKind.Chunk);
      expect(hf.groupPath[g]).toMatch(/^(#\d+)+$/);
    }
    // Cuts fall on repeating block boundaries, so most chunks come in structurally identical families.
    const counts = new Map<number, number>();
    for (let g = 1; g < hf.groupCount; g++) counts.set(hf.groupClass[g], (counts.get(hf.groupClass[g]) ?? 0) + 1);
    expect(counts.size).toBeLessThan((hf.groupCount - 1) / 4);
  });
});

describe('hierarchy rules on built graphs', () => {
  /** One graph, nodes given as [name, op, inputs, outputs] with tensor names. */
  function graph(nodes: [string, string, string[], string[]][]): GraphIR {
    const b = new GraphBuilder('test');
    const g = b.beginGraph('main', GraphKind.Main);
    for (const [name, op, ins, outs] of nodes)
      b.addNode(
        g,
        name,
        op,
        ins.map((t) => b.value(g, t)),
        outs.map((t) => b.value(g, t)),
      );
    return b.finish();
  }

  it('folds single-child chains and lets the root absorb a lone wrapper', () => {
    const ir = graph([
      ['/model/enc/block/a/MatMul', 'MatMul', ['x'], ['t1']],
      ['/model/enc/block/a/Add', 'Add', ['t1'], ['t2']],
      ['/model/enc/other/Relu', 'Relu', ['t2'], ['t3']],
      ['/model/head/Softmax', 'Softmax', ['t3'], ['y']],
    ]);
    const h = buildHierarchy(ir);
    checkInvariants(h, ir);
    const paths = byPath(h);
    // `model` wraps everything: the root takes its place.
    expect(h.groupLabel[0]).toBe('model');
    expect(paths.has('model')).toBe(false);
    // enc › block › a has no nodes in `block`: folded into `block/a`, keeping the deepest path.
    const a = paths.get('model/enc/block/a')!;
    expect(a).toBeDefined();
    expect(h.groupLabel[a]).toBe('block/a');
    expect(h.groupPath[h.groupParent[a]]).toBe('model/enc');
    expect(paths.has('model/enc/block')).toBe(false);
  });

  it('reads TF-style and dotted names', () => {
    const tf = buildHierarchy(
      graph([
        ['model/dense/MatMul', 'MatMul', ['x'], ['a']],
        ['model/dense/BiasAdd', 'BiasAdd', ['a'], ['b']],
        ['model/out/Softmax;model/out/Fused', 'Softmax', ['b'], ['c']],
        ['model/out/Identity', 'Identity', ['c'], ['y']],
      ]),
    );
    expect(byPath(tf).has('model/dense')).toBe(true);
    expect(byPath(tf).has('model/out')).toBe(true);
    const dotted = buildHierarchy(
      graph([
        ['layers.0.attn.q_proj', 'MatMul', ['x'], ['a']],
        ['layers.0.attn.k_proj', 'MatMul', ['x'], ['b']],
        ['layers.0.mlp.fc', 'MatMul', ['a'], ['c']],
        ['layers.0.mlp.act', 'Relu', ['c'], ['c2']],
        ['layers.1.attn.q_proj', 'MatMul', ['c2'], ['d']],
        ['layers.1.attn.k_proj', 'MatMul', ['c2'], ['e']],
        ['layers.1.mlp.fc', 'MatMul', ['d'], ['f']],
        ['layers.1.mlp.act', 'Relu', ['f'], ['y']],
      ]),
    );
    const p = byPath(dotted);
    expect(p.has('layers.0/attn')).toBe(true);
    expect(p.has('layers.1/mlp')).toBe(true);
  });

  it('walks scope names in place: shared prefixes resume only at segment boundaries', () => {
    const ir = graph([
      ['/a/bc/x/MatMul', 'MatMul', ['x'], ['t1']],
      ['/a/bc/x/Add', 'Add', ['t1'], ['t2']],
      ['/a/b/x/Relu', 'Relu', ['t2'], ['t3']],
      ['/a/b/x/Sigmoid', 'Sigmoid', ['t3'], ['t4']],
      ['/a//b/x/Tanh', 'Tanh', ['t4'], ['t5']],
      ['/a/bc/Neg;/a/bc/Fused', 'Neg', ['t5'], ['t6']],
      ['/a/bc/Abs', 'Abs', ['t6'], ['y']],
    ]);
    const h = buildHierarchy(ir);
    checkInvariants(h, ir);
    const paths = byPath(h);
    // `/a/b/x` after `/a/bc/x` shares the characters `/a/b` but not the segment `bc`.
    const bx = paths.get('a/b/x')!;
    const bcx = paths.get('a/bc/x')!;
    expect(bx).toBeDefined();
    expect(bcx).toBeDefined();
    expect(h.nodeGroup[2]).toBe(bx);
    // An empty segment is skipped, and a fused TFLite-style name is read up to its `;`.
    expect(h.nodeGroup[4]).toBe(bx);
    expect(h.nodeGroup[5]).toBe(h.groupParent[bcx]);
  });

  it('keeps paths unique when a scope is named like a chunk', () => {
    const rows: [string, string, string[], string[]][] = [];
    for (let i = 0; i < 12; i++) rows.push([`/n${i}`, 'Relu', [i ? `t${i}` : 'x'], [`t${i + 1}`]]);
    rows.push(['/#0/Relu', 'Relu', ['t12'], ['t13']], ['/#0/Neg', 'Neg', ['t13'], ['y']]);
    const ir = graph(rows);
    const h = buildHierarchy(ir, { chunkAboveOperators: 0, chunking: { threshold: 4, min: 2, max: 3 } });
    checkInvariants(h, ir);
    expect(h.groupPath.filter((p) => p === '#0')).toHaveLength(1);
    expect(h.groupPath).toContain('#0~2');
  });

  it("puts sub-graph bodies under their owner node's group", () => {
    const b = new GraphBuilder('test');
    const main = b.beginGraph('main', GraphKind.Main);
    const x = b.value(main, 'x');
    b.addGraphInput(main, x);
    const c = b.value(main, 'cond');
    b.addNode(main, '/blk/Greater', 'Greater', [x], [c]);
    const bodies: number[] = [];
    for (const name of ['then_branch', 'else_branch']) {
      const sg = b.beginGraph(name, GraphKind.Subgraph, main);
      bodies.push(sg);
      const inner = b.value(sg, 'x'); // resolves to the outer x
      const r = b.value(sg, `${name}_out`);
      b.addNode(sg, `/blk/${name}/Neg`, 'Neg', [inner], [r]);
      b.addGraphOutput(sg, r);
    }
    const y = b.value(main, 'y');
    const ifNode = b.addNode(main, '/blk/If', 'If', [c], [y]);
    for (const sg of bodies) b.setGraphParent(sg, ifNode);
    b.addNode(main, '/out/Relu', 'Relu', [y], [b.value(main, 'z')]);
    const ir = b.finish();
    const h = buildHierarchy(ir);
    checkInvariants(h, ir);
    const p = byPath(h);
    const thenG = p.get('blk/then_branch')!;
    expect(thenG).toBeDefined();
    expect(h.groupKind[thenG]).toBe(GroupKind.Subgraph);
    expect(h.groupPath[h.groupParent[thenG]]).toBe('blk');
    expect(p.has('blk/else_branch')).toBe(true);
    // Bodies come before their If node in dataflow order.
    const items = Array.from(
      h.groupItems.subarray(h.groupItemOffsets[p.get('blk')!], h.groupItemOffsets[p.get('blk')! + 1]),
    );
    const ifPos = items.findIndex((it) => it >= 0 && ir.strings.at(ir.nodeOp[it]) === 'If');
    expect(items.indexOf(-1 - thenG)).toBeLessThan(ifPos);
  });

  it('splits a group with too many children into ordered chunks', () => {
    const ir = syntheticTransformer(300);
    const h = buildHierarchy(ir);
    checkInvariants(h, ir);
    const p = byPath(h);
    // 300 blocks under the root: chunked, each chunk a contiguous run of blocks.
    const chunks = Array.from(h.groupChildren.subarray(h.groupChildOffsets[0], h.groupChildOffsets[1])).filter(
      (g) => h.groupKind[g] === GroupKind.Chunk,
    );
    expect(chunks.length).toBeGreaterThanOrEqual(3);
    expect(h.groupPath[chunks[0]]).toBe('#0');
    expect(h.groupLabel[chunks[0]]).toMatch(/^blocks\[0\.\.\d+\]$/);
    // Blocks keep their scope path inside chunks.
    const b7 = p.get('blocks.7')!;
    expect(h.groupKind[h.groupParent[b7]]).toBe(GroupKind.Chunk);
    expect(h.groupHash[b7]).toBe(h.groupHash[p.get('blocks.150')!]);
  });

  it('finds cut points in a flat graph and recurses', () => {
    const ir = syntheticTransformer(800, false);
    const h = buildHierarchy(ir);
    checkInvariants(h, ir);
    // Chunks of chunks: the root holds few items, leaves hold at most the chunk size.
    expect(h.groupItemOffsets[1]).toBeLessThanOrEqual(MAX_DIRECT);
    expect(h.groupDepth.reduce((a, b) => Math.max(a, b), 0)).toBeGreaterThanOrEqual(2);
    // Blocks are 32 ops with the residual stream as the only live tensor (plus the broadcast mask) between
    // them; leaf chunks should start at a block boundary (a ReduceMean opening a layer norm) nearly always.
    let leaves = 0;
    let aligned = 0;
    for (let g = 1; g < h.groupCount; g++) {
      if (h.groupChildOffsets[g + 1] > h.groupChildOffsets[g]) continue;
      leaves++;
      const first = h.groupItems[h.groupItemOffsets[g]];
      if (ir.strings.at(ir.nodeOp[first]) === 'ReduceMean') aligned++;
    }
    expect(aligned / leaves).toBeGreaterThan(0.9);
  });

  it('splitSequence tiles any length within bounds at minimum cost', () => {
    const cost = new Float64Array(1001).fill(5);
    for (let i = 40; i < 1000; i += 40) cost[i] = 1;
    const cuts = splitSequence(cost, 1000, 50, 100);
    expect(cuts[0]).toBe(0);
    expect(cuts[cuts.length - 1]).toBe(1000);
    for (let i = 1; i < cuts.length; i++) {
      expect(cuts[i] - cuts[i - 1]).toBeGreaterThanOrEqual(50);
      expect(cuts[i] - cuts[i - 1]).toBeLessThanOrEqual(100);
    }
    // Every cut on the cheap grid except the one needed to fit the tail (1000 is not a multiple of 80).
    expect(cuts.slice(1, -1).filter((c) => c % 40 !== 0).length).toBeLessThanOrEqual(1);
    for (const m of [101, 149, 777]) {
      const c = splitSequence(new Float64Array(m + 1), m, 50, 100);
      for (let i = 1; i < c.length; i++) expect(c[i] - c[i - 1]).toBeLessThanOrEqual(100);
    }
  });

  it('handles a million-node flat graph without recursion limits', () => {
    // A plain chain: the worst case for depth-first code (one path a million long).
    const b = new GraphBuilder('test');
    const g = b.beginGraph('main', GraphKind.Main);
    let prev = b.value(g, 'x');
    b.addGraphInput(g, prev);
    const N = 1_000_000;
    for (let i = 0; i < N; i++) {
      const next = b.value(g, `t${i}`);
      b.addNode(g, '', i % 2 ? 'Relu' : 'Add', [prev], [next]);
      prev = next;
    }
    const ir = b.finish();
    // Speed is the layout bench's business; here only that it completes without a stack overflow.
    const h = buildHierarchy(ir);
    expect(h.groupSize[0]).toBe(N);
    expect(h.groupItemOffsets[1]).toBeLessThanOrEqual(MAX_DIRECT);
    let maxItems = 0;
    for (let k = 0; k < h.groupCount; k++)
      maxItems = Math.max(maxItems, h.groupItemOffsets[k + 1] - h.groupItemOffsets[k]);
    expect(maxItems).toBeLessThanOrEqual(MAX_DIRECT);
  }, 120_000);
});
