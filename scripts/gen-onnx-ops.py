#!/usr/bin/python3
"""Writes src/decode/onnx/op-schemas.json from the python `onnx` package's operator schemas (Debian python3-onnx).

The app ships this table and never fetches it: the properties panel shows an ONNX node's documentation (summary,
inputs and outputs, attributes with defaults, type constraints, since-version), and operator boxes name their
constant inputs by role (X, W, B). Only the newest version of each operator is kept, with its summary (the first
paragraph of the documentation), so the file stays small.

Usage: /usr/bin/python3 scripts/gen-onnx-ops.py [--check]   (--check: exit 1 if the committed file differs)
"""
import json
import os
import re
import sys

import onnx
import onnx.defs
import onnx.helper

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'src', 'decode', 'onnx', 'op-schemas.json')
MAX_SUMMARY = 480
MAX_DESCRIPTION = 200
OPTION = {0: '', 1: 'optional', 2: 'variadic'}


def summary(doc):
    text = (doc or '').strip()
    paragraph = re.split(r'\n\s*\n', text)[0] if text else ''
    paragraph = re.sub(r'\s+', ' ', paragraph).strip()
    return paragraph if len(paragraph) <= MAX_SUMMARY else paragraph[:MAX_SUMMARY - 1].rstrip() + '…'


def short(text):
    text = re.sub(r'\s+', ' ', (text or '')).strip()
    return text if len(text) <= MAX_DESCRIPTION else text[:MAX_DESCRIPTION - 1].rstrip() + '…'


def formal(p):
    out = {'name': p.name, 'type': p.typeStr}
    option = OPTION.get(int(p.option), '')
    if option:
        out['option'] = option
    if p.description:
        out['doc'] = short(p.description)
    return out


def default_of(attr):
    value = attr.default_value
    if value is None or not value.name:
        return None
    v = onnx.helper.get_attribute_value(value)
    if isinstance(v, bytes):
        v = v.decode('utf-8', 'replace')
    if isinstance(v, list):
        v = [x.decode('utf-8', 'replace') if isinstance(x, bytes) else x for x in v]
    if isinstance(v, (int, float, str, list)):
        return v
    return None


def attribute(attr):
    out = {'name': attr.name, 'type': str(attr.type).split('.')[-1].lower()}
    if attr.required:
        out['required'] = True
    d = default_of(attr)
    if d is not None:
        out['default'] = d
    if attr.description:
        out['doc'] = short(attr.description)
    return out


def main():
    table = {}
    for s in sorted(onnx.defs.get_all_schemas(), key=lambda s: (s.domain, s.name)):
        if s.deprecated:
            continue
        key = s.name if s.domain in ('', 'ai.onnx') else f'{s.domain}.{s.name}'
        table[key] = {
            'since': s.since_version,
            'domain': s.domain or 'ai.onnx',
            'summary': summary(s.doc),
            'inputs': [formal(p) for p in s.inputs],
            'outputs': [formal(p) for p in s.outputs],
            'attributes': [attribute(a) for a in sorted(s.attributes.values(), key=lambda a: a.name)],
            'types': [{'param': t.type_param_str, 'allowed': list(t.allowed_type_strs)} for t in s.type_constraints],
        }
    text = json.dumps({'onnx': onnx.__version__, 'ops': table}, ensure_ascii=False, separators=(',', ':'), sort_keys=True) + '\n'
    if '--check' in sys.argv:
        # Compared as data, so a reformatted file that says the same still counts as up to date.
        with open(OUT, encoding='utf-8') as f:
            same = json.load(f) == json.loads(text)
        print('up to date' if same else f'{OUT} is out of date: run scripts/gen-onnx-ops.py')
        sys.exit(0 if same else 1)
    with open(OUT, 'w', encoding='utf-8') as f:
        f.write(text)
    print(f'{len(table)} operators -> {os.path.relpath(OUT)} ({len(text)} bytes)')


if __name__ == '__main__':
    main()
