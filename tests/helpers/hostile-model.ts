import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { graphProto, modelProto, TensorDataType } from './protobuf-writer.ts';

/**
 * Strings a hostile model carries in every text field. A viewer that puts any of them into innerHTML, an href,
 * or an inline script sets `window.__xss`; one that renders text safely shows them literally.
 */
export const XSS = {
  img: '<img src=x onerror="window.__xss=1">',
  href: 'javascript:alert(1)',
  script: '</script><script>window.__xss=2</script>',
  /** Right-to-left override and zero-width characters (spoofed names, invisible differences). */
  unicode: '\u202Eevil\u202C\u200B\u200C\u200D\uFEFF\u2066rtl\u2069',
  svg: '<svg onload="window.__xss=3"><a xlink:href="javascript:window.__xss=4">x</a></svg>',
  attr: '" onmouseover="window.__xss=5" x="',
} as const;

/** Names used in the model, so tests can look each one up. */
export const HOSTILE_NAMES = {
  input: XSS.img,
  initializer: XSS.script,
  output: XSS.href,
  nodes: [`${XSS.img}/block/${XSS.script}/relu`, `${XSS.href}/${XSS.unicode}/add`, `scope/${XSS.svg}`, XSS.attr],
  ops: ['Relu', 'Add', XSS.img, XSS.script],
  customDomain: XSS.href,
  intermediate: [`${XSS.unicode}a`, XSS.svg, XSS.attr],
  graph: XSS.script,
  docs: [XSS.img, XSS.script, XSS.svg, XSS.href],
  attributeStrings: [XSS.img, XSS.href, XSS.script, XSS.unicode],
  symbolicDim: XSS.href,
  metadata: { [XSS.img]: XSS.script, author: XSS.href },
} as const;

/** The model's bytes: structurally valid ONNX (python `onnx.load` reads it), hostile in every string. */
export function hostileOnnxBytes(): Uint8Array {
  const n = HOSTILE_NAMES;
  const [t1, t2, t3] = n.intermediate;
  const graph = graphProto({
    name: n.graph,
    doc: XSS.svg,
    nodes: [
      {
        op: n.ops[0],
        name: n.nodes[0],
        inputs: [n.input],
        outputs: [t1],
        doc: n.docs[0],
        attrs: [{ name: XSS.img, s: n.attributeStrings[0] }],
      },
      {
        op: n.ops[1],
        name: n.nodes[1],
        inputs: [t1, n.initializer],
        outputs: [t2],
        doc: n.docs[1],
        attrs: [{ name: 'labels', strings: [n.attributeStrings[1], n.attributeStrings[2], n.attributeStrings[3]] }],
      },
      {
        op: n.ops[2],
        name: n.nodes[2],
        inputs: [t2],
        outputs: [t3],
        doc: n.docs[2],
        attrs: [{ name: XSS.href, s: XSS.svg }],
      },
      {
        op: n.ops[3],
        domain: n.customDomain,
        name: n.nodes[3],
        inputs: [t3],
        outputs: [n.output],
        doc: n.docs[3],
        attrs: [{ name: 'mode', s: XSS.attr }],
      },
    ],
    initializers: [{ name: n.initializer, dims: [1, 4], floats: [1, 2, 3, 4], doc: XSS.img }],
    inputs: [{ name: n.input, shape: [n.symbolicDim, 4], doc: XSS.script }],
    outputs: [{ name: n.output, shape: [n.symbolicDim, 4], doc: XSS.img }],
    valueInfo: [{ name: t1, elemType: TensorDataType.FLOAT, shape: [XSS.unicode, 4] }],
  });
  return modelProto({
    graph,
    irVersion: 8,
    producer: XSS.script,
    doc: XSS.img,
    opset: [{ version: 17 }, { domain: n.customDomain, version: 1 }],
    metadata: n.metadata,
  });
}

/** Writes the hostile-but-valid ONNX model to `path` (creating its folder) and returns the path. */
export function writeHostileOnnx(path: string): string {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, hostileOnnxBytes());
  return path;
}
