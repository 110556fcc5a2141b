import { Buffer, BufferUsage, Geometry, Mesh, Shader, type VertexFormat } from 'pixi.js';

/**
 * Batches: one Mesh (one draw call) for any number of boxes or edge segments. Each item is a quad of four
 * vertices carrying the item's data (interleaved, one buffer); the corner comes from gl_VertexID. Instancing
 * would store a quarter of the data, but ANGLE/SwiftShader draws 100k instances ~20x slower than 100k plain
 * quads, so plain quads it is. Data is rewritten only when the visible set changes; pan/zoom touch uniforms.
 */

const BOX_VERTEX = /* glsl */ `#version 300 es
in vec4 aRect;
in vec4 aFill;
in vec4 aStroke;
in vec2 aStyle;

uniform mat3 uProjectionMatrix;
uniform mat3 uWorldTransformMatrix;
uniform mat3 uTransformMatrix;
uniform vec4 uColor;
uniform float uPxToWorld;
uniform float uMinPx;

out vec2 vLocal;
out vec2 vHalf;
out vec4 vFill;
out vec4 vStroke;
out vec2 vStyle;

void main() {
  int k = gl_VertexID % 4;
  vec2 corner = vec2(k == 1 || k == 2 ? 1.0 : 0.0, k >= 2 ? 1.0 : 0.0);
  vec2 size = max(aRect.zw, vec2(uMinPx * uPxToWorld));
  vec2 center = aRect.xy + aRect.zw * 0.5;
  vec2 local = (corner - 0.5) * size;
  mat3 mvp = uProjectionMatrix * uWorldTransformMatrix * uTransformMatrix;
  gl_Position = vec4((mvp * vec3(center + local, 1.0)).xy, 0.0, 1.0);
  vLocal = local;
  vHalf = size * 0.5;
  vFill = vec4(aFill.rgb * aFill.a, aFill.a) * uColor.a;
  vStroke = vec4(aStroke.rgb * aStroke.a, aStroke.a) * uColor.a;
  vStyle = aStyle;
}
`;

const BOX_FRAGMENT = /* glsl */ `#version 300 es
precision highp float;
in vec2 vLocal;
in vec2 vHalf;
in vec4 vFill;
in vec4 vStroke;
in vec2 vStyle;

uniform float uPxToWorld;
uniform float uFlat;

out vec4 finalColor;

void main() {
  if (uFlat > 0.5) {
    finalColor = vFill.a > 0.0 ? vFill : vStroke;
    return;
  }
  // Rounded-rectangle distance in screen pixels: antialiased edge and a stroke of constant pixel width.
  float r = min(vStyle.x, min(vHalf.x, vHalf.y));
  vec2 q = abs(vLocal) - vHalf + r;
  float d = (length(max(q, 0.0)) + min(max(q.x, q.y), 0.0) - r) / uPxToWorld;
  float coverage = clamp(0.5 - d, 0.0, 1.0);
  float strokePx = vStyle.y;
  float inStroke = strokePx > 0.0 ? clamp(d + strokePx + 0.5, 0.0, 1.0) : 0.0;
  vec4 c = mix(vFill, vStroke, inStroke);
  finalColor = c * coverage;
}
`;

const EDGE_VERTEX = /* glsl */ `#version 300 es
in vec4 aSeg;
in vec4 aColor;
in float aWidth;

uniform mat3 uProjectionMatrix;
uniform mat3 uWorldTransformMatrix;
uniform mat3 uTransformMatrix;
uniform vec4 uColor;
uniform float uPxToWorld;
uniform float uArrowMax;

out vec4 vColor;
out float vDist;
out float vHalfWidth;

void main() {
  int k = gl_VertexID % 4;
  vec2 aPosition = vec2(k == 1 || k == 2 ? 1.0 : 0.0, k >= 2 ? 1.0 : -1.0);
  vec2 p0 = aSeg.xy;
  vec2 p1 = aSeg.zw;
  vec2 d = p1 - p0;
  float len = length(d);
  vec2 dir = len > 0.0 ? d / len : vec2(1.0, 0.0);
  vec2 n = vec2(-dir.y, dir.x);
  vec2 pos;
  if (aWidth >= 0.0) {
    // Segment: a quad half a pixel wider than the line on each side, faded in the fragment shader.
    float hw = aWidth + 0.75;
    pos = mix(p0, p1, aPosition.x) + n * (aPosition.y * hw * uPxToWorld);
    vDist = aPosition.y * hw;
    vHalfWidth = aWidth;
  } else {
    // Arrowhead ending at p1, sized in pixels but never longer than uArrowMax world units or the segment.
    float L = min(min(-aWidth * uPxToWorld, uArrowMax), len);
    vec2 base = p1 - dir * L;
    pos = aPosition.x > 0.5 ? p1 : base + n * (aPosition.y * L * 0.42);
    vDist = 0.0;
    vHalfWidth = 8.0;
  }
  mat3 mvp = uProjectionMatrix * uWorldTransformMatrix * uTransformMatrix;
  gl_Position = vec4((mvp * vec3(pos, 1.0)).xy, 0.0, 1.0);
  vColor = vec4(aColor.rgb * aColor.a, aColor.a) * uColor.a;
}
`;

const EDGE_FRAGMENT = /* glsl */ `#version 300 es
precision highp float;
in vec4 vColor;
in float vDist;
in float vHalfWidth;

out vec4 finalColor;

void main() {
  float a = clamp(vHalfWidth + 0.5 - abs(vDist), 0.0, 1.0);
  finalColor = vColor * a;
}
`;

/** Index data for `quads` quads: 0 1 2 0 2 3, offset by 4 per quad. */
function quadIndices(quads: number): Uint32Array {
  const idx = new Uint32Array(quads * 6);
  for (let i = 0, v = 0; i < idx.length; i += 6, v += 4) {
    idx[i] = v;
    idx[i + 1] = v + 1;
    idx[i + 2] = v + 2;
    idx[i + 3] = v;
    idx[i + 4] = v + 2;
    idx[i + 5] = v + 3;
  }
  return idx;
}

/** A growable interleaved vertex store: 4 vertices per item, `stride` bytes each, float and uint views. */
class QuadStore {
  capacity: number;
  f32: Float32Array;
  u32: Uint32Array;
  readonly vertexBuffer: Buffer;
  readonly indexBuffer: Buffer;

  constructor(
    capacity: number,
    readonly stride: number,
    label: string,
  ) {
    this.capacity = Math.max(16, capacity);
    const bytes = new ArrayBuffer(this.capacity * 4 * stride);
    this.f32 = new Float32Array(bytes);
    this.u32 = new Uint32Array(bytes);
    this.vertexBuffer = new Buffer({
      data: this.f32,
      usage: BufferUsage.VERTEX | BufferUsage.COPY_DST,
      label: `${label}-vertices`,
    });
    this.indexBuffer = new Buffer({
      data: quadIndices(this.capacity),
      usage: BufferUsage.INDEX | BufferUsage.COPY_DST,
      label: `${label}-indices`,
    });
  }

  ensure(items: number): void {
    if (items <= this.capacity) return;
    const cap = Math.max(items, this.capacity * 2);
    const bytes = new ArrayBuffer(cap * 4 * this.stride);
    const f32 = new Float32Array(bytes);
    f32.set(this.f32);
    this.f32 = f32;
    this.u32 = new Uint32Array(bytes);
    this.capacity = cap;
    this.vertexBuffer.data = f32;
    this.indexBuffer.data = quadIndices(cap);
  }

  upload(items: number): void {
    if (items > 0) this.vertexBuffer.update(items * 4 * this.stride);
  }
}

/**
 * A QuadStore drawn as one Mesh: the geometry binds the store's buffers to the given vertex attributes, and
 * commit() uploads what was written and draws exactly that many quads. Each batch only writes its vertex layout.
 */
export class QuadMesh {
  readonly store: QuadStore;
  readonly mesh: Mesh<Geometry, Shader>;
  private readonly geometry: Geometry;

  constructor(
    capacity: number,
    stride: number,
    label: string,
    attributes: Record<string, { format: VertexFormat; offset: number }>,
    shader: Shader,
  ) {
    this.store = new QuadStore(capacity, stride, label);
    const buffer = this.store.vertexBuffer;
    this.geometry = new Geometry({
      attributes: Object.fromEntries(
        Object.entries(attributes).map(([name, a]) => [name, { buffer, format: a.format, stride, offset: a.offset }]),
      ),
      indexBuffer: this.store.indexBuffer,
    });
    this.mesh = new Mesh({ geometry: this.geometry, shader, label });
    this.mesh.eventMode = 'none';
    this.mesh.visible = false;
  }

  commit(items: number): void {
    this.store.upload(items);
    this.geometry.indexCount = items * 6;
    this.mesh.visible = items > 0;
  }

  destroy(): void {
    this.mesh.destroy();
    this.geometry.destroy(true);
  }
}

/** Box vertex: rect x y w h (f32 x4) | fill rgba8 | stroke rgba8 | radius f32 | stroke px f32 = 32 bytes. */
const BOX_STRIDE = 32;
const BOX_WORDS = BOX_STRIDE / 4;

/** Rounded boxes (nodes, collapsed groups, frames, highlights). */
export class BoxBatch {
  readonly mesh: Mesh<Geometry, Shader>;
  count = 0;
  private readonly quads: QuadMesh;
  private readonly uniforms: { uPxToWorld: number; uFlat: number; uMinPx: number };

  constructor(capacity: number, label: string) {
    const shader = Shader.from({
      gl: { vertex: BOX_VERTEX, fragment: BOX_FRAGMENT, name: 'strata-boxes' },
      resources: {
        boxUniforms: {
          uPxToWorld: { value: 1, type: 'f32' },
          uFlat: { value: 0, type: 'f32' },
          uMinPx: { value: 0, type: 'f32' },
        },
      },
    });
    this.quads = new QuadMesh(
      capacity,
      BOX_STRIDE,
      label,
      {
        aRect: { format: 'float32x4', offset: 0 },
        aFill: { format: 'unorm8x4', offset: 16 },
        aStroke: { format: 'unorm8x4', offset: 20 },
        aStyle: { format: 'float32x2', offset: 24 },
      },
      shader,
    );
    this.uniforms = (shader.resources.boxUniforms as { uniforms: BoxBatch['uniforms'] }).uniforms;
    this.mesh = this.quads.mesh;
  }

  begin(expected = 0): void {
    this.count = 0;
    this.quads.store.ensure(expected);
  }

  /** Colours are packed RGBA (see `rgba`); radius in world units, stroke width in screen pixels. */
  push(
    x: number,
    y: number,
    w: number,
    h: number,
    fill: number,
    stroke: number,
    radius: number,
    strokePx: number,
  ): void {
    const st = this.quads.store;
    if (this.count === st.capacity) st.ensure(this.count + 1);
    const f = st.f32;
    const u = st.u32;
    let o = this.count * 4 * BOX_WORDS;
    for (let v = 0; v < 4; v++, o += BOX_WORDS) {
      f[o] = x;
      f[o + 1] = y;
      f[o + 2] = w;
      f[o + 3] = h;
      u[o + 4] = fill;
      u[o + 5] = stroke;
      f[o + 6] = radius;
      f[o + 7] = strokePx;
    }
    this.count++;
  }

  commit(): void {
    this.quads.commit(this.count);
  }

  setView(pxToWorld: number, flat: boolean, minPx: number): void {
    this.uniforms.uPxToWorld = pxToWorld;
    this.uniforms.uFlat = flat ? 1 : 0;
    this.uniforms.uMinPx = minPx;
  }

  destroy(): void {
    this.quads.destroy();
  }
}

/** Edge vertex: segment x0 y0 x1 y1 (f32 x4) | colour rgba8 | half width px (f32, < 0: arrowhead) = 24 bytes. */
const EDGE_STRIDE = 24;
const EDGE_WORDS = EDGE_STRIDE / 4;

/** Line segments of constant pixel width plus arrowheads, all in one draw. */
export class EdgeBatch {
  readonly mesh: Mesh<Geometry, Shader>;
  count = 0;
  private readonly quads: QuadMesh;
  private readonly uniforms: { uPxToWorld: number; uArrowMax: number };

  constructor(capacity: number, label: string) {
    const shader = Shader.from({
      gl: { vertex: EDGE_VERTEX, fragment: EDGE_FRAGMENT, name: 'strata-edges' },
      resources: {
        edgeUniforms: {
          uPxToWorld: { value: 1, type: 'f32' },
          uArrowMax: { value: 10, type: 'f32' },
        },
      },
    });
    this.quads = new QuadMesh(
      capacity,
      EDGE_STRIDE,
      label,
      {
        aSeg: { format: 'float32x4', offset: 0 },
        aColor: { format: 'unorm8x4', offset: 16 },
        aWidth: { format: 'float32', offset: 20 },
      },
      shader,
    );
    this.uniforms = (shader.resources.edgeUniforms as { uniforms: EdgeBatch['uniforms'] }).uniforms;
    this.mesh = this.quads.mesh;
  }

  begin(expected = 0): void {
    this.count = 0;
    this.quads.store.ensure(expected);
  }

  /** A segment `halfWidthPx` screen pixels wide on each side of the centre line. */
  segment(x0: number, y0: number, x1: number, y1: number, color: number, halfWidthPx: number): void {
    this.put(x0, y0, x1, y1, color, Math.max(0, halfWidthPx));
  }

  /** An arrowhead pointing from (x0,y0) towards its tip at (x1,y1), `lengthPx` long on screen. */
  arrow(x0: number, y0: number, x1: number, y1: number, color: number, lengthPx: number): void {
    this.put(x0, y0, x1, y1, color, -Math.max(0.01, lengthPx));
  }

  private put(x0: number, y0: number, x1: number, y1: number, color: number, w: number): void {
    const st = this.quads.store;
    if (this.count === st.capacity) st.ensure(this.count + 1);
    const f = st.f32;
    const u = st.u32;
    let o = this.count * 4 * EDGE_WORDS;
    for (let v = 0; v < 4; v++, o += EDGE_WORDS) {
      f[o] = x0;
      f[o + 1] = y0;
      f[o + 2] = x1;
      f[o + 3] = y1;
      u[o + 4] = color;
      f[o + 5] = w;
    }
    this.count++;
  }

  commit(): void {
    this.quads.commit(this.count);
  }

  setView(pxToWorld: number, arrowMaxWorld: number): void {
    this.uniforms.uPxToWorld = pxToWorld;
    this.uniforms.uArrowMax = arrowMaxWorld;
  }

  destroy(): void {
    this.quads.destroy();
  }
}
