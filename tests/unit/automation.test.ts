import { describe, expect, it } from 'vitest';
import { Automation, type AutomatedController, type AutomatedProfiling } from '../../src/app/automation.ts';
import { idleState, type StrataState } from '../../src/app/controller.ts';
import type { SearchMatch } from '../../src/app/model.ts';
import type { CameraState } from '../../src/scene/camera.ts';
import type { ColorMode } from '../../src/ui/colour-modes.ts';
import type { ModelInput } from '../../src/decode/api.ts';

/** A controller whose scene draws a frame only when the test says so, recording every call. */
class FakeController implements AutomatedController {
  calls: string[] = [];
  expanded = 0;
  camera: CameraState = { x: 0, y: 0, zoom: 1 };
  private frameWaiters: (() => void)[] = [];
  private opening: Promise<void> = Promise.resolve();
  model: AutomatedController['model'] = {
    findNode: (name: string) => (name === 'conv1' ? 7 : -1),
    nodeTitle: (n: number) => `node${n}`,
    nodeOp: () => 'Conv',
  };
  readonly scene = {
    setCamera: (c: Partial<CameraState>) => {
      this.calls.push(`setCamera ${JSON.stringify(c)}`);
      this.camera = { ...this.camera, ...c };
    },
    getCamera: () => ({ ...this.camera }),
    fit: () => {
      this.calls.push('fit');
      this.camera = { x: 50, y: 60, zoom: 0.5 };
    },
    nextFrame: () => new Promise<void>((r) => this.frameWaiters.push(r)),
  };

  /** Draws "the frame": resolves everything waiting for one. */
  frame(): void {
    const w = this.frameWaiters;
    this.frameWaiters = [];
    for (const r of w) r();
  }

  get waitingForFrame(): number {
    return this.frameWaiters.length;
  }

  state(): StrataState {
    return { ...idleState('ready'), nodes: 10, groups: 3, expanded: this.expanded, camera: this.camera };
  }
  whenOpened(): Promise<void> {
    return this.opening;
  }
  open(input: ModelInput): Promise<void> {
    this.calls.push(`open ${input.kind === 'url' ? input.url : input.name}`);
    this.opening = this.scene.nextFrame();
    return this.opening;
  }
  compare(input: ModelInput): Promise<void> {
    this.calls.push(`compare ${input.kind === 'url' ? input.url : input.name}`);
    this.opening = this.scene.nextFrame();
    return this.opening;
  }
  async expandAll(): Promise<void> {
    this.calls.push('expandAll');
    await this.scene.nextFrame();
    this.expanded = 3;
  }
  async collapseAll(): Promise<void> {
    this.calls.push('collapseAll');
    await this.scene.nextFrame();
    this.expanded = 0;
  }
  async expandPath(path: string): Promise<void> {
    this.calls.push(`expandPath ${path}`);
    if (path === 'nope') throw new Error('no group with path "nope"');
    await this.scene.nextFrame();
    this.expanded = 1;
  }
  async selectNode(node: number, focus: boolean, animate: number): Promise<void> {
    this.calls.push(`selectNode ${node} ${focus} ${animate}`);
    await this.scene.nextFrame();
  }
  search(q: string): SearchMatch[] {
    return [{ kind: 'node', name: q, op: 'Conv', node: 1, field: 'name' }];
  }

  async setFoldConstants(fold: boolean): Promise<void> {
    this.calls.push(`fold ${fold}`);
  }

  nodeBox(node: number) {
    return { x: 0, y: 0, w: 10, h: 10, title: 'Conv', rows: [`row of ${node}`] };
  }
}

class FakeProfiling implements AutomatedProfiling {
  model: unknown = {};
  calls: string[] = [];
  whenAnalyzed(): Promise<void> {
    this.calls.push('whenAnalyzed');
    return Promise.resolve();
  }
  colorBy(mode: ColorMode): void {
    this.calls.push(`colorBy ${mode}`);
  }
  loadProfile(text: string, fileName: string): unknown {
    this.calls.push(`loadProfile ${fileName} ${text}`);
    return null;
  }
}

const tick = () => new Promise((r) => setTimeout(r, 0));

function setup(fetched: Record<string, string> = {}) {
  const automation = new Automation({
    baseUrl: 'http://host/app/?url=x',
    fetch: async (url) => ({ ok: url in fetched, status: url in fetched ? 200 : 404, text: async () => fetched[url] }),
  });
  const ctl = new FakeController();
  const prof = new FakeProfiling();
  return { automation, api: automation.api, ctl, prof };
}

/** Settles a call that resolves on the next frame: draws frames until it does. */
async function drawn<T>(ctl: FakeController, p: Promise<T>): Promise<T> {
  let done = false;
  void p.then(
    () => (done = true),
    () => (done = true),
  );
  for (let i = 0; i < 50 && !done; i++) {
    await tick();
    ctl.frame();
  }
  return p;
}

describe('window.strata automation API', () => {
  it('answers state() before the viewer starts, with the contract fields', () => {
    const { api } = setup();
    const s = api.state();
    expect(s).toMatchObject({
      status: 'idle',
      nodes: 0,
      groups: 0,
      expanded: 0,
      visibleNodes: 0,
      visibleOps: 0,
      tier: 'dots',
      drawCalls: 0,
      timings: {},
    });
    expect(s.error).toBeUndefined();
    expect(api.search('x')).toEqual([]);
  });

  it('reports a startup failure in state() and rejects calls with it', async () => {
    const { automation, api } = setup();
    const pending = api.expandAll();
    automation.fail('WebGL is not available: no context');
    await expect(pending).rejects.toThrow('WebGL is not available');
    expect(api.state()).toMatchObject({ status: 'error', error: 'WebGL is not available: no context' });
    await expect(api.open('m.onnx')).rejects.toThrow('WebGL is not available');
  });

  it('holds calls made before the start and runs them once the viewer is up', async () => {
    const { automation, api, ctl, prof } = setup();
    const pending = api.expandAll();
    await tick();
    expect(ctl.calls).toEqual([]);
    automation.start(ctl, prof);
    const s = await drawn(ctl, pending);
    expect(ctl.calls).toEqual(['expandAll']);
    expect(s.expanded).toBe(3);
  });

  it('resolves only once the frame showing the result is drawn', async () => {
    const { automation, api, ctl, prof } = setup();
    automation.start(ctl, prof);
    let resolved = false;
    const p = api.collapseAll().then((s) => ((resolved = true), s));
    for (let i = 0; i < 5; i++) await tick();
    expect(resolved).toBe(false);
    expect(ctl.waitingForFrame).toBe(1);
    ctl.frame();
    const s = await p;
    expect(s).toMatchObject({ status: 'ready', expanded: 0 });
  });

  it('delegates expand, select and search, and passes errors through', async () => {
    const { automation, api, ctl, prof } = setup();
    automation.start(ctl, prof);
    expect((await drawn(ctl, api.expand('layers.0'))).expanded).toBe(1);
    await expect(api.expand('nope')).rejects.toThrow('no group with path "nope"');
    expect(await drawn(ctl, api.select('conv1'))).toEqual({ node: 7, name: 'node7', op: 'Conv' });
    expect(await api.select('missing')).toBeNull();
    expect(ctl.calls).toEqual(['expandPath layers.0', 'expandPath nope', 'selectNode 7 true 0']);
    expect(api.search('abc')[0]).toMatchObject({ name: 'abc', node: 1 });
  });

  it('moves the camera, fits, and returns the camera after the frame', async () => {
    const { automation, api, ctl, prof } = setup();
    automation.start(ctl, prof);
    expect(await drawn(ctl, api.camera({ x: 10, zoom: 2 }))).toEqual({ x: 10, y: 0, zoom: 2 });
    expect(await drawn(ctl, api.camera())).toEqual({ x: 10, y: 0, zoom: 2 });
    expect(await drawn(ctl, api.fit())).toEqual({ x: 50, y: 60, zoom: 0.5 });
    expect(ctl.calls).toEqual(['setCamera {"x":10,"zoom":2}', 'fit']);
  });

  it('opens URLs relative to the page and waits for the open before acting on the new model', async () => {
    const { automation, api, ctl, prof } = setup();
    automation.start(ctl, prof);
    const opening = api.open('../models/a.onnx');
    const after = api.expandAll();
    await tick();
    expect(ctl.calls).toEqual(['open http://host/models/a.onnx']);
    await drawn(ctl, opening);
    await drawn(ctl, after);
    expect(ctl.calls).toEqual(['open http://host/models/a.onnx', 'expandAll']);
  });

  it('compares with a model by URL relative to the page, after the open in flight, resolving on the frame', async () => {
    const { automation, api, ctl, prof } = setup();
    automation.start(ctl, prof);
    const opening = api.open('a.onnx');
    const comparing = api.compare('../models/b.onnx');
    await tick();
    expect(ctl.calls).toEqual(['open http://host/app/a.onnx']);
    await drawn(ctl, opening);
    await tick();
    expect(ctl.calls).toEqual(['open http://host/app/a.onnx', 'compare http://host/models/b.onnx']);
    const s = await drawn(ctl, comparing);
    expect(s.status).toBe('ready');
  });

  it('colours by a metric once the analysis is done, and loads a profile by URL', async () => {
    const { automation, api, ctl, prof } = setup({ 'http://host/app/run%201.json': '{"trace":1}' });
    automation.start(ctl, prof);
    await drawn(ctl, api.colorBy('flops'));
    await drawn(ctl, api.colorBy('category'));
    expect(prof.calls).toEqual(['whenAnalyzed', 'colorBy flops', 'colorBy category']);
    await drawn(ctl, api.loadProfile('run%201.json'));
    expect(prof.calls.at(-1)).toBe('loadProfile run 1.json {"trace":1}');
    await expect(api.loadProfile('missing.json')).rejects.toThrow('missing.json: HTTP 404');
    ctl.model = null;
    await expect(api.colorBy('params')).rejects.toThrow('no model is open');
    await expect(api.loadProfile('run%201.json')).rejects.toThrow('no model is open');
    expect(await api.select('conv1')).toBeNull();
  });
});
