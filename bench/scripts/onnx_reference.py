#!/usr/bin/python3
"""Reference counts for ONNX files from the python `onnx` package, to check Strata's decoder against.

Usage: /usr/bin/python3 onnx_reference.py FILE...   (prints one JSON object: path -> counts)
"""
import json
import sys
from collections import Counter

import onnx


def counts(path):
    m = onnx.load(path, load_external_data=False)
    g = m.graph
    init_names = {t.name for t in g.initializer}
    ops = Counter((f"{n.domain}.{n.op_type}" if n.domain not in ("", "ai.onnx") else n.op_type) for n in g.node)
    params = 0
    for t in g.initializer:
        p = 1
        for d in t.dims:
            p *= d
        params += p
    return {
        "nodes": len(g.node),
        "ops": dict(sorted(ops.items())),
        "initializers": len(g.initializer),
        "parameters": params,
        "inputs": [i.name for i in g.input if i.name not in init_names],
        "outputs": [o.name for o in g.output],
    }


print(json.dumps({p: counts(p) for p in sys.argv[1:]}))
