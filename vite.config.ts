import { defineConfig, type HtmlTagDescriptor, type Plugin } from 'vite';
import type { OutputBundle, OutputChunk } from 'rolldown';

/**
 * The viewer chunk (UI + pixi) is imported dynamically by the entry, so the browser would only request it, and
 * then its own imports, once the entry chunk has run. Listing it and its static imports as modulepreload links
 * in the page lets them download and compile in parallel with the entry chunk and the workers' start.
 */
function preloadViewer(entries: string[]): Plugin {
  return {
    name: 'strata-preload-viewer',
    apply: 'build',
    transformIndexHtml: {
      order: 'post',
      handler(html, ctx) {
        const bundle: OutputBundle | undefined = ctx.bundle;
        if (!bundle) return [];
        const chunks = Object.values(bundle).filter((c): c is OutputChunk => c.type === 'chunk');
        const files = new Set<string>();
        const visit = (file: string) => {
          if (files.has(file)) return;
          files.add(file);
          const chunk = bundle[file];
          if (chunk?.type === 'chunk') for (const dep of chunk.imports) visit(dep);
        };
        for (const entry of entries) {
          const chunk = chunks.find((c) => c.facadeModuleId?.replaceAll('\\', '/').endsWith(entry));
          if (!chunk) throw new Error(`preloadViewer: no chunk for ${entry}`);
          visit(chunk.fileName);
        }
        return [...files]
          .filter((file) => !html.includes(`/${file}"`))
          .map(
            (file): HtmlTagDescriptor => ({
              tag: 'link',
              attrs: { rel: 'modulepreload', crossorigin: true, href: `./${file}` },
              injectTo: 'head',
            }),
          );
      },
    },
  };
}

/** Cross-origin isolation (as the CLI server sends it), so the dev page's threads share the model's columns too. */
const ISOLATION_HEADERS = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

export default defineConfig({
  base: './',
  server: { headers: ISOLATION_HEADERS },
  preview: { headers: ISOLATION_HEADERS },
  worker: { format: 'es' },
  // The viewer, and the WebGL renderer that pixi imports dynamically during its init.
  // The first frames are drawn by pixi's Canvas2D renderer (see Scene.create); WebGL's chunks load after them.
  plugins: [preloadViewer(['src/app/viewer.ts', 'pixi.js/lib/rendering/renderers/canvas/CanvasRenderer.mjs'])],
  build: {
    outDir: 'dist',
    target: 'es2022',
    sourcemap: true,
    chunkSizeWarningLimit: 2000,
    rolldownOptions: {
      output: {
        codeSplitting: {
          includeDependenciesRecursively: false,
          groups: [
            // pixi's Canvas2D renderer helpers probe the browser's blend modes when their module is evaluated (a 2D
            // canvas read back: hundreds of ms on software GL). Kept in a chunk of their own, only the Canvas2D
            // fallback loads them; bundled with shared texture code, they would run on every WebGL start.
            {
              name: 'pixi-canvas-utils',
              test: /pixi\.js[\\/]lib[\\/]rendering[\\/]renderers[\\/]canvas[\\/]utils[\\/]/,
            },
            // pixi.js/unsafe-eval patches the WebGPU uniform-buffer system too; without a chunk of their own, those few
            // modules pull the whole WebGPU renderer chunk (55 KB, never used: the scene runs WebGL) onto the startup path.
            {
              name: 'pixi-gpu-ubo',
              test: /pixi\.js[/]lib[/]rendering[/]renderers[/]gpu[/](GpuUboSystem|shader[/]utils[/](createUboElementsWGSL|generateArraySyncWGSL|createUboSyncFunctionWGSL))\.mjs$/,
            },
          ],
        },
      },
    },
  },
});
