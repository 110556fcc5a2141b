import {
  TensorDataType,
  concat,
  concatList,
  graphProto,
  modelProto,
  nest,
  nodeProto,
  pb,
  tag,
  tensorProto,
  varint,
  type Frame,
  type OnnxGraph,
} from '../helpers/protobuf-writer.ts';
import type { FuzzCase } from './mutate.ts';

const model = (g: OnnxGraph, extra: Partial<Parameters<typeof modelProto>[0]> = {}) =>
  modelProto({ graph: graphProto(g), ...extra });
const irVersion = pb.varint(1, 8);

/** A graph attribute nested `levels` deep: Graph.node → Node.attribute → Attribute.g → Graph ... */
export function nestedGraphAttribute(levels: number, attrField = 6): Uint8Array {
  const frames: Frame[] = [{ field: 7 }];
  for (let i = 0; i < levels; i++) {
    frames.push({ field: 1, head: concat(pb.string(4, 'If'), pb.string(2, `out${i % 3}`)) });
    frames.push({ field: 5, head: pb.string(1, 'then_branch') });
    frames.push({ field: attrField });
  }
  return concat(irVersion, nest(frames, graphProto({ nodes: [{ op: 'Relu', inputs: ['x'], outputs: ['y'] }] })));
}

/** A node whose `n` outputs and inputs are empty names or all the same name. */
function wideNode(n: number, name: string): Uint8Array {
  const parts: Uint8Array[] = [];
  for (let i = 0; i < n; i++) parts.push(pb.string(1, name), pb.string(2, name));
  parts.push(pb.string(4, 'Concat'));
  return concatList(parts);
}

/** A graph of `n` identical tiny nodes. */
export function manyNodes(n: number, node: Uint8Array): Uint8Array {
  const one = pb.bytes(1, node);
  const g = new Uint8Array(n * one.length);
  for (let i = 0; i < n; i++) g.set(one, i * one.length);
  return concat(irVersion, pb.bytes(7, g));
}

/**
 * Hand-made hostile ONNX inputs, each aimed at one way a decoder can go wrong: unbounded recursion, lengths and
 * varints that lie, graphs that are not DAGs, names that collide, shapes whose element count overflows.
 */
export function hostileOnnxCases(): FuzzCase[] {
  const cases: FuzzCase[] = [];
  const add = (label: string, bytes: Uint8Array) => cases.push({ label, bytes });

  // Deep nesting.
  add('graph attribute nested 10k levels', nestedGraphAttribute(10_000));
  add('graphs attribute (repeated) nested 10k levels', nestedGraphAttribute(10_000, 11));
  add('graph attribute nested 64 levels', nestedGraphAttribute(64));
  add('graph attribute nested 63 levels', nestedGraphAttribute(63));
  {
    const frames: Frame[] = [{ field: 7 }, { field: 11 }, { field: 2 }];
    for (let i = 0; i < 10_000; i++) frames.push({ field: 4 }, { field: 1 });
    add('sequence type nested 10k levels', concat(irVersion, nest(frames, pb.msg(1, pb.varint(1, 1)))));
  }
  {
    const frames: Frame[] = [{ field: 7 }, { field: 11 }, { field: 2 }];
    for (let i = 0; i < 10_000; i++) frames.push({ field: 9 }, { field: 1 });
    add('optional type nested 10k levels', concat(irVersion, nest(frames, new Uint8Array(0))));
  }
  {
    const frames: Frame[] = [];
    for (let i = 0; i < 20_000; i++) frames.push({ field: 99 });
    add('unknown field nested 20k levels', concat(irVersion, pb.msg(7), nest(frames, new Uint8Array(0))));
  }
  {
    const frames: Frame[] = [{ field: 25, head: pb.string(1, 'f') }];
    for (let i = 0; i < 5_000; i++)
      frames.push({ field: 7, head: pb.string(4, 'Loop') }, { field: 5 }, { field: 6 }, { field: 1 });
    add(
      'function body with nested attribute graphs 5k levels',
      concat(irVersion, pb.msg(7), nest(frames, new Uint8Array(0))),
    );
  }
  {
    // Sparse initializer → values tensor → ... (TensorProto has no message fields, but nesting of unknown ones)
    const frames: Frame[] = [{ field: 7 }, { field: 15 }, { field: 1 }];
    for (let i = 0; i < 10_000; i++) frames.push({ field: 13 });
    add('tensor external_data nested 10k levels', concat(irVersion, nest(frames, new Uint8Array(0))));
  }

  // Hostile lengths and varints at every level.
  const lies: bigint[] = [2n ** 60n, 2n ** 63n, -1n, -(2n ** 63n), 2n ** 64n - 1n, 2n ** 32n, 2n ** 31n, 1_000_000n];
  for (const L of lies) {
    add(`model.graph length ${L}`, concat(irVersion, pb.lying(7, L, new Uint8Array(8))));
    add(`graph.node length ${L}`, concat(irVersion, pb.msg(7, pb.lying(1, L, new Uint8Array(4)))));
    add(`node.attribute length ${L}`, concat(irVersion, pb.msg(7, pb.msg(1, pb.string(4, 'If'), pb.lying(5, L)))));
    add(`graph.initializer length ${L}`, concat(irVersion, pb.msg(7, pb.lying(5, L, new Uint8Array(3)))));
    add(`tensor.raw_data length ${L}`, concat(irVersion, pb.msg(7, pb.msg(5, pb.string(8, 'w'), pb.lying(9, L)))));
    add(`tensor.dims varint ${L}`, model({ initializers: [{ name: 'w', dims: [L, L], raw: new Uint8Array(4) }] }));
    add(`dim_value ${L}`, model({ inputs: [{ name: 'x', shape: [L, 3, L] }] }));
    add(`ir_version ${L}`, concat(pb.varint(1, L), pb.msg(7)));
    add(`field tag ${L}`, concat(irVersion, varint(L), pb.msg(7)));
    add(`data_type ${L}`, concat(irVersion, pb.msg(7, pb.msg(5, pb.string(8, 'w'), pb.varint(2, L)))));
  }
  add(
    '11-byte varint',
    concat(irVersion, Uint8Array.from([0x3a, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01])),
  );
  add('varint cut by end of file', concat(irVersion, Uint8Array.from([0x3a, 0xff, 0xff])));
  add('tag cut by end of file', concat(irVersion, Uint8Array.from([0xff])));
  add(
    'packed dims ending mid-varint',
    concat(irVersion, pb.msg(7, pb.msg(5, pb.string(8, 'w'), pb.bytes(1, Uint8Array.from([0x05, 0xff, 0xff]))))),
  );
  for (const wire of [3, 4, 6, 7]) add(`wire type ${wire}`, concat(irVersion, tag(7, wire), pb.msg(7)));
  add('field number 0', concat(irVersion, tag(0, 2), varint(0), pb.msg(7)));
  add('field number 2^29-1', concat(irVersion, pb.msg(0x1fffffff), pb.msg(7)));
  add('field number aliasing 7 mod 2^29', concat(irVersion, pb.bytes(7 + 2 ** 29, new Uint8Array(0)), pb.msg(7)));
  add('fixed64 cut by end of file', concat(irVersion, pb.msg(7), tag(9, 1), new Uint8Array(3)));
  add(
    'fixed32 past the end of a message',
    concat(irVersion, pb.msg(7, tag(40, 5), new Uint8Array(2)), new Uint8Array(8)),
  );

  // Graphs that are not DAGs.
  add(
    'three-node cycle',
    model({
      nodes: [
        { op: 'A', name: 'a', inputs: ['c'], outputs: ['a'] },
        { op: 'B', name: 'b', inputs: ['a'], outputs: ['b'] },
        { op: 'C', name: 'c', inputs: ['b'], outputs: ['c'] },
      ],
      outputs: [{ name: 'c' }],
    }),
  );
  add(
    'self loop',
    model({
      nodes: [{ op: 'Add', inputs: ['s', 's'], outputs: ['s'] }],
      inputs: [{ name: 's' }],
      outputs: [{ name: 's' }],
    }),
  );
  add(
    'outputs feeding earlier nodes',
    model({
      nodes: Array.from({ length: 200 }, (_, i) => ({
        op: 'Relu',
        name: `n${i}`,
        inputs: [`t${(i + 7) % 200}`],
        outputs: [`t${i}`],
      })),
    }),
  );
  {
    const body = graphProto({
      nodes: [{ op: 'Add', inputs: ['late', 'y'], outputs: ['early'] }],
      outputs: [{ name: 'early' }],
    });
    add(
      'sub-graph reads an outer value produced after its node',
      model({
        nodes: [
          {
            op: 'If',
            name: 'if',
            inputs: ['cond'],
            outputs: ['y'],
            attrs: [
              { name: 'then_branch', g: body },
              { name: 'else_branch', g: body },
            ],
          },
          { op: 'Relu', name: 'late', inputs: ['y'], outputs: ['late'] },
          { op: 'Relu', name: 'early', inputs: ['early'], outputs: ['early'] },
        ],
      }),
    );
  }
  {
    const inner = graphProto({ nodes: [{ op: 'Identity', inputs: ['outer_out'], outputs: ['outer_in'] }] });
    const mid = graphProto({
      nodes: [{ op: 'If', inputs: ['outer_in'], outputs: ['outer_out'], attrs: [{ name: 'then_branch', g: inner }] }],
    });
    add(
      'nested sub-graphs shadowing outer names both ways',
      model({
        nodes: [
          {
            op: 'Loop',
            inputs: ['outer_in'],
            outputs: ['outer_out'],
            attrs: [
              { name: 'body', g: mid },
              { name: 'body', g: mid },
            ],
          },
        ],
        inputs: [{ name: 'outer_in' }],
      }),
    );
  }

  // Duplicates and empties.
  add(
    'duplicate everything',
    model({
      nodes: [
        { op: 'A', name: 'n', inputs: ['x', 'x', 'x'], outputs: ['y', 'y'] },
        { op: 'B', name: 'n', inputs: ['y'], outputs: ['y'] },
        { op: 'C', name: 'n', inputs: ['y', 'x'], outputs: ['x'] },
      ],
      inputs: [{ name: 'x' }, { name: 'x' }, { name: 'y' }],
      outputs: [{ name: 'y' }, { name: 'y' }, { name: 'x' }],
      initializers: [
        { name: 'x', dims: [1], raw: new Uint8Array(4) },
        { name: 'x', dims: [2], raw: new Uint8Array(8) },
      ],
      valueInfo: [
        { name: 'y', shape: [1] },
        { name: 'y', shape: ['a', 'b'] },
      ],
    }),
  );
  add(
    'two graph fields',
    concat(
      irVersion,
      pb.msg(7, nodeProto({ op: 'A', inputs: ['x'], outputs: ['y'] })),
      pb.msg(7, nodeProto({ op: 'B', inputs: ['y'], outputs: ['x'] })),
    ),
  );
  add('empty graph', model({}));
  add('graph with empty nodes', concat(irVersion, pb.msg(7, pb.msg(1), pb.msg(1), pb.msg(1))));
  add('node with 10k empty inputs and outputs', concat(irVersion, pb.msg(7, pb.msg(1, wideNode(10_000, '')))));
  add('node with 10k copies of one name', concat(irVersion, pb.msg(7, pb.msg(1, wideNode(10_000, 'same')))));
  add(
    'empty names everywhere',
    model({
      name: '',
      nodes: [{ op: '', name: '', inputs: [''], outputs: [''] }],
      inputs: [{ name: '' }],
      outputs: [{ name: '' }],
      initializers: [{ name: '', dims: [], raw: new Uint8Array(0) }],
    }),
  );
  add('only ir_version', irVersion);
  add('graph only', pb.msg(7));
  add('empty function', concat(irVersion, pb.msg(7), pb.msg(25)));
  add(
    'function with cycle and shadowed names',
    modelProto({
      graph: graphProto({ nodes: [{ op: 'f', domain: 'd', inputs: ['x'], outputs: ['x'] }] }),
      functions: [
        {
          name: 'f',
          domain: 'd',
          inputs: ['a', 'a'],
          outputs: ['a'],
          nodes: [{ op: 'Relu', inputs: ['a'], outputs: ['a'] }],
        },
      ],
    }),
  );
  add(
    'names that are object keys',
    model(
      {
        nodes: [
          { op: '__proto__', name: 'constructor', inputs: ['__proto__', 'hasOwnProperty'], outputs: ['toString'] },
        ],
        inputs: [{ name: '__proto__' }],
        outputs: [{ name: 'toString' }],
      },
      {
        metadata: Object.fromEntries([
          ['__proto__', 'x'],
          ['constructor', 'y'],
        ]),
      },
    ),
  );
  add(
    'invalid UTF-8 names',
    concat(
      irVersion,
      pb.msg(
        7,
        pb.msg(
          1,
          pb.bytes(3, Uint8Array.from([0xff, 0xc0, 0x80])),
          pb.bytes(4, Uint8Array.from([0xed, 0xa0, 0x80])),
          pb.bytes(2, Uint8Array.from([0xf8, 0x88])),
        ),
      ),
    ),
  );

  // Huge dims and element counts.
  add(
    '2^62 dims',
    model({
      initializers: [{ name: 'w', dims: [2n ** 62n, 2n ** 62n], raw: new Uint8Array(4) }],
      nodes: [{ op: 'Relu', inputs: ['w'], outputs: ['y'] }],
      outputs: [{ name: 'y', shape: [2n ** 62n, 2n ** 62n] }],
    }),
  );
  add(
    'element count overflowing to Infinity',
    model({
      initializers: [{ name: 'w', dims: Array.from({ length: 40 }, () => 2n ** 62n), raw: new Uint8Array(4) }],
    }),
  );
  add(
    'negative and zero dims',
    model({
      initializers: [
        { name: 'w', dims: [-1n, 0n, -(2n ** 63n)], raw: new Uint8Array(4) },
        { name: 'v', dims: [0], floats: [] },
      ],
      inputs: [{ name: 'x', shape: [-5, 0, 'N'] }],
    }),
  );
  // Built from repeated pieces: encoding 100k dims one by one would dominate the test's time.
  add(
    '100k dims on one tensor',
    concat(
      irVersion,
      pb.msg(
        7,
        pb.msg(
          5,
          pb.string(8, 'w'),
          pb.varint(2, 1),
          pb.bytes(1, new Uint8Array(100_000).fill(1)),
          pb.bytes(9, new Uint8Array(4)),
        ),
      ),
    ),
  );
  {
    const dimN = pb.msg(1, pb.string(2, 'N'));
    const dim2 = pb.msg(1, pb.varint(1, 2));
    const shape = concatList(Array.from({ length: 100_000 }, (_, i) => (i % 2 ? dimN : dim2)));
    add(
      '100k dims on one input',
      concat(
        irVersion,
        pb.msg(7, pb.msg(11, pb.string(1, 'x'), pb.msg(2, pb.msg(1, pb.varint(1, 1), pb.bytes(2, shape))))),
      ),
    );
  }
  add(
    'Constant with 2^62-element tensor',
    model({
      nodes: [
        {
          op: 'Constant',
          outputs: ['c'],
          attrs: [
            {
              name: 'value',
              t: { name: 'c', dims: [2n ** 62n], dataType: TensorDataType.FLOAT, raw: new Uint8Array(16) },
            },
          ],
        },
      ],
    }),
  );
  add(
    'Constant with two outputs and two tensors',
    model({
      nodes: [
        {
          op: 'Constant',
          outputs: ['c', 'd'],
          attrs: [
            { name: 'value', t: { name: 'c', dims: [1], raw: new Uint8Array(4) } },
            { name: 'value', t: { name: 'd', dims: [2], raw: new Uint8Array(8) } },
          ],
        },
      ],
    }),
  );

  // External data pointing anywhere.
  for (const [k, v] of [
    ['offset', '-1'],
    ['offset', '1e400'],
    ['offset', 'NaN'],
    ['length', '-100'],
    ['length', '9007199254740993'],
    ['location', '../../../../etc/passwd'],
    ['location', '/etc/passwd'],
    ['location', ''],
    ['offset', '0x10'],
  ] as const) {
    add(
      `external data ${k}=${v}`,
      model({
        initializers: [{ name: 'w', dims: [4], external: { location: 'w.bin', offset: '0', length: '16', [k]: v } }],
        nodes: [{ op: 'Relu', inputs: ['w'], outputs: ['y'] }],
      }),
    );
  }
  add(
    'tensor with every payload field',
    concat(
      irVersion,
      pb.msg(
        7,
        pb.msg(
          5,
          tensorProto({ name: 'w', dims: [2], floats: [1, 2], raw: new Uint8Array(8) }),
          pb.packed(5, [1, -1]),
          pb.packed(7, [2n ** 63n - 1n]),
          pb.packed(11, [2n ** 64n - 1n]),
          pb.bytes(10, new Uint8Array(16)),
          pb.msg(3, pb.varint(1, 0), pb.varint(2, 1)),
        ),
      ),
    ),
  );
  return cases;
}

/**
 * A model whose graph, a node, an attribute graph and three tensors are each over 16 MiB, so the decoder streams
 * them (the `*Large` handlers) instead of parsing them from memory: the path small seeds never reach.
 */
export function streamedOnnx(large = (16 << 20) + 16): Uint8Array {
  const raw = new Uint8Array(large);
  const innerGraph = concat(
    pb.msg(1, nodeProto({ op: 'Relu', name: 'inner/relu', inputs: ['x', 'inner_w'], outputs: ['iy'] })),
    pb.msg(5, tensorProto({ name: 'inner_w', dims: [large / 4], raw })),
    pb.msg(12, pb.string(1, 'iy')),
  );
  const ifNode = concat(
    pb.string(1, 'cond'),
    pb.string(2, 'y'),
    pb.string(3, 'outer/if'),
    pb.string(4, 'If'),
    pb.msg(5, pb.string(1, 'then_branch'), pb.bytes(6, innerGraph), pb.varint(20, 5)),
    pb.msg(
      5,
      pb.string(1, 'else_branch'),
      pb.msg(6, pb.msg(1, nodeProto({ op: 'Neg', inputs: ['x'], outputs: ['ey'] })), pb.msg(12, pb.string(1, 'ey'))),
      pb.varint(20, 5),
    ),
  );
  const constNode = concat(
    pb.string(2, 'c'),
    pb.string(3, 'outer/const'),
    pb.string(4, 'Constant'),
    pb.msg(
      5,
      pb.string(1, 'value'),
      pb.bytes(5, tensorProto({ name: 'c_value', dims: [large / 4], raw })),
      pb.varint(20, 4),
    ),
  );
  const graph = concat(
    pb.msg(1, nodeProto({ op: 'Add', name: 'outer/add', inputs: ['x', 'w'], outputs: ['a'] })),
    pb.bytes(1, ifNode),
    pb.bytes(1, constNode),
    pb.bytes(5, tensorProto({ name: 'w', dims: [large / 4], raw })),
    pb.string(2, 'streamed'),
    pb.msg(11, pb.string(1, 'x')),
    pb.msg(11, pb.string(1, 'cond')),
    pb.msg(12, pb.string(1, 'y')),
  );
  return concat(irVersion, pb.string(2, 'strata-fuzz'), pb.bytes(7, graph), pb.msg(8, pb.varint(2, 17)));
}
