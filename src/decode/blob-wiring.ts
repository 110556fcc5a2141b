import type { GraphBuilder } from '../graph/builder.ts';
import { DecodeError } from './errors.ts';

/** More blobs than this on one layer line is not a model (a hostile count would size the lists). */
const MAX_BLOBS_PER_LAYER = 65536;

/**
 * The blob counts of a layer line `type name input_count output_count blobs…` (ncnn and TNN write layers this
 * way), checked against the line; `fail` throws the format's error for that line.
 */
export function layerBlobCounts(
  tok: readonly string[],
  fail: (message: string) => never,
): { nIn: number; nOut: number } {
  if (tok.length < 4) fail(`a layer needs "type name input_count output_count", found "${tok.join(' ').slice(0, 80)}"`);
  const nIn = Number(tok[2]);
  const nOut = Number(tok[3]);
  if (
    !Number.isSafeInteger(nIn) ||
    !Number.isSafeInteger(nOut) ||
    nIn < 0 ||
    nOut < 0 ||
    nIn + nOut > MAX_BLOBS_PER_LAYER
  ) {
    fail(`input/output counts "${tok[2]} ${tok[3]}" are not blob counts`);
  }
  if (tok.length < 4 + nIn + nOut)
    fail(`layer "${tok[1]}" lists fewer blobs than its counts say (${nIn} in, ${nOut} out)`);
  return { nIn, nOut };
}

/**
 * Wiring for layer lists whose edges are named blobs (ncnn, TNN): every blob is produced at most once, and the
 * blobs nothing consumes are the graph's natural outputs.
 */
export class BlobWiring {
  private readonly produced = new Set<number>();
  private readonly consumed = new Set<number>();

  constructor(
    private readonly b: GraphBuilder,
    private readonly file: string,
  ) {}

  inputs(names: readonly string[]): number[] {
    return names.map((n) => {
      const v = this.b.value(0, n);
      this.consumed.add(v);
      return v;
    });
  }

  outputs(names: readonly string[], layer: string, line: number): number[] {
    return names.map((n) => {
      const v = this.b.value(0, n);
      if (this.produced.has(v))
        throw new DecodeError(`blob "${n}" is produced twice (again by layer "${layer}")`, this.file, `line ${line}`);
      this.produced.add(v);
      return v;
    });
  }

  /** Marks a blob as coming from outside (a graph input), so a layer producing it again is an error. */
  provide(value: number): void {
    this.produced.add(value);
  }

  addUnconsumedOutputs(): void {
    for (const v of this.produced) if (!this.consumed.has(v)) this.b.addGraphOutput(0, v);
  }
}
