#!/usr/bin/python3
"""Writes modified copies of an ONNX model for the diff tests (python `onnx`, so the copies are real files).

Usage:
  diff_variants.py rename IN OUT         every node and tensor renamed (same structure, same order)
  diff_variants.py edit IN OUT [--at F]  the first Tanh/Sigmoid removed (its readers rewired to its input), a Relu
                                         inserted after the first Softmax, the second Softmax's axis changed from
                                         -1 to 3, the first MatMul weight's values perturbed (same type and shape);
                                         "first" counts from fraction F of the node list (default 0)
Prints a JSON object describing what was done (names involved).
"""
import hashlib
import json
import sys

import numpy as np
import onnx
from onnx import helper, numpy_helper


def renamed(name):
    return "r_" + hashlib.sha1(name.encode()).hexdigest()[:12] if name else name


def rename(model):
    g = model.graph
    for n in g.node:
        n.name = renamed(n.name)
        n.input[:] = [renamed(x) for x in n.input]
        n.output[:] = [renamed(x) for x in n.output]
    for coll in (g.input, g.output, g.value_info):
        for v in coll:
            v.name = renamed(v.name)
    for t in g.initializer:
        t.name = renamed(t.name)
    return {"nodes": len(g.node)}


def edit(model, at=0.0):
    g = model.graph
    nodes = list(g.node)
    start = int(len(nodes) * at)
    tanh = next(n for n in nodes[start:] if n.op_type in ("Tanh", "Sigmoid"))
    for n in nodes:
        n.input[:] = [tanh.input[0] if x == tanh.output[0] else x for x in n.input]
    for o in g.output:
        if o.name == tanh.output[0]:
            raise SystemExit("Tanh output is a graph output")
    g.node.remove(tanh)

    softmaxes = [n for n in list(g.node)[start:] if n.op_type == "Softmax"]
    first = softmaxes[0]
    relu_out = first.output[0] + "_relu"
    for n in g.node:
        n.input[:] = [relu_out if x == first.output[0] else x for x in n.input]
    relu = helper.make_node("Relu", [first.output[0]], [relu_out], name="inserted_relu")
    index = list(g.node).index(first)
    g.node.insert(index + 1, relu)

    second = softmaxes[1]
    for a in second.attribute:
        if a.name == "axis":
            a.i = 3
            break
    else:
        second.attribute.append(helper.make_attribute("axis", 3))

    init_names = {t.name: t for t in g.initializer}
    matmul = next(n for n in list(g.node)[start:] if n.op_type == "MatMul" and any(x in init_names for x in n.input))
    weight_name = next(x for x in matmul.input if x in init_names)
    t = init_names[weight_name]
    arr = numpy_helper.to_array(t).copy()
    arr.flat[0] += 1.0
    t.CopyFrom(numpy_helper.from_array(arr, weight_name))
    return {"removed": tanh.name, "added": "inserted_relu", "attribute": second.name, "softmax": first.name,
            "weightNode": matmul.name, "weight": weight_name}


def main():
    mode, src, out = sys.argv[1:4]
    at = float(sys.argv[sys.argv.index("--at") + 1]) if "--at" in sys.argv else 0.0
    model = onnx.load(src)
    info = rename(model) if mode == "rename" else edit(model, at)
    onnx.save(model, out)
    print(json.dumps(info))


if __name__ == "__main__":
    main()
