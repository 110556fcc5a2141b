import type { OnnxOpSchema } from '../decode/input-roles.ts';
import { el } from './dom.ts';

/**
 * The documentation section of an ONNX operator in the properties panel: summary, since-version, inputs and
 * outputs with their roles, attributes with defaults, type constraints. From the table generated from the python
 * `onnx` package (scripts/gen-onnx-ops.py), shipped with the app and loaded on first use.
 */
export function opDocsSection(op: string, schema: OnnxOpSchema): HTMLElement {
  const body = el('div', { class: 'op-docs' });
  body.append(el('p', { class: 'doc', text: schema.summary || '(no summary)' }));
  body.append(el('p', { class: 'muted', text: `${schema.domain} · since opset ${schema.since}` }));
  const list = (title: string, items: { name: string; type: string; option?: string; doc?: string }[]) => {
    if (!items.length) return;
    const ul = el('ul', { class: 'doc-list' });
    for (const p of items) {
      ul.append(
        el(
          'li',
          {},
          el('span', { class: 'mono doc-name', text: p.name }),
          ` ${p.type}${p.option ? ` (${p.option})` : ''}`,
          p.doc ? el('div', { class: 'muted', text: p.doc }) : '',
        ),
      );
    }
    body.append(el('h4', { text: title }), ul);
  };
  list('Inputs', schema.inputs);
  list('Outputs', schema.outputs);
  list(
    'Attributes',
    schema.attributes.map((a) => ({
      name: a.name,
      type: `${a.type}${a.required ? ', required' : a.default !== undefined ? ` = ${JSON.stringify(a.default)}` : ''}`,
      doc: a.doc,
    })),
  );
  list(
    'Type constraints',
    schema.types.map((t) => ({ name: t.param, type: t.allowed.join(', ') })),
  );
  return el(
    'section',
    { class: 'props-section op-docs-section', attrs: { 'data-op': op } },
    el('h3', { text: `${op} documentation` }),
    body,
  );
}
