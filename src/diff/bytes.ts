import type { ByteSource } from '../decode/io/byte-source.ts';
import { nextSpan } from '../decode/io/read-spans.ts';
import { ValueFlag, str } from '../graph/ir.ts';
import { ByteHasher } from './hash.ts';
import type { DiffSide } from './types.ts';

/**
 * Digests of constant payloads, read by range from the model file (or its external-data files): nearby small
 * payloads share one read, large ones stream through the hasher in chunks of at most `maxRead` bytes, so memory
 * stays bounded whatever the model's size.
 */

export interface PayloadDigests {
  /** Value id → digest; values without a recorded payload (or whose file cannot be opened) are absent. */
  digests: Map<number, string>;
  bytesRead: number;
}

export async function payloadDigests(
  side: DiffSide,
  values: Iterable<number>,
  maxRead: number,
): Promise<PayloadDigests> {
  const { ir } = side;
  const digests = new Map<number, string>();
  const byFile = new Map<number, number[]>();
  for (const v of new Set(values)) {
    if (!(ir.valueDataOffset[v] >= 0) || !(ir.valueDataLength[v] >= 0)) continue;
    const file = ir.valueFlags[v] & ValueFlag.External ? ir.valueLocation[v] : -1;
    const list = byFile.get(file);
    if (list) list.push(v);
    else byFile.set(file, [v]);
  }
  let bytesRead = 0;
  for (const [file, list] of byFile) {
    const source = file < 0 ? side.source : await side.source.sibling?.(str(ir, file));
    if (!source) continue;
    try {
      bytesRead += await digestFile(source, side.ir.valueDataOffset, side.ir.valueDataLength, list, maxRead, digests);
    } finally {
      if (source !== side.source) await source.close?.();
    }
  }
  return { digests, bytesRead };
}

async function digestFile(
  source: ByteSource,
  offsets: Float64Array,
  lengths: Float64Array,
  values: number[],
  maxRead: number,
  out: Map<number, string>,
): Promise<number> {
  values.sort((x, y) => offsets[x] - offsets[y]);
  let read = 0;
  let i = 0;
  while (i < values.length) {
    const first = values[i];
    if (lengths[first] > maxRead) {
      const h = new ByteHasher();
      for (let at = 0; at < lengths[first]; at += maxRead) {
        const chunk = await source.read(offsets[first] + at, Math.min(maxRead, lengths[first] - at));
        read += chunk.length;
        h.update(chunk);
      }
      out.set(first, h.digest());
      i++;
      continue;
    }
    // A run of small payloads within one bounded span.
    const start = offsets[first];
    const { end, next: j } = nextSpan(values, i, offsets, lengths, maxRead);
    const span = await source.read(start, end - start);
    read += span.length;
    for (let k = i; k < j; k++) {
      const v = values[k];
      const h = new ByteHasher();
      h.update(span.subarray(offsets[v] - start, offsets[v] - start + lengths[v]));
      out.set(v, h.digest());
    }
    i = j;
  }
  return read;
}
