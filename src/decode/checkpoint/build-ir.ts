import { GraphBuilder } from '../../graph/builder.ts';
import { GraphKind, ValueFlag, type GraphIR } from '../../graph/ir.ts';
import { emitBlocks, planBlocks, type DataflowSink } from './dataflow.ts';
import { inferModuleKind, lastSegment, modulePathOf } from './module-kind.ts';
import { summarizeTensors } from './summary.ts';
import type { Checkpoint } from './stored-tensor.ts';

/** A module of the checkpoint: the node that carries its tensors. */
export interface CheckpointModule {
  path: string;
  op: string;
  /** Indices into `Checkpoint.tensors`. */
  tensors: number[];
}

/** Per IR node: the module it shows, or the architecture's operator it stands for. */
export type NodeOrigin = { kind: 'module'; module: CheckpointModule } | { kind: 'operator'; architecture: string };

export interface BuiltCheckpoint {
  ir: GraphIR;
  origins: NodeOrigin[];
}

/**
 * Turns a weights-only checkpoint into GraphIR: one node per module (`model.layers.12.self_attn.q_proj`, op
 * Linear/Embedding/RMSNorm/… from its tensors or its pickled class) with its tensors as initializer inputs,
 * located by byte range for the preview. Dotted node names make the hierarchy group `model › layers.12 ›
 * self_attn`. When the module names form a transformer block the modules are wired as its dataflow (residual
 * adds and attention as operator nodes); otherwise they stay unconnected, in file order.
 */
export function buildCheckpointIR(checkpoint: Checkpoint): BuiltCheckpoint {
  const b = new GraphBuilder(checkpoint.format, checkpoint.tensors.length * 2 + 16);
  const graph = b.beginGraph('main', GraphKind.Main);
  const modules = groupModules(checkpoint);
  const origins: NodeOrigin[] = [];
  const placed = new Set<CheckpointModule>();
  const byPath = new Map(modules.map((m) => [m.path, m]));
  const usedNames = new Set<string>();
  const uniqueName = (name: string) => {
    let n = name;
    for (let k = 1; usedNames.has(n); k++) n = `${name}_${k}`;
    usedNames.add(n);
    return n;
  };

  const weights = (m: CheckpointModule) => m.tensors.map((t) => tensorValue(b, graph, checkpoint, t));
  const addModule = (m: CheckpointModule, inputs: number[]): number => {
    placed.add(m);
    const name = uniqueName(m.path);
    const out = b.value(graph, `${name}:out`);
    b.addNode(graph, name, m.op, [...inputs, ...weights(m)], [out]);
    origins.push({ kind: 'module', module: m });
    return out;
  };

  const model = modules.filter((m) => !m.optimizer);
  const plan = planBlocks(model.map((m) => m.path));
  if (plan) {
    const architecture = checkpoint.architecture || 'transformer';
    const sink: DataflowSink = {
      module: (path, inputs) => addModule(byPath.get(path)!, inputs),
      operator: (name, op, inputs) => {
        const unique = uniqueName(name);
        const out = b.value(graph, `${unique}:out`);
        b.addNode(graph, unique, op, inputs, [out]);
        origins.push({ kind: 'operator', architecture });
        return out;
      },
      graphInput: (name) => {
        const v = b.value(graph, name);
        b.setValueType(v, 7, [-1, -1], ['batch', 'sequence']);
        b.addGraphInput(graph, v);
        return v;
      },
      graphOutput: (v) => b.addGraphOutput(graph, v),
    };
    emitBlocks(plan, sink);
    b.metadata['dataflow'] =
      `${architecture} blocks drawn from the module names (${plan.layers.length} layers); residual adds and attention are implied, not stored`;
  }
  for (const m of modules) if (!placed.has(m)) addModule(m, []);

  // A checkpoint stores tensors, not layers: layerOps counts them by the type the file names (`BF16`, `Q4_K`).
  for (const t of checkpoint.tensors) b.countLayer(t.storedType || 'tensor');
  Object.assign(b.metadata, checkpoint.metadata, summarizeTensors(checkpoint.tensors));
  return { ir: b.finish(), origins };
}

interface GroupedModule extends CheckpointModule {
  optimizer: boolean;
}

/** Tensors grouped by module path, modules in the order their first tensor is stored. */
function groupModules(checkpoint: Checkpoint): GroupedModule[] {
  const byPath = new Map<string, GroupedModule>();
  checkpoint.tensors.forEach((t, i) => {
    const path = modulePathOf(t.name);
    let m = byPath.get(path);
    if (!m) byPath.set(path, (m = { path, op: '', tensors: [], optimizer: t.optimizer }));
    m.tensors.push(i);
  });
  for (const m of byPath.values()) {
    const cls = checkpoint.moduleClasses?.get(m.path);
    m.op =
      cls ??
      inferModuleKind(
        m.path,
        m.tensors.map((i) => {
          const t = checkpoint.tensors[i];
          return { leaf: t.name === m.path ? t.name : lastSegment(t.name), rank: t.shape?.length ?? -1 };
        }),
        m.optimizer,
      );
  }
  return [...byPath.values()];
}

function tensorValue(b: GraphBuilder, graph: number, checkpoint: Checkpoint, index: number): number {
  const t = checkpoint.tensors[index];
  const v = b.value(graph, t.name);
  b.setValueType(v, t.dtype, t.shape);
  b.addFlags(v, ValueFlag.Initializer);
  if (t.offset >= 0 && t.byteLength > 0) b.setValueData(v, t.offset, t.byteLength, t.encoding, t.location);
  return v;
}
