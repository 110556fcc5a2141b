"""Writes small TorchScript archives with Debian's python3-torch and prints reference op counts as JSON.

Usage: torchscript_models.py OUT_DIR  (writes resnetish_traced.pt, resnetish_scripted.pt, mlp_traced.pt,
control_scripted.pt, state_dict.pt and reference.json). The reference counts come from torch itself: the op kinds of each module's inlined graph.
"""
import collections
import json
import os
import sys

import torch
import torch.nn as nn


class Block(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.conv1 = nn.Conv2d(c, c, 3, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(c)
        self.conv2 = nn.Conv2d(c, c, 3, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(c)

    def forward(self, x):
        y = torch.relu(self.bn1(self.conv1(x)))
        y = self.bn2(self.conv2(y))
        return torch.relu(y + x)


class ResNetish(nn.Module):
    def __init__(self):
        super().__init__()
        self.stem = nn.Sequential(nn.Conv2d(3, 8, 3, padding=1), nn.ReLU())
        self.layer1 = nn.Sequential(Block(8), Block(8))
        self.fc = nn.Linear(8, 10)

    def forward(self, x):
        x = self.layer1(self.stem(x))
        x = torch.flatten(nn.functional.adaptive_avg_pool2d(x, 1), 1)
        return self.fc(x)


class MLP(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(16, 32)
        self.fc2 = nn.Linear(32, 32)
        self.head = nn.Linear(32, 4)

    def forward(self, x, y):
        h = torch.tanh(self.fc1(x))
        h = torch.sigmoid(self.fc2(h)) * y
        return torch.softmax(self.head(h), -1), h


class Control(nn.Module):
    """Data-dependent control flow: TorchScript keeps the loop and the branch in its code."""

    def __init__(self):
        super().__init__()
        self.lin = nn.Linear(4, 4)

    def forward(self, x, n: int):
        for _ in range(n):
            x = self.lin(x)
        if bool(x.sum() > 0):
            x = torch.relu(x)
        return x


def kinds(graph):
    out = collections.Counter()

    def walk(block):
        for n in block.nodes():
            out[n.kind()] += 1
            for b in n.blocks():
                walk(b)

    walk(graph)
    return dict(sorted(out.items()))


def main():
    out_dir = sys.argv[1]
    os.makedirs(out_dir, exist_ok=True)
    torch.manual_seed(0)
    ref = {}
    net = ResNetish().eval()
    x = torch.randn(1, 3, 16, 16)
    models = {
        'resnetish_traced.pt': torch.jit.trace(net, x),
        'resnetish_scripted.pt': torch.jit.script(net),
        'mlp_traced.pt': torch.jit.trace(MLP().eval(), (torch.randn(2, 16), torch.randn(2, 32))),
        'control_scripted.pt': torch.jit.script(Control().eval()),
    }
    for name, m in models.items():
        m.save(os.path.join(out_dir, name))
        state = {k: {'shape': list(v.shape), 'head': v.flatten()[:4].tolist()} for k, v in m.state_dict().items()}
        ref[name] = {'ops': kinds(m.inlined_graph), 'state': state}
    # A plain torch.save of weights: a zip with data.pkl but no TorchScript code.
    torch.save(net.state_dict(), os.path.join(out_dir, 'state_dict.pt'))
    with open(os.path.join(out_dir, 'reference.json'), 'w') as f:
        json.dump(ref, f, indent=1, sort_keys=True)


if __name__ == '__main__':
    main()
