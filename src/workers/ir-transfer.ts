import * as Comlink from 'comlink';
import { columnBuffers } from '../graph/column-buffers.ts';
import type { GraphIR } from '../graph/ir.ts';

/**
 * Moves GraphIR between threads fast. Structured-cloning the string table (hundreds of thousands of small
 * strings) cost more than decoding it; joined into one string with offsets it is a single copy, and the receiver
 * slices it back (slices of a flat string are cheap). Typed arrays are transferred when the sender marked the IR
 * as handed over (the decode worker), and copied otherwise (the main thread keeps its own IR when it sends one to
 * the layout worker).
 */
interface PackedIR {
  ir: Omit<GraphIR, 'strings'>;
  text: string;
  ends: Uint32Array;
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
    Array.isArray((v as GraphIR).strings) &&
    (v as GraphIR).nodeOp instanceof Uint32Array
  );
}

/**
 * The joined string table per table: the decode worker sends copies of one IR (same `strings` array) to both the
 * layout worker and the page, and joining a large table is not free.
 */
const joined = new WeakMap<string[], { text: string; ends: Uint32Array }>();

function joinStrings(strings: string[]): { text: string; ends: Uint32Array } {
  let j = joined.get(strings);
  if (!j) {
    const ends = new Uint32Array(strings.length);
    let n = 0;
    for (let i = 0; i < strings.length; i++) {
      n += strings[i].length;
      ends[i] = n;
    }
    j = { text: strings.join(''), ends };
    joined.set(strings, j);
  }
  return j;
}

export function packIR(ir: GraphIR): [PackedIR, Transferable[]] {
  const { strings, ...rest } = ir;
  const { text, ends: kept } = joinStrings(strings);
  const ends = kept.slice();
  const transfers: Transferable[] = handedOver.has(ir) ? columnBuffers(ir) : [];
  transfers.push(ends.buffer);
  return [{ ir: rest, text, ends }, transfers];
}

export function unpackIR(p: PackedIR): GraphIR {
  const strings = new Array<string>(p.ends.length);
  let start = 0;
  for (let i = 0; i < p.ends.length; i++) {
    strings[i] = p.text.slice(start, p.ends[i]);
    start = p.ends[i];
  }
  return { ...p.ir, strings } as GraphIR;
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
