#!/usr/bin/python3
"""A weight-heavy ONNX model: a short MLP whose initializers add up to about SIZE_MB megabytes.

Usage: /usr/bin/python3 gen_weight_heavy.py SIZE_MB OUT.onnx [--external]
With --external the weights go to OUT.onnx.data (ONNX external data), as exporters do past 2 GB.
Weights are filled with a cheap pattern (not random) so generation stays fast at hundreds of MB.
"""
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper


def main():
    size_mb, out = float(sys.argv[1]), sys.argv[2]
    external = "--external" in sys.argv
    layers = 8
    per_layer = size_mb * 1e6 / layers / 4
    width = max(8, int(per_layer ** 0.5))
    nodes, inits = [], []
    x = "x"
    for i in range(layers):
        w = np.full((width, width), 0.01 * (i + 1), dtype=np.float32)
        w[0, :] = np.arange(width, dtype=np.float32) / width
        inits.append(numpy_helper.from_array(w, f"layers.{i}.weight"))
        inits.append(numpy_helper.from_array(np.zeros(width, dtype=np.float32), f"layers.{i}.bias"))
        nodes.append(helper.make_node("MatMul", [x, f"layers.{i}.weight"], [f"/layers.{i}/MatMul_output_0"], name=f"/layers.{i}/MatMul"))
        nodes.append(helper.make_node("Add", [f"/layers.{i}/MatMul_output_0", f"layers.{i}.bias"], [f"/layers.{i}/Add_output_0"], name=f"/layers.{i}/Add"))
        nodes.append(helper.make_node("Relu", [f"/layers.{i}/Add_output_0"], [f"/layers.{i}/Relu_output_0"], name=f"/layers.{i}/Relu"))
        x = f"/layers.{i}/Relu_output_0"
    graph = helper.make_graph(nodes, "weight_heavy",
                              [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["batch", width])],
                              [helper.make_tensor_value_info(x, TensorProto.FLOAT, ["batch", width])],
                              initializer=inits)
    model = helper.make_model(graph, producer_name="gen_weight_heavy.py", opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    if external:
        onnx.save_model(model, out, save_as_external_data=True, all_tensors_to_one_file=True,
                        location=out.split("/")[-1] + ".data", size_threshold=1024)
    else:
        onnx.save(model, out)
    print(f"{out}: width {width}, {layers * 3} nodes")


if __name__ == "__main__":
    main()
