import type { ByteSource } from '../io/byte-source.ts';

/**
 * A TF.js weights manifest lists, per group, its shard files and its weights in order; the group's bytes are the
 * shards concatenated, each weight taking `elements × item size` of the stored type. Walking the list gives every
 * weight's range; only the shards' sizes are read. A weight split across two shards, or one after a string weight
 * (variable length), keeps its shape but is not located.
 */

export interface ManifestWeight {
  name: string;
  shape: number[];
  dtype: string;
  /** Stored type when quantized (`uint8`, `uint16`, `float16`), else ''. */
  quantization: string;
}

export interface WeightGroup {
  paths: string[];
  weights: ManifestWeight[];
}

export interface LocatedWeight {
  file: string;
  offset: number;
  length: number;
  /** tensorflow.DataType of the stored elements when they differ from the declared type (float16 storage). */
  storedDtype: number;
}

const ITEM_BYTES: Readonly<Record<string, number>> = {
  float32: 4,
  int32: 4,
  bool: 1,
  uint8: 1,
  uint16: 2,
  float16: 2,
  int8: 1,
  int16: 2,
  int64: 8,
  complex64: 8,
};
const DT_HALF = 19;

export async function locateWeights(
  source: ByteSource,
  groups: WeightGroup[],
): Promise<{ byName: Map<string, LocatedWeight>; note: string }> {
  const byName = new Map<string, LocatedWeight>();
  if (!groups.length) return { byName, note: 'no weights manifest' };
  let missing = 0;
  let total = 0;
  for (const g of groups) {
    // Shard sizes tell where one ends and the next begins. The shards are opened all at once: over HTTP each open
    // is a round trip, and only their sizes are needed.
    const opened = await Promise.all(
      g.paths.map((path) => (source.sibling ? source.sibling(path).catch(() => null) : Promise.resolve(null))),
    );
    await Promise.all(opened.map((shard) => shard?.close?.()));
    const shards: { name: string; start: number; end: number }[] = [];
    let at = 0;
    let complete = true;
    for (const [i, shard] of opened.entries()) {
      if (!shard) {
        complete = false;
        break;
      }
      shards.push({ name: g.paths[i], start: at, end: at + shard.size });
      at += shard.size;
    }
    let pos = 0;
    for (const w of g.weights) {
      total++;
      const stored = w.quantization || w.dtype;
      const item = ITEM_BYTES[stored];
      const elements = w.shape.reduce((a, d) => a * d, 1);
      if (!item || !Number.isSafeInteger(elements) || elements < 0) {
        // Strings are variable length: nothing after them in this group can be placed.
        missing += g.weights.length - g.weights.indexOf(w);
        break;
      }
      const length = elements * item;
      const shard = complete ? shards.find((s) => pos >= s.start && pos < s.end) : undefined;
      const affine = w.quantization === 'uint8' || w.quantization === 'uint16';
      if (shard && pos + length <= shard.end && !affine) {
        byName.set(w.name, {
          file: shard.name,
          offset: pos - shard.start,
          length,
          storedDtype: w.quantization === 'float16' ? DT_HALF : 0,
        });
      } else missing++;
      pos += length;
    }
    if (complete && pos !== at) {
      // The manifest does not describe these shards: trust none of the group's ranges.
      for (const w of g.weights) if (byName.delete(w.name)) missing++;
    }
  }
  const files = groups.flatMap((g) => g.paths).join(', ');
  const note =
    missing === 0
      ? `located in ${files}`
      : missing === total
        ? `${files} not opened or not matching the manifest: weights have shapes only`
        : `${total - missing} of ${total} weights located in ${files}`;
  return { byName, note };
}
