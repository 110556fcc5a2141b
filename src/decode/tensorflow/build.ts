import { GraphBuilder } from '../../graph/builder.ts';
import { GraphKind, ValueFlag, type GraphIR } from '../../graph/ir.ts';
import { OUTPUT_TYPE_ATTRS, type TfFunction, type TfModel, type TfNode } from './model.ts';
import { irDtype } from './schema.ts';

/** Ops whose `value` attribute is the output tensor. */
const CONST_OPS = new Set(['Const', 'HostConst']);
/** Ops that feed the graph from outside. */
const INPUT_OPS = new Set(['Placeholder']);
/** Ops with no data outputs (only side effects or control flow): never given an output value of their own. */
const NO_OUTPUT_OPS = new Set([
  'NoOp',
  'Assert',
  'AssignVariableOp',
  'AssignAddVariableOp',
  'AssignSubVariableOp',
  'SaveV2',
  'Save',
  'SaveSlices',
  'MergeV2Checkpoints',
  'DestroyResourceOp',
  'ControlTrigger',
  'PrintV2',
  'WriteScalarSummary',
  'WriteSummary',
  'ResourceScatterUpdate',
  'ResourceApplyGradientDescent',
  'ResourceApplyAdam',
  'StatelessWhile',
  'Abort',
]);

/** A parsed input reference: the producing node's name and the value's key (canonical name in the graph). */
interface Ref {
  node: string;
  key: string;
  /** Output index for plain graphs (`x:3` → 3), -1 when the reference is by output arg name (functions). */
  index: number;
}

/**
 * GraphDef `x` / `x:1` → node x, value `x:0` / `x:1`. In a function body `x:out:0` names node x's output arg
 * `out` (kept as written) and a bare `x` is an input argument of the function.
 */
function parseRef(ref: string, inFunction: boolean): Ref {
  const colon = ref.indexOf(':');
  if (colon < 0) return inFunction ? { node: '', key: ref, index: -1 } : { node: ref, key: `${ref}:0`, index: 0 };
  const node = ref.slice(0, colon);
  const rest = ref.slice(colon + 1);
  if (!inFunction && /^\d{1,5}$/.test(rest)) {
    const index = Number(rest);
    return { node, key: `${node}:${index}`, index };
  }
  return { node, key: ref, index: -1 };
}

/**
 * Turns TensorFlow nodes into GraphIR: one IR node per NodeDef (names kept verbatim, so `/` scopes group them),
 * data inputs as edges (`^x` control dependencies are not data and are left to the node details), Const values as
 * constants with their payload ranges, Placeholders as graph inputs. Function library entries become function
 * graphs. Output values exist for every output index the graph refers to (and index 0 of nodes nothing reads).
 */
export function buildTfGraph(model: TfModel, format: string): GraphIR {
  const b = new GraphBuilder(format);
  Object.assign(b.metadata, model.metadata);
  b.beginGraph('main', GraphKind.Main);
  addGraph(b, 0, model.nodes, null);
  for (const fn of model.functions) addGraph(b, b.beginGraph(fn.name || 'function', GraphKind.Function), fn.nodes, fn);
  if (model.functions.length) b.metadata.functions = String(model.functions.length);
  return b.finish();
}

function addGraph(b: GraphBuilder, g: number, nodes: TfNode[], fn: TfFunction | null): void {
  const inFunction = fn !== null;
  const byName = new Map<string, number>();
  nodes.forEach((n, i) => {
    if (!byName.has(n.name)) byName.set(n.name, i);
  });

  // Which outputs of each node are referred to.
  const maxIndex = new Int32Array(nodes.length).fill(-1);
  const named: (string[] | null)[] = new Array(nodes.length).fill(null);
  const consumed = new Uint8Array(nodes.length);
  const controlled = new Uint8Array(nodes.length);
  const note = (ref: Ref) => {
    const p = byName.get(ref.node);
    if (p === undefined) return;
    consumed[p] = 1;
    if (ref.index >= 0) maxIndex[p] = Math.max(maxIndex[p], ref.index);
    else {
      const list = (named[p] ??= []);
      if (!list.includes(ref.key)) list.push(ref.key);
    }
  };
  for (const n of nodes) {
    for (const input of n.inputs) {
      if (input.startsWith('^')) {
        const p = byName.get(input.slice(1));
        if (p !== undefined) controlled[p] = 1;
      } else note(parseRef(input, inFunction));
    }
  }
  if (fn) for (const ref of fn.ret.values()) note(parseRef(ref, true));

  if (fn) {
    for (const arg of fn.inputs) {
      const v = b.value(g, arg.name);
      b.setValueType(v, irDtype(arg.dtype), null);
      b.addGraphInput(g, v);
    }
  }

  const terminal: number[] = [];
  nodes.forEach((n, i) => {
    const keys: string[] = [];
    const last = maxIndex[i] >= 0 ? maxIndex[i] : consumed[i] || NO_OUTPUT_OPS.has(n.op) ? -1 : 0;
    if (!inFunction || maxIndex[i] >= 0) for (let k = 0; k <= last; k++) keys.push(`${n.name}:${k}`);
    const extra = named[i];
    if (extra) keys.push(...extra.sort(compareOutputRefs));
    else if (inFunction && keys.length === 0 && !consumed[i] && !NO_OUTPUT_OPS.has(n.op)) keys.push(`${n.name}:0`);

    const outs = keys.map((k) => b.value(g, k));
    const dtype = outputDtype(n);
    outs.forEach((v, k) => {
      const shape = n.outputShapes?.[k];
      b.setValueType(v, dtype, shape ?? (k === 0 && INPUT_OPS.has(n.op) && n.shape !== undefined ? n.shape : null));
    });
    if (CONST_OPS.has(n.op) && n.tensor && outs.length) {
      const t = n.tensor;
      b.setValueType(outs[0], irDtype(t.dtype) || dtype, t.dims ?? n.outputShapes?.[0] ?? null);
      b.addFlags(outs[0], ValueFlag.Initializer | ValueFlag.ConstantNode);
      if (t.offset >= 0) b.setValueData(outs[0], t.offset, t.length, t.encoding, t.location);
    }
    if (!fn && INPUT_OPS.has(n.op) && outs.length) b.addGraphInput(g, outs[0]);

    const ins: number[] = [];
    for (const input of n.inputs) if (!input.startsWith('^')) ins.push(b.value(g, parseRef(input, inFunction).key));
    // Every NodeDef of the main graph is a layer: Const and Placeholder are nodes in TensorFlow too.
    if (g === 0) b.countLayer(n.op || '(no op)');
    b.addNode(g, n.name, n.op || '(no op)', ins, outs, n.start, n.end - n.start);
    if (!consumed[i] && !controlled[i] && outs.length) terminal.push(...outs);
  });

  if (fn) {
    const order = fn.outputs.length ? fn.outputs.map((a) => a.name) : [...fn.ret.keys()];
    for (const name of order) {
      const ref = fn.ret.get(name);
      if (ref !== undefined) b.addGraphOutput(g, b.value(g, parseRef(ref, true).key));
    }
  } else {
    for (const v of terminal) if (!(b.flags(v) & ValueFlag.GraphInput)) b.addGraphOutput(g, v);
  }
}

/** `x:out:1` before `x:out:10`, grouped by output arg. */
function compareOutputRefs(a: string, b: string): number {
  const pa = a.split(':');
  const pb = b.split(':');
  if (pa[1] !== pb[1]) return (pa[1] ?? '').localeCompare(pb[1] ?? '');
  return Number(pa[2] ?? 0) - Number(pb[2] ?? 0);
}

function outputDtype(n: TfNode): number {
  for (const key of OUTPUT_TYPE_ATTRS) {
    const t = n.types.get(key);
    if (t !== undefined) return irDtype(t);
  }
  return 0;
}
