import { CanvasSource, type Geometry, type Mesh, Shader, Texture } from 'pixi.js';
import { QuadMesh } from './batches.ts';

/**
 * Labels as one mesh: a monospace glyph atlas drawn once into a 2D canvas, and one quad per character in a
 * single interleaved buffer (one draw call for every label on screen). No per-label scene objects, no text
 * layout engine: monospace makes widths exact (`advance * size * chars`), so truncation is arithmetic.
 */

const FONT = 'ui-monospace, "DejaVu Sans Mono", Menlo, Consolas, "Liberation Mono", monospace';
/** Glyph size in the atlas, in canvas pixels. */
const ATLAS_PX = 40;
const PAD = 3;
const COLS = 32;
const ROWS = 16;
/**
 * A CPU-backed 2D canvas: the atlas is only drawn and then uploaded as a texture. A GPU-backed one would put
 * the browser's accelerated 2D canvas on the startup path, which stalls frames for up to a second on SwiftShader.
 */
const CPU_CANVAS: CanvasRenderingContext2DSettings = { willReadFrequently: true };
/**
 * Drawn and uploaded with the atlas at startup: ASCII plus the symbols Strata's own labels use (tensor shapes
 * `⟨1×64⟩`, folded group content `Conv×12 → Add`). A glyph missing here is drawn on first use, which
 * re-uploads the whole atlas (with mipmaps) inside that frame: about 100 ms on SwiftShader.
 */
const PRELOAD =
  ' !"#$%&\'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`abcdefghijklmnopqrstuvwxyz{|}~…×·−⟨⟩→';

export class GlyphAtlas {
  readonly canvas: HTMLCanvasElement;
  readonly texture: Texture;
  /** Advance of one glyph as a fraction of the font size. */
  readonly advance: number;
  readonly cellW: number;
  readonly cellH: number;
  private readonly ctx: CanvasRenderingContext2D;
  private readonly slots = new Map<number, number>();
  private next = 0;
  private dirty = false;
  private readonly fallback: number;

  constructor() {
    this.canvas = document.createElement('canvas');
    const ctx = this.canvas.getContext('2d', CPU_CANVAS);
    if (!ctx) throw new Error('2D canvas unavailable');
    ctx.font = `${ATLAS_PX}px ${FONT}`;
    this.advance = ctx.measureText('M').width / ATLAS_PX || 0.6;
    this.cellW = Math.ceil(this.advance * ATLAS_PX) + 2 * PAD;
    this.cellH = Math.ceil(ATLAS_PX * 1.2) + 2 * PAD;
    this.canvas.width = COLS * this.cellW;
    this.canvas.height = ROWS * this.cellH;
    this.ctx = this.canvas.getContext('2d') as CanvasRenderingContext2D;
    this.ctx.font = `${ATLAS_PX}px ${FONT}`;
    this.ctx.textBaseline = 'middle';
    this.ctx.textAlign = 'center';
    this.ctx.fillStyle = '#ffffff';
    for (const ch of PRELOAD) this.slot(ch.codePointAt(0) ?? 63);
    this.fallback = this.slot(63);
    this.texture = new Texture({
      source: new CanvasSource({
        resource: this.canvas,
        resolution: 1,
        alphaMode: 'premultiply-alpha-on-upload',
        autoGenerateMipmaps: true,
        scaleMode: 'linear',
      }),
    });
    this.dirty = false;
  }

  /** Atlas slot for a code point, drawing the glyph on first use (until the atlas is full). */
  slot(code: number): number {
    const hit = this.slots.get(code);
    if (hit !== undefined) return hit;
    if (this.next >= COLS * ROWS) return this.fallback;
    const i = this.next++;
    const x = (i % COLS) * this.cellW;
    const y = Math.floor(i / COLS) * this.cellH;
    this.ctx.save();
    this.ctx.beginPath();
    this.ctx.rect(x, y, this.cellW, this.cellH);
    this.ctx.clip();
    // Wide glyphs (CJK) are squeezed into the monospace cell.
    const ch = String.fromCodePoint(code);
    const w = this.ctx.measureText(ch).width;
    const maxW = this.cellW - 2;
    if (w > maxW) {
      this.ctx.translate(x + this.cellW / 2, 0);
      this.ctx.scale(maxW / w, 1);
      this.ctx.fillText(ch, 0, y + this.cellH / 2);
    } else {
      this.ctx.fillText(ch, x + this.cellW / 2, y + this.cellH / 2);
    }
    this.ctx.restore();
    this.slots.set(code, i);
    this.dirty = true;
    return i;
  }

  /** Uploads glyphs added since the last call. */
  flush(): void {
    if (!this.dirty) return;
    this.dirty = false;
    this.texture.source.update();
  }

  destroy(): void {
    this.texture.destroy(true);
  }
}

const VERTEX = /* glsl */ `#version 300 es
in vec4 aRect;
in vec4 aUV;
in vec4 aColor;

uniform mat3 uProjectionMatrix;
uniform mat3 uWorldTransformMatrix;
uniform mat3 uTransformMatrix;
uniform vec4 uColor;

out vec2 vUV;
out vec4 vColor;

void main() {
  int k = gl_VertexID % 4;
  vec2 corner = vec2(k == 1 || k == 2 ? 1.0 : 0.0, k >= 2 ? 1.0 : 0.0);
  mat3 mvp = uProjectionMatrix * uWorldTransformMatrix * uTransformMatrix;
  gl_Position = vec4((mvp * vec3(aRect.xy + corner * aRect.zw, 1.0)).xy, 0.0, 1.0);
  vUV = mix(aUV.xy, aUV.zw, corner);
  vColor = vec4(aColor.rgb * aColor.a, aColor.a) * uColor.a;
}
`;

const FRAGMENT = /* glsl */ `#version 300 es
precision highp float;
in vec2 vUV;
in vec4 vColor;
uniform sampler2D uTexture;
out vec4 finalColor;

void main() {
  finalColor = vColor * texture(uTexture, vUV).a;
}
`;

/** Glyph vertex: rect x y w h (f32 x4) | uv u0 v0 u1 v1 (f32 x4) | colour rgba8 = 36 bytes. */
const STRIDE = 36;
const WORDS = STRIDE / 4;

export class TextBatch {
  readonly mesh: Mesh<Geometry, Shader>;
  readonly atlas: GlyphAtlas;
  /** Glyph quads written since begin(). */
  glyphs = 0;
  /** Labels written since begin(). */
  labels = 0;
  private readonly quads: QuadMesh;
  private readonly uStep: number;
  private readonly vStep: number;

  constructor(
    readonly maxGlyphs = 200_000,
    capacity = 4096,
  ) {
    this.atlas = new GlyphAtlas();
    const shader = Shader.from({
      gl: { vertex: VERTEX, fragment: FRAGMENT, name: 'strata-text' },
      resources: { uTexture: this.atlas.texture.source, uSampler: this.atlas.texture.source.style },
    });
    this.quads = new QuadMesh(
      capacity,
      STRIDE,
      'labels',
      {
        aRect: { format: 'float32x4', offset: 0 },
        aUV: { format: 'float32x4', offset: 16 },
        aColor: { format: 'unorm8x4', offset: 32 },
      },
      shader,
    );
    this.mesh = this.quads.mesh;
    const src = this.atlas.canvas;
    this.uStep = this.atlas.cellW / src.width;
    this.vStep = this.atlas.cellH / src.height;
  }

  get advance(): number {
    return this.atlas.advance;
  }

  get full(): boolean {
    return this.glyphs >= this.maxGlyphs;
  }

  begin(): void {
    this.glyphs = 0;
    this.labels = 0;
  }

  /**
   * One line of text: (x, y) is the anchor point in world units, `size` the font size in world units,
   * anchor 0 = left/top, 0.5 = centre, 1 = right/bottom. `color` is packed RGBA.
   */
  add(text: string, x: number, y: number, size: number, color: number, anchorX: number, anchorY: number): void {
    if (!text || this.glyphs >= this.maxGlyphs) return;
    const chars = Array.from(text);
    const n = Math.min(chars.length, this.maxGlyphs - this.glyphs);
    const store = this.quads.store;
    store.ensure(this.glyphs + n);
    const atlas = this.atlas;
    const scale = size / ATLAS_PX;
    const adv = atlas.advance * size;
    const cw = atlas.cellW * scale;
    const ch = atlas.cellH * scale;
    let pen = x - anchorX * adv * n;
    const top = y - anchorY * size - (ch - size) / 2;
    const f = store.f32;
    const u = store.u32;
    for (let i = 0; i < n; i++, pen += adv) {
      const c = chars[i].codePointAt(0) ?? 63;
      if (c === 32) continue;
      const slot = atlas.slot(c);
      const u0 = (slot % COLS) * this.uStep;
      const v0 = Math.floor(slot / COLS) * this.vStep;
      const gx = pen + adv / 2 - cw / 2;
      let o = this.glyphs * 4 * WORDS;
      for (let v = 0; v < 4; v++, o += WORDS) {
        f[o] = gx;
        f[o + 1] = top;
        f[o + 2] = cw;
        f[o + 3] = ch;
        f[o + 4] = u0;
        f[o + 5] = v0;
        f[o + 6] = u0 + this.uStep;
        f[o + 7] = v0 + this.vStep;
        u[o + 8] = color;
      }
      this.glyphs++;
    }
    this.labels++;
  }

  commit(): void {
    this.atlas.flush();
    this.quads.commit(this.glyphs);
  }

  destroy(): void {
    this.quads.destroy();
    this.atlas.destroy();
  }
}
