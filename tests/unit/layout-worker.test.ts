import * as Comlink from 'comlink';
import { describe, expect, it, vi } from 'vitest';
import { syntheticTransformer } from '../../bench/models.ts';
import type { LayoutApi } from '../../src/layout/api.ts';
import { LayoutEngine } from '../../src/layout/engine.ts';

// The worker entry exposes its API object with comlink at import; capture it instead of listening on `self`.
vi.mock('comlink', async (importOriginal) => ({ ...(await importOriginal<typeof Comlink>()), expose: vi.fn() }));

async function workerApi(): Promise<LayoutApi> {
  await import('../../src/workers/layout.worker.ts');
  const calls = vi.mocked(Comlink.expose).mock.calls;
  return calls[calls.length - 1][0] as LayoutApi;
}

describe('layout worker entry', () => {
  it('honours the ELK budget of a layout call (the opening view asks for none)', async () => {
    const api = await workerApi();
    const layoutCalls = vi.spyOn(LayoutEngine.prototype, 'layout');
    const h = await api.group(syntheticTransformer(4));
    const all = Uint32Array.from({ length: h.groupCount }, (_, i) => i);
    const view = await api.layout(all, 0);
    expect(view.boxCount).toBeGreaterThan(0);
    const engine = layoutCalls.mock.contexts[0] as LayoutEngine;
    expect(layoutCalls.mock.calls[0][1]).toBe(0);
    expect(engine.lastStats.elkCalls).toBe(0);
    expect(engine.lastStats.fastCalls).toBeGreaterThan(0);
  });
});
