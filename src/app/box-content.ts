import { type BoxRows, boxRowText } from '../decode/api.ts';
import type { NodeBoxes } from '../layout/api.ts';
import { nodeBoxesFor } from '../layout/node-boxes.ts';

/**
 * What the open model's operator boxes list (decode/box-rows.ts), on the page: folded constants, rows, title
 * suffixes. Built once per model and fold setting; lookups are O(1).
 */
export class BoxContent {
  /** Whether constants are folded into their consumers (the default) or shown as nodes. */
  readonly foldConstants: boolean;

  constructor(
    private readonly rows: BoxRows,
    fold: boolean,
  ) {
    this.foldConstants = fold;
  }

  static empty(nodeCount: number): BoxContent {
    return new BoxContent(
      {
        folded: new Uint8Array(nodeCount),
        rowOffsets: new Uint32Array(nodeCount + 1),
        texts: [],
        rowText: new Uint32Array(0),
        rowValue: new Int32Array(0),
        titles: new Map(),
        attributes: false,
        timings: { foldMs: 0, constantsMs: 0, attributesMs: 0 },
      },
      false,
    );
  }

  /** Whether the node is folded into its consumers (no box of its own). */
  isFolded(node: number): boolean {
    return this.rows.folded[node] === 1;
  }

  rowCount(node: number): number {
    return this.rows.rowOffsets[node + 1] - this.rows.rowOffsets[node];
  }

  rowText(node: number, row: number): string {
    if (row < 0 || row >= this.rowCount(node)) return '';
    return boxRowText(this.rows, this.rows.rowOffsets[node] + row);
  }

  /** The constant value a row stands for, or -1 for attribute rows. */
  rowValue(node: number, row: number): number {
    if (row < 0 || row >= this.rowCount(node)) return -1;
    return this.rows.rowValue[this.rows.rowOffsets[node] + row];
  }

  /** `CONV_2D | RELU6`: the op type with a fused activation, if any. */
  title(op: string, node: number): string {
    const suffix = this.rows.titles.get(node);
    return suffix ? `${op} | ${suffix}` : op;
  }

  /** Number of folded nodes. */
  get foldedCount(): number {
    let n = 0;
    for (const f of this.rows.folded) n += f;
    return n;
  }

  get attributesListed(): boolean {
    return this.rows.attributes;
  }

  get timings(): BoxRows['timings'] {
    return this.rows.timings;
  }

  /** What the layout worker needs: which nodes have no box, and how tall each box is. */
  layoutInput(): NodeBoxes {
    return nodeBoxesFor(this.rows);
  }
}
