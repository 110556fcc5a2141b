/**
 * The least work any ONNX decoder that links nodes by tensor name must do: with the whole file already in memory,
 * walk every NodeProto and intern its names with the decoder's own StringTable (inputs, outputs and op type hashed
 * and pooled, the node name pooled). No reads, no builder, no initializers. bench:parse prints it beside the full
 * decode of the same chain, so the gap between the two is what decoding proper could still win.
 */
import { readFileSync } from 'node:fs';
import { StringTable } from '../src/graph/string-table.ts';
import { Graph, Model, Node } from '../src/decode/onnx/schema.ts';

function varint(b: Uint8Array, at: { i: number }): number {
  let v = 0;
  let scale = 1;
  for (;;) {
    const x = b[at.i++];
    v += (x & 0x7f) * scale;
    if (x < 0x80) return v;
    scale *= 128;
  }
}

/** Skips one field's value (varint, fixed or length-delimited) at `at.i`. */
function skip(b: Uint8Array, at: { i: number }, wire: number): void {
  if (wire === 0) varint(b, at);
  else if (wire === 1) at.i += 8;
  else if (wire === 5) at.i += 4;
  else {
    const len = varint(b, at);
    at.i += len;
  }
}

/** Interns every node's names; returns how many nodes it walked. */
function internNames(b: Uint8Array, table: StringTable): number {
  let nodes = 0;
  const at = { i: 0 };
  while (at.i < b.length) {
    const tag = varint(b, at);
    if (tag >>> 3 !== Model.graph || (tag & 7) !== 2) {
      skip(b, at, tag & 7);
      continue;
    }
    const graphEnd = varint(b, at) + at.i;
    while (at.i < graphEnd) {
      const t = varint(b, at);
      if (t >>> 3 !== Graph.node || (t & 7) !== 2) {
        skip(b, at, t & 7);
        continue;
      }
      const nodeEnd = varint(b, at) + at.i;
      nodes++;
      while (at.i < nodeEnd) {
        const f = varint(b, at);
        if ((f & 7) !== 2) {
          skip(b, at, f & 7);
          continue;
        }
        const len = varint(b, at);
        const start = at.i;
        at.i += len;
        const field = f >>> 3;
        if (field === Node.name) table.appendBytes(b, start, at.i);
        else if (field === Node.input || field === Node.output || field === Node.opType)
          table.internBytes(b, start, at.i);
      }
    }
  }
  return nodes;
}

/** Median ms of `runs` passes after two warm-up passes, and the node count. */
export function nameFloor(file: string, runs: number): { medianMs: number; nodes: number } {
  const bytes = new Uint8Array(readFileSync(file));
  const times: number[] = [];
  let nodes = 0;
  for (let i = 0; i < runs + 2; i++) {
    const t = performance.now();
    nodes = internNames(bytes, new StringTable(bytes.length / 100));
    if (i >= 2) times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  return { medianMs: times[times.length >> 1], nodes };
}
