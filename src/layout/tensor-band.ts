import {
  type GraphIR,
  MAIN_GRAPH,
  ValueFlag,
  graphInputIds,
  graphOutputIds,
  str,
  valueConsumerIds,
  valueTypeString,
} from '../graph/ir.ts';
import { NODE_HEIGHT } from './group-graph.ts';
import type { TensorBand } from './types.ts';

/**
 * The main graph's real inputs and outputs (as Netron draws them: a small box per tensor above its consumers and
 * below its producer), with the nodes at their other end. Initializers listed as graph inputs (folded weights) are
 * left out: they are constants, not something the caller feeds.
 */
export interface GraphEnds {
  count: number;
  value: Int32Array;
  /** 1 for an output. */
  output: Uint8Array;
  /** Box width for the tensor's name and type line. */
  width: Float32Array;
  /** CSR: consumer nodes of an input, the producer of an output. */
  nodeOffsets: Uint32Array;
  nodes: Int32Array;
}

/** Height of a tensor box: one operator box. */
export const TENSOR_HEIGHT = NODE_HEIGHT;
/** Vertical room between the tensor band and the model, where the band's edges turn. */
const BAND_GAP = 28;
/** Horizontal room between two tensor boxes of a band. */
const TENSOR_SPACING = 12;
/** Widest character advance of the label fonts, as a fraction of the box height (see the emitter's tensor text). */
const CHAR_WIDTH = 0.32 * 0.62 * NODE_HEIGHT;
const MIN_WIDTH = 80;
const MAX_WIDTH = 260;

export function graphEnds(ir: GraphIR): GraphEnds {
  const values: number[] = [];
  const outputs: number[] = [];
  const offsets: number[] = [0];
  const nodes: number[] = [];
  if (ir.graphCount > 0) {
    for (const v of graphInputIds(ir, MAIN_GRAPH)) {
      if (ir.valueFlags[v] & ValueFlag.Initializer) continue;
      values.push(v);
      outputs.push(0);
      for (const c of valueConsumerIds(ir, v)) nodes.push(c);
      offsets.push(nodes.length);
    }
    for (const v of graphOutputIds(ir, MAIN_GRAPH)) {
      values.push(v);
      outputs.push(1);
      if (ir.valueProducer[v] >= 0) nodes.push(ir.valueProducer[v]);
      offsets.push(nodes.length);
    }
  }
  const width = new Float32Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const chars = Math.max(str(ir, ir.valueName[values[i]]).length, valueTypeString(ir, values[i]).length);
    width[i] = Math.min(MAX_WIDTH, Math.max(MIN_WIDTH, chars * CHAR_WIDTH + NODE_HEIGHT * 0.6));
  }
  return {
    count: values.length,
    value: Int32Array.from(values),
    output: Uint8Array.from(outputs),
    width,
    nodeOffsets: Uint32Array.from(offsets),
    nodes: Int32Array.from(nodes),
  };
}

/** Height the input band adds above the model (0 without inputs). */
export function inputBandHeight(ends: GraphEnds | null | undefined): number {
  if (!ends) return 0;
  for (let i = 0; i < ends.count; i++) if (!ends.output[i]) return TENSOR_HEIGHT + BAND_GAP;
  return 0;
}

/** Height the output band adds below the model (0 without outputs). */
export function outputBandHeight(ends: GraphEnds | null | undefined): number {
  if (!ends) return 0;
  for (let i = 0; i < ends.count; i++) if (ends.output[i]) return TENSOR_HEIGHT + BAND_GAP;
  return 0;
}

export interface BandBoxes {
  boxX: Float32Array;
  boxY: Float32Array;
  boxW: Float32Array;
  boxH: Float32Array;
  /** Visible box showing a node (its own, or its collapsed group's), or -1. */
  visibleBox(node: number): number;
}

/**
 * Places the inputs in a row above the model (`top` is the model's top) near the first box they feed, the outputs
 * in a row below it (`bottom`) near the box that produces them, and routes one edge per (tensor, box) pair: down
 * from the tensor, across in the gap between band and model, down into the box (outputs the other way round).
 */
export function placeTensorBand(ends: GraphEnds, boxes: BandBoxes, top: number, bottom: number): TensorBand {
  const n = ends.count;
  const x = new Float32Array(n);
  const y = new Float32Array(n);
  const w = Float32Array.from(ends.width);
  const h = new Float32Array(n).fill(TENSOR_HEIGHT);
  const targets: number[][] = [];
  const want = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const seen: number[] = [];
    for (let k = ends.nodeOffsets[i]; k < ends.nodeOffsets[i + 1]; k++) {
      const b = boxes.visibleBox(ends.nodes[k]);
      if (b >= 0 && !seen.includes(b)) seen.push(b);
    }
    targets.push(seen);
    const first = seen[0];
    want[i] = first === undefined ? 0 : boxes.boxX[first] + boxes.boxW[first] / 2;
    y[i] = ends.output[i] ? bottom + BAND_GAP : top - BAND_GAP - TENSOR_HEIGHT;
  }
  // Each row: in the order of the wanted centres, pushed right as little as keeps them apart.
  for (const out of [0, 1]) {
    const row: number[] = [];
    for (let i = 0; i < n; i++) if (ends.output[i] === out) row.push(i);
    row.sort((a, b) => want[a] - want[b] || a - b);
    let right = -TENSOR_SPACING;
    for (const i of row) {
      x[i] = Math.max(want[i] - w[i] / 2, right + TENSOR_SPACING);
      right = x[i] + w[i];
    }
  }

  const edgeTensor: number[] = [];
  const edgeBox: number[] = [];
  const offsets: number[] = [0];
  const points: number[] = [];
  for (let i = 0; i < n; i++) {
    const tx = x[i] + w[i] / 2;
    for (const b of targets[i]) {
      const bx = boxes.boxX[b] + boxes.boxW[b] / 2;
      if (ends.output[i]) {
        const turn = bottom + BAND_GAP / 2;
        points.push(bx, boxes.boxY[b] + boxes.boxH[b], bx, turn, tx, turn, tx, y[i]);
      } else {
        const turn = top - BAND_GAP / 2;
        points.push(tx, y[i] + TENSOR_HEIGHT, tx, turn, bx, turn, bx, boxes.boxY[b]);
      }
      edgeTensor.push(i);
      edgeBox.push(b);
      offsets.push(points.length / 2);
    }
  }
  return {
    count: n,
    x,
    y,
    w,
    h,
    value: Int32Array.from(ends.value),
    output: Uint8Array.from(ends.output),
    edgeCount: edgeTensor.length,
    edgeTensor: Int32Array.from(edgeTensor),
    edgeBox: Int32Array.from(edgeBox),
    edgePointOffsets: Uint32Array.from(offsets),
    edgePoints: Float32Array.from(points),
  };
}
