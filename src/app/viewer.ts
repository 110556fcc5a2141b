import { BoxKind } from '../layout/types.ts';
import { THEMES, type ThemeName } from '../scene/palette.ts';
import type { CameraState } from '../scene/camera.ts';
import { Scene } from '../scene/scene.ts';
import { buildSvg } from '../scene/svg-export.ts';
import { download, el } from '../ui/dom.ts';
import { formatCount, formatSi } from '../ui/format.ts';
import { createFilePicker, installDropTarget } from '../ui/files.ts';
import { installKeyboard } from '../ui/keyboard.ts';
import { EmptyState, ErrorPanel, LoadingPanel, Tooltip } from '../ui/panels.ts';
import { PropertiesPanel } from '../ui/properties.ts';
import { SearchBox } from '../ui/search.ts';
import { StatusBar, Toolbar } from '../ui/toolbar.ts';
import type { ModelInput } from '../workers/decode-api.ts';
import { Controller, errorMessage, type StrataState } from './controller.ts';
import type { EarlyLoad, WorkerPool } from './load.ts';
import type { SearchMatch } from './model.ts';
import { COLOR_MODES, Profiling, type ColorMode } from './profiling.ts';
import { profileRows } from '../ui/profile-panel.ts';
import { LegendOverlay, ProfileSide } from '../ui/profile-side.ts';

/** `window.strata`: the automation / embedding surface (DESIGN.md contract 2). */
export interface StrataApi {
  state(): StrataState;
  open(url: string): Promise<StrataState>;
  expandAll(): Promise<StrataState>;
  collapseAll(): Promise<StrataState>;
  expand(groupPath: string): Promise<StrataState>;
  select(name: string): Promise<{ node: number; name: string; op: string } | null>;
  search(q: string): SearchMatch[];
  camera(c?: Partial<CameraState>): Promise<CameraState>;
  fit(): Promise<CameraState>;
  /** Colours the graph by op category (default), parameters, FLOPs or runtime (needs a loaded profile). */
  colorBy(mode: ColorMode): Promise<StrataState>;
  /** Fetches an ONNX Runtime profile (chrome-trace JSON) and maps it onto the open model. */
  loadProfile(url: string): Promise<StrataState>;
}

declare global {
  interface Window {
    strata: StrataApi;
  }
}

const CLICK_DELAY = 230;

function initialTheme(): ThemeName {
  try {
    const saved = localStorage.getItem('strata-theme');
    if (saved === 'light' || saved === 'dark') return saved;
  } catch {
    /* storage may be unavailable */
  }
  return window.matchMedia?.('(prefers-color-scheme: dark)').matches ? 'dark' : 'light';
}

function idleState(status: StrataState['status'], error?: string): StrataState {
  const s: StrataState = {
    status, nodes: 0, groups: 0, expanded: 0, visibleNodes: 0, drawCalls: 0, visibleOps: 0, visibleGroups: 0,
    boxes: 0, edges: 0, tier: 'dots', camera: { x: 0, y: 0, zoom: 1 }, selected: null, file: null, busy: false,
    timings: {}, renderer: '', colorMode: 'category', profile: null, metrics: null,
  };
  if (error !== undefined) s.error = error;
  return s;
}

/** Builds the page, the scene and the controller, and installs `window.strata`. */
export async function startViewer(root: HTMLElement, pool: WorkerPool, early: EarlyLoad | null): Promise<void> {
  let themeName = initialTheme();
  document.documentElement.dataset.theme = themeName;

  let controller: Controller | null = null;
  let profiling: Profiling | null = null;
  const withProfile = (st: StrataState): StrataState => {
    const p = profiling;
    if (!p || !p.model) return st;
    st.colorMode = p.colorMode;
    st.profile = p.summary();
    st.metrics = p.metrics ? { params: p.metrics.totals.parameters, flops: p.metrics.totals.flops } : null;
    return st;
  };
  let startupError: string | null = null;
  let resolveReady!: () => void;
  const ready = new Promise<void>((r) => (resolveReady = r));
  const need = async (): Promise<Controller> => {
    await ready;
    if (!controller) throw new Error(startupError ?? 'viewer failed to start');
    await controller.whenOpened();
    return controller;
  };

  // The API exists from the first moment; calls wait until the renderer is up.
  window.strata = {
    state: () => withProfile(controller?.state() ?? idleState(startupError ? 'error' : 'idle', startupError ?? undefined)),
    open: async (url: string) => {
      await ready;
      if (!controller) throw new Error(startupError ?? 'viewer failed to start');
      await controller.open({ kind: 'url', url: new URL(url, location.href).href });
      return controller.state();
    },
    expandAll: async () => {
      const c = await need();
      await c.expandAll();
      return c.state();
    },
    collapseAll: async () => {
      const c = await need();
      await c.collapseAll();
      return c.state();
    },
    expand: async (path: string) => {
      const c = await need();
      await c.expandPath(path);
      return c.state();
    },
    select: async (name: string) => {
      const c = await need();
      const model = c.model;
      if (!model) return null;
      const node = model.findNode(name);
      if (node < 0) return null;
      await c.selectNode(node, true, 0);
      return { node, name: model.nodeTitle(node), op: model.nodeOp(node) };
    },
    search: (q: string) => controller?.search(q) ?? [],
    camera: async (cam?: Partial<CameraState>) => {
      const c = await need();
      if (cam) c.scene.setCamera(cam);
      await c.scene.nextFrame();
      return c.scene.getCamera();
    },
    fit: async () => {
      const c = await need();
      c.scene.fit();
      await c.scene.nextFrame();
      return c.scene.getCamera();
    },
    colorBy: async (mode: ColorMode) => {
      const c = await need();
      if (!profiling || !c.model) throw new Error('no model is open');
      if (mode === 'params' || mode === 'flops') await profiling.whenAnalyzed();
      profiling.colorBy(mode);
      await c.scene.nextFrame();
      return withProfile(c.state());
    },
    loadProfile: async (url: string) => {
      const c = await need();
      if (!profiling || !c.model) throw new Error('no model is open');
      const href = new URL(url, location.href).href;
      const res = await fetch(href);
      if (!res.ok) throw new Error(`${url}: HTTP ${res.status}`);
      profiling.loadProfile(await res.text(), decodeURIComponent(href.split(/[?#]/)[0].split('/').pop() || 'profile.json'));
      await c.scene.nextFrame();
      return withProfile(c.state());
    },
  };

  // ---- page skeleton
  const graphHost = el('div', { class: 'graph-host', attrs: { 'aria-label': 'Model graph' } });
  const openInput = (input: ModelInput) => {
    // A .json dropped while a model is open is tried as an ONNX Runtime profile first.
    if (input.kind === 'blob' && /\.json$/i.test(input.name) && profiling?.model) {
      void loadProfileBlob(input.blob, input.name).catch((err: unknown) => {
        if (errorMessage(err).startsWith('not an ONNX Runtime profile')) void controller?.open(input);
        else report(err);
      });
      return;
    }
    void controller?.open(input);
  };
  async function loadProfileBlob(blob: Blob, name: string): Promise<void> {
    const p = profiling;
    if (!p) throw new Error('viewer not ready');
    p.loadProfile(await blob.text(), name);
  }
  const picker = createFilePicker(openInput);
  const toolbar = new Toolbar({
    open: () => picker.pick(),
    fit: () => controller?.scene.fit(undefined, 350),
    expandAll: () => void controller?.expandAll().catch(report),
    collapseAll: () => void controller?.collapseAll().catch(report),
    toggleTheme: () => setTheme(themeName === 'light' ? 'dark' : 'light'),
    exportPng: () => exportPng(),
    exportSvg: () => exportSvg(),
  });
  const statusBar = new StatusBar();
  const loading = new LoadingPanel(() => void controller?.cancel());
  const errorPanel = new ErrorPanel(() => picker.pick(), () => {
    errorPanel.hide();
    empty.visible = !controller?.model;
  });
  const empty = new EmptyState(() => picker.pick());
  const tooltip = new Tooltip();
  graphHost.append(empty.element, loading.element, errorPanel.element, tooltip.element);

  let scene: Scene;
  try {
    performance.mark('strata:scene-start');
    scene = await Scene.create(graphHost, THEMES[themeName]);
    performance.mark('strata:scene-end');
  } catch (err) {
    startupError = `WebGL is not available: ${errorMessage(err)}`;
    root.append(toolbar.element, el('main', { class: 'workspace' }, graphHost), statusBar.element);
    errorPanel.show(startupError);
    resolveReady();
    return;
  }
  const ctl = new Controller(scene, pool);
  ctl.startupMs = Math.round(performance.now());
  controller = ctl;

  const properties = new PropertiesPanel(ctl.decode, () => THEMES[themeName]);
  properties.onSelectNode = (node) => void ctl.selectNode(node, true, 300);
  properties.showEmpty();
  const search = new SearchBox((q) => ctl.search(q), (m) => {
    void ctl.selectNode(m.node, true, 350);
  });
  toolbar.searchSlot.append(search.element);

  // ---- structure profile: colour-by select, profile panel, runtime profile
  const prof = new Profiling(ctl);
  profiling = prof;
  // Read-only handle for benches and debugging (frame stats, renderer, analysis); not part of the automation contract.
  Object.defineProperty(window, '__strataDebug', { value: { scene, controller: ctl, profiling: prof }, configurable: true });
  const legend = new LegendOverlay();
  graphHost.append(legend.element);
  const side = new ProfileSide({
    onSelect: (sel) => {
      if (sel.kind === 'op') {
        search.setQuery(sel.op);
        return;
      }
      const model = ctl.model;
      if (!model) return;
      const g = model.groupOfPath(sel.path);
      if (g < 0) return;
      void ctl.expandPath(sel.path).then(() => {
        const box = ctl.layout?.groupBox[g] ?? -1;
        if (box >= 0) scene.focusBox(box, 300);
      }).catch(report);
    },
    onDims: (dims) => void prof.analyze(dims),
  });
  const colourSelect = el('select', { class: 'colour-by', title: 'Colour the graph by', attrs: { 'aria-label': 'Colour by' } });
  const MODE_LABELS: Record<ColorMode, string> = { category: 'Colour: op type', params: 'Colour: params', flops: 'Colour: FLOPs', runtime: 'Colour: runtime' };
  for (const m of COLOR_MODES) colourSelect.append(el('option', { text: MODE_LABELS[m], attrs: { value: m } }));
  colourSelect.addEventListener('change', () => {
    try {
      prof.colorBy(colourSelect.value as ColorMode);
    } catch (err) {
      report(err);
      colourSelect.value = prof.colorMode;
    }
  });
  const profileButton = el('button', {
    class: 'tool profile-toggle', text: 'Profile', title: 'Parameters, FLOPs and runtime per group and op type',
    attrs: { type: 'button', 'aria-pressed': 'false' },
    on: { click: () => setProfileVisible(!side.visible) },
  });
  const profilePicker = el('input', { attrs: { type: 'file', accept: '.json,application/json', 'aria-label': 'Load ONNX Runtime profile' } });
  profilePicker.hidden = true;
  profilePicker.classList.add('profile-file');
  profilePicker.addEventListener('change', () => {
    const f = profilePicker.files?.[0];
    profilePicker.value = '';
    if (f) void loadProfileBlob(f, f.name).catch(report);
  });
  document.body.append(profilePicker);
  const loadProfileButton = el('button', {
    class: 'tool load-profile', text: 'Load profile…', title: 'Load an ONNX Runtime profiling JSON (or drop it on the graph)',
    attrs: { type: 'button' }, on: { click: () => profilePicker.click() },
  });
  toolbar.addModelControl(colourSelect);
  toolbar.addModelControl(profileButton);
  toolbar.addModelControl(loadProfileButton);

  let sideData: unknown = null;
  function setProfileVisible(v: boolean): void {
    side.visible = v;
    profileButton.setAttribute('aria-pressed', String(v));
    properties.element.hidden = v;
    sideData = null;
    syncProfile();
  }
  function syncProfile(): void {
    legend.set(prof.colorMode === 'category' ? null : prof.legend);
    if (colourSelect.value !== prof.colorMode) colourSelect.value = prof.colorMode;
    for (const o of Array.from(colourSelect.options)) {
      o.disabled = o.value === 'runtime' ? !prof.profile : o.value === 'category' ? false : !prof.metrics;
    }
    if (!side.visible) return;
    const lines: string[] = [];
    if (!prof.model) lines.push('No model open.');
    else if (prof.analyzing) lines.push('Analysing…');
    if (prof.error) lines.push(`Analysis failed: ${prof.error}`);
    const m = prof.metrics;
    if (m && !prof.analyzing) {
      const unit = (v: number, u: string) => {
        const t = formatSi(v);
        return /[kMGTP]$/.test(t) ? `${t}${u}` : `${t} ${u}`;
      };
      lines.push(`${formatSi(m.totals.parameters).replace(' ', '')} params · ${unit(m.totals.flops, 'FLOPs')} · ${unit(m.totals.activationBytes, 'B')} activations`);
      const unresolved = Object.entries(prof.unresolved).sort((a, b) => b[1] - a[1]);
      if (m.totals.unknownCostNodes) lines.push(`${m.totals.unknownCostNodes} nodes of unknown cost${unresolved.length ? ` (${unresolved.slice(0, 4).map(([op, n]) => `${op} ×${n}`).join(', ')})` : ''}`);
    }
    const p = prof.profile;
    if (p) {
      const cov = prof.coverage();
      const sum = prof.summary()!;
      lines.push(`Runtime: ${prof.profileFile} — ${p.runs} run${p.runs === 1 ? '' : 's'}, ${sum.totalMs.toFixed(2)} ms per run`);
      lines.push(`${sum.mappedNodes} nodes timed${cov ? ` (${(100 * cov.share).toFixed(1)}% of non-Constant)` : ''} · ${p.kernelEvents - p.mappedEvents} unmapped events`);
    }
    side.setStatus(lines);
    // The table only changes with new metrics or a new profile.
    const key = [prof.metrics, prof.profile];
    if (m && prof.model && !(Array.isArray(sideData) && sideData[0] === key[0] && sideData[1] === key[1])) {
      sideData = key;
      side.setData(profileRows(prof.model.ir, prof.model.hierarchy, m, prof.profile));
    }
  }
  prof.onChange(syncProfile);

  root.append(toolbar.element, el('main', { class: 'workspace' }, graphHost, properties.element, side.element), statusBar.element);
  installDropTarget(graphHost, openInput);

  function report(err: unknown): void {
    statusBar.set(`Error: ${errorMessage(err)}`, '');
  }

  function setTheme(name: ThemeName): void {
    themeName = name;
    document.documentElement.dataset.theme = name;
    try {
      localStorage.setItem('strata-theme', name);
    } catch {
      /* ignore */
    }
    scene.setTheme(THEMES[name]);
    shownNode = -2;
    syncPanels();
  }

  function exportPng(): void {
    scene.renderNow();
    scene.app.canvas.toBlob((blob) => {
      if (blob) download(blob, `${baseName()}.png`);
    }, 'image/png');
  }

  function exportSvg(): void {
    const view = scene.exportView();
    const model = ctl.model;
    if (!view || !model || !ctl.layout) return;
    const svg = buildSvg({ ...view, layout: ctl.layout, source: model, theme: THEMES[themeName] });
    download(new Blob([svg], { type: 'image/svg+xml' }), `${baseName()}.svg`);
  }

  function baseName(): string {
    return (ctl.model?.fileName ?? 'strata').replace(/\.[^.]+$/, '') || 'strata';
  }

  // ---- reflect controller state in the panels
  let shownModel: unknown = null;
  let shownNode = -2;
  function syncPanels(): void {
    const st = ctl.status;
    if (st === 'loading') loading.show(ctl.progress.stage, ctl.progress.fraction);
    else loading.hide();
    if (st === 'error') errorPanel.show(ctl.error ?? 'unknown error');
    else errorPanel.hide();
    empty.visible = st === 'idle';
    toolbar.setModelOpen(st === 'ready');
    toolbar.setBusy(ctl.busy);
    const model = ctl.model;
    if (model !== shownModel || (model && ctl.selectedNode !== shownNode)) {
      shownModel = model;
      shownNode = ctl.selectedNode;
      if (!model) properties.showEmpty();
      else if (ctl.selectedNode >= 0) properties.showNode(model, ctl.selectedNode);
      else properties.showModel(model);
    }
    if (model) document.title = `${model.fileName} — Strata`;
    prof.setModel(st === 'ready' ? model : null);
  }
  ctl.onChange(syncPanels);

  // ---- canvas interaction
  let pendingClick = 0;
  scene.events.click = (box, e) => {
    clearTimeout(pendingClick);
    const L = ctl.layout;
    if (!L || box < 0) {
      ctl.clearSelection();
      return;
    }
    const kind = L.boxKind[box];
    if (kind === BoxKind.Node) {
      void ctl.selectNode(L.boxRef[box], false);
    } else if (kind === BoxKind.Group || (L.boxRef[box] > 0 && inHeader(box, e))) {
      // Collapsed group, or an expanded group's header band: toggle. Delayed so a double-click (zoom) does not.
      pendingClick = window.setTimeout(() => void ctl.toggleGroup(L.boxRef[box]).catch(report), CLICK_DELAY);
    } else {
      ctl.clearSelection();
    }
  };
  function inHeader(box: number, e: MouseEvent): boolean {
    const L = ctl.layout;
    if (!L || !scene.culler) return false;
    const r = scene.app.canvas.getBoundingClientRect();
    const p = scene.toLayout(e.clientX - r.left, e.clientY - r.top);
    return p.y - L.boxY[box] < Math.max(scene.culler.nodeHeight * 0.9, 14 / scene.viewport.scale.x);
  }
  scene.events.dblclick = (box) => {
    clearTimeout(pendingClick);
    const L = ctl.layout;
    if (!L) return;
    if (box < 0) {
      scene.fit(undefined, 350);
      return;
    }
    scene.focusBox(box, 400);
  };
  scene.events.hover = (box, e) => {
    const L = ctl.layout;
    const model = ctl.model;
    if (!L || !model || box < 0 || !e) {
      tooltip.hide();
      return;
    }
    const kind = L.boxKind[box];
    const ref = L.boxRef[box];
    if (kind === BoxKind.Node) tooltip.show(e.clientX, e.clientY, model.nodeOp(ref), model.nodeName(ref));
    else if (kind === BoxKind.Group) tooltip.show(e.clientX, e.clientY, model.groupLabel(ref), `${formatCount(model.groupSize(ref))} nodes · click to expand, double-click to zoom`);
    else if (ref > 0) tooltip.show(e.clientX, e.clientY, model.groupLabel(ref), 'click the header to collapse, double-click to zoom');
    else tooltip.hide();
  };

  installKeyboard({
    search: () => search.focus(),
    fit: () => scene.fit(undefined, 300),
    escape: () => {
      search.close();
      tooltip.hide();
      if (ctl.selectedNode >= 0) ctl.clearSelection();
      if (ctl.status === 'error') errorPanel.hide();
    },
    zoomIn: () => scene.zoomBy(1.5, 150),
    zoomOut: () => scene.zoomBy(1 / 1.5, 150),
  });

  // ---- status bar, a few times a second (not per frame) and on every state change
  const refreshStatus = () => {
    const s = ctl.state(true);
    if (s.status !== 'ready') {
      statusBar.set(s.status === 'loading' ? ctl.progress.stage : s.status === 'error' ? 'Error' : 'No model open', s.renderer);
      return;
    }
    statusBar.set(
      `${formatCount(s.nodes)} nodes · ${formatCount(s.groups)} groups · ${formatCount(s.expanded)} expanded${s.busy ? ' · laying out…' : ''}`,
      `${formatCount(s.visibleNodes)} visible · ${s.tier} · ${s.drawCalls} draw calls · zoom ${s.camera.zoom.toPrecision(3)}`,
    );
  };
  setInterval(refreshStatus, 300);
  ctl.onChange(refreshStatus);

  syncPanels();
  resolveReady();

  if (early) void ctl.open(early.input, early);
}
