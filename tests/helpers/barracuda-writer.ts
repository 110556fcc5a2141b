/**
 * Writes Unity Barracuda `.nn` files as Barracuda's ModelWriter lays them out (little-endian; .NET strings as a char
 * count then UTF-8 chars), for the decoder tests and fuzz seeds. No `.nn` model ships in a package reachable here.
 */

export interface NnDataSet {
  name: string;
  shape: number[];
  values: number[];
}

export interface NnLayer {
  name: string;
  type: number;
  activation?: number;
  pad?: number[];
  stride?: number[];
  pool?: number[];
  axis?: number;
  alpha?: number;
  beta?: number;
  inputs: string[];
  datasets?: NnDataSet[];
}

export interface NnModel {
  version: 16 | 17 | 18 | 19;
  inputs: { name: string; shape: number[] }[];
  outputs: string[];
  memories?: { shape: number[]; input: string; output: string }[];
  layers: NnLayer[];
  producer?: string;
}

class Out {
  private bytes: number[] = [];
  get length(): number {
    return this.bytes.length;
  }
  u8(...v: number[]): void {
    this.bytes.push(...v);
  }
  i32(v: number): void {
    const b = new Uint8Array(4);
    new DataView(b.buffer).setInt32(0, v, true);
    this.bytes.push(...b);
  }
  f32(v: number): void {
    const b = new Uint8Array(4);
    new DataView(b.buffer).setFloat32(0, v, true);
    this.bytes.push(...b);
  }
  i64(v: number): void {
    const b = new Uint8Array(8);
    new DataView(b.buffer).setBigInt64(0, BigInt(v), true);
    this.bytes.push(...b);
  }
  str(s: string): void {
    this.i32(s.length);
    this.bytes.push(...new TextEncoder().encode(s));
  }
  strs(list: string[]): void {
    this.i32(list.length);
    for (const s of list) this.str(s);
  }
  ints(list: number[]): void {
    this.i32(list.length);
    for (const v of list) this.i32(v);
  }
  done(): Uint8Array {
    return Uint8Array.from(this.bytes);
  }
}

export function writeBarracuda(m: NnModel): Uint8Array {
  const o = new Out();
  o.i64(m.version);
  o.i32(m.inputs.length);
  for (const i of m.inputs) {
    o.str(i.name);
    o.ints(i.shape);
  }
  o.strs(m.outputs);
  o.i32(m.memories?.length ?? 0);
  for (const mem of m.memories ?? []) {
    o.ints(mem.shape);
    o.str(mem.input);
    o.str(mem.output);
  }
  o.i32(m.layers.length);
  let offset = 0;
  for (const l of m.layers) {
    o.str(l.name);
    o.i32(l.type);
    o.i32(l.activation ?? 0);
    o.i32(0);
    o.i32(0);
    o.ints(l.pad ?? []);
    o.ints(l.stride ?? []);
    o.ints(l.pool ?? []);
    o.i32(l.axis ?? -1);
    o.f32(l.alpha ?? 1);
    o.f32(l.beta ?? 0);
    o.i32(0);
    o.strs(l.inputs);
    o.i32(l.datasets?.length ?? 0);
    for (const d of l.datasets ?? []) {
      o.str(d.name);
      o.ints(d.shape);
      o.i64(offset);
      o.i32(4);
      o.i32(d.values.length);
      offset += d.values.length;
    }
  }
  if (m.version >= 19) o.u8(...new Array(16 - (o.length % 16)).fill(0));
  for (const l of m.layers) for (const d of l.datasets ?? []) for (const v of d.values) o.f32(v);
  o.str('ONNX');
  o.str('1.8');
  o.str(m.producer ?? 'pytorch');
  o.i32(0);
  if (m.version >= 18) o.i32(0);
  return o.done();
}

/** A small classifier in the 8D shape layout of version 17+ (S, R, N, T, D, H, W, C). */
export function tinyBarracudaModel(version: 16 | 17 | 18 | 19 = 19): Uint8Array {
  const s8 = (n: number, h: number, w: number, c: number) => (version >= 17 ? [1, 1, n, 1, 1, h, w, c] : [n, h, w, c]);
  const range = (n: number, scale = 0.5) => Array.from({ length: n }, (_, i) => i * scale);
  return writeBarracuda({
    version,
    inputs: [{ name: 'image', shape: s8(-1, 8, 8, 1) }],
    outputs: ['probs'],
    layers: [
      {
        name: 'conv1',
        type: 20,
        activation: 1,
        pad: [1, 1, 1, 1],
        stride: [1, 1],
        inputs: ['image'],
        datasets: [
          { name: 'conv1/K', shape: s8(3, 3, 1, 4), values: range(36) },
          { name: 'conv1/B', shape: s8(1, 1, 1, 4), values: [0.25, -0.25, 1, 2] },
        ],
      },
      { name: 'pool1', type: 25, pool: [2, 2], stride: [2, 2], inputs: ['conv1'] },
      {
        name: 'offset',
        type: 255,
        inputs: [],
        datasets: [{ name: 'offset', shape: s8(1, 1, 1, 4), values: [1, 1, 1, 1] }],
      },
      { name: 'shifted', type: 100, inputs: ['pool1', 'offset'] },
      { name: 'flat', type: 200, inputs: ['shifted'] },
      {
        name: 'fc',
        type: 1,
        inputs: ['flat'],
        datasets: [
          { name: 'fc/W', shape: s8(64, 1, 1, 10), values: range(640, 0.01) },
          { name: 'fc/B', shape: s8(1, 1, 1, 10), values: range(10) },
        ],
      },
      { name: 'probs', type: 50, activation: 2, inputs: ['fc'] },
    ],
  });
}
