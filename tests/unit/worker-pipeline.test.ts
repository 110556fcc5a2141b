import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import * as Comlink from 'comlink';
import { describe, expect, it, vi } from 'vitest';
import { BoxContent } from '../../src/app/box-content.ts';
import { initialExpansion } from '../../src/app/model.ts';
import type { DecodeApi, DecodeChannel } from '../../src/decode/api.ts';
import { operatorCount } from '../../src/graph/operator-count.ts';
import type { LayoutWorkerApi, OpenPhase } from '../../src/layout/api.ts';
import { LayoutEngine } from '../../src/layout/engine.ts';
import { OpenViews } from '../../src/layout/open-view.ts';
import { repoRoot } from '../helpers/models.ts';

// The worker entries expose their API objects with comlink at import: capture those, and keep the real comlink for
// the decode → layout channel (an endpoint is given), which then runs over a real MessageChannel.
vi.mock('comlink', async (importOriginal) => {
  const real = await importOriginal<typeof Comlink>();
  return {
    ...real,
    expose: vi.fn((obj: unknown, ep?: Comlink.Endpoint) => (ep ? real.expose(obj, ep) : undefined)),
  };
});

const GPT_TINY = resolve(repoRoot, 'samples/gpt-tiny.onnx');

type Workers = { decode: DecodeApi & DecodeChannel; layout: LayoutWorkerApi };
let started: Promise<Workers> | null = null;

/** The two worker entries' APIs; each entry runs once per test file, as each worker runs once per page. */
function workers(): Promise<Workers> {
  started ??= startWorkers();
  return started;
}

async function startWorkers(): Promise<Workers> {
  const exposed = () => vi.mocked(Comlink.expose).mock.calls.filter((c) => !c[1]);
  await import('../../src/workers/decode.worker.ts');
  const decode = exposed().at(-1)?.[0] as DecodeApi & DecodeChannel;
  await import('../../src/workers/layout.worker.ts');
  const layout = exposed().at(-1)?.[0] as LayoutWorkerApi;
  return { decode, layout };
}

describe('decode → layout worker pipeline', () => {
  it('lays out the opening view from the decode worker, with no IR sent by the page', async () => {
    const { decode, layout } = await workers();
    const channel = new MessageChannel();
    decode.connectLayout(channel.port1);
    layout.connectDecode(channel.port2);
    const phases: OpenPhase[] = [];
    const view = layout.openedView(1, (phase) => phases.push(phase));
    const input = { kind: 'blob' as const, blob: new Blob([readFileSync(GPT_TINY)]), name: 'gpt-tiny.onnx' };
    const ir = await decode.open(input, undefined, { ticket: 1, fold: true, elkBudgetMs: 0 });
    const rows = await decode.boxRows(true);
    const opened = await view;
    channel.port1.close();
    channel.port2.close();

    expect(phases).toEqual(['grouping', 'laying out']);
    // The same view the page would have built itself from its IR and box rows.
    const engine = new LayoutEngine({ useElk: false });
    const h = await engine.group(ir, new BoxContent(rows, true).layoutInput());
    const expanded = initialExpansion(h, undefined, operatorCount(ir));
    expect(Array.from(opened.expanded)).toEqual(expanded);
    expect(opened.hierarchy.groupPath).toEqual(h.groupPath);
    const own = await engine.layout(Uint32Array.from(expanded));
    expect(opened.layout.boxCount).toBe(own.boxCount);
    expect(Array.from(opened.layout.boxH)).toEqual(Array.from(own.boxH));
    const m = opened.marks;
    expect(m.decoded).toBeLessThanOrEqual(m.boxRows);
    expect(m.boxRows).toBeLessThanOrEqual(m.received);
    expect(m.received).toBeLessThanOrEqual(m.grouped);
    expect(m.grouped).toBeLessThanOrEqual(m.laidOut);
  });
});

describe('decode → layout worker pipeline, cross-origin isolated', () => {
  it('shares one copy of the columns with the page and the layout worker, whose renumbered ids stay its own', async () => {
    const { decode, layout } = await workers();
    const input = () => ({ kind: 'blob' as const, blob: new Blob([readFileSync(GPT_TINY)]), name: 'gpt-tiny.onnx' });
    const unshared = await decode.open(input());
    vi.stubGlobal('crossOriginIsolated', true);
    try {
      const channel = new MessageChannel();
      decode.connectLayout(channel.port1);
      layout.connectDecode(channel.port2);
      const view = layout.openedView(2, () => undefined);
      const ir = await decode.open(input(), undefined, { ticket: 2, fold: true, elkBudgetMs: 0 });
      await decode.boxRows(true);
      const opened = await view;
      channel.port1.close();
      channel.port2.close();

      for (const column of [ir.nodeOp, ir.nodeName, ir.nodeInputs, ir.valueProducer, ir.valueShapeDims]) {
        expect(column.buffer).toBeInstanceOf(SharedArrayBuffer);
      }
      // The layout worker's copy renumbered its string ids; the shared columns still hold the decoder's.
      const names = (x: typeof ir) => Array.from(x.nodeOp, (id) => x.strings.at(id));
      expect(names(ir)).toEqual(names(unshared));
      expect(Array.from(ir.valueName, (id) => ir.strings.at(id))).toEqual(
        Array.from(unshared.valueName, (id) => unshared.strings.at(id)),
      );
      expect(opened.hierarchy.groupPath.length).toBeGreaterThan(0);
    } finally {
      vi.unstubAllGlobals();
    }
  });
});

describe('OpenViews', () => {
  const ir = () => {
    // A small model is enough: what matters is who waits for what.
    const b = new Blob([readFileSync(GPT_TINY)]);
    return import('../../src/decode/service.ts').then(async ({ DecodeService }) => {
      const s = new DecodeService(async () => {
        throw new Error('no analysis here');
      });
      return s.open({ kind: 'blob', blob: b, name: 'gpt-tiny.onnx' });
    });
  };
  const boxes = { folded: null, rows: null };
  const marks = { decoded: 0, boxRows: 0 };

  it('serves a view delivered before or after the page asks for it', async () => {
    const views = new OpenViews(new LayoutEngine({ useElk: false }));
    await views.deliver(await ir(), boxes, { ticket: 1, fold: true, elkBudgetMs: 0 }, marks);
    const early = await views.opened(1);
    expect(early.layout.boxCount).toBeGreaterThan(0);
    const late = views.opened(2);
    await views.deliver(await ir(), boxes, { ticket: 2, fold: true, elkBudgetMs: 0 }, marks);
    expect((await late).layout.boxCount).toBe(early.layout.boxCount);
  });

  it('frees the delivered copy once grouped; later layouts read only what the engine derived', async () => {
    const engine = new LayoutEngine({ useElk: false });
    const views = new OpenViews(engine);
    const model = await ir();
    await views.deliver(model, boxes, { ticket: 1, fold: true, elkBudgetMs: 0 }, marks);
    const opened = await views.opened(1);
    expect(model.nodeOp.length).toBe(0);
    expect(model.nodeInputOffsets.length).toBe(0);
    const reference = new LayoutEngine({ useElk: false });
    await reference.group(await ir(), boxes);
    const everyGroup = Uint32Array.from({ length: opened.hierarchy.groupCount }, (_, g) => g);
    const all = await engine.layout(everyGroup);
    const expected = await reference.layout(everyGroup);
    expect(all.boxCount).toBe(expected.boxCount);
    expect(all.edgeCount).toBe(expected.edgeCount);
    expect(Array.from(all.boxX)).toEqual(Array.from(expected.boxX));
    expect(Array.from(all.boxH)).toEqual(Array.from(expected.boxH));
  });

  it('drops superseded opens and reports failures to the waiting page', async () => {
    const views = new OpenViews(new LayoutEngine({ useElk: false }));
    const model = await ir();
    const old = views.opened(3);
    const next = views.opened(4);
    await expect(old).rejects.toThrow(/superseded/);
    // A late delivery for the old ticket is ignored; the current one still waits for its own.
    await views.deliver(model, boxes, { ticket: 3, fold: true, elkBudgetMs: 0 }, marks);
    views.fail(4, 'box rows failed');
    await expect(next).rejects.toThrow('box rows failed');
    await expect(views.opened(3)).rejects.toThrow(/superseded/);
  });
});
