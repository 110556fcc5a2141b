#!/usr/bin/env python3
"""Independent TFLite counter for tests: walks the flatbuffer with `struct` only (no tflite/tensorflow package).

Prints JSON {path: counts}; counts are nodes (operators of subgraph 0), ops (builtin name or custom code -> count, keys are builtin codes as
"#<code>" so the test maps names itself), initializers (subgraph-0 tensors whose buffer has data), parameters,
subgraphs, tensors.
"""
import json
import struct
import sys


def count(path):
    b = open(path, 'rb').read()

    def u32(o): return struct.unpack_from('<I', b, o)[0]
    def i32(o): return struct.unpack_from('<i', b, o)[0]
    def u16(o): return struct.unpack_from('<H', b, o)[0]

    def field(table, idx):
        vt = table - i32(table)
        vlen = u16(vt)
        slot = 4 + 2 * idx
        if slot >= vlen:
            return 0
        off = u16(vt + slot)
        return table + off if off else 0

    def ref(table, idx):
        p = field(table, idx)
        return p + u32(p) if p else 0

    def vec(table, idx):
        p = ref(table, idx)
        if not p:
            return 0, 0
        return p + 4, u32(p)

    def tables(table, idx):
        start, n = vec(table, idx)
        return [start + 4 * k + u32(start + 4 * k) for k in range(n)]

    def string(table, idx):
        start, n = vec(table, idx)
        return b[start:start + n].decode('utf-8') if start else ''

    def scalar(table, idx, fmt, default):
        p = field(table, idx)
        return struct.unpack_from(fmt, b, p)[0] if p else default

    root = u32(0)
    # Model: version 0, operator_codes 1, subgraphs 2, description 3, buffers 4
    codes = []
    for oc in tables(root, 1):
        dep = scalar(oc, 0, '<b', 0)
        custom = string(oc, 1)
        code = scalar(oc, 3, '<i', 0)
        builtin = max(dep, code)
        codes.append(custom if builtin == 32 else '#%d' % builtin)  # 32 = CUSTOM
    buffers = tables(root, 4)

    def buffer_size(i):
        if i <= 0 or i >= len(buffers):
            return 0
        start, n = vec(buffers[i], 0)
        if n:
            return n
        return scalar(buffers[i], 2, '<Q', 0) if scalar(buffers[i], 1, '<Q', 0) > 1 else 0

    subgraphs = tables(root, 2)
    sg = subgraphs[0]
    ops = {}
    operators = tables(sg, 3)
    for op in operators:
        name = codes[scalar(op, 0, '<I', 0)]
        ops[name] = ops.get(name, 0) + 1
    inits = 0
    params = 0
    tensors = tables(sg, 0)
    for t in tensors:
        if buffer_size(scalar(t, 2, '<I', 0)) > 0:
            inits += 1
            start, n = vec(t, 0)
            count = 1
            for k in range(n):
                count *= i32(start + 4 * k)
            params += count
    return {'nodes': len(operators), 'ops': ops, 'initializers': inits, 'parameters': params,
            'subgraphs': len(subgraphs), 'tensors': len(tensors)}


if __name__ == '__main__':
    print(json.dumps({path: count(path) for path in sys.argv[1:]}))
