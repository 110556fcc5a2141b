import { blockRole, splitLayer, topRole, type BlockRole, type TopRole } from './block-roles.ts';

/** How the dataflow is emitted: modules (with their weights) and operators the architecture implies. */
export interface DataflowSink {
  /** Adds the module's node reading `inputs`; returns its output value. */
  module(path: string, inputs: number[]): number;
  /** Adds an operator node the file does not store (residual Add, attention, gated activation). */
  operator(name: string, op: string, inputs: number[]): number;
  graphInput(name: string): number;
  graphOutput(value: number): void;
}

interface Layer {
  prefix: string;
  index: number;
  roles: Map<BlockRole, string>;
}

export interface BlockPlan {
  top: Map<TopRole, string>;
  layers: Layer[];
}

/**
 * Reads a transformer's block structure from its module paths, or null when the names do not make one: every
 * layer needs its first norm, the attention projections (q, k, v or fused) with the output projection, and the MLP's
 * down projection.
 */
export function planBlocks(modulePaths: readonly string[]): BlockPlan | null {
  const top = new Map<TopRole, string>();
  const byPrefix = new Map<string, Layer>();
  for (const path of modulePaths) {
    const where = splitLayer(path);
    if (!where) {
      const role = topRole(path);
      if (role && !top.has(role)) top.set(role, path);
      continue;
    }
    let layer = byPrefix.get(where.prefix);
    if (!layer) byPrefix.set(where.prefix, (layer = { prefix: where.prefix, index: where.index, roles: new Map() }));
    const role = blockRole(where.rest);
    if (role && !layer.roles.has(role)) layer.roles.set(role, path);
  }
  const layers = [...byPrefix.values()].sort((a, b) => a.index - b.index);
  if (!layers.length || !top.has('embed')) return null;
  for (const { roles } of layers) {
    const attention = roles.has('qkv') || (roles.has('q') && roles.has('k') && roles.has('v'));
    if (!roles.has('norm1') || !attention || !roles.has('o') || !roles.has('down')) return null;
  }
  return { top, layers };
}

/**
 * Emits embeddings → per layer `norm1 → attention (q, k, v → o) → + → norm2 → mlp (gate, up → down) → +` → final
 * norm → head. Layers without a second norm (parallel attention and MLP, as in Phi-2/GPT-J) feed both branches
 * from the first norm and add them once.
 */
export function emitBlocks(plan: BlockPlan, sink: DataflowSink): void {
  const ids = sink.graphInput('input_ids');
  let h = sink.module(plan.top.get('embed')!, [ids]);
  const pos = plan.top.get('posEmbed');
  if (pos) {
    const p = sink.module(pos, [ids]);
    h = sink.operator(`${parentOf(pos) || 'embeddings'}.add_positions`, 'Add', [h, p]);
  }
  for (const layer of plan.layers) h = emitLayer(layer, h, sink);
  const norm = plan.top.get('finalNorm');
  if (norm) h = sink.module(norm, [h]);
  const head = plan.top.get('head');
  if (head) h = sink.module(head, [h]);
  sink.graphOutput(h);
}

function emitLayer(layer: Layer, input: number, sink: DataflowSink): number {
  const { roles, prefix } = layer;
  const use = (role: BlockRole, inputs: number[]) => sink.module(roles.get(role)!, inputs);
  const n1 = use('norm1', [input]);
  const qkvPath = roles.get('qkv') ?? roles.get('q')!;
  const attentionScope = parentOf(qkvPath) || prefix;
  const projections = roles.has('qkv') ? [use('qkv', [n1])] : [use('q', [n1]), use('k', [n1]), use('v', [n1])];
  let attn = use('o', [sink.operator(`${attentionScope}.attention`, 'Attention', projections)]);
  if (roles.has('postAttnNorm')) attn = use('postAttnNorm', [attn]);
  if (!roles.has('norm2')) {
    const mlp = emitMlp(layer, n1, sink);
    return sink.operator(`${prefix}.residual`, 'Add', [input, attn, mlp]);
  }
  const h = sink.operator(`${prefix}.attention_residual`, 'Add', [input, attn]);
  let mlp = emitMlp(layer, use('norm2', [h]), sink);
  if (roles.has('postFfnNorm')) mlp = use('postFfnNorm', [mlp]);
  return sink.operator(`${prefix}.mlp_residual`, 'Add', [h, mlp]);
}

function emitMlp(layer: Layer, x: number, sink: DataflowSink): number {
  const { roles, prefix } = layer;
  const down = roles.get('down')!;
  const scope = parentOf(down) || prefix;
  let hidden: number;
  if (roles.has('gateUp')) {
    hidden = sink.operator(`${scope}.gated_activation`, 'GatedActivation', [sink.module(roles.get('gateUp')!, [x])]);
  } else if (roles.has('gate') && roles.has('up')) {
    const gate = sink.module(roles.get('gate')!, [x]);
    const up = sink.module(roles.get('up')!, [x]);
    hidden = sink.operator(`${scope}.gated_activation`, 'GatedActivation', [gate, up]);
  } else if (roles.has('up')) {
    hidden = sink.operator(`${scope}.activation`, 'Activation', [sink.module(roles.get('up')!, [x])]);
  } else hidden = x;
  return sink.module(down, [hidden]);
}

function parentOf(path: string): string {
  const cut = path.lastIndexOf('.');
  return cut > 0 ? path.slice(0, cut) : '';
}
