import type { GraphBuilder } from '../graph/builder.ts';
import { DecodeError } from './errors.ts';

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
