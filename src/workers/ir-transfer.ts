import * as Comlink from 'comlink';
import { columnBuffers, isShared } from '../graph/column-buffers.ts';
import type { GraphIR } from '../graph/ir.ts';
import { asStringList, StringList } from '../graph/string-list.ts';

/**
 * Moves GraphIR between threads fast. The string table crosses as its StringList parts: one text, one offsets
 * array and the few exceptions, never as hundreds of thousands of small strings (structured-cloning those cost
 * more than decoding them), and the receiver keeps it in that form. Typed arrays in shared memory are shared; the
 * others are transferred when the sender marked the IR as handed over (the decode worker), and copied otherwise (the
 * main thread keeps its own IR when it sends one to the layout worker).
 */
interface PackedIR {
  ir: Omit<GraphIR, 'strings'>;
  text: string;
  ends: Uint32Array;
  exceptions: ReadonlyMap<number, string> | null;
}

const handedOver = new WeakSet<GraphIR>();

/** Marks an IR whose typed arrays may be detached by the next send. */
export function handOver(ir: GraphIR): GraphIR {
  handedOver.add(ir);
  return ir;
}

function isGraphIR(v: unknown): v is GraphIR {
  return (
    typeof v === 'object' &&
    v !== null &&
    typeof (v as GraphIR).strings?.at === 'function' &&
    (v as GraphIR).nodeOp instanceof Uint32Array
  );
}

export function packIR(ir: GraphIR): [PackedIR, Transferable[]] {
  const { strings, ...rest } = ir;
  const list = asStringList(strings);
  // The sender's table stays whole: its offsets are copied and the copy moves, unless they are shared memory.
  const ends = isShared(list.ends) ? list.ends : list.ends.slice();
  const transfers: Transferable[] = handedOver.has(ir) ? columnBuffers(ir) : [];
  if (ends.buffer instanceof ArrayBuffer) transfers.push(ends.buffer);
  return [{ ir: rest, text: list.text, ends, exceptions: list.exceptions }, transfers];
}

export function unpackIR(p: PackedIR): GraphIR {
  return { ...p.ir, strings: new StringList(p.text, p.ends, p.exceptions) } as GraphIR;
}

let registered = false;

/** Installs the handler; every thread that sends or receives a GraphIR calls this once. */
export function registerIRTransfer(): void {
  if (registered) return;
  registered = true;
  Comlink.transferHandlers.set('graph-ir', {
    canHandle: isGraphIR,
    serialize: (ir: GraphIR) => packIR(ir),
    deserialize: (p) => unpackIR(p as PackedIR),
  } as Comlink.TransferHandler<GraphIR, PackedIR>);
}
