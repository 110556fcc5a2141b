import type { ByteSource } from '../io/byte-source.ts';
import type { MilBlock, MilFunction, MilPayload } from './mil.ts';

/**
 * ML Program weights in an `.mlpackage` live in a "blob v2" file (`weights/weight.bin`): a 64-byte storage header,
 * then per blob a 64-byte metadata record (sentinel 0xDEADBEEF, data type, size in bytes, data offset) that the
 * model's BlobFileValue points at. Reading only those records locates every weight without reading any.
 */

const SENTINEL = 0xdeadbeef;
const METADATA_BYTES = 32;

function blobPayloads(functions: MilFunction[]): MilPayload[] {
  const out: MilPayload[] = [];
  const visit = (block: MilBlock | null) => {
    for (const op of block?.ops ?? []) {
      if (op.payload?.file) out.push(op.payload);
      for (const b of op.blocks) visit(b);
    }
  };
  for (const f of functions) visit(f.block);
  return out;
}

/** Maps each blob reference to its bytes in the sibling weight file, or to null when that cannot be trusted. */
export async function resolveBlobs(
  source: ByteSource,
  functions: MilFunction[],
): Promise<{ located: Map<MilPayload, MilPayload | null>; note: string }> {
  const located = new Map<MilPayload, MilPayload | null>();
  const refs = blobPayloads(functions);
  if (!refs.length) return { located, note: '' };
  const names = [...new Set(refs.map((p) => p.file))];
  // The name each file was opened by is the location recorded, so a preview opens the same sibling again.
  const files = new Map<string, { source: ByteSource; name: string } | null>();
  for (const name of names) {
    // "@model_path/weights/weight.bin": inside an .mlpackage the weights folder sits beside model.mlmodel; files
    // dropped together in the browser are found by base name.
    const relative = name.replace(/^@model_path\//, '');
    const base = relative.split('/').pop() ?? relative;
    const open = async (n: string) => {
      const opened = (await source.sibling?.(n).catch(() => null)) ?? null;
      return opened && { source: opened, name: n };
    };
    files.set(name, (await open(relative)) ?? (relative !== base ? await open(base) : null));
  }
  let missing = 0;
  let bad = 0;
  for (const p of refs.sort((a, b) => a.offset - b.offset)) {
    const opened = files.get(p.file);
    if (!opened) {
      missing++;
      located.set(p, null);
      continue;
    }
    const file = opened.source;
    const meta = p.offset + METADATA_BYTES <= file.size ? await file.read(p.offset, METADATA_BYTES) : new Uint8Array(0);
    const dv = meta.length === METADATA_BYTES ? new DataView(meta.buffer, meta.byteOffset, METADATA_BYTES) : null;
    const size = dv ? Number(dv.getBigUint64(8, true)) : -1;
    const offset = dv ? Number(dv.getBigUint64(16, true)) : -1;
    const ok = dv && dv.getUint32(0, true) === SENTINEL && size >= 0 && offset >= 0 && offset + size <= file.size;
    if (!ok) bad++;
    located.set(p, ok ? { offset, length: size, file: opened.name, encoding: p.encoding } : null);
  }
  for (const f of files.values()) await f?.source.close?.();
  const shown = names.map((n) => n.split('/').pop()).join(', ');
  const note = missing
    ? `${shown} not opened with the model: weights have shapes only`
    : bad
      ? `${bad} weight records in ${shown} are not valid blob metadata: those weights have shapes only`
      : `located in ${shown}`;
  return { located, note };
}
