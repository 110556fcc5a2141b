// TEMPORARY development stand-in for src/workers/layout.worker.ts (owned by the layout helper); deleted once
// that exists. Naive column layout, only so the viewer can be exercised end to end.
import * as Comlink from 'comlink';
import { buildHierarchy } from '../graph/hierarchy.ts';
import type { Hierarchy } from '../graph/hierarchy-types.ts';
import { nodeInputIds, str, type GraphIR } from '../graph/ir.ts';
import { BoxKind, type SceneLayout } from '../layout/types.ts';

let ir: GraphIR | null = null;
let h: Hierarchy | null = null;

const api = {
  async load(model: GraphIR): Promise<Hierarchy> {
    ir = model;
    h = buildHierarchy(model);
    return h;
  },
  async layout(expanded: Uint32Array): Promise<SceneLayout> {
    if (!ir || !h) throw new Error('no model');
    const exp = new Set<number>(expanded);
    exp.add(0);
    const bx: number[] = [], by: number[] = [], bw: number[] = [], bh: number[] = [], kind: number[] = [], depth: number[] = [], ref: number[] = [];
    const nodeBox = new Int32Array(ir.nodeCount).fill(-1);
    const groupBox = new Int32Array(h.groupCount).fill(-1);
    const add = (x: number, y: number, w: number, hh: number, k: number, d: number, r: number) => {
      bx.push(x); by.push(y); bw.push(w); bh.push(hh); kind.push(k); depth.push(d); ref.push(r);
      return bx.length - 1;
    };
    const H = h;
    const IR = ir;
    // returns [w, h]
    const place = (g: number, x: number, y: number, d: number): [number, number] => {
      const frame = add(x, y, 0, 0, BoxKind.Frame, d, g);
      groupBox[g] = frame;
      let cy = y + 26;
      let maxW = 180;
      for (let i = H.groupItemOffsets[g]; i < H.groupItemOffsets[g + 1]; i++) {
        const item = H.groupItems[i];
        if (item >= 0) {
          const w = Math.max(56, Math.min(220, str(IR, IR.nodeOp[item]).length * 7 + 24));
          nodeBox[item] = add(x + 14, cy, w, 32, BoxKind.Node, d + 1, item);
          cy += 32 + 24;
          maxW = Math.max(maxW, w);
        } else {
          const c = -1 - item;
          if (exp.has(c)) {
            const [w, hh] = place(c, x + 14, cy, d + 1);
            cy += hh + 24;
            maxW = Math.max(maxW, w);
          } else {
            groupBox[c] = add(x + 14, cy, 180, 44, BoxKind.Group, d + 1, c);
            cy += 44 + 24;
          }
        }
      }
      const w = maxW + 28;
      const hh = cy - y - 24 + 14;
      bw[frame] = w;
      bh[frame] = hh;
      return [w, hh];
    };
    const [W, HH] = place(0, 0, 0, 0);
    // visible box for each node
    const vis = (n: number): number => {
      if (nodeBox[n] >= 0) return nodeBox[n];
      for (let g = H.nodeGroup[n]; g >= 0; g = H.groupParent[g]) {
        const b = groupBox[g];
        if (b >= 0 && kind[b] === BoxKind.Group) return b;
        if (g === 0) break;
      }
      return -1;
    };
    const pair = new Map<string, number>();
    const ef: number[] = [], et: number[] = [], ew: number[] = [];
    for (let n = 0; n < IR.nodeCount; n++) {
      for (const v of nodeInputIds(IR, n)) {
        if (v < 0) continue;
        const p = IR.valueProducer[v];
        if (p < 0) continue;
        const a = vis(p), b = vis(n);
        if (a < 0 || b < 0 || a === b) continue;
        const key = `${a},${b}`;
        const e = pair.get(key);
        if (e !== undefined) { ew[e]++; continue; }
        pair.set(key, ef.length);
        ef.push(a); et.push(b); ew.push(1);
      }
    }
    const offs = new Uint32Array(ef.length + 1);
    const pts = new Float32Array(ef.length * 4);
    for (let e = 0; e < ef.length; e++) {
      const a = ef[e], b = et[e];
      pts[4 * e] = bx[a] + bw[a] / 2; pts[4 * e + 1] = by[a] + bh[a];
      pts[4 * e + 2] = bx[b] + bw[b] / 2; pts[4 * e + 3] = by[b];
      offs[e + 1] = 2 * (e + 1);
    }
    const L: SceneLayout = {
      width: W, height: HH, boxCount: bx.length,
      boxX: Float32Array.from(bx), boxY: Float32Array.from(by), boxW: Float32Array.from(bw), boxH: Float32Array.from(bh),
      boxKind: Uint8Array.from(kind), boxDepth: Uint8Array.from(depth), boxRef: Int32Array.from(ref),
      edgeCount: ef.length, edgeFrom: Int32Array.from(ef), edgeTo: Int32Array.from(et), edgeWeight: Uint32Array.from(ew),
      edgePointOffsets: offs, edgePoints: pts, nodeBox, groupBox,
    };
    return L;
  },
};

Comlink.expose(api);
