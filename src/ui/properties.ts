import type { Hierarchy } from '../graph/hierarchy/types.ts';
import {
  ValueFlag,
  dtypeName,
  graphInputIds,
  graphOutputIds,
  nodeInputIds,
  nodeOutputIds,
  str,
  valueConsumerIds,
  valueTypeString,
  type GraphIR,
} from '../graph/ir.ts';
import { CATEGORY_NAMES, cssColor, type OpCategory, type Theme } from '../scene/palette.ts';
import type { DecodeApi, TensorPreview } from '../decode/api.ts';
import { clear, el } from './dom.ts';
import { onnxOpSchemas } from '../decode/input-roles.ts';
import { opDocsSection } from './op-docs.ts';
import { formatBytes, formatCount } from './format.ts';

type Decode = Pick<DecodeApi, 'nodeDetails' | 'tensorPreview'>;

/** What the panel reads of the open model (the app's ModelView provides it). */
export interface PropertiesModel {
  readonly ir: GraphIR;
  readonly hierarchy: Pick<Hierarchy, 'nodeGroup'>;
  readonly fileName: string;
  /** Operator nodes of the main graph (sub-graphs excluded). */
  readonly mainNodeCount: number;
  /** Groups, the root excluded. */
  readonly groupCount: number;
  nodeOp(node: number): string;
  nodeName(node: number): string;
  /** Name, or a stand-in for unnamed nodes. */
  nodeTitle(node: number): string;
  nodeCategory(node: number): OpCategory;
  groupLabel(group: number): string;
  /** Ancestor groups, innermost first, root excluded. */
  ancestors(group: number): number[];
  /** `float32[1,128] inferred` as shape inference found it, for values the file records no shape for; else null. */
  inferredType?(value: number): string | null;
}

/**
 * The sidebar: the selected node's op, name, attributes (decoded on request by the worker), inputs and outputs
 * with types, and constants with their size and an on-demand value preview. With nothing selected it shows the
 * model summary. All text goes in through textContent.
 */
export class PropertiesPanel {
  readonly element: HTMLElement;
  private readonly body: HTMLElement;
  private request = 0;
  onSelectNode: ((node: number) => void) | null = null;
  /** An extra section shown under a node's title (the A | B table while a comparison is open), or null. */
  nodeExtra: ((node: number) => HTMLElement | null) | null = null;

  constructor(
    private readonly decode: Decode,
    private theme: () => Theme,
  ) {
    this.body = el('div', { class: 'props-body' });
    this.element = el('aside', { class: 'sidebar', attrs: { 'aria-label': 'Properties' } }, this.body);
  }

  showEmpty(): void {
    this.request++;
    clear(this.body);
    this.body.appendChild(el('p', { class: 'muted', text: 'Open a model to see its properties.' }));
    this.element.dataset.node = '';
  }

  showModel(model: PropertiesModel): void {
    this.request++;
    clear(this.body);
    this.element.dataset.node = '';
    const ir = model.ir;
    this.body.appendChild(el('h2', { class: 'props-title', text: model.fileName || 'Model' }));
    const facts = table();
    row(facts, 'format', ir.format);
    row(
      facts,
      'nodes',
      formatCount(model.mainNodeCount) +
        (ir.nodeCount !== model.mainNodeCount ? ` (${formatCount(ir.nodeCount)} incl. sub-graphs)` : ''),
    );
    row(facts, 'groups', formatCount(model.groupCount));
    let inits = 0;
    let weightBytes = 0;
    for (let v = 0; v < ir.valueCount; v++) {
      // Initializers and Constant-node outputs alike: folded into their consumers, both are the model's constants.
      if (ir.valueFlags[v] & (ValueFlag.Initializer | ValueFlag.ConstantNode)) {
        inits++;
        if (ir.valueDataLength[v] > 0) weightBytes += ir.valueDataLength[v];
      }
    }
    row(facts, 'constants', `${formatCount(inits)} (${formatBytes(weightBytes)})`);
    for (const [k, v] of Object.entries(ir.metadata)) row(facts, k, v);
    this.body.append(section('Model', facts));
    const main = mainGraph(ir);
    if (main >= 0) {
      this.body.append(section('Inputs', valueList(ir, Array.from(graphInputIds(ir, main)), model, null)));
      this.body.append(section('Outputs', valueList(ir, Array.from(graphOutputIds(ir, main)), model, null)));
    }
    this.body.append(
      el('p', {
        class: 'muted hint',
        text: 'Click a node for its properties, a group to expand or collapse it; double-click to zoom.',
      }),
    );
  }

  showNode(model: PropertiesModel, node: number): void {
    const req = ++this.request;
    const ir = model.ir;
    clear(this.body);
    this.element.dataset.node = String(node);
    this.element.dataset.value = '';
    const op = model.nodeOp(node);
    const cat = model.nodeCategory(node);
    const th = this.theme();
    const swatch = el('span', { class: 'swatch' });
    swatch.style.background = cssColor(th.categoryFill[cat]);
    swatch.style.borderColor = cssColor(th.categoryStroke[cat]);
    this.body.append(
      el('h2', { class: 'props-title' }, swatch, el('span', { class: 'props-op', text: op })),
      el('div', { class: 'props-name mono', text: model.nodeName(node) || '(unnamed)' }),
    );
    const extra = this.nodeExtra?.(node);
    if (extra) this.body.append(extra);
    const facts = table();
    row(facts, 'category', CATEGORY_NAMES[cat]);
    const path = model
      .ancestors(model.hierarchy.nodeGroup[node])
      .reverse()
      .map((g) => model.groupLabel(g))
      .join(' › ');
    if (path) row(facts, 'group', path);
    const graph = ir.nodeGraph[node];
    if (ir.graphCount > 1 && graph > 0) row(facts, 'graph', str(ir, ir.graphName[graph]) || `#${graph}`);
    this.body.append(section('Node', facts));

    const attrs = el('div', { class: 'props-attrs' }, el('p', { class: 'muted', text: 'Loading attributes…' }));
    this.body.append(section('Attributes', attrs));
    this.body.append(section('Inputs', valueList(ir, Array.from(nodeInputIds(ir, node)), model, this)));
    this.body.append(section('Outputs', valueList(ir, Array.from(nodeOutputIds(ir, node)), model, this)));
    const doc = el('div');
    this.body.append(doc);
    if (ir.format === 'onnx') {
      void onnxOpSchemas().then(
        (ops) => {
          const schema = ops[op];
          if (schema && req === this.request) this.body.append(opDocsSection(op, schema));
        },
        () => undefined,
      );
    }

    this.decode.nodeDetails(node).then(
      (details) => {
        if (req !== this.request) return;
        clear(attrs);
        if (details.attributes.length === 0) attrs.append(el('p', { class: 'muted', text: 'none' }));
        else {
          const t = table();
          for (const a of details.attributes) row(t, a.name, a.value, a.type);
          attrs.append(t);
        }
        if (details.doc) doc.append(section('Documentation', el('p', { class: 'doc', text: details.doc })));
      },
      (err: unknown) => {
        if (req !== this.request) return;
        clear(attrs);
        attrs.append(
          el('p', {
            class: 'error-text',
            text: `Could not read attributes: ${err instanceof Error ? err.message : String(err)}`,
          }),
        );
      },
    );
  }

  /**
   * A tensor the canvas shows on its own: a constant (a row of an operator box) or a graph input or output (a
   * tensor box). Its name, type, size, where it comes from and goes, and a constant's values.
   */
  showConstant(model: PropertiesModel, value: number, role: 'constant' | 'input' | 'output' = 'constant'): void {
    this.request++;
    const ir = model.ir;
    clear(this.body);
    this.element.dataset.node = '';
    this.element.dataset.value = String(value);
    this.body.append(
      el(
        'h2',
        { class: 'props-title' },
        el('span', { class: 'badge', text: role === 'constant' ? 'constant' : `graph ${role}` }),
        el('span', { class: 'props-op', text: ` ${str(ir, ir.valueName[value]) || `#${value}`}` }),
      ),
    );
    this.body.append(section('Tensor', valueList(ir, [value], model, this)));
    const out = this.body.querySelector<HTMLElement>('.preview');
    if (out) void this.preview(value, out);
  }

  /** Fetches a constant's preview (bounded read in the worker) and shows stats and first values. */
  async preview(value: number, target: HTMLElement): Promise<void> {
    const req = this.request;
    clear(target);
    target.append(el('span', { class: 'muted', text: 'Reading…' }));
    let p: TensorPreview;
    try {
      p = await this.decode.tensorPreview(value);
    } catch (err) {
      if (req !== this.request) return;
      clear(target);
      target.append(
        el('span', {
          class: 'error-text',
          text: `Could not read values: ${err instanceof Error ? err.message : String(err)}`,
        }),
      );
      return;
    }
    if (req !== this.request) return;
    clear(target);
    const t = table();
    if (p.stats) {
      const s = p.stats;
      row(t, 'min', fmt(s.min));
      row(t, 'max', fmt(s.max));
      row(t, 'mean', fmt(s.mean));
      row(t, 'std', fmt(s.std));
      row(t, 'zeros', formatCount(s.zeros));
      if (s.nan) row(t, 'NaN', formatCount(s.nan));
      row(t, 'elements', formatCount(s.count));
    }
    target.append(t);
    if (p.values.length)
      target.append(
        el('div', {
          class: 'values mono',
          text: `[${p.values.join(', ')}${p.sampled > p.values.length ? ', …' : ''}]`,
        }),
      );
    if (p.note) target.append(el('p', { class: 'muted', text: p.note }));
  }
}

/**
 * The tensor's type: `float32[1,128]` as the file records it; else as shape inference found it, in italics and
 * marked inferred; else a plain note when nothing is known.
 */
function typeCell(ir: GraphIR, v: number, model: PropertiesModel): HTMLElement {
  const recorded = (ir.valueFlags[v] & ValueFlag.HasShape) !== 0;
  const inferred = recorded ? null : (model.inferredType?.(v) ?? null);
  if (inferred) {
    return el('div', {
      class: 'value-type mono inferred',
      text: inferred,
      // The full text on hover, as for every type (long symbolic shapes wrap).
      title: inferred,
    });
  }
  const text = ir.valueDtype[v] === 0 && !recorded ? 'type not recorded' : valueTypeString(ir, v);
  return el('div', { class: 'value-type mono', text, title: text });
}

function mainGraph(ir: GraphIR): number {
  for (let g = 0; g < ir.graphCount; g++) if (ir.graphKind[g] === 0) return g;
  return ir.graphCount > 0 ? 0 : -1;
}

function section(title: string, ...content: Node[]): HTMLElement {
  return el('section', { class: 'props-section' }, el('h3', { text: title }), ...content);
}

function table(): HTMLTableElement {
  return el('table', { class: 'kv' });
}

function row(t: HTMLTableElement, key: string, value: string, hint?: string): void {
  t.append(el('tr', {}, el('th', { text: key, title: hint }), el('td', { class: 'mono', text: value })));
}

function fmt(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  return Number.isInteger(v) ? String(v) : v.toPrecision(6);
}

function valueList(ir: GraphIR, values: number[], model: PropertiesModel, panel: PropertiesPanel | null): HTMLElement {
  const list = el('ul', { class: 'values-list' });
  if (values.length === 0) list.append(el('li', { class: 'muted', text: 'none' }));
  for (const v of values) {
    if (v < 0) {
      list.append(el('li', { class: 'muted', text: '(omitted optional input)' }));
      continue;
    }
    const flags = ir.valueFlags[v];
    const name = str(ir, ir.valueName[v]) || `#${v}`;
    const item = el(
      'li',
      { class: 'value' },
      el('div', { class: 'value-name mono', text: name, title: name }),
      typeCell(ir, v, model),
    );
    const isConst = (flags & ValueFlag.Initializer) !== 0 || (flags & ValueFlag.ConstantNode) !== 0;
    if (isConst) {
      const bytes = ir.valueDataLength[v];
      const badge = el(
        'div',
        { class: 'value-const' },
        el('span', { class: 'badge', text: 'constant' }),
        ` ${dtypeName(ir.valueDtype[v])} · ${absentNote(ir, v) ?? (bytes >= 0 ? formatBytes(bytes) : 'size unknown')}`,
        flags & ValueFlag.External ? ` · external: ${str(ir, ir.valueLocation[v])}` : '',
      );
      item.append(badge);
      if (panel && bytes > 0) {
        item.append(...valuesToggle(panel, v));
      }
    } else if (panel) {
      const producer = ir.valueProducer[v];
      const consumers = valueConsumerIds(ir, v);
      const links = el('div', { class: 'value-links' });
      const linkTo = (node: number, label: string) =>
        el('button', {
          class: 'link',
          text: label,
          title: model.nodeTitle(node),
          on: { click: () => panel.onSelectNode?.(node) },
        });
      if (producer >= 0 && !isOwnOutput(ir, producer, v, panel))
        links.append('from ', linkTo(producer, model.nodeOp(producer)));
      if (consumers.length) {
        links.append(links.childNodes.length ? ' · to ' : 'to ');
        const shown = Math.min(consumers.length, 4);
        for (let i = 0; i < shown; i++) {
          if (i) links.append(', ');
          links.append(linkTo(consumers[i], model.nodeOp(consumers[i])));
        }
        if (consumers.length > shown) links.append(` +${consumers.length - shown}`);
      }
      if (links.childNodes.length) item.append(links);
    }
    list.append(item);
  }
  return list;
}

/**
 * Why a weight has no bytes, when its file is absent: a Darknet .cfg opened without the .weights beside it, or
 * another format's weight file that was not found. Null when the bytes are there (or the format never has any).
 */
function absentNote(ir: GraphIR, v: number): string | null {
  if (ir.valueDataOffset[v] >= 0 || !(ir.valueFlags[v] & ValueFlag.Initializer)) return null;
  if (ir.format === 'darknet' && !ir.metadata.weights) return 'weights absent (no .weights beside the cfg)';
  return null;
}

/** "Show values" reads and shows the tensor's statistics; the same button then reads "Hide values". */
function valuesToggle(panel: PropertiesPanel, v: number): [HTMLButtonElement, HTMLElement] {
  const out = el('div', { class: 'preview' });
  const btn = el('button', { class: 'small values-toggle', text: 'Show values', attrs: { 'aria-expanded': 'false' } });
  btn.addEventListener('click', () => {
    const show = btn.getAttribute('aria-expanded') !== 'true';
    btn.setAttribute('aria-expanded', String(show));
    btn.textContent = show ? 'Hide values' : 'Show values';
    out.hidden = !show;
    if (show && !out.childNodes.length) void panel.preview(v, out);
  });
  return [btn, out];
}

/** True when the value is an output of the node currently shown (no "from" link to itself). */
function isOwnOutput(ir: GraphIR, producer: number, value: number, panel: PropertiesPanel): boolean {
  return panel.element.dataset.node === String(producer) && nodeOutputIds(ir, producer).includes(value);
}
