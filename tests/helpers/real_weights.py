"""Where one weight of each real model in ../shared/models sits, and its first values, found without Strata.

Prints one JSON object: model path (relative to the models folder) -> {file, offset, length, values}, where `file`
is the file holding the bytes (relative to the model's folder), `offset`/`length` the payload's byte range in it and
`values` its first four numbers. Each format is read here from its own layout with numpy and struct, so the
TypeScript test compares Strata's located range and preview with an independent reading.
"""
import json
import os
import re
import struct
import sys
import xml.etree.ElementTree as ET

import numpy as np

ROOT = sys.argv[1]
FIRST = 4


def values(path, offset, dtype):
    with open(path, 'rb') as f:
        f.seek(offset)
        raw = f.read(FIRST * np.dtype(dtype).itemsize)
    return [float(x) for x in np.frombuffer(raw, dtype=dtype)]


OPENVINO_TYPES = {'f32': '<f4', 'i32': '<i4', 'i64': '<i8', 'u8': 'u1'}


def openvino(xml):
    """The first Const layer of at least four numbers: its data offset and size in the .bin."""
    path = os.path.join(ROOT, xml)
    for layer in ET.parse(path).getroot().iter('layer'):
        data = layer.find('data')
        if layer.get('type') != 'Const' or data is None or data.get('element_type') not in OPENVINO_TYPES:
            continue
        kind = OPENVINO_TYPES[data.get('element_type')]
        offset, size = int(data.get('offset')), int(data.get('size'))
        if size < FIRST * np.dtype(kind).itemsize:
            continue
        binary = os.path.splitext(os.path.basename(xml))[0] + '.bin'
        return dict(file=binary, offset=offset, length=size, values=values(os.path.join(os.path.dirname(path), binary), offset, kind))
    raise SystemExit('no numeric Const in ' + xml)


def mlpackage(package):
    """The first blob of weights/weight.bin: its 64-byte metadata (sentinel, type, size, offset) after the header."""
    path = os.path.join(ROOT, package, 'Data/com.apple.CoreML/weights/weight.bin')
    with open(path, 'rb') as f:
        f.seek(64)
        sentinel, dtype, size, offset = struct.unpack('<IIQQ', f.read(24))
    assert sentinel == 0xDEADBEEF
    kind = {1: '<f2', 2: '<f4', 3: 'u1', 4: 'i1'}[dtype]
    return dict(file='weights/weight.bin', offset=offset, length=size, values=values(path, offset, kind))


def mxnet_params(symbol):
    """The first array of the NDArray list file (V2 arrays: magic, storage, int64 shape, context, dtype, data)."""
    params = os.path.splitext(os.path.join(ROOT, symbol))[0] + '.params'
    with open(params, 'rb') as f:
        magic, _, count = struct.unpack('<QQQ', f.read(24))
        assert magic == 0x112 and count > 0
        _, stype, ndim = struct.unpack('<Iii', f.read(12))
        dims = struct.unpack('<%dq' % ndim, f.read(8 * ndim))
        _, _, flag = struct.unpack('<iii', f.read(12))
        assert stype == 0 and flag == 0
        offset = f.tell()
    return dict(file=os.path.basename(params), offset=offset, length=int(np.prod(dims)) * 4, values=values(params, offset, '<f4'))


def nnef_dat(folder, label):
    """A tensor file: 128-byte header (magic 0x4E 0xEF, version, uint32 data length at 4), then the data."""
    path = os.path.join(ROOT, folder, label + '.dat')
    with open(path, 'rb') as f:
        header = f.read(128)
    assert header[:2] == b'\x4e\xef'
    length = struct.unpack_from('<I', header, 4)[0]
    return dict(file=label + '.dat', offset=128, length=length, values=values(path, 128, '<f4'))


def tnn_model(proto):
    """The first resource of a v2 .tnnmodel, a Convolution: header, name, has_bias, then the filter buffer."""
    path = os.path.splitext(os.path.join(ROOT, proto))[0] + '.tnnmodel'
    with open(path, 'rb') as f:
        data = f.read()
    pos = 8

    def string(at):
        n = struct.unpack_from('<i', data, at)[0]
        return data[at + 4:at + 4 + n].decode(), at + 4 + n

    pos += 4  # layer type
    layer_type, pos = string(pos)
    _, pos = string(pos)  # layer name
    _, pos = string(pos)  # resource name
    assert layer_type == 'Convolution'
    pos += 4  # has_bias
    magic, _, length, rank = struct.unpack_from('<Iiii', data, pos)
    assert magic == 0xFABC0004
    offset = pos + 16 + 4 * rank
    return dict(file=os.path.basename(path), offset=offset, length=length, values=values(path, offset, '<f4'))


def barracuda(nn):
    """The weight block starts where the reference reader found it; the dataset at float offset 0 starts it."""
    reference = json.load(open(os.path.join(ROOT, 'formats-reference.json')))[nn]
    start = int(next(re.search(r'stored from byte (\d+)', n).group(1) for n in reference['notes'] if 'stored from byte' in n))
    return dict(file=os.path.basename(nn), offset=start, length=None, values=values(os.path.join(ROOT, nn), start, '<f4'))


print(json.dumps({
    'openvino/face-detection-retail-0005.xml': openvino('openvino/face-detection-retail-0005.xml'),
    'openvino/bge-large-en-v1.5_openvino_tokenizer.xml': openvino('openvino/bge-large-en-v1.5_openvino_tokenizer.xml'),
    'coreml/superpoint.mlpackage': mlpackage('coreml/superpoint.mlpackage'),
    'mxnet/retinaface.json': mxnet_params('mxnet/retinaface.json'),
    'nnef/conv3x3/graph.nnef': nnef_dat('nnef/conv3x3', 'filter'),
    'tnn/lp_model.opt.tnnproto': tnn_model('tnn/lp_model.opt.tnnproto'),
    'barracuda/3DBall.nn': barracuda('barracuda/3DBall.nn'),
    'barracuda/continuous2vis8vec2action.nn': barracuda('barracuda/continuous2vis8vec2action.nn'),
}, indent=1))
