import * as Comlink from 'comlink';
import { columnBuffers, isShared } from '../graph/column-buffers.ts';
import type { GraphIR } from '../graph/ir.ts';
import { asStringList, ByteStringList, isStrings, StringList, type Strings } from '../graph/string-list.ts';

/**
 * Moves GraphIR between threads fast. The string table never crosses as hundreds of thousands of small strings
 * (structured-cloning those cost more than decoding them):
 * - a table of bytes (ByteStringList) crosses as its bytes and offsets. In shared memory they are shared, and the
 *   receiver reads the same bytes. Otherwise they were copied for this receiver, which decodes them once into one
 *   text (a StringList) and drops them.
 * - any other table crosses as one text and its offsets, kept in that form.
 * Typed-array columns in shared memory are shared; the others are transferred when the sender marked the IR as handed
 * over (the decode worker), and copied otherwise (the main thread keeps its own IR when it sends one to the layout
 * worker).
 */
type PackedNames =
  | { text: string; ends: Uint32Array; exceptions: ReadonlyMap<number, string> | null }
  | { bytes: Uint8Array; ends: Uint32Array; exceptions: ReadonlyMap<number, string> | null };

interface PackedIR {
  ir: Omit<GraphIR, 'strings'>;
  names: PackedNames;
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
    isStrings((v as GraphIR).strings) &&
    (v as GraphIR).nodeOp instanceof Uint32Array
  );
}

export function packIR(ir: GraphIR): [PackedIR, Transferable[]] {
  const { strings, ...rest } = ir;
  const transfers: Transferable[] = handedOver.has(ir) ? columnBuffers(ir) : [];
  // The sender's table stays whole: what is not shared memory is copied, and the copy moves.
  const own = <T extends Uint8Array | Uint32Array>(a: T): T => {
    if (isShared(a)) return a;
    const copy = a.slice() as T;
    transfers.push(copy.buffer as ArrayBuffer);
    return copy;
  };
  let names: PackedNames;
  if (strings instanceof ByteStringList) {
    names = { bytes: own(strings.bytes), ends: own(strings.ends), exceptions: strings.exceptions };
  } else {
    const list = asStringList(strings);
    names = { text: list.text, ends: own(list.ends), exceptions: list.exceptions };
  }
  return [{ ir: rest, names }, transfers];
}

export function unpackIR(p: PackedIR): GraphIR {
  const { names } = p;
  let strings: Strings;
  if ('bytes' in names) {
    const table = new ByteStringList(names.bytes, names.ends, names.exceptions);
    strings = isShared(names.bytes) ? table : table.toText();
  } else {
    strings = new StringList(names.text, names.ends, names.exceptions);
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
